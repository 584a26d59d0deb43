"""Round trips to PostgreSQL per group-commit batch of submissions, counted, not guessed.

    .venv/bin/python bench/pg_roundtrips.py --database postgresql+psycopg://postgres@127.0.0.1:5432/kns_bench

In-process, on a database of the benchmark's own (its schema is reset): learners and started
attempts are made first, then `--attempts` submissions (half pass) go to the group-commit writer
`--batch` at a time (queued together, so they share batches), exactly as the API hands them over.
libpq's trace of every writer connection counts the server's ReadyForQuery messages: one per round
trip (BEGIN, each statement, COMMIT, the pool's pre-ping). Printed: batches, jobs per batch, round
trips per batch and per submission, and the wall time per submission.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from concurrent.futures import wait
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness
from tests import writer_calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True, help="a PostgreSQL URL of the benchmark's own")
    parser.add_argument("--attempts", type=int, default=1600)
    parser.add_argument("--batch", type=int, default=32, help="submissions queued together")
    args = parser.parse_args()

    import psycopg
    from sqlalchemy import event

    from quiz_api import migrate
    from quiz_api.attempts import service as attempts
    from quiz_api.attempts.service import QuizSettings
    from quiz_api.banks import load_banks
    from quiz_api.db import Database
    from quiz_api.learners import service as learners
    from quiz_api.units import service as units

    harness.reset_postgres(args.database)
    migrate.upgrade(args.database)
    banks = load_banks(harness.banks_dir())
    key = harness.load_answer_key(harness.banks_dir())
    database = Database(args.database)
    with database.writing() as db:
        units.import_csv(db=db, data=(harness.ROOT / "quiz_api/profiles/tay-ninh/units.csv").read_bytes())
        ids = []
        for i in range(args.attempts):
            profile = learners.clean_profile(full_name=f"Người thử {i}", group=harness.GROUPS[i % 3],
                                             unit_code=harness.UNITS[i % 3], organisation=None, email=None, phone=None)
            learner, _ = learners.create(db=db, profile=profile, consent=True, consent_version="bench")
            db.flush()
            ids.append(learner.id)
    settings = QuizSettings(ttl=attempts.timedelta(minutes=60), cooldown=attempts.timedelta(minutes=10))
    module = next(iter(banks))
    rng = random.Random(7)
    work = []
    for i, learner_id in enumerate(ids):
        attempt = writer_calls.run(database, lambda conn, lid=learner_id: attempts.start(
            conn=conn, banks=banks, settings=settings, learner_id=lid, module_id=module, lang="vi"))
        work.append((attempt["attempt_id"], harness.answers_for(attempt, key[module], i % 2 == 0, rng)))
    database.dispose()

    database = Database(args.database)  # a fresh pool: every writer connection is traced from its start
    trace = Path(tempfile.mkdtemp(prefix="kns-rt-")) / "libpq.trace"
    files = []

    @event.listens_for(database.engine, "connect")
    def _trace(dbapi_conn, _record):
        handle = open(trace, "a")  # noqa: SIM115 - kept open as long as the connection
        files.append(handle)
        dbapi_conn.pgconn.trace(handle.fileno())
        dbapi_conn.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)

    batches: list[int] = []
    database.writer.on_batch = lambda jobs, _waiting, _seconds: batches.append(jobs)
    job = getattr(attempts, "Submission", None)
    began = time.perf_counter()
    cpu = os.times()
    for start in range(0, len(work), args.batch):
        futures = []
        for attempt_id, answers in work[start:start + args.batch]:
            fn = (job(banks=banks, attempt_id=attempt_id, answers=answers) if job else
                  (lambda conn, a=attempt_id, ans=answers: attempts.record(conn, banks=banks, attempt_id=a,
                                                                           answers=ans)))
            futures.append(writer_calls.submit(database, fn))
        wait(futures)
        for f in futures:
            f.result()
    wall = time.perf_counter() - began
    used = os.times()
    database.dispose()
    for handle in files:
        handle.close()
    text = trace.read_text(errors="replace")
    round_trips = sum(1 for line in text.splitlines() if "\tReadyForQuery" in line)
    n = len(work)
    print(f"{n} submissions, {args.batch} queued at a time: {len(batches)} batches, "
          f"{n / max(len(batches), 1):.1f} jobs per batch")
    print(f"round trips: {round_trips} = {round_trips / max(len(batches), 1):.1f} per batch, "
          f"{round_trips / n:.2f} per submission")
    print(f"wall {wall / n * 1e3:.3f} ms per submission; this process's CPU "
          f"{((used.user - cpu.user) + (used.system - cpu.system)) / n * 1e6:.0f} us per submission")
    return 0


if __name__ == "__main__":
    sys.exit(main())
