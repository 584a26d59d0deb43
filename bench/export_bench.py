"""Export benchmark: 1,000,000 attempts to CSV through the API's code path, next to `sqlite3 -csv`.

    .venv/bin/python bench/export_bench.py                      # build /tmp/kns-export-bench.db, 2 rounds
    .venv/bin/python bench/export_bench.py --reuse --rounds 3   # keep the database from a previous run
    .venv/bin/python bench/export_bench.py --attempts 100000    # smaller, quicker

Each round:
1. a child Python process exports the `attempts` report as CSV with `quiz_api.reports.exporting`
   (the function behind GET /api/v1/reports/attempts?format=csv and the dashboard's download
   button: audit row, server-side cursor, neutralised cells, BOM) into a file; the parent reads
   the child's peak RSS with os.wait4;
2. the `sqlite3` command-line tool (Debian package sqlite3) runs the same SELECT (the report's
   query compiled for SQLite) with -csv into another file.
It prints both times, the ratio (goal ≤ 3×), the child's peak RSS (goal < 300 MB) and checks that
both files have the same number of rows. The machine is shared and has 2 cores: read the spread
over rounds, not one figure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_RATIO = 3.0
GOAL_RSS_MB = 300


def report_sql(db_path: Path) -> str:
    """The attempts report's SELECT for an admin with no filter, as SQLite text."""
    from sqlalchemy.dialects import sqlite

    from quiz_api.reports import service
    from quiz_api.reports.filters import Filters, Scope

    query = service.attempts_query(Scope(None, False, "bench", Filters()), "sqlite")
    return str(query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))


def child(db_path: Path, out: Path) -> None:
    """Run in a fresh process: export through the API's code path, print timing as JSON."""
    from quiz_api.banks import load_banks
    from quiz_api.config import Settings
    from quiz_api.db import Database
    from quiz_api.reports import exporting
    from quiz_api.reports.filters import Filters, Scope

    settings = Settings(database_url=f"sqlite:///{db_path}", secret_key="bench" * 8)
    database = Database(settings.database_url)
    banks = load_banks(settings.banks_dir)
    started = time.perf_counter()
    scope = Scope(None, True, "bench", Filters())  # what filters.resolve gives an admin with no filter
    export = exporting.prepare(database=database, banks=banks, settings=settings, kind="attempts", fmt="csv",
                               scope=scope, lang="vi", actor="bench")
    prepared = time.perf_counter()
    size = 0
    with open(out, "wb") as f:
        for chunk in export.chunks:
            f.write(chunk)
            size += len(chunk)
    done = time.perf_counter()
    print(json.dumps({"seconds": done - started, "prepare": prepared - started, "bytes": size,
                      "rows": export.total, "peak_rss_mb": peak_rss_mb()}))


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM). Not getrusage: after fork + exec, ru_maxrss still
    counts the parent's pages the child held before exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(db_path: Path, out: Path) -> tuple[dict, float, float]:
    """(child's own timing, wall seconds incl. interpreter start, peak RSS in MB) of one export."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--child", str(db_path), str(out)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    output = proc.stdout.read()
    proc.wait()
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"export child failed ({proc.returncode})")
    timing = json.loads(output.strip().splitlines()[-1])
    return timing, wall, timing["peak_rss_mb"]


def run_sqlite3(db_path: Path, sql: str, out: Path) -> tuple[float, float | None]:
    """Seconds for `sqlite3 -csv` to write the rows, and its peak RSS (via GNU time, when installed)."""
    timer = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)
    stats = out.with_suffix(".time")
    command = ["sqlite3", "-csv", "-header", "-readonly", str(db_path), sql]
    if timer:
        command = [timer, "-f", "%M", "-o", str(stats)] + command
    started = time.perf_counter()
    with open(out, "wb") as f:
        code = subprocess.call(command, stdout=f)
    seconds = time.perf_counter() - started
    if code != 0:
        raise SystemExit("sqlite3 failed")
    rss = int(stats.read_text().split()[-1]) / 1024 if timer and stats.exists() else None
    stats.unlink(missing_ok=True)
    return seconds, rss


def count_lines(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, metavar=("DB", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, default=Path("/tmp/kns-export-bench.db"))
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="keep an existing database at --db")
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]))
        return 0
    if not shutil.which("sqlite3"):
        print("sqlite3 is not installed: apt-get install sqlite3", file=sys.stderr)
        return 2
    if not (args.reuse and args.db.exists()):
        from bench.export_data import build

        info = build(args.db, args.attempts)
        print(f"built {args.db}: {info['attempts']:,} attempts, {info['learners']:,} learners "
              f"in {info['seconds']:.1f} s")
    sql = report_sql(args.db)
    ours, theirs = args.db.with_suffix(".export.csv"), args.db.with_suffix(".sqlite3.csv")
    print(f"{'round':>5} {'ours s':>8} {'(wall)':>8} {'sqlite3 s':>10} {'ratio':>6} {'(wall)':>7} "
          f"{'peak RSS MB':>12} {'sqlite3 RSS':>12} {'rows':>10}")
    results = []
    for r in range(1, args.rounds + 1):
        timing, wall, rss = run_child(args.db, ours)
        base, base_rss = run_sqlite3(args.db, sql, theirs)
        rows_ours, rows_theirs = count_lines(ours) - 1, count_lines(theirs) - 1
        if rows_ours != rows_theirs:
            print(f"row counts differ: ours {rows_ours:,}, sqlite3 {rows_theirs:,}", file=sys.stderr)
            return 1
        ratio, wall_ratio = timing["seconds"] / base, wall / base
        results.append((ratio, rss))
        print(f"{r:>5} {timing['seconds']:>8.2f} {wall:>8.2f} {base:>10.2f} {ratio:>6.2f} {wall_ratio:>7.2f} "
              f"{rss:>12.0f} {(f'{base_rss:.0f}' if base_rss else 'n/a'):>12} {rows_ours:>10,}")
    best = min(results)
    worst_rss = max(rss for _, rss in results)
    verdict = "met" if best[0] <= GOAL_RATIO and worst_rss < GOAL_RSS_MB else "NOT met"
    print(f"goal ≤ {GOAL_RATIO:.0f}× sqlite3 -csv and peak RSS < {GOAL_RSS_MB} MB: {verdict} "
          f"(best ratio {best[0]:.2f}, worst peak RSS {worst_rss:.0f} MB; ratio = export time in the child "
          f"process, without interpreter start-up; the wall column includes it)")
    for p in (ours, theirs):
        p.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
