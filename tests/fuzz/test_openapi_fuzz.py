"""Schemathesis against the app's own OpenAPI schema, in process (ASGI), on SQLite and PostgreSQL.

Every operation of /api/openapi.json, organiser ones included (with an admin's bearer token),
gets generated requests, valid and invalid. Every answer must be a non-5xx whose status is one the
schema declares for that operation and whose body conforms to the declared schema. Path
parameters are sometimes real ones (a learner code, an open and a submitted attempt, a
certificate code) and submissions sometimes answer the real questions, so the generated requests
reach the code behind the 404s, not only the 404s.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from quiz_api.organisers import security
from quiz_api.organisers import service as organisers
from tests.conftest import answer_key, new_learner

ADMIN, UNIT_ORGANISER, PASSWORD = "fuzz-admin", "fuzz-xa-long-an", "mật-khẩu-fuzz-đủ-dài"
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]
# 25 examples per operation and mode, the same ones each run (CI); KYNANGSO_FUZZ_EXAMPLES=500 explores
# further with fresh random examples each run.
MAX_EXAMPLES = int(os.environ.get("KYNANGSO_FUZZ_EXAMPLES", "25"))
DERANDOMIZE = "KYNANGSO_FUZZ_EXAMPLES" not in os.environ
pytestmark = pytest.mark.slow  # about 25 s per database
REAL_FIELDS = {"module_id": ["mau-thu"], "unit_code": ["TN", "TN-P-long-an", "TN-P-tan-an"]}


@pytest.fixture(autouse=True, scope="module")
def _cheap_argon2():
    """Logins are generated too: a cheap argon2id profile keeps them fast (the algorithm is the same)."""
    security.use_hasher(PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1))


@pytest.fixture
def real(client, database, banks) -> dict:
    """Data for the generated requests to find: an admin and its token, learners, an open and a
    submitted (passed) attempt, its certificate."""
    tokens = {}
    for username, role, units in ((ADMIN, "admin", []), (UNIT_ORGANISER, "unit", ["TN-P-long-an"])):
        with database.writing() as db:
            organisers.create(db=db, username=username, password=PASSWORD, role=role, unit_codes=units)
        token = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
        assert token.status_code == 200, token.text
        tokens[role] = token.json()["access_token"]
    learner = new_learner(client)
    other = new_learner(client, group="public_servant", unit_code="TN")
    done = client.post("/api/v1/attempts", json={"learner_code": learner, "module_id": "mau-thu"}).json()
    result = client.post(f"/api/v1/attempts/{done['attempt_id']}/submit",
                         json={"answers": answer_key(banks, done, right=5)}).json()
    assert result["passed"] and result["certificate_code"], result
    open_attempt = client.post("/api/v1/attempts",
                               json={"learner_code": other, "module_id": "mau-thu"}).json()
    return {
        # Mostly the admin (every endpoint's whole path), sometimes a commune organiser, no token or
        # a forged one (the 401s and 403s must be documented too).
        "authorization": [f"Bearer {tokens['admin']}"] * 4 + [f"Bearer {tokens['unit']}", None,
                                                             f"Bearer {tokens['admin'][:-4]}AAAA"],
        "learner_code": [learner, other],
        "attempt_id": [done["attempt_id"], open_attempt["attempt_id"]],
        "code": [result["certificate_code"]],
        "answers": [answer_key(banks, open_attempt, right=r) for r in (2, 5)],
    }


@pytest.fixture
def api_schema(app, real):
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)

    @schema.hook
    def flatmap_path_parameters(ctx, path_parameters):
        """Half the time, the path names something that exists."""
        if not path_parameters:
            return st.just(path_parameters)
        known = {name: real[name] for name in path_parameters if name in real}
        if not known:
            return st.just(path_parameters)
        return st.one_of(st.just(path_parameters), st.fixed_dictionaries(
            {name: st.sampled_from(known[name]) if name in known else st.just(value)
             for name, value in path_parameters.items()}))

    @schema.hook
    def flatmap_body(ctx, body):
        """Half the time, body fields that name things (learner code, module, unit) name real ones,
        and a submission answers the real questions, right or wrong."""
        if ctx.operation is not None and ctx.operation.path.endswith("/submit"):
            return st.one_of(st.just(body), st.sampled_from(real["answers"]).map(lambda a: {"answers": a}))
        choices = {"learner_code": real["learner_code"], **REAL_FIELDS}
        if not isinstance(body, dict) or not set(body) & set(choices):
            return st.just(body)
        return st.one_of(st.just(body), st.fixed_dictionaries(
            {key: st.sampled_from(choices[key]) if key in choices else st.just(value)
             for key, value in body.items()}))

    return schema


def _operations() -> dict[str, bool]:
    """The API's operations, read from its routes at collection time (one test per operation), each
    with whether it takes any input (operations without any have no invalid request to generate).
    Schemathesis' own pytest integration (from_fixture) fails on pytest 9 (it sets node._nodeid)."""
    from fastapi.openapi.utils import get_openapi

    from quiz_api.api import api_router

    paths = get_openapi(title="", version="", routes=api_router.routes)["paths"]
    return {f"{method.upper()} {path}": bool(op.get("parameters") or op.get("requestBody"))
            for path, ops in paths.items() for method, op in ops.items()}


OPERATIONS = _operations()
LABELS = list(OPERATIONS)
CASES = [(label, mode) for label, takes_input in OPERATIONS.items()
         for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
         if takes_input or mode is GenerationMode.POSITIVE]


def test_the_fuzzed_operations_are_all_the_app_has(api_schema) -> None:
    assert sorted(op.ok().label for op in api_schema.get_all_operations()) == sorted(LABELS)


@pytest.mark.parametrize(("label", "mode"), CASES, ids=[f"{label}-{mode.value}" for label, mode in CASES])
def test_every_operation_conforms_to_its_schema(label: str, mode: GenerationMode, api_schema, app,
                                                real) -> None:
    operation = api_schema.find_operation_by_label(label)

    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=DERANDOMIZE, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode),
           authorization=st.sampled_from(real["authorization"]))
    def fuzz(case, authorization: str | None) -> None:
        app.state.limiters.reset()  # generated misses would soon hit the guessing and login limits (429)
        sends_token = authorization and label != "POST /api/v1/auth/token"
        headers = {"Authorization": authorization} if sends_token else {}
        case.call_and_validate(headers=headers, checks=CHECKS)

    fuzz()
