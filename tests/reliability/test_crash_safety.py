"""Crash safety: SIGKILL the server while it records submissions, restart it, and check that every
submission it acknowledged is stored exactly once with the acknowledged score.

An acknowledgement (200) is a promise: the attempt is on disk. A submission whose request failed
because the server died may or may not be stored, but if it is, it is stored whole (never an
attempt marked submitted without its answers, or answers without the mark).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from quiz_api.banks import load_banks
from tests.conftest import answer_key
from tests.reliability.server import FIXTURE_BANKS, Server, create_learners, fresh_database

pytestmark = pytest.mark.slow

ATTEMPTS = 400  # enough that submitting them all takes longer than the moment of the kill
THREADS = 16
KILL_AFTER = 1.0  # seconds after the first acknowledgement, or once KILL_AT_SHARE were acknowledged
KILL_AT_SHARE = 0.6
FIRST_ACK_WITHIN = 60.0
MODULE = "mau-thu"


@dataclass(frozen=True)
class Work:
    attempt_id: str
    answers: dict[str, list[str]]  # what is submitted under load: 0..5 right, so every score occurs
    all_right: dict[str, list[str]]  # what is submitted again after the restart


def prepare(server: Server, banks) -> list[Work]:
    """Learners and one started attempt each, through the API."""
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        codes = create_learners(client, ATTEMPTS)

        def start(i: int) -> Work:
            response = client.post("/api/v1/attempts", json={"learner_code": codes[i], "module_id": MODULE})
            assert response.status_code == 201, response.text
            attempt = response.json()
            return Work(attempt["attempt_id"], answer_key(banks, attempt, right=i % 6),
                        answer_key(banks, attempt, right=len(attempt["questions"])))

        with ThreadPoolExecutor(8) as pool:
            return list(pool.map(start, range(ATTEMPTS)))


Outcome = tuple[dict[str, dict], dict[str, str], float]


def submit_until_killed(server: Server, work: list[Work]) -> Outcome:
    """Submit from THREADS threads; SIGKILL the server mid-load. Returns the acknowledged results by
    attempt id, the requests the kill cut off (attempt id -> what happened) and the seconds of
    submitting before the kill. Any failure before the kill fails the test."""
    acked: dict[str, dict] = {}
    failed: dict[str, tuple[str, float]] = {}
    lock = threading.Lock()
    killed = threading.Event()
    todo = iter(work)
    began = time.monotonic()

    def worker() -> None:
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            while not killed.is_set():
                with lock:
                    item = next(todo, None)
                if item is None:
                    return
                url = f"/api/v1/attempts/{item.attempt_id}/submit"
                try:
                    response = client.post(url, json={"answers": item.answers})
                except httpx.HTTPError as exc:
                    with lock:
                        failed[item.attempt_id] = (type(exc).__name__, time.monotonic())
                    continue
                with lock:
                    if response.status_code == 200:
                        acked[item.attempt_id] = response.json()
                    else:
                        what = f"{response.status_code} {response.text[:200]}"
                        failed[item.attempt_id] = (what, time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    first_ack = None
    while len(acked) < KILL_AT_SHARE * len(work):
        now = time.monotonic()
        if first_ack is None and acked:
            first_ack = now
        if (first_ack is not None and now - first_ack >= KILL_AFTER) or now - began > FIRST_ACK_WITHIN:
            break
        time.sleep(0.005)
    killed.set()  # no new request from here on; those in flight meet the kill
    kill_at = time.monotonic()
    server.kill()
    for t in threads:
        t.join(timeout=60)
    before_kill = {a: what for a, (what, at) in failed.items() if at < kill_at}
    assert not before_kill, f"submissions failed while the server was up: {before_kill}"
    return acked, {a: what for a, (what, _) in failed.items()}, kill_at - began


_STORED = """
SELECT a.id, a.learner_id, a.submitted_at, a.score, a.passed, a.question_count,
       (SELECT count(*) FROM attempt_answer aa WHERE aa.attempt_id = a.id) AS answers,
       (SELECT count(DISTINCT aa.position) FROM attempt_answer aa WHERE aa.attempt_id = a.id) AS positions,
       (SELECT count(*) FROM certificate c
         WHERE c.learner_id = a.learner_id AND c.kind = 'module' AND c.subject = a.module_id) AS certificates
FROM attempt a
"""


def stored(database_url: str, work: list[Work]) -> dict[str, dict]:
    """What the database holds for each attempt, read directly (not through the server); checks
    that no attempt row was lost or added and, on SQLite, the file's integrity."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(_STORED)).mappings().all()
            if engine.dialect.name == "sqlite":
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    finally:
        engine.dispose()
    by_id = {row["id"]: dict(row) for row in rows}
    assert len(by_id) == len(rows) == len(work), "an attempt row was lost or added"
    assert set(by_id) == {w.attempt_id for w in work}
    return by_id


def check_after_crash(rows: dict[str, dict], acked: dict[str, dict]) -> None:
    """Acknowledged: stored once, whole, with the acknowledged score. Others: whole or not at all."""
    half_written = [r for r in rows.values()
                    if (r["submitted_at"] is None) != (r["answers"] == 0)
                    or (r["submitted_at"] is not None and r["answers"] != r["question_count"])]
    assert not half_written, f"attempts stored in part: {half_written[:5]}"
    for attempt_id, result in acked.items():
        row = rows[attempt_id]
        assert row["submitted_at"] is not None, f"acknowledged {attempt_id} is not stored"
        assert row["answers"] == row["positions"] == row["question_count"] == result["question_count"]
        assert row["score"] == pytest.approx(result["score"], abs=1e-9)
        assert bool(row["passed"]) is result["passed"]
        assert row["certificates"] == (1 if result["passed"] else 0)


def submit_again(server: Server, work: list[Work]) -> list[tuple[str, int, dict]]:
    """Every attempt submitted once more, all answers right this time."""
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        def again(item: Work) -> tuple[str, int, dict]:
            url = f"/api/v1/attempts/{item.attempt_id}/submit"
            response = client.post(url, json={"answers": item.all_right})
            return item.attempt_id, response.status_code, response.json()

        with ThreadPoolExecutor(8) as pool:
            return list(pool.map(again, work))


@pytest.mark.timeout(300)
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_acknowledged_submissions_survive_sigkill(kind: str, tmp_path: Path) -> None:
    banks = load_banks(FIXTURE_BANKS)
    with fresh_database(kind, tmp_path) as database_url:
        server = Server(database_url, tmp_path)
        try:
            server.start()
            work = prepare(server, banks)
            acked, failed, elapsed = submit_until_killed(server, work)
            print(f"\n[{kind}] {len(acked)} of {len(work)} submissions acknowledged in {elapsed:.2f} s, "
                  f"then SIGKILL; {len(failed)} in flight were cut off "
                  f"({Counter(failed.values()).most_common(3)}); "
                  f"{len(work) - len(acked) - len(failed)} never sent")
            assert acked, f"nothing acknowledged before the kill: {list(failed.items())[:5]}\n{server.log()}"
            assert len(acked) < len(work), "every submission finished before the kill: not a mid-load crash"

            restart = server.start()
            print(f"[{kind}] restarted on the same database; /api/v1/health ok after {restart:.2f} s")
            assert "Traceback" not in server.log(), server.log()

            rows = stored(database_url, work)
            check_after_crash(rows, acked)
            extra = sum(1 for a, r in rows.items() if a not in acked and r["submitted_at"] is not None)
            print(f"[{kind}] every acknowledged submission stored once with its score; {extra} cut-off "
                  "ones were stored too (committed; the answer died with the server)")

            # After the restart, an acknowledged attempt submitted again (all right this time) answers
            # the acknowledged result; the others can still be submitted.
            for attempt_id, status, body in submit_again(server, work):
                assert status == 200, (attempt_id, status, body)
                if attempt_id in acked:
                    for key in ("score", "passed", "certificate_code", "questions"):
                        assert body[key] == acked[attempt_id][key], (attempt_id, key)
            after = stored(database_url, work)
            assert all(r["submitted_at"] is not None and r["answers"] == r["question_count"]
                       for r in after.values())
            assert all(r["certificates"] <= 1 for r in after.values())
        finally:
            server.stop()
