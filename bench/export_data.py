"""A SQLite database with many attempts, for the export and report benchmarks (fast bulk insert).

    .venv/bin/python bench/export_data.py /tmp/kns-export.db --attempts 1000000

The schema comes from the migrations and the unit tree from the default profile, exactly as
`make serve` makes them; learners and attempts are then bulk-inserted with one prepared statement
in one transaction (synchronous=OFF during the load only: this is test data), and the report
aggregates are rebuilt from them.
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import sqlite3
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODULES = ("du-lieu-ca-nhan", "ung-cuu-su-co", "tre-em-tren-mang", "kinh-te-so")
GROUPS = ("public_servant", "business", "citizen")


def build(path: Path, attempts: int, learners: int | None = None, seed: int = 1,
          analyze: bool = True) -> dict[str, float]:
    """Create (or recreate) the database at path with `attempts` submitted attempts (then ANALYZE it
    unless told not to: a served database has no statistics unless someone runs ANALYZE)."""
    from quiz_api import migrate
    from quiz_api.db import Database
    from quiz_api.units import service as units

    started = time.monotonic()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    database = Database(url)
    with database.writing() as db:
        units.import_csv(db=db, data=(ROOT / "quiz_api/profiles/tay-ninh/units.csv").read_bytes())
    database.dispose()
    learners = learners or max(1, attempts // 25)
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    codes = [r[0] for r in conn.execute("SELECT code FROM unit WHERE parent_code IS NOT NULL")]
    t0 = datetime(2026, 1, 1)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO learner (id, pseudonym, full_name, \"group\", unit_code, created_at, last_seen_at, is_demo) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
        ((i, os.urandom(16).hex(), f"Học viên {i}", rng.choice(GROUPS), rng.choice(codes),
          t0.isoformat(sep=" "), t0.isoformat(sep=" ")) for i in range(1, learners + 1)))

    def rows():
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
                   started_at.isoformat(sep=" "), (started_at + timedelta(hours=1)).isoformat(sep=" "),
                   submitted.isoformat(sep=" "), correct, correct / 10, int(correct >= 8))

    conn.executemany(
        "INSERT INTO attempt (id, learner_id, module_id, attempt_no, lang, draw, question_count, started_at, "
        "expires_at, submitted_at, correct_count, score, passed) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows())
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if analyze:
        conn.execute("ANALYZE")
    conn.close()
    from quiz_api.aggregates import rebuild  # the report aggregates, counted from the rows just loaded

    database = Database(url)
    with database.writing() as db:
        rebuild.rebuild(db.connection())
    database.dispose()
    return {"seconds": time.monotonic() - started, "learners": learners, "attempts": attempts}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--attempts", type=int, default=1_000_000)
    args = parser.parse_args()
    info = build(args.path, args.attempts)
    print(f"{info['attempts']:,} attempts, {info['learners']:,} learners in {info['seconds']:.1f} s → {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
