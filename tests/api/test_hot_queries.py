"""The queries every start and submission runs do work in proportion to the learner's own history,
not to everyone's: counted in SQLite virtual-machine steps, which do not depend on the machine."""

from __future__ import annotations

from datetime import timedelta

import pytest

from quiz_api.attempts import service
from quiz_api.db import Database, Raw, utcnow
from tests.conftest import clear_data

MODULE = "du-lieu-ca-nhan"


def _steps(conn, statement: str, params: tuple) -> int:
    """SQLite VM instructions the statement took (counted in steps of 10)."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 10
        return 0

    driver = conn.connection.driver_connection
    driver.set_progress_handler(count, 10)
    try:
        driver.execute(statement, params).fetchall()
    finally:
        driver.set_progress_handler(None, 10)
    return steps


def _add_history(database: Database, learners: int, submitted_each: int) -> None:
    """Learners 1..n, each with submitted attempts at MODULE."""
    now = utcnow()
    with database.write_engine.begin() as conn:
        raw = Raw(conn)
        start = raw.execute("SELECT coalesce(max(id), 0) FROM learner").fetchone()[0]
        for n in range(start + 1, start + learners + 1):
            raw.execute('INSERT INTO learner (id, code_hash, pseudonym, "group", unit_code, created_at, last_seen_at, '
                        "is_demo) VALUES (?, ?, ?, 'citizen', 'TN', ?, ?, ?)",
                        (n, f"hash-{n}", f"p-{n}", raw.dt(now), raw.dt(now), False))
            raw.insert_rows("INSERT INTO attempt (id, learner_id, module_id, attempt_no, lang, draw, question_count, "
                            "started_at, expires_at, submitted_at, correct_count, score, passed) "
                            "VALUES (?, ?, ?, ?, 'vi', '[]', 10, ?, ?, ?, 5, 0.5, ?)",
                            [(f"a-{n}-{k}", n, MODULE, k + 1, raw.dt(now), raw.dt(now + timedelta(hours=1)),
                              raw.dt(now - timedelta(minutes=k)), False) for k in range(submitted_each)])


def test_starting_an_attempt_does_not_walk_other_learners_history(database):
    if not database.is_sqlite:
        pytest.skip("counts SQLite VM steps; PostgreSQL plans from statistics")
    clear_data(database)
    sql = service._HISTORY
    _add_history(database, learners=20, submitted_each=3)
    with database.engine.connect() as conn:
        small = [_steps(conn, sql, (n, MODULE)) for n in (1, 10**6)]  # with history, and a learner with none
    _add_history(database, learners=2000, submitted_each=3)
    with database.engine.connect() as conn:
        large = [_steps(conn, sql, (n, MODULE)) for n in (1, 10**6)]
    # The cooldown lookup this replaced (ORDER BY submitted_at DESC LIMIT 1) took 10,120 steps here
    # against 110 with 60 attempts stored: it walked the module's submitted attempts newest first.
    for before, after in zip(small, large, strict=True):
        assert after <= 2 * before + 50, (small, large)
