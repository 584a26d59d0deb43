"""A class day's registrations go through the group-commit writer with the starts, and over
capacity a request is refused at once (503 server_busy, Retry-After) with nothing stored."""

from __future__ import annotations

import asyncio
import json
import time
from functools import partial

import pytest
from sqlalchemy import event, func, select

from quiz_api.attempts import service as attempts
from quiz_api.attempts.models import Attempt
from quiz_api.learners import service as learners
from quiz_api.learners.models import Learner
from quiz_api.serving import ARRIVAL, waited
from tests.conftest import new_learner

MODULE = "mau-thu"
REGISTRATION = {"full_name": "Trần Thị Bình", "group": "public_servant", "unit_code": "TN", "consent": True}


from quiz_api.learners import router as learners_router


def learner_count(database) -> int:
    with database.reading() as db:
        return db.scalar(select(func.count()).select_from(Learner))


def test_registration_is_a_writer_job_and_takes_no_write_transaction_of_its_own(client, database, monkeypatch):
    jobs = []
    real_call = type(database.writer).__call__

    async def spy(writer, fn):
        jobs.append(getattr(fn, "func", fn))
        return await real_call(writer, fn)

    def no_transaction():
        raise AssertionError("registration opened a write transaction outside the writer")

    monkeypatch.setattr(type(database.writer), "__call__", spy)
    monkeypatch.setattr(database, "writing", no_transaction)
    code = new_learner(client)
    assert jobs == [learners_router._register]  # learners.store, and the class join when one is asked
    with database.reading() as db:
        assert learners.find_by_code(db=db, code=code).full_name == "Nguyễn Văn An"


def test_an_unknown_unit_fails_inside_the_writer_and_stores_nothing(client, database):
    response = client.post("/api/v1/learners", json={**REGISTRATION, "unit_code": "TN-X-khong-co"})
    assert response.status_code == 422 and response.json()["code"] == "unknown_unit"
    assert learner_count(database) == 0


def test_a_registration_and_a_start_queued_together_commit_in_one_batch(client, database, banks, app):
    if not database.is_sqlite:
        pytest.skip("PostgreSQL runs batches on four writer threads: two jobs may take two of them")
    code = new_learner(client)
    with database.reading() as db:
        learner_id = learners.find_by_code(db=db, code=code).id
    registration = learners.new_registration(
        profile=learners.clean_profile(full_name="Lê Văn Cường", group="citizen", unit_code="TN",
                                       organisation=None, email=None, phone=None),
        consent=True, consent_version="2026-11")
    start = partial(attempts.start, banks=banks, settings=app.state.quiz_settings, learner_id=learner_id,
                    module_id=MODULE, lang="vi")
    commits = []
    listener = lambda conn: commits.append(1)

    async def together():
        return await asyncio.gather(database.writer(partial(learners.store, registration=registration)),
                                    database.writer(lambda conn: start(conn=conn)))

    event.listen(database.engine, "commit", listener)
    try:
        new_id, started = asyncio.run(together())
    finally:
        event.remove(database.engine, "commit", listener)
    assert len(commits) == 1, "one batch, one commit"
    assert new_id != learner_id and started["module_id"] == MODULE
    assert learner_count(database) == 2


def test_a_registration_or_start_the_writer_refuses_gets_503_with_retry_after_and_stores_nothing(
        client, database, monkeypatch):
    code = new_learner(client)
    monkeypatch.setattr(database.writer, "max_wait", -1.0)  # every job has waited too long
    refused = [client.post("/api/v1/learners", json=REGISTRATION),
               client.post("/api/v1/attempts", json={"learner_code": code, "module_id": MODULE}),
               client.post("/api/v1/learners", json=REGISTRATION, headers={"Accept-Language": "en"})]
    assert [(r.status_code, r.headers["retry-after"], r.json()["code"]) for r in refused] == [
        (503, "2", "server_busy")] * 3
    assert "busy" in refused[2].json()["detail"]
    assert learner_count(database) == 1
    with database.reading() as db:
        assert db.scalar(select(func.count()).select_from(Attempt)) == 0


# -- the door: a request that waited too long before the application saw it ------------------------


def call(app, method: str, path: str, body: dict | None = None, waited_s: float = 0.0,
         headers: list[tuple[bytes, bytes]] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request straight into the ASGI application, as kynangso serve hands it over: the scope
    says when the request arrived (serving.ArrivalProtocol)."""
    data = json.dumps(body).encode() if body is not None else b""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 50000),
        "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                    (b"content-length", str(len(data)).encode()), *(headers or [])],
        "extensions": {ARRIVAL: {"at": time.monotonic() - waited_s}},
    }
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": data, "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    head = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], head, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def test_a_request_that_waited_past_the_budget_is_refused_at_once_and_stores_nothing(client, app, database):
    assert app.max_wait == 1.0  # the default (Settings.request_max_wait_seconds)
    status, head, body = call(app, "POST", "/api/v1/learners", REGISTRATION, waited_s=3.0)
    assert (status, head["retry-after"], json.loads(body)["code"]) == (503, "2", "server_busy")
    assert learner_count(database) == 0
    status, head, body = call(app, "POST", "/api/v1/learners", REGISTRATION, waited_s=3.0,
                              headers=[(b"accept-language", b"en")])
    assert status == 503 and "busy" in json.loads(body)["detail"]


def test_a_request_within_the_budget_is_served(client, app, database):
    status, _, body = call(app, "POST", "/api/v1/learners", REGISTRATION, waited_s=0.5)
    assert status == 201 and json.loads(body)["learner_code"]
    assert learner_count(database) == 1


def test_pages_are_refused_as_pages_and_liveness_is_never_refused(client, app):
    status, head, body = call(app, "GET", f"/quiz/{MODULE}", waited_s=3.0)
    assert status == 503 and head["content-type"].startswith("text/html") and head["retry-after"] == "2"
    assert b"<html" in body.lower()
    assert call(app, "GET", "/api/v1/health/live", waited_s=3.0)[0] == 200


def test_a_request_without_an_arrival_time_never_counts_as_late():
    assert waited({"type": "http", "extensions": {}}) == 0.0
    assert waited({"type": "http"}) == 0.0
    assert 1.9 < waited({"type": "http", "extensions": {ARRIVAL: {"at": time.monotonic() - 2}}}) < 3
