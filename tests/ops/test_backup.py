"""`kynangso backup` while the service records submissions, `kynangso restore` into a fresh
database: every submission acknowledged before the backup began is there, whole, with its score."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import create_engine, text

from quiz_api import cli
from quiz_api.backup import BackupError, backup, restore
from quiz_api.banks import load_banks
from quiz_api.config import get_settings
from tests.conftest import answer_key
from tests.reliability.server import FIXTURE_BANKS, create_learners, fresh_database, running

pytestmark = pytest.mark.slow

ATTEMPTS = 360
THREADS = 4
PAUSE = 0.02  # between one thread's submissions: the load lasts a few seconds, the backup happens inside it


def kynangso(monkeypatch, database_url: str, *args: str) -> int:
    """`kynangso ARGS` as an operator runs it on the host, with KYNANGSO_DATABASE_URL set."""
    monkeypatch.setenv("KYNANGSO_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        return cli.main(list(args))
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_backup_under_load_restores_every_submission_acknowledged_before_it_began(kind, tmp_path, monkeypatch):
    banks = load_banks(FIXTURE_BANKS)
    dest = tmp_path / "backup.dump"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with fresh_database(kind, tmp_path / "a") as url, running(url, tmp_path / "a") as server:
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            codes = create_learners(client, ATTEMPTS)

            def start(code: str) -> tuple[str, dict]:
                attempt = client.post("/api/v1/attempts", json={"learner_code": code, "module_id": "mau-thu"}).json()
                return attempt["attempt_id"], answer_key(banks, attempt, right=len(attempt["questions"]) - 1)

            with ThreadPoolExecutor(8) as pool:
                work = list(pool.map(start, codes))
        acked: dict[str, tuple[float, float]] = {}  # attempt id -> (score, when acknowledged)
        lock = threading.Lock()
        todo = iter(work)

        def submit() -> None:
            with httpx.Client(base_url=server.base_url, timeout=30) as client:
                while True:
                    with lock:
                        item = next(todo, None)
                    if item is None:
                        return
                    response = client.post(f"/api/v1/attempts/{item[0]}/submit", json={"answers": item[1]})
                    assert response.status_code == 200, response.text
                    with lock:
                        acked[item[0]] = (response.json()["score"], time.monotonic())
                    time.sleep(PAUSE)

        threads = [threading.Thread(target=submit) for _ in range(THREADS)]
        for t in threads:
            t.start()
        while len(acked) < ATTEMPTS // 4:
            time.sleep(0.005)
        began = time.monotonic()
        with lock:
            before = dict(acked)
        assert kynangso(monkeypatch, url, "backup", str(dest)) == 0
        ended = time.monotonic()
        for t in threads:
            t.join(timeout=120)
        during = [a for a, (_, at) in acked.items() if began < at < ended]
        after = [a for a, (_, at) in acked.items() if at >= ended]
        assert len(acked) == ATTEMPTS and after, "the load went on after the backup"
    with fresh_database(kind, tmp_path / "b") as fresh:
        assert kynangso(monkeypatch, fresh, "restore", str(dest)) == 0
        engine = create_engine(fresh)
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT a.id, a.score, a.question_count, (SELECT count(*) FROM attempt_answer aa"
                " WHERE aa.attempt_id = a.id) FROM attempt a WHERE a.submitted_at IS NOT NULL")).all()
            attempts = conn.scalar(text("SELECT count(*) FROM attempt"))
        engine.dispose()
    restored = {attempt_id: (score, questions, answers) for attempt_id, score, questions, answers in rows}
    assert attempts == ATTEMPTS  # every started attempt, submitted or not
    missing = [a for a in before if a not in restored]
    assert not missing, f"{len(missing)} acknowledged submissions are not in the backup"
    for attempt_id, (score, _) in before.items():
        assert restored[attempt_id][0] == pytest.approx(score)
    assert all(questions == answers for _, questions, answers in restored.values())  # whole, never half
    print(f"{kind}: {len(before)} acknowledged before the backup, {len(during)} during it, "
          f"{len(restored)} submitted in the backup")


def _sql(path, *statements: str) -> list:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        return [conn.execute(s).fetchall() for s in statements][-1]
    finally:
        conn.close()


def _database(path) -> str:
    _sql(path, "PRAGMA journal_mode=WAL", "CREATE TABLE alembic_version (version_num TEXT)", "CREATE TABLE t (x)",
         "INSERT INTO t VALUES (1)")
    return f"sqlite:///{path}"


def test_restore_refuses_an_existing_database_without_force_and_a_database_in_use(tmp_path):
    url = _database(tmp_path / "live.db")
    backup(url, tmp_path / "copy.db")
    with pytest.raises(BackupError, match="exists"):
        backup(url, tmp_path / "copy.db")
    with pytest.raises(BackupError, match="--force"):
        restore(url, tmp_path / "copy.db")
    server = sqlite3.connect(tmp_path / "live.db")  # a running server keeps connections open
    server.execute("SELECT * FROM t").fetchall()
    with pytest.raises(BackupError, match="in use"):
        restore(url, tmp_path / "copy.db", force=True)
    server.close()
    _sql(tmp_path / "live.db", "INSERT INTO t VALUES (2)")  # written after the backup: the restore drops it
    restore(url, tmp_path / "copy.db", force=True)
    assert _sql(tmp_path / "live.db", "SELECT x FROM t") == [(1,)]


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError, match="not a"):
        restore(f"sqlite:///{tmp_path}/new.db", junk)
    assert not (tmp_path / "new.db").exists()
