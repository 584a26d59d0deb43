"""What issuing certificates adds to a passing submission (it runs inside the submission's transaction).

    .venv/bin/python bench/certificate_issue.py
    .venv/bin/python bench/certificate_issue.py --database postgresql+psycopg://postgres@127.0.0.1:5432/kns_bench

On a fresh database (the PostgreSQL one is reset), for N learners, times in-process and inside an
open write transaction (the commit is not counted: it is shared with the submission):
  - issue_for_pass for a first pass (insert, then the path check),
  - a first pass that completes the learner's path (a second certificate),
  - issue_for_pass for a repeated pass (the existing code is returned),
  - one primary-key SELECT, as the unit of comparison.
Prints medians and p90 in milliseconds. The machine is shared: run it twice and read the spread.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select

from quiz_api import migrate
from quiz_api.certificates import service as certificates
from quiz_api.db import Database, utcnow
from quiz_api.learners import service as learners
from quiz_api.learners.models import Learner
from quiz_api.units import service as units


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="default: a SQLite file in a temporary directory")
    parser.add_argument("-n", type=int, default=1000, help="learners per measurement (default 1000)")
    args = parser.parse_args()
    url = args.database or f"sqlite:///{tempfile.mkdtemp()}/certificates.db"
    if url.startswith("postgresql"):
        from bench.harness import reset_postgres

        reset_postgres(url)
    migrate.upgrade(url)
    database = Database(url)
    with database.writing() as db:
        units.import_csv(db=db, data=(ROOT / "quiz_api/profiles/tay-ninh/units.csv").read_bytes())
    ids = []
    for i in range(args.n):
        with database.writing() as db:
            learner, _ = learners.create(db=db, profile=learners.Profile(f"Học Viên {i}", "citizen", "TN"),
                                         consent=True, consent_version="bench")
            ids.append(learner.id)
    path = certificates.learning_paths()["citizen"]
    learner_t = Learner.__table__

    def timed(label: str, step) -> None:
        times = []
        for learner_id in ids:
            with database.write_engine.begin() as conn:
                conn.execute(select(learner_t.c.id).where(learner_t.c.id == learner_id)).first()  # BEGIN done
                start = time.perf_counter()
                step(conn, learner_id)
                times.append((time.perf_counter() - start) * 1000)
        times.sort()
        print(f"{label:52s} median {statistics.median(times):.3f} ms   p90 {times[int(len(times) * .9)]:.3f} ms")

    def issue(module_id: str):
        return lambda conn, learner_id: certificates.issue_for_pass(
            conn=conn, learner_id=learner_id, module_id=module_id, attempt_id=None, score=1.0, now=utcnow())

    print(f"{database.engine.dialect.name}, {args.n} learners, path {path}")
    timed("one primary-key SELECT (unit of comparison)",
          lambda conn, learner_id: conn.execute(select(learner_t.c.group).where(learner_t.c.id == learner_id)).first())
    for module_id in path[:-1]:
        timed(f"first pass of {module_id}", issue(module_id))
    timed(f"first pass of {path[-1]} (+ path certificate)", issue(path[-1]))
    timed(f"repeated pass of {path[0]}", issue(path[0]))
    database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
