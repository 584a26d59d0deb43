"""The group-commit writer (db.py) and the hot path's building blocks: a job's result is only seen
after its batch committed, a failing job leaves nothing behind and does not sink its batch, a
failing commit fails the whole batch, and attempt ids sort by time."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import event, text

from quiz_api.attempts.service import new_attempt_id
from quiz_api.db import Database, GroupCommitWriter, Raw, WriterBusy
from quiz_api.errors import NotFound
from tests.conftest import PG_URL


@pytest.fixture(params=["event-loop", "thread"] + (["postgresql"] if PG_URL else []))
def db(request, tmp_path):
    """Every way a batch runs: in the event loop (SQLite), in writer threads (SQLite, as PostgreSQL
    runs them), and on PostgreSQL itself."""
    database = Database(PG_URL if request.param == "postgresql" else f"sqlite:///{tmp_path}/w.db")
    if request.param != "postgresql":
        database.writer.in_loop = request.param == "event-loop"
        database.writer.threads = 1 if database.writer.in_loop else 4  # several writers, as on PostgreSQL
    with database.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS t"))
        conn.execute(text("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)"))
    yield database
    with database.engine.begin() as conn:
        conn.execute(text("DROP TABLE t"))
    database.dispose()


def rows(database: Database) -> list[tuple]:
    with database.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT k, v FROM t ORDER BY k"))]


def insert(k: int, v: str | None = "x"):
    def job(conn):
        Raw(conn).execute("INSERT INTO t (k, v) VALUES (?, ?)", (k, v))
        return k
    return job


def insert_then_fail(k: int):
    def job(conn):
        conn.execute(text("INSERT INTO t (k, v) VALUES (:k, 'half')"), {"k": k})  # through SQLAlchemy
        raise NotFound("unknown_attempt")
    return job


def test_a_caller_gets_its_result_after_commit(db):
    seen = []

    async def main():
        result = await db.writer(insert(1))
        seen.append(rows(db))  # read on another connection: committed by now
        return result

    assert asyncio.run(main()) == 1
    assert seen == [[(1, "x")]]


def test_awaiting_callers_share_batches_and_each_gets_its_own_result(db):
    async def main():
        return await asyncio.gather(*(db.writer(insert(k)) for k in range(200)))

    assert asyncio.run(main()) == list(range(200))
    assert len(rows(db)) == 200


def test_a_failing_job_leaves_nothing_and_its_batch_still_commits(db):
    async def main():
        return await asyncio.gather(db.writer(insert(1)), db.writer(insert_then_fail(2)), db.writer(insert(3)),
                                    return_exceptions=True)

    first, failed, third = asyncio.run(main())
    assert (first, third) == (1, 3) and isinstance(failed, NotFound)
    assert rows(db) == [(1, "x"), (3, "x")]


def test_a_job_failing_before_it_writes_costs_its_batch_nothing_and_one_failing_after_reruns_it(db):
    """SQLite batches run without a savepoint per job; a job that raises after writing makes the
    writer roll the batch back and run it again with one (so its neighbours run twice, once kept)."""
    runs = []

    def counted(k: int, fail_after_write: bool = False, fail_before_write: bool = False):
        def job(conn):
            runs.append(k)
            if fail_before_write:
                raise NotFound("unknown_attempt")
            Raw(conn).execute("INSERT INTO t (k, v) VALUES (?, 'x')", (k,))
            if fail_after_write:
                raise NotFound("unknown_attempt")
            return k
        return job

    async def batch(*jobs):
        return await asyncio.gather(*(db.writer(job) for job in jobs), return_exceptions=True)

    results = asyncio.run(batch(counted(1), counted(2, fail_before_write=True), counted(3)))
    assert results[0] == 1 and isinstance(results[1], NotFound) and results[2] == 3
    assert sorted(runs) == [1, 2, 3]  # nothing ran twice
    runs.clear()
    results = asyncio.run(batch(counted(4), counted(5, fail_after_write=True), counted(6)))
    assert results[0] == 4 and isinstance(results[1], NotFound) and results[2] == 6
    assert rows(db) == [(1, "x"), (3, "x"), (4, "x"), (6, "x")]
    if db.writer.in_loop:  # one batch: the first run rolled back, the second kept; 6 never ran the first time
        assert runs == [4, 5, 4, 5, 6]


def test_a_database_error_in_one_job_is_that_jobs_error_only(db):
    async def main():
        return await asyncio.gather(db.writer(insert(1)), db.writer(insert(1)), db.writer(insert(2, None)),
                                    db.writer(insert(4)), return_exceptions=True)

    ok, duplicate, not_null, ok2 = asyncio.run(main())
    assert (ok, ok2) == (1, 4)
    assert isinstance(duplicate, Exception) and isinstance(not_null, Exception)
    assert rows(db) == [(1, "x"), (4, "x")]


def test_a_job_the_database_chose_as_a_deadlock_victim_runs_again_and_never_answers_500(db):
    """PostgreSQL breaks a deadlock (two batches locking learners in opposite orders) by failing one
    transaction's statement with SQLSTATE 40P01: nothing of the job stays, and run again it succeeds.
    One that keeps failing is answered busy (503, nothing stored), not with the database's error."""
    from psycopg.errors import DeadlockDetected, SerializationFailure

    runs: list[int] = []

    def unlucky(k: int, times: int, error: type[Exception] = DeadlockDetected):
        def job(conn):
            runs.append(k)
            Raw(conn).execute("INSERT INTO t (k, v) VALUES (?, 'x')", (k,))
            if runs.count(k) <= times:
                raise error("deadlock detected")
            return k
        return job

    async def main():
        return await asyncio.gather(db.writer(insert(1)), db.writer(unlucky(2, 1)),
                                    db.writer(unlucky(3, 1, SerializationFailure)), db.writer(unlucky(4, 99)),
                                    return_exceptions=True)

    first, second, third, fourth = asyncio.run(main())
    assert (first, second, third) == (1, 2, 3)
    assert isinstance(fourth, WriterBusy), fourth
    assert rows(db) == [(1, "x"), (2, "x"), (3, "x")]
    assert runs.count(4) >= 3  # tried again before giving up


def test_when_the_commit_fails_every_job_of_the_batch_fails_and_nothing_is_stored(db):
    def disk_full(conn):
        raise OSError("disk full")

    event.listen(db.engine, "commit", disk_full)

    async def main():
        return await asyncio.gather(*(db.writer(insert(k)) for k in range(5)), return_exceptions=True)

    results = asyncio.run(main())
    event.remove(db.engine, "commit", disk_full)
    assert all(isinstance(r, OSError) for r in results)
    assert rows(db) == []


def test_attempt_ids_sort_by_time_and_stay_unguessable():
    stamps = [0, 1, 31, 32, 1_764_000_000_000, 1_764_000_000_001, 2**45 - 1]
    ids = [new_attempt_id(ms) for ms in stamps]
    assert ids == sorted(ids)
    assert all(len(i) <= 32 for i in ids)  # the column is String(32)
    assert len({new_attempt_id(5)[9:] for _ in range(1000)}) == 1000  # 128 random bits after the time


def test_jobs_run_without_savepoints_unless_one_fails_after_writing(db, monkeypatch):
    """The savepoint per job (two statements, on PostgreSQL two round trips) is paid only in the
    rerun after a job wrote and then raised."""
    import quiz_api.db as module

    isolated: list[int] = []
    real = module._run_jobs_isolated

    def spy(conn, jobs):
        isolated.append(len(jobs))
        return real(conn, jobs)

    monkeypatch.setattr(module, "_run_jobs_isolated", spy)

    async def batch(*jobs):
        return await asyncio.gather(*(db.writer(job) for job in jobs), return_exceptions=True)

    assert asyncio.run(batch(insert(1), insert(2))) == [1, 2]
    assert isolated == []
    results = asyncio.run(batch(insert(3), insert_then_fail(4)))
    assert results[0] == 3 and isinstance(results[1], NotFound)
    assert isolated, "a job that wrote and then failed must make its batch run again, isolated"
    assert rows(db) == [(1, "x"), (2, "x"), (3, "x")]


# -- over capacity: a job is refused (WriterBusy) only before it runs, never after it committed -------


def shedding_writer(db: Database, **limits) -> GroupCommitWriter:
    """A writer of db's kind with limits, one batch of one job at a time, so a test knows the order."""
    writer = GroupCommitWriter(db.write_engine, max_batch=1, **limits)
    writer.in_loop, writer.threads = db.writer.in_loop, 1
    return writer


def stalling(seconds: float, k: int):
    """A job that holds the writer for a while (time.sleep: in loop mode the whole event loop)."""
    def job(conn):
        time.sleep(seconds)
        Raw(conn).execute("INSERT INTO t (k, v) VALUES (?, 'slow')", (k,))
        return k
    return job


async def one(writer: GroupCommitWriter, job):
    return await writer(job)


def recorded(k: int, runs: list[int]):
    def job(conn):
        runs.append(k)
        Raw(conn).execute("INSERT INTO t (k, v) VALUES (?, 'x')", (k,))
        return k
    return job


def test_jobs_that_waited_longer_than_the_budget_are_refused_unrun_and_the_others_are_stored(db):
    # Budgets wide enough that a loaded machine's thread scheduling cannot make the first job late.
    writer = shedding_writer(db, max_wait=0.2)
    runs: list[int] = []

    async def flood():
        return await asyncio.gather(writer(stalling(0.8, 0)), *(writer(recorded(k, runs)) for k in range(1, 21)),
                                    return_exceptions=True)

    try:
        results = asyncio.run(flood())
        assert results[0] == 0
        refused = [k for k, r in enumerate(results) if isinstance(r, WriterBusy)]
        assert refused, "jobs queued behind a 0.8 s batch waited over the 0.2 s budget"
        assert all(r == k for k, r in enumerate(results) if k not in refused), results
        assert not set(refused) & set(runs), "a refused job never runs"
        assert [k for k, _ in rows(db)] == sorted(k for k, r in enumerate(results) if r == k)
        assert asyncio.run(one(writer, recorded(99, runs))) == 99  # the writer serves again
        assert writer.shed == len(refused)
    finally:
        writer.stop()


def test_a_job_that_finds_the_queue_full_is_refused_at_once(db):
    writer = shedding_writer(db, queue_max=3)
    runs: list[int] = []

    async def flood():
        return await asyncio.gather(writer(stalling(0.2, 0)), *(writer(recorded(k, runs)) for k in range(1, 21)),
                                    return_exceptions=True)

    try:
        began = time.monotonic()
        results = asyncio.run(flood())
        refused = [k for k, r in enumerate(results) if isinstance(r, WriterBusy)]
        assert len(refused) >= 20 - 3 - 1, results  # at most 3 waiting (thread mode: one may be taken already)
        assert not set(refused) & set(runs)
        assert [k for k, _ in rows(db)] == sorted(k for k, r in enumerate(results) if r == k)
        assert time.monotonic() - began < 5
    finally:
        writer.stop()
