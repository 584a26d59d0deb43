"""Text no client should send, answered as bad input and never as a server error: lone UTF-16
surrogates in JSON strings, non-ASCII characters in a form's CSRF token."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import func, select

from quiz_api.learners.models import Learner
from quiz_api.strictjson import StrictJSONRoute
from tests.conftest import new_learner

JSON = {"content-type": "application/json"}
LONE = ["\\ud800", "\\udfff", "a\\ud83d", "\\ude00b"]


def post_json(client, url: str, body: str, method: str = "POST"):
    return client.request(method, url, content=body.encode(), headers=JSON)


def test_every_api_route_parses_its_json_body_strictly(app):
    routes = [c for c in iter_route_contexts(app.routes)
              if isinstance(c.original_route, APIRoute) and c.path.startswith("/api/")
              and c.original_route.include_in_schema]  # the JSON API (not the docs page)
    assert len(routes) > 15
    assert [c.path for c in routes if not isinstance(c.original_route, StrictJSONRoute)] == []


@pytest.mark.parametrize("lone", LONE)
@pytest.mark.parametrize("where", ["question", "choice"])
def test_a_lone_surrogate_in_a_submission_is_malformed_json(client, lone, where):
    code = new_learner(client)
    attempt = client.post("/api/v1/attempts", json={"learner_code": code, "module_id": "mau-thu"}).json()
    question = attempt["questions"][0]["id"]
    body = (f'{{"answers": {{"{lone}": ["a"]}}}}' if where == "question"
            else f'{{"answers": {{"{question}": ["{lone}"]}}}}')
    response = post_json(client, f"/api/v1/attempts/{attempt['attempt_id']}/submit", body)
    assert response.status_code == 422
    assert response.json()["code"] == "malformed_json"
    # nothing was recorded: the attempt can still be submitted
    ok = client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit", json={"answers": {}, "allow_unanswered": True})
    assert ok.status_code == 200


@pytest.mark.parametrize("field", ["full_name", "unit_code", "organisation", "email", "phone", "group"])
def test_a_lone_surrogate_in_any_learner_field_is_refused_and_nothing_is_stored(client, database, field):
    body = {"full_name": "An", "group": "citizen", "unit_code": "TN", "consent": True, field: "X@@"}
    response = post_json(client, "/api/v1/learners", json.dumps(body).replace("@@", "\\ud800"))
    assert response.status_code == 422 and response.json()["code"] == "malformed_json"
    with database.reading() as db:
        assert db.scalar(select(func.count()).select_from(Learner)) == 0


def test_a_lone_surrogate_in_the_other_json_bodies_is_refused(client):
    code = new_learner(client)
    for method, url, body in [
        ("POST", "/api/v1/attempts", '{"learner_code": "\\ud800", "module_id": "mau-thu"}'),
        ("POST", "/api/v1/attempts", '{"learner_code": "' + code + '", "module_id": "\\udc00"}'),
        ("PATCH", f"/api/v1/learners/{code}", '{"organisation": "\\ud800"}'),
        ("POST", "/api/v1/certificates/X/revoke", '{"reason": "\\ud800"}'),
    ]:
        response = post_json(client, url, body, method)
        assert response.status_code in (401, 422), (url, response.text)
        if response.status_code == 422:
            assert response.json()["code"] == "malformed_json"


def test_an_escaped_surrogate_pair_is_text_like_any_other(client):
    body = '{"full_name": "Nguy\\u1ec5n \\ud83d\\ude00", "group": "citizen", "unit_code": "TN", "consent": true}'
    response = post_json(client, "/api/v1/learners", body)
    assert response.status_code == 201, response.text


FORMS = ["/learner/resume", "/learner/forget", "/learner/correct", "/learner/erase", "/quiz/mau-thu/learner",
         "/quiz/mau-thu/start", "/organiser/login", "/organiser/logout"]


@pytest.mark.parametrize("path", FORMS)
@pytest.mark.parametrize("cookie, field", [("é" * 43, "è" * 43), ("é" * 43, "x"), ("x" * 43, "é")])
def test_a_csrf_token_with_non_ascii_characters_is_refused_with_403(client, path, cookie, field):
    response = client.post(path, content=f"csrf_token={field}&code=x".encode(), headers={
        "content-type": "application/x-www-form-urlencoded; charset=utf-8",
        "cookie": f"kns_csrf={cookie}".encode()})
    assert response.status_code == 403
    assert re.search(r"Biểu mẫu đã hết hạn", response.text)
