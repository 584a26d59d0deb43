"""A database with many attempts, for the export and report benchmarks (fast bulk insert).

    .venv/bin/python bench/export_data.py /tmp/kns-export.db --attempts 1000000
    .venv/bin/python bench/export_data.py postgresql+psycopg://postgres@127.0.0.1:5432/kns_bench --attempts 1000000

The schema comes from the migrations and the unit tree from the default profile, exactly as
`make serve` makes them; learners and attempts are then bulk-inserted: on SQLite with one prepared
statement in one transaction (synchronous=OFF during the load only: this is test data), on
PostgreSQL with COPY. The same seed gives the same rows on both;
the report aggregates are then rebuilt from them.
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import sqlite3
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODULES = ("du-lieu-ca-nhan", "ung-cuu-su-co", "tre-em-tren-mang", "kinh-te-so")
GROUPS = ("public_servant", "business", "citizen")


def _learner_rows(learners: int, codes: list[str], rng: random.Random, t0: datetime) -> Iterator[tuple]:
    for i in range(1, learners + 1):
        yield (i, os.urandom(16).hex(), f"Học viên {i}", rng.choice(GROUPS), rng.choice(codes), t0, t0)


def _attempt_rows(attempts: int, learners: int, rng: random.Random, t0: datetime) -> Iterator[tuple]:
    per_learner: dict[tuple[int, str], int] = {}
    for _ in range(attempts):
        lid = rng.randint(1, learners)
        module = rng.choice(MODULES)
        no = per_learner.get((lid, module), 0) + 1
        per_learner[(lid, module)] = no
        started_at = t0 + timedelta(seconds=rng.randrange(330 * 86400))
        submitted = started_at + timedelta(seconds=rng.randint(120, 1500))
        correct = rng.randint(3, 10)
        yield (base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode(), lid, module, no, "vi", "[]", 10,
               started_at, started_at + timedelta(hours=1), submitted, correct, correct / 10, correct >= 8)


LEARNER_COLUMNS = 'id, pseudonym, full_name, "group", unit_code, created_at, last_seen_at'
ATTEMPT_COLUMNS = ("id, learner_id, module_id, attempt_no, lang, draw, question_count, started_at, expires_at, "
                   "submitted_at, correct_count, score, passed")


def _prepare_schema(url: str) -> None:
    """The schema from the migrations and the unit tree from the default profile, as `make serve` makes them."""
    from sqlalchemy import func, select

    from quiz_api import migrate
    from quiz_api.db import Database
    from quiz_api.units import service as units
    from quiz_api.units.models import Unit

    migrate.upgrade(url)
    database = Database(url)
    with database.writing() as db:
        if not db.scalar(select(func.count()).select_from(Unit)):
            units.import_csv(db=db, data=(ROOT / "quiz_api/profiles/tay-ninh/units.csv").read_bytes())
    database.dispose()


def _rebuild_aggregates(url: str) -> None:
    """The report aggregates, counted from the rows just loaded (the reports read them)."""
    from quiz_api.aggregates import rebuild
    from quiz_api.db import Database

    database = Database(url)
    with database.writing() as db:
        rebuild.rebuild(db.connection())
    database.dispose()


def build(path: Path, attempts: int, learners: int | None = None, seed: int = 1,
          analyze: bool = True) -> dict[str, float]:
    """Create (or recreate) the database at path with `attempts` submitted attempts (then ANALYZE it
    unless told not to: a served database has no statistics unless someone runs ANALYZE)."""
    started = time.monotonic()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    _prepare_schema(f"sqlite:///{path}")
    learners = learners or max(1, attempts // 25)
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    codes = [r[0] for r in conn.execute("SELECT code FROM unit WHERE parent_code IS NOT NULL")]
    t0 = datetime(2026, 1, 1)

    def text_times(rows: Iterator[tuple]) -> Iterator[tuple]:  # stored as SQLAlchemy stores them
        return (tuple(v.isoformat(sep=" ") if isinstance(v, datetime) else v for v in row) for row in rows)

    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO learner ({LEARNER_COLUMNS}, is_demo) VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
                     text_times(_learner_rows(learners, codes, rng, t0)))
    conn.executemany(f"INSERT INTO attempt ({ATTEMPT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                     text_times(_attempt_rows(attempts, learners, rng, t0)))
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if analyze:
        conn.execute("ANALYZE")
    conn.close()
    _rebuild_aggregates(f"sqlite:///{path}")
    return {"seconds": time.monotonic() - started, "learners": learners, "attempts": attempts}


def build_postgres(url: str, attempts: int, learners: int | None = None, seed: int = 1) -> dict[str, float]:
    """The same rows in a PostgreSQL database (its learners and attempts are replaced), loaded with COPY,
    then ANALYZEd."""
    import psycopg

    started = time.monotonic()
    _prepare_schema(url)
    learners = learners or max(1, attempts // 25)
    rng = random.Random(seed)
    t0 = datetime(2026, 1, 1)
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.execute("TRUNCATE attempt_answer, attempt, learner CASCADE")
        codes = [r[0] for r in conn.execute("SELECT code FROM unit WHERE parent_code IS NOT NULL")]
        with conn.cursor().copy(f"COPY learner ({LEARNER_COLUMNS}, is_demo) FROM STDIN") as copy:
            for row in _learner_rows(learners, codes, rng, t0):
                copy.write_row((*row, True))
        with conn.cursor().copy(f"COPY attempt ({ATTEMPT_COLUMNS}) FROM STDIN") as copy:
            for row in _attempt_rows(attempts, learners, rng, t0):
                copy.write_row(row)
        conn.execute("SELECT setval(pg_get_serial_sequence('learner', 'id'), %s)", (learners,))
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE learner")
        conn.execute("VACUUM ANALYZE attempt")
    _rebuild_aggregates(url)
    return {"seconds": time.monotonic() - started, "learners": learners, "attempts": attempts}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="a SQLite file, or a PostgreSQL URL of a database of the benchmark's own")
    parser.add_argument("--attempts", type=int, default=1_000_000)
    args = parser.parse_args()
    if args.path.startswith("postgresql"):
        info = build_postgres(args.path, args.attempts)
    else:
        info = build(Path(args.path), args.attempts)
    print(f"{info['attempts']:,} attempts, {info['learners']:,} learners in {info['seconds']:.1f} s → {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
