"""Report benchmark: the summary report (unit × group × module) next to a hand-written GROUP BY.

    .venv/bin/python bench/report_bench.py                       # reuses /tmp/kns-export-bench.db if present
    .venv/bin/python bench/report_bench.py --attempts 1000000 --repeat 5

The report side is `quiz_api.reports.service.summary_rows` (what GET /api/v1/reports/summary and
the dashboard's download run before writing: the SQLAlchemy query, pass rates and small-cell
suppression). The baseline is the same aggregation written by hand in SQL and run with the plain
sqlite3 module, rows fetched into a list. Both run `--repeat` times on a warm cache; the medians
are compared (goal ≤ 2×).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_RATIO = 2.0
HAND_WRITTEN = """
SELECT l.unit_code, u.name, l."group", a.module_id,
       COUNT(DISTINCT a.learner_id)                          AS learners,
       COUNT(*)                                              AS attempts,
       COUNT(DISTINCT CASE WHEN a.passed THEN a.learner_id END) AS passed,
       AVG(a.score)                                          AS mean_score
FROM attempt a
JOIN learner l ON l.id = a.learner_id
JOIN unit u ON u.code = l.unit_code
WHERE a.submitted_at IS NOT NULL
GROUP BY l.unit_code, u.name, l."group", a.module_id
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/kns-export-bench.db"))
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    if args.rebuild or not args.db.exists():
        from bench.export_data import build

        info = build(args.db, args.attempts)
        print(f"built {args.db}: {info['attempts']:,} attempts in {info['seconds']:.1f} s")

    from quiz_api.db import Database
    from quiz_api.reports import service
    from quiz_api.reports.filters import Filters, Scope

    database = Database(f"sqlite:///{args.db}")
    scope = Scope(None, True, "bench", Filters())  # an admin's export: suppression on
    ours, theirs = [], []
    rows_ours = rows_theirs = 0
    raw = sqlite3.connect(args.db)
    for _ in range(args.repeat):
        started = time.perf_counter()
        with database.engine.connect() as conn:
            rows_ours = len(service.summary_rows(conn, scope, 5))
            conn.rollback()
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        rows_theirs = len(raw.execute(HAND_WRITTEN).fetchall())
        theirs.append(time.perf_counter() - started)
    if rows_ours != rows_theirs:
        print(f"row counts differ: report {rows_ours}, hand-written {rows_theirs}", file=sys.stderr)
        return 1
    with sqlite3.connect(args.db) as c:
        attempts = c.execute("SELECT COUNT(*) FROM attempt").fetchone()[0]
    ratio = statistics.median(ours) / statistics.median(theirs)
    print(f"{attempts:,} attempts, {rows_ours:,} summary rows, {args.repeat} runs each")
    print(f"summary report  median {statistics.median(ours):.2f} s  (runs: {', '.join(f'{x:.2f}' for x in ours)})")
    print(f"hand GROUP BY   median {statistics.median(theirs):.2f} s  (runs: {', '.join(f'{x:.2f}' for x in theirs)})")
    print(f"ratio {ratio:.2f} (goal ≤ {GOAL_RATIO:.0f}×): {'met' if ratio <= GOAL_RATIO else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
