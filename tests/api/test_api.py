"""The JSON API: the brief's contract, bad input, and recording every submission exactly once."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from quiz_api.attempts.models import Attempt, AttemptAnswer
from quiz_api.certificates.models import Certificate
from quiz_api.db import utcnow
from quiz_api.learners.models import Learner
from tests.conftest import answer_key, new_learner

MODULE = "mau-thu"


def start(client, code, module=MODULE, lang="vi"):
    response = client.post("/api/v1/attempts", json={"learner_code": code, "module_id": module, "lang": lang})
    assert response.status_code == 201, response.text
    return response.json()


def count(database, model) -> int:
    with database.reading() as db:
        return db.scalar(select(func.count()).select_from(model))


def test_health_checks_the_database_and_liveness_does_not(client):
    assert client.get("/api/v1/health").json() == {"status": "ok"}
    assert client.get("/api/v1/health/live").json() == {"status": "ok"}


def test_modules_list_titles_pass_marks_and_lesson_urls(client):
    modules = client.get("/api/v1/modules?lang=en").json()
    sample = next(m for m in modules if m["id"] == MODULE)
    assert sample["title"] == "Sample module"
    assert sample["pass_mark"] == 0.8 and sample["questions_per_attempt"] == 5
    assert sample["lesson_url"] == "/en/mau-thu/"


def test_units_are_the_province_tree(client):
    units = client.get("/api/v1/units").json()
    by_kind = {}
    for u in units:
        by_kind[u["kind"]] = by_kind.get(u["kind"], 0) + 1
    assert by_kind["xã"] == 82 and by_kind["phường"] == 14
    assert {u["parent_code"] for u in units if u["kind"] in ("xã", "phường")} == {"TN"}
    assert any(u["name"] == "Long An" and u["kind"] == "phường" for u in units)


def test_a_learner_with_consent_gets_a_code_and_only_its_hash_is_stored(client, database):
    code = new_learner(client, email="an@example.vn", phone="0912 345 678")
    with database.reading() as db:
        learner = db.scalar(select(Learner))
    assert learner.code_hash and code not in learner.code_hash
    assert learner.consent_version and learner.consent_at is not None
    assert learner.email == "an@example.vn"


def test_a_right_to_left_override_is_removed_from_a_name(client, database):
    new_learner(client, full_name="Nguy\u202eễn V\u200bă\u2066n An")
    with database.reading() as db:
        assert db.scalar(select(Learner.full_name)) == "Nguyễn Văn An"


@pytest.mark.parametrize("body, status, code", [
    ({"consent": False}, 422, "consent_required"),
    ({"full_name": "   "}, 422, "name_required"),
    ({"full_name": "\u200b\u200c\u2060"}, 422, "name_required"),  # zero-width only
    ({"full_name": "\x00\x00"}, 422, "name_required"),
    ({"full_name": "\u3164\u202e"}, 422, "name_required"),  # a blank "letter" and an override
    ({"unit_code": "NOWHERE"}, 422, "unknown_unit"),
    ({"email": "not-an-email"}, 422, "bad_email"),
    ({"phone": "12"}, 422, "bad_phone"),
    ({"group": "alien"}, 422, "invalid_input"),
    ({"consent": "yes please"}, 422, "invalid_input"),
    ({"extra_field": 1}, 422, "invalid_input"),
])
def test_bad_learner_input_is_refused_and_nothing_is_stored(client, database, body, status, code):
    base = {"full_name": "Trần Thị Bình", "group": "business", "unit_code": "TN-S-so-y-te", "consent": True}
    base.update(body)
    response = client.post("/api/v1/learners", json=base)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert count(database, Learner) == 0


def test_errors_speak_the_learners_language(client):
    body = {"full_name": "A", "group": "citizen", "unit_code": "TN", "consent": False}
    vi = client.post("/api/v1/learners", json=body).json()["detail"]
    en = client.post("/api/v1/learners", json=dict(body, lang="en")).json()["detail"]
    assert "đồng ý" in vi and "consent" in en


def test_malformed_json_and_oversized_bodies_get_4xx(client, database):
    response = client.post("/api/v1/learners", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422 and response.json()["code"] == "malformed_json"
    big = json.dumps({"full_name": "x" * 100_000, "group": "citizen", "unit_code": "TN", "consent": True})
    response = client.post("/api/v1/learners", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413
    streamed = client.post("/api/v1/learners", content=iter([big.encode()[:40_000], big.encode()[40_000:]]),
                           headers={"content-type": "application/json"})  # chunked: no Content-Length
    assert streamed.status_code == 413 and streamed.json()["code"] == "body_too_large"
    assert count(database, Learner) == 0


def test_submission_bodies_over_the_limit_get_413_and_a_streamed_one_is_graded(client, banks, database):
    """The submission fast lane reads bodies itself: the limit holds for it too, declared or streamed."""
    attempt = start(client, new_learner(client))
    url = f"/api/v1/attempts/{attempt['attempt_id']}/submit"
    big = json.dumps({"answers": answer_key(banks, attempt, right=5), "padding": "x" * 100_000}).encode()
    assert client.post(url, content=big, headers={"content-type": "application/json"}).status_code == 413

    def chunks(data: bytes, size: int = 1000):
        yield from (data[i:i + size] for i in range(0, len(data), size))

    streamed = client.post(url, content=chunks(big), headers={"content-type": "application/json"})
    assert streamed.status_code == 413  # no content-length: counted while reading
    assert count(database, AttemptAnswer) == 0
    body = json.dumps({"answers": answer_key(banks, attempt, right=5)}).encode()
    graded = client.post(url, content=chunks(body, 7), headers={"content-type": "application/json"})
    assert graded.status_code == 200 and graded.json()["score"] == 1.0
    assert count(database, AttemptAnswer) == 5


def test_an_attempt_shows_questions_but_never_the_answer_key(client, banks):
    attempt = start(client, new_learner(client))
    assert len(attempt["questions"]) == 5
    raw = json.dumps(attempt)
    for field in ("correct", "explanation", "lesson"):
        assert f'"{field}' not in raw
    bank = banks[MODULE]
    for q in attempt["questions"]:
        assert {c["id"] for c in q["choices"]} == {c.id for c in bank.questions[q["id"]].choices}


@pytest.mark.parametrize("body, status, code", [
    ({"learner_code": "AAAA-AAAA-AAAA-A"}, 404, "mistyped_code"),
    ({"module_id": "khong-co"}, 404, "unknown_module"),
    ({"lang": "fr"}, 422, "invalid_input"),
])
def test_bad_attempt_requests_are_refused(client, database, body, status, code):
    base = {"learner_code": new_learner(client), "module_id": MODULE}
    base.update(body)
    response = client.post("/api/v1/attempts", json=base)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert count(database, Attempt) == 0


def test_a_well_formed_but_unknown_learner_code_is_not_found(client):
    from quiz_api import codes

    response = client.post("/api/v1/attempts", json={"learner_code": codes.new_code(12), "module_id": MODULE})
    assert response.status_code == 404 and response.json()["code"] == "unknown_learner"


def test_submitting_grades_on_the_server_and_explains_each_question(client, banks, database):
    attempt = start(client, new_learner(client), lang="en")
    response = client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit",
                           json={"answers": answer_key(banks, attempt, right=4)})
    assert response.status_code == 200
    result = response.json()
    assert result["score"] == 0.8 and result["passed"] is True and result["correct_count"] == 4
    assert result["certificate_code"]
    assert [q["correct"] for q in result["questions"]] == [True] * 4 + [False]
    for q in result["questions"]:
        assert q["explanation"].startswith("Explanation")
        assert q["lesson_url"].startswith("/en/mau-thu/bai-")
    assert count(database, AttemptAnswer) == 5 and count(database, Certificate) == 1


def test_resubmitting_an_attempt_returns_the_same_result_and_records_nothing_new(client, banks, database):
    attempt = start(client, new_learner(client))
    url = f"/api/v1/attempts/{attempt['attempt_id']}/submit"
    first = client.post(url, json={"answers": answer_key(banks, attempt, right=5)}).json()
    second = client.post(url, json={"answers": answer_key(banks, attempt, right=0)}).json()
    assert first == second and first["score"] == 1.0
    assert count(database, AttemptAnswer) == 5 and count(database, Certificate) == 1


def test_concurrent_submits_of_one_attempt_store_one_result(client, banks, database):
    attempt = start(client, new_learner(client))
    url = f"/api/v1/attempts/{attempt['attempt_id']}/submit"
    bodies = [{"answers": answer_key(banks, attempt, right=i % 6)} for i in range(16)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda b: client.post(url, json=b), bodies))
    assert all(r.status_code == 200 for r in results)
    assert len({json.dumps(r.json(), sort_keys=True) for r in results}) == 1
    assert count(database, AttemptAnswer) == 5


@pytest.mark.parametrize("answers, code", [
    ({"not-drawn": ["a"]}, "unknown_question"),
    ("first_question_bad_choice", "unknown_choice"),
])
def test_answers_outside_the_attempt_are_refused_and_nothing_is_stored(client, database, answers, code):
    attempt = start(client, new_learner(client))
    if answers == "first_question_bad_choice":
        answers = {attempt["questions"][0]["id"]: ["zz"]}
    response = client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit", json={"answers": answers})
    assert response.status_code == 422 and response.json()["code"] == code
    assert count(database, AttemptAnswer) == 0


@pytest.mark.parametrize("body", [{"answers": {"q": "a"}}, {"answers": []}, {}, {"answers": {}, "x": 1}])
def test_wrongly_shaped_submissions_get_422(client, body):
    attempt = start(client, new_learner(client))
    assert client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit", json=body).status_code == 422


def test_unknown_attempt_is_404(client):
    assert client.post("/api/v1/attempts/nope/submit", json={"answers": {}}).status_code == 404


def test_an_expired_attempt_cannot_be_submitted(client, database):
    attempt = start(client, new_learner(client))
    with database.writing() as db:
        db.execute(update(Attempt).values(expires_at=utcnow() - timedelta(hours=1)))
    response = client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit", json={"answers": {}})
    assert response.status_code == 410 and response.json()["code"] == "attempt_expired"
    assert count(database, AttemptAnswer) == 0


def test_after_a_failed_attempt_the_learner_waits_for_the_cooldown(client, banks, database):
    code = new_learner(client)
    attempt = start(client, code)
    failed = client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit",
                         json={"answers": {}, "allow_unanswered": True})
    assert failed.json()["score"] == 0
    response = client.post("/api/v1/attempts", json={"learner_code": code, "module_id": MODULE})
    assert response.status_code == 429 and response.json()["code"] == "cooldown"
    assert int(response.headers["retry-after"]) > 0
    with database.writing() as db:  # time passes
        db.execute(update(Attempt).values(submitted_at=utcnow() - timedelta(minutes=11)))
    assert client.post("/api/v1/attempts", json={"learner_code": code, "module_id": MODULE}).status_code == 201


@pytest.mark.parametrize("first_right, waits", [(True, False), (False, True)])
def test_the_cooldown_follows_the_last_submitted_attempt(client, banks, database, first_right, waits):
    """Two submissions, the first one then dated last (1 minute ago, the other 5): only it counts."""
    code = new_learner(client)
    ids = []
    for right in (first_right, not first_right):
        with database.writing() as db:  # the earlier attempt's cooldown is over
            db.execute(update(Attempt).values(submitted_at=utcnow() - timedelta(hours=1))
                       .where(Attempt.submitted_at.is_not(None)))
        attempt = start(client, code)
        client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit",
                    json={"answers": answer_key(banks, attempt, right=5 if right else 0)})
        ids.append(attempt["attempt_id"])
    with database.writing() as db:
        for attempt_id, minutes_ago in zip(ids, (1, 5), strict=True):
            db.execute(update(Attempt).where(Attempt.id == attempt_id)
                       .values(submitted_at=utcnow() - timedelta(minutes=minutes_ago)))
    response = client.post("/api/v1/attempts", json={"learner_code": code, "module_id": MODULE})
    assert response.status_code == (429 if waits else 201), response.text


@pytest.mark.parametrize("left", [1, 2, 5])
def test_unanswered_questions_get_422_with_their_ids_and_nothing_is_recorded(client, banks, database, left):
    attempt = start(client, new_learner(client))
    answers = answer_key(banks, attempt, right=5)
    missing = [q["id"] for q in attempt["questions"]][-left:]
    for qid in missing[::2]:
        del answers[qid]
    for qid in missing[1::2]:
        answers[qid] = []  # an empty list is no answer either
    response = client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit", json={"answers": answers},
                           headers={"accept-language": "en"})
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "unanswered" and problem["question_ids"] == missing  # in the order shown
    assert f": {left}." in problem["detail"]
    assert count(database, AttemptAnswer) == 0 and count(database, Certificate) == 0
    with database.reading() as db:
        assert db.scalar(select(Attempt.submitted_at)) is None  # still open: it can be finished
    done = client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit",
                       json={"answers": answer_key(banks, attempt, right=5)})
    assert done.status_code == 200 and done.json()["score"] == 1.0


def test_allow_unanswered_grades_what_was_answered(client, banks, database):
    attempt = start(client, new_learner(client))
    answers = answer_key(banks, attempt, right=5)
    skipped = attempt["questions"][0]["id"]
    del answers[skipped]
    response = client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit",
                           json={"answers": answers, "allow_unanswered": True})
    assert response.status_code == 200
    result = response.json()
    assert result["correct_count"] == 4 and result["passed"] is True  # 4/5 meets the 0.8 pass mark
    assert [q["chosen"] for q in result["questions"] if q["id"] == skipped] == [[]]
    assert count(database, AttemptAnswer) == 5


def test_an_answered_submission_needs_no_allow_unanswered_and_a_bad_one_is_refused(client, banks):
    attempt = start(client, new_learner(client))
    url = f"/api/v1/attempts/{attempt['attempt_id']}/submit"
    bad = client.post(url, json={"answers": {}, "allow_unanswered": "perhaps"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_input"
    ok = client.post(url, json={"answers": answer_key(banks, attempt, right=0), "allow_unanswered": False})
    assert ok.status_code == 200 and ok.json()["score"] == 0


def test_passing_again_keeps_the_first_certificate(client, banks, database):
    code = new_learner(client)
    codes_seen = set()
    for _ in range(2):
        attempt = start(client, code)
        result = client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit",
                             json={"answers": answer_key(banks, attempt, right=5)}).json()
        codes_seen.add(result["certificate_code"])
    assert len(codes_seen) == 1 and count(database, Certificate) == 1


def test_openapi_is_served_for_the_api_only(client):
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/attempts/{attempt_id}/submit" in spec["paths"]
    assert not any(p.startswith("/quiz") for p in spec["paths"])
    assert client.get("/api/docs").status_code == 200
