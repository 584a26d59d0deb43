"""Submissions batched set-based on PostgreSQL (attempts.record_many): a batch gets exactly the
answers that submitting one at a time gives, stores each attempt once, and a failure inside the
batch's statements falls back to one at a time without losing or doubling anything."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future

import pytest
from sqlalchemy import text

from quiz_api.attempts import service as attempts
from quiz_api.certificates import service as certificates
from quiz_api.db import Database
from quiz_api.errors import DomainError
from tests import writer_calls
from tests.conftest import answer_key, new_learner

MODULE = "mau-thu"


@pytest.fixture
def pg(database_url, client):  # client: the tables emptied, the limits reset
    if database_url.startswith("sqlite"):
        pytest.skip("set-based batches are PostgreSQL's (SQLite runs each job alone, with no round trips)")
    database = Database(database_url)
    database.writer.threads = 1  # one writer: what is queued together is one batch
    yield database
    database.dispose()


def one_batch(database: Database, jobs: list) -> list[Future]:
    """Queue the jobs behind a job that holds the writer, so they all run as one batch."""
    holding, release = threading.Event(), threading.Event()

    def hold(_conn):
        holding.set()
        release.wait(10)

    first = writer_calls.submit(database, hold)
    holding.wait(10)
    futures = [writer_calls.submit(database, job) for job in jobs]
    deadline = time.monotonic() + 10  # the calls reach the writer's queue from another event loop
    while database.writer._queue.qsize() < len(jobs) and time.monotonic() < deadline:
        time.sleep(0.01)
    release.set()
    first.result(timeout=30)
    for f in futures:
        f.exception(timeout=30)
    return futures


def outcome(future: Future):
    exc = future.exception()
    if exc is not None:
        return type(exc).__name__, exc.key if isinstance(exc, DomainError) else str(exc)
    result = future.result()
    return "ok", result["score"], result["passed"], result["certificate_code"] is not None


def scenario(client, banks, database: Database) -> list[attempts.Submission]:
    """Every kind of submission a batch can hold, in one list."""
    def started(code: str) -> dict:
        response = client.post("/api/v1/attempts", json={"learner_code": code, "module_id": MODULE})
        assert response.status_code == 201, response.text
        return response.json()

    def job(attempt: dict, right: int | None = None, answers=None) -> attempts.Submission:
        chosen = answers or answer_key(banks, attempt, right=len(attempt["questions"]) if right is None else right)
        return attempts.Submission(banks=banks, attempt_id=attempt["attempt_id"], answers=chosen)

    one, two, three, four, five, six, seven, eight = (new_learner(client) for _ in range(8))
    passing, failing, bad, expired, twice, earlier = (started(c) for c in (one, two, three, four, five, six))
    # two more passes in the batch (a learner has one open attempt per module: two learners)
    same_a, same_b = started(seven), started(eight)
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE attempt SET expires_at = expires_at - interval '3 hours' WHERE id = :id"),
                     {"id": expired["attempt_id"]})
    writer_calls.run(database, job(earlier))  # submitted before the batch
    first_question = bad["questions"][0]["id"]
    return [job(passing), job(failing, right=0), job(bad, answers={first_question: ["no-such-choice"]}),
            attempts.Submission(banks=banks, attempt_id="0" * 31, answers={}), job(expired),
            job(twice), job(twice), job(earlier, right=0), job(same_a), job(same_b)]


def stored(database: Database) -> dict[str, tuple]:
    with database.engine.connect() as conn:
        return {row[0]: tuple(row[1:]) for row in conn.execute(text(
            "SELECT a.id, a.submitted_at IS NOT NULL, a.score, (SELECT count(*) FROM attempt_answer aa"
            " WHERE aa.attempt_id = a.id), (SELECT count(*) FROM certificate c WHERE c.attempt_id = a.id)"
            " FROM attempt a"))}


def test_a_batch_answers_each_submission_as_one_at_a_time_would(pg, client, banks, monkeypatch):
    calls = []
    monkeypatch.setattr(attempts, "record_many", lambda conn, jobs, real=attempts.record_many:
                        calls.append(len(jobs)) or real(conn, jobs))
    jobs = scenario(client, banks, pg)
    batched = [outcome(f) for f in one_batch(pg, jobs)]
    assert calls == [len(jobs)]  # one set-based call for the whole batch
    in_batch = stored(pg)

    alone = []
    for job in scenario(client, banks, pg):  # the same kinds of submission again, each in its own batch
        future = writer_calls.submit(pg, job)
        future.exception(timeout=30)
        alone.append(outcome(future))
    assert calls == [len(jobs)]
    assert batched == alone
    assert batched[0] == ("ok", 1.0, True, True) and batched[1][:3] == ("ok", 0.0, False)
    assert batched[2][0] == "Invalid" and batched[3] == ("NotFound", "unknown_attempt")
    assert batched[4] == ("Expired", "attempt_expired")
    assert batched[5] == batched[6] == ("ok", 1.0, True, True)  # twice in the batch: one result
    assert batched[7] == ("ok", 1.0, True, True)  # submitted earlier: its stored result, not this one
    assert batched[8] == batched[9] == ("ok", 1.0, True, True)
    codes = {f.result()["certificate_code"] for f in one_batch(pg, jobs[8:10])}
    assert len(codes) == 2  # submitted again: each learner's one certificate for the module, as stored
    for attempt_id, (submitted, _score, answers, certificates_) in in_batch.items():
        assert answers in (0, 5 if submitted else 0) and certificates_ <= 1, attempt_id
    submitted = [row for row in in_batch.values() if row[0]]
    assert len(submitted) == 6 and all(row[2] == 5 for row in submitted)  # whole: every answer, once


def test_a_failure_inside_the_set_based_statements_reruns_the_batch_one_job_at_a_time(pg, client, banks,
                                                                                       monkeypatch):
    jobs = scenario(client, banks, pg)
    failures = []

    def broken(**kwargs):
        failures.append(1)
        raise RuntimeError("the connection dropped")

    monkeypatch.setattr(certificates, "issue_for_passes", broken)  # after the claim and the answers were written
    outcomes = [outcome(f) for f in one_batch(pg, jobs)]
    assert failures == [1]
    assert [o[0] for o in outcomes] == ["ok", "ok", "Invalid", "NotFound", "Expired", "ok", "ok", "ok", "ok", "ok"]
    rows = stored(pg)
    assert sum(1 for row in rows.values() if row[0]) == 6
    assert all(row[2] in (0, 5) and row[3] <= 1 for row in rows.values())
