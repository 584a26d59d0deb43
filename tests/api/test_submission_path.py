"""One submission path: attempts.record is run once per submission, whichever door it came through
(the fast lane, the route, the HTML form), and the lane answers every request it takes exactly as
the route would, byte for byte."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import event, update
from sqlalchemy.exc import OperationalError

from quiz_api.attempts import service
from quiz_api.attempts.models import Attempt
from quiz_api.db import Raw, utcnow
from tests.api.test_api import start
from tests.api.test_pages import csrf
from tests.conftest import answer_key, new_learner


@pytest.fixture
def runs(app, monkeypatch):
    """What the database was asked, per run of attempts.record: the statements, driver-level (db.Raw)
    and through SQLAlchemy alike."""
    seen: list[list[str]] = []
    record, execute = service.record, Raw.execute

    def counted_record(*args, **kwargs):
        seen.append([])
        return record(*args, **kwargs)

    def counted_execute(self, statement, params=()):
        if seen:
            seen[-1].append(statement)
        return execute(self, statement, params)

    def before_cursor_execute(conn, cursor, statement, *_):
        if seen:
            seen[-1].append(statement)

    monkeypatch.setattr(service, "record", counted_record)
    monkeypatch.setattr(Raw, "execute", counted_execute)
    engine = app.state.database.engine
    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    yield seen
    event.remove(engine, "before_cursor_execute", before_cursor_execute)


def expire(database, attempt_id: str) -> None:
    with database.writing() as db:
        db.execute(update(Attempt).where(Attempt.id == attempt_id).values(expires_at=utcnow() - timedelta(hours=1)))


def refused(client, banks, database, kind: str) -> tuple[str, dict, int, str]:
    """A submission the service refuses: (attempt id, body, status, code)."""
    attempt = start(client, new_learner(client))
    answers = answer_key(banks, attempt, right=5)
    if kind == "unknown choice":
        answers[attempt["questions"][0]["id"]] = ["zz"]
        return attempt["attempt_id"], {"answers": answers}, 422, "unknown_choice"
    if kind == "expired":
        expire(database, attempt["attempt_id"])
        return attempt["attempt_id"], {"answers": answers}, 410, "attempt_expired"
    if kind == "unanswered":
        del answers[attempt["questions"][1]["id"]]
        return attempt["attempt_id"], {"answers": answers}, 422, "unanswered"
    return "AAAAAAAAAnot-an-attempt", {"answers": answers}, 404, "unknown_attempt"


@pytest.mark.parametrize("door", ["lane", "route"])
@pytest.mark.parametrize("kind", ["unknown choice", "expired", "unknown attempt", "unanswered"])
def test_a_refused_submission_runs_its_statements_once(client, app, banks, database, runs, monkeypatch, door, kind):
    attempt_id, body, status, code = refused(client, banks, database, kind)
    if door == "route":
        monkeypatch.setattr(app, "fast_lane", None)
    response = client.post(f"/api/v1/attempts/{attempt_id}/submit", json=body)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert len(runs) == 1, f"attempts.record ran {len(runs)} times"
    assert runs[0] and max(Counter(runs[0]).values()) == 1, runs[0]


@pytest.mark.parametrize("kind", ["unknown choice", "expired", "unknown attempt", "unanswered"])
def test_a_refused_form_submission_runs_its_statements_once(client, banks, database, runs, kind):
    attempt_id, body, status, _ = refused(client, banks, database, kind)
    page = client.get("/quiz/mau-thu")
    form = {"csrf_token": csrf(page.text)} | {f"q_{qid}": chosen for qid, chosen in body["answers"].items()}
    assert client.post(f"/quiz/attempt/{attempt_id}", data=form).status_code == status
    assert len(runs) == 1 and runs[0] and max(Counter(runs[0]).values()) == 1, runs


def test_a_graded_submission_runs_record_once(client, banks, runs):
    attempt = start(client, new_learner(client))
    response = client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit",
                           json={"answers": answer_key(banks, attempt, right=5)})
    assert response.status_code == 200 and len(runs) == 1


# ---------------------------------------------------------------- the lane answers as the route does


def answer(response) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Everything the client receives: status, headers in their order (the request id's value differs
    by request), body."""
    headers = [(k, b"<id>" if k == b"x-request-id" else v) for k, v in response.headers.raw]
    return response.status_code, headers, response.content


@pytest.fixture
def doors(app, monkeypatch):
    """post(door, ...) through the lane or, with the lane off, the route; `fell_back` counts the requests
    the lane handed to the application."""
    lane = app.fast_lane
    fell_back = []
    behind = lane.app

    async def counted(scope, receive, send):
        fell_back.append(scope["path"])
        await behind(scope, receive, send)

    monkeypatch.setattr(lane, "app", counted)

    def post(client, door: str, url: str, content: bytes, headers: dict | None = None):
        app.fast_lane = lane if door == "lane" else None
        try:
            return client.post(url, content=content, headers={"content-type": "application/json", **(headers or {})})
        finally:
            app.fast_lane = lane

    post.fell_back = fell_back
    return post


LANGUAGES = [{}, {"accept-language": "en-GB,en;q=0.8"}]


@pytest.mark.parametrize("headers", LANGUAGES, ids=["vi", "en"])
def test_the_lanes_results_are_the_routes_byte_for_byte(client, banks, doors, headers):
    """Fresh from the lane, again from the route (the stored result), and the other way round."""
    for first, second in (("lane", "route"), ("route", "lane")):
        for right in (5, 2):  # a pass with its certificate, a fail
            attempt = start(client, new_learner(client))
            url = f"/api/v1/attempts/{attempt['attempt_id']}/submit"
            body = json.dumps({"answers": answer_key(banks, attempt, right=right)}).encode()
            fresh = answer(doors(client, first, url, body, headers))
            again = answer(doors(client, second, url, body, headers))
            assert fresh[0] == 200 and fresh == again, (first, right)
    assert doors.fell_back == []


REFUSALS = ["unknown question", "unknown choice", "two choices for one", "malformed", "not an object", "a string",
            "null", "answers not lists", "answers a list", "no answers", "an extra field", "a number for a choice",
            "too many answers", "not UTF-8", "a lone surrogate", "deeply nested", "trailing garbage", "empty",
            "two unanswered", "allow_unanswered not a bool"]


def refusal(kind: str, attempt: dict, banks) -> bytes:
    """A submission body the lane refuses, by what is wrong with it."""
    q0, q1 = attempt["questions"][0], attempt["questions"][1]
    single = next(q for q in attempt["questions"] if banks["mau-thu"].questions[q["id"]].type != "multiple")
    return {
        "unknown question": json.dumps({"answers": {"not-drawn": ["a"]}}).encode(),
        "unknown choice": json.dumps({"answers": {q0["id"]: ["zz"], q1["id"]: [q1["choices"][0]["id"]]}}).encode(),
        "two choices for one": json.dumps({"answers": {single["id"]: [c["id"] for c in single["choices"][:2]]}}).encode(),
        "malformed": b'{"answers": {"q": [',
        "not an object": b"[]",
        "a string": b'"answers"',
        "null": b"null",
        "answers not lists": b'{"answers": {"q": "a"}}',
        "answers a list": b'{"answers": []}',
        "no answers": b"{}",
        "an extra field": b'{"answers": {}, "x": 1}',
        "a number for a choice": b'{"answers": {"q": [1]}}',
        "too many answers": json.dumps({"answers": {f"q{i}": ["a"] for i in range(201)}}).encode(),
        "not UTF-8": b'{"answers": {"q": ["\xff\xfe"]}}',
        "a lone surrogate": b'{"answers": {"\\ud800": ["a"]}}',
        "deeply nested": b'{"answers": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        "trailing garbage": b'{"answers": {}} x',
        "empty": b"",
        "two unanswered": json.dumps({"answers": {q["id"]: [q["choices"][0]["id"]] for q in attempt["questions"][2:]},
                                      "allow_unanswered": False}).encode(),
        "allow_unanswered not a bool": b'{"answers": {}, "allow_unanswered": "perhaps"}',
    }[kind]


@pytest.mark.parametrize("headers", LANGUAGES, ids=["vi", "en"])
@pytest.mark.parametrize("kind", REFUSALS)
def test_the_lane_refuses_as_the_route_does_byte_for_byte(client, banks, doors, kind, headers):
    attempt = start(client, new_learner(client))
    url = f"/api/v1/attempts/{attempt['attempt_id']}/submit"
    body = refusal(kind, attempt, banks)
    by_lane = answer(doors(client, "lane", url, body, headers))
    by_route = answer(doors(client, "route", url, body, headers))
    assert 400 <= by_lane[0] < 500 and by_lane == by_route, (by_lane, by_route)
    # The lane answers the route's 422s itself; only what the route answers otherwise passes through it.
    assert bool(doors.fell_back) == (by_route[0] != 422), doors.fell_back


@pytest.mark.parametrize("kind", ["expired", "unknown attempt", "query lang"])
def test_the_lane_answers_an_expired_or_unknown_attempt_as_the_route_does(client, banks, database, doors, kind):
    attempt = start(client, new_learner(client))
    attempt_id, query = attempt["attempt_id"], ""
    if kind == "expired":
        expire(database, attempt_id)
    elif kind == "unknown attempt":
        attempt_id = "nope"
    else:
        expire(database, attempt_id)
        query = "?lang=en"
    url = f"/api/v1/attempts/{attempt_id}/submit{query}"
    body = json.dumps({"answers": answer_key(banks, attempt, right=5)}).encode()
    by_lane = answer(doors(client, "lane", url, body))
    assert by_lane == answer(doors(client, "route", url, body)) and by_lane[0] in (404, 410)
    assert doors.fell_back == []
    if kind == "query lang":
        assert b"expired" in by_lane[2]


def test_a_busy_database_gets_the_routes_503_from_the_lane_and_the_work_is_not_repeated(
        client, banks, doors, monkeypatch):
    calls = []

    def locked(*args, **kwargs):
        calls.append(kwargs["attempt_id"])
        raise OperationalError("UPDATE attempt ...", {}, Exception("database is locked"))

    monkeypatch.setattr(service, "record", locked)
    attempt = start(client, new_learner(client))
    url = f"/api/v1/attempts/{attempt['attempt_id']}/submit"
    body = json.dumps({"answers": answer_key(banks, attempt, right=5)}).encode()
    by_lane = answer(doors(client, "lane", url, body))
    assert len(calls) == 1 and doors.fell_back == []
    by_route = answer(doors(client, "route", url, body))
    assert by_lane == by_route and by_lane[0] == 503
    assert (b"retry-after", b"2") in by_lane[1]


def test_requests_the_lane_does_not_take_reach_the_route_untouched(client, banks, doors):
    attempt = start(client, new_learner(client))
    url = f"/api/v1/attempts/{attempt['attempt_id']}/submit"
    body = json.dumps({"answers": answer_key(banks, attempt, right=5)}).encode()
    response = doors(client, "lane", url, body, {"content-type": "application/merge-patch+json"})
    assert response.status_code == 200 and doors.fell_back == [f"/api/v1/attempts/{attempt['attempt_id']}/submit"]
    long_id = answer(doors(client, "lane", "/api/v1/attempts/" + "a" * 65 + "/submit", body))
    assert long_id[0] == 422 and long_id == answer(doors(client, "route", "/api/v1/attempts/" + "a" * 65 + "/submit",
                                                          body))
