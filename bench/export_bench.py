"""Export benchmark: the served CSV downloads of a big year next to the database's own dump tool.

    .venv/bin/python bench/export_bench.py                               # SQLite, 1,000,000 attempts
    .venv/bin/python bench/export_bench.py --keep /tmp/kns-export-bench  # build there once, reuse after
    .venv/bin/python bench/export_bench.py --attempts 100000 --rounds 1  # smaller, quicker
    .venv/bin/python bench/export_bench.py --keep /tmp/kns-export-bench-pg \\
        --database postgresql+psycopg://postgres@127.0.0.1:5432/kns_bench   # a database of its own

The database is built with bench/export_data.py (N attempts, N/25 learners; kept with --keep and
reused when it holds N attempts), an organiser admin is added, and the server is started as `make
serve` starts it (bench/harness.py). Each round, for the attempts and the completions report:

1. the database's own tool dumps the report's SELECT (the same rows and columns, compiled for the
   dialect) as CSV into a file: `sqlite3 -csv -readonly`, or `psql -c "\\copy (...) to ... csv"`;
2. the admin downloads the year's CSV with the dashboard's button (`GET /organiser/download/<kind>
   ?year=2026&format=csv`, the web session, a browser's Accept-Encoding), while a learner submits attempts one after another
   (closed loop, one request in flight) and a sampler reads the server's resident memory.

It prints, for each, the tool's time, the download's time and their ratio (goal ≤ 2), bytes, rows
and the row count the server announced (X-Total-Count / Content-Length), the server's peak RSS
during the download (goal < 300 MB), and the learner's submit p50/p99 during the download (goal
p99 ≤ 100 ms) next to the same learner's p99 with no export running. The machine is shared and has
2 cores: read the spread over rounds, not one figure. As a control, the last column is the same
learner's p99 while the database tool (a separate process, no part of the server) reads the rows:
what any reader of that size costs the machine.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import export_data, harness  # after the path set-up

GOAL_RATIO = 2.0
GOAL_RSS_MB = 300
GOAL_SUBMIT_P99_MS = 100
ADMIN, PASSWORD = "bench-export-admin", "mật-khẩu-đủ-dài-cho-bench"
KINDS = ("attempts", "completions")
YEAR = 2026  # bench/export_data.py spreads the attempts over 2026


def report_sql(kind: str, dialect: str, year: int) -> str:
    """The report's SELECT for an admin and a year, as the dialect's SQL text."""
    from sqlalchemy.dialects import postgresql, sqlite

    from quiz_api.reports import service
    from quiz_api.reports.filters import Filters, Scope

    scope = Scope(None, True, "bench", Filters(year=year))
    query = service.row_query(kind, scope, dialect)
    compiler = sqlite.dialect() if dialect == "sqlite" else postgresql.psycopg.dialect()
    return str(query.compile(dialect=compiler, compile_kwargs={"literal_binds": True}))


def attempts_in(url: str) -> int:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(text("SELECT count(*) FROM attempt")) or 0)
    except SQLAlchemyError:  # no database or no schema yet
        return -1
    finally:
        engine.dispose()


def add_admin(url: str) -> None:
    from quiz_api.db import Database
    from quiz_api.organisers import service as organisers
    from quiz_api.organisers.models import Organiser

    database = Database(url)
    with database.writing() as db:
        if db.query(Organiser).filter_by(username=ADMIN).first() is None:
            organisers.create(db=db, username=ADMIN, password=PASSWORD, role="admin", unit_codes=[])
    database.dispose()


def tool_dump(url: str, sql: str, out: Path) -> float:
    """Seconds for the database's own tool to write the rows as CSV (with a header line)."""
    if url.startswith("sqlite"):
        command = ["sqlite3", "-csv", "-header", "-readonly", url.removeprefix("sqlite:///"), sql]
        started = time.perf_counter()
        with open(out, "wb") as f:
            code = subprocess.call(command, stdout=f)
    else:
        target = url.replace("postgresql+psycopg://", "postgresql://")
        command = ["psql", "-X", "-q", target, "-c", f"\\copy ({sql}) to '{out}' csv header"]
        started = time.perf_counter()
        code = subprocess.call(command)
    if code != 0:
        raise SystemExit(f"{command[0]} failed ({code})")
    return time.perf_counter() - started


def count_lines(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


class Learner(threading.Thread):
    """Submits prepared attempts one after another (one request in flight), recording each latency."""

    def __init__(self, base_url: str, bodies: list[tuple[str, dict]], pause: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.base_url, self.bodies, self.pause = base_url, bodies, pause
        self.latencies: list[float] = []
        self.errors = 0
        self.running = True

    def run(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=60) as client:
            while self.running and self.bodies:
                attempt_id, body = self.bodies.pop()
                began = time.perf_counter()
                response = client.post(f"/api/v1/attempts/{attempt_id}/submit", json=body)
                self.latencies.append(time.perf_counter() - began)
                self.errors += response.status_code != 200
                time.sleep(self.pause)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def prepare_submissions(base_url: str, count: int, threads: int, seed: int = 7) -> list[tuple[str, dict]]:
    """`count` started attempts of new learners, each with the body its submission will send."""
    banks = harness.banks_dir()
    modules = sorted(harness.load_answer_key(banks))
    learners = harness.create_learners(base_url, -(-count // len(modules)), threads=threads)
    attempts = harness.start_attempts(base_url, learners, count, modules, threads=threads)
    key: dict[str, list[str]] = {}
    for module in harness.load_answer_key(banks).values():
        key.update(module)
    rng = random.Random(seed)
    return [(a["attempt_id"], {"answers": harness.answers_for(a, key, rng.random() < 0.5, rng)}) for a in attempts]


def web_login(base_url: str) -> httpx.Cookies:
    """The admin's dashboard session, as a browser gets it (login form with its CSRF token)."""
    with httpx.Client(base_url=base_url, timeout=60) as client:
        page = client.get("/organiser/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        answer = client.post("/organiser/login", data={"csrf_token": csrf, "username": ADMIN, "password": PASSWORD,
                                                       "next": "/organiser"})
        if answer.status_code not in (200, 303):
            raise SystemExit(f"login failed: {answer.status_code}")
        return client.cookies


def download(base_url: str, kind: str, year: int, cookies: httpx.Cookies, out: Path) -> dict:
    """The dashboard's CSV button, as a browser downloads it: the announced size and count, bytes, time."""
    started = time.perf_counter()
    first = None
    size = 0
    with httpx.Client(base_url=base_url, timeout=600, cookies=cookies) as client, open(out, "wb") as f, \
            client.stream("GET", f"/organiser/download/{kind}", params={"year": year, "format": "csv"},
                          headers={"Accept-Encoding": "gzip, deflate, br"}) as response:
        response.raise_for_status()
        if response.headers.get("content-encoding"):
            raise SystemExit("the download came compressed: rows and bytes would be miscounted")
        for chunk in response.iter_raw(1 << 16):
            if first is None:
                first = time.perf_counter() - started
            f.write(chunk)
            size += len(chunk)
        headers = response.headers
    return {"seconds": time.perf_counter() - started, "first_byte": first or 0.0, "bytes": size,
            "announced_rows": headers.get("x-total-count") or headers.get("x-row-count"),
            "content_length": headers.get("content-length")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--database", help="a PostgreSQL URL of a database of the benchmark's own")
    parser.add_argument("--keep", type=Path, help="build the database here (SQLite) and reuse it when it holds "
                                                  "--attempts attempts")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--submissions", type=int, default=6000, help="attempts prepared for the learner")
    args = parser.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    tool = "psql" if args.database else "sqlite3"
    if not shutil.which(tool):
        print(f"{tool} is not installed", file=sys.stderr)
        return 2
    with ExitStack() as stack:
        work = args.keep or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kns-export-")))
        work.mkdir(parents=True, exist_ok=True)
        url = args.database or f"sqlite:///{work}/kynangso.db"
        have = attempts_in(url)
        if args.keep and args.attempts <= have <= args.attempts + args.submissions * 4:
            print(f"reusing {url}: {have:,} attempts")
        else:
            info = (export_data.build_postgres(url, args.attempts) if args.database
                    else export_data.build(work / "kynangso.db", args.attempts))
            print(f"built {url}: {info['attempts']:,} attempts, {info['learners']:,} learners "
                  f"in {info['seconds']:.0f} s")
        add_admin(url)
        server = stack.enter_context(harness.running_server(args.database, keep_dir=work, reset=False))
        print(f"server pid {server.process.pid} on {url.split('@')[-1]}")
        cookies = web_login(server.base_url)
        # one at a time on PostgreSQL: parallel starts in batches of the group-commit writer can
        # deadlock there (two batches locking learners in opposite orders; seen once, not measured here)
        bodies = prepare_submissions(server.base_url, args.submissions, threads=1 if args.database else 4)
        idle = Learner(server.base_url, bodies)
        idle.start()
        time.sleep(5)
        idle.running = False
        idle.join()
        idle_p99 = percentile(idle.latencies, 99) * 1000
        print(f"learner alone: {len(idle.latencies)} submissions in 5 s, p50 "
              f"{percentile(idle.latencies, 50) * 1000:.0f} ms, p99 {idle_p99:.0f} ms")
        dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
        print(f"{'kind':<12}{'round':>5}{tool + ' s':>10}{'served s':>10}{'ratio':>7}{'1st byte':>9}{'MB':>8}"
              f"{'rows':>11}{'announced':>11}{'peak RSS MB':>12}{'submits':>8}{'p50 ms':>7}{'p99 ms':>7}{'err':>4}"
              f"{'p99 beside ' + tool:>18}")
        results: dict[str, list[dict]] = {k: [] for k in kinds}
        for r in range(1, args.rounds + 1):
            for kind in kinds:
                theirs, ours = work / f"{kind}.{tool}.csv", work / f"{kind}.served.csv"
                control = Learner(server.base_url, bodies)  # the same learner while the tool reads
                control.start()
                base = tool_dump(url, report_sql(kind, dialect, YEAR), theirs)
                control.running = False
                control.join()
                base_rows = count_lines(theirs) - 1
                time.sleep(1)
                sampler = harness.RssSampler(server.process.pid)
                sampler.start()
                learner = Learner(server.base_url, bodies)
                learner.start()
                got = download(server.base_url, kind, YEAR, cookies, ours)
                learner.running = False
                sampler.running = False
                learner.join()
                sampler.join()
                rows = count_lines(ours) - 1
                row = {"tool": base, "served": got["seconds"], "ratio": got["seconds"] / base,
                       "rss": sampler.peak / 1024, "p99": percentile(learner.latencies, 99) * 1000,
                       "submits": len(learner.latencies), "errors": learner.errors}
                results[kind].append(row)
                announced = got["announced_rows"] or (f"{got['content_length']} B" if got["content_length"] else "-")
                print(f"{kind:<12}{r:>5}{base:>10.2f}{got['seconds']:>10.2f}{row['ratio']:>7.2f}"
                      f"{got['first_byte']:>9.2f}{got['bytes'] / 1e6:>8.1f}{rows:>11,}{announced:>11}"
                      f"{row['rss']:>12.0f}{row['submits']:>8}{percentile(learner.latencies, 50) * 1000:>7.0f}"
                      f"{row['p99']:>7.0f}{learner.errors:>4}{percentile(control.latencies, 99) * 1000:>15.0f} ms",
                      flush=True)
                if abs(rows - base_rows) > args.submissions:
                    print(f"  row counts differ: served {rows:,}, {tool} {base_rows:,}", file=sys.stderr)
                for p in (ours, theirs):
                    p.unlink(missing_ok=True)
                if len(bodies) < 200:
                    print("  (few prepared submissions left: use --submissions)", file=sys.stderr)
        print(f"\n{args.attempts:,} attempts on {dialect}; goals: ratio ≤ {GOAL_RATIO:.0f}, peak RSS < "
              f"{GOAL_RSS_MB} MB, submit p99 ≤ {GOAL_SUBMIT_P99_MS} ms during the export "
              f"(learner alone: p99 {idle_p99:.0f} ms)")
        for kind, rows in results.items():
            ratios = [x["ratio"] for x in rows]
            rss = max(x["rss"] for x in rows)
            p99 = max(x["p99"] for x in rows)
            ok = min(ratios) <= GOAL_RATIO and rss < GOAL_RSS_MB and p99 <= GOAL_SUBMIT_P99_MS
            print(f"  {kind:<12} ratio {min(ratios):.2f}–{max(ratios):.2f} (≤ {GOAL_RATIO:.0f}), peak RSS "
                  f"{rss:.0f} MB (< {GOAL_RSS_MB}), submit p99 ≤ {p99:.0f} ms ({GOAL_SUBMIT_P99_MS}): "
                  f"{'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
