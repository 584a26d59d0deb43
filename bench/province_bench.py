"""A province's year, and how the served application answers over it.

    .venv/bin/python bench/province_bench.py                                   # 2,000,000 learners, 10,000,000 attempts
    .venv/bin/python bench/province_bench.py --learners 200000 --attempts 1000000
    .venv/bin/python bench/province_bench.py --database postgresql+psycopg://postgres@127.0.0.1:5432/kns_province

Builds the database the way `make serve` makes it (migrations, the profile's unit tree), then
bulk-loads N learners spread over every unit and the three groups, and M submitted attempts over
the twelve months up to today, every module (first attempts with their answers, a certificate for
each first pass, targets for every unit, group and module), and rebuilds the report aggregates;
each step's time is printed. SQLite loads with one prepared statement in one transaction
(synchronous=OFF during the load only), PostgreSQL with COPY; --keep reuses a loaded SQLite file.

Then starts the server as an operator does (`kynangso serve`, bench/harness.py) and times what
organisers and learners ask of it, each figure next to its goal: the admin's and a commune
organiser's dashboard (p95 of 20 loads), every report in JSON and CSV, the annual assessment, the
question statistics, and a learner's start and submit, next to the same over an empty database.
Times are wall times to the last byte, from this process, one request at a time.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness  # after the path set-up

GROUP_SHARES = {"public_servant": 0.45, "business": 0.15, "citizen": 0.40}
PASSWORD = "mật-khẩu-đủ-dài-123"
DASHBOARD_LOADS = 20
LIVE_LEARNERS = 60


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- building -------------------------------------------------------------------------------------------

class Loader:
    """Bulk rows into SQLite (executemany, one transaction) or PostgreSQL (COPY)."""

    def __init__(self, url: str) -> None:
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            import sqlite3

            self.conn = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
            self.conn.execute("PRAGMA synchronous=OFF")
            self.conn.execute("PRAGMA cache_size=-512000")
            self.conn.execute("BEGIN")
        else:
            import psycopg

            self.conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))

    def dt(self, value: datetime | None):
        return value.isoformat(" ", "microseconds") if self.sqlite and value is not None else value

    def rows(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
        names = ", ".join(f'"{c}"' for c in columns)
        count = 0
        if self.sqlite:
            def counted() -> Iterator[tuple]:
                nonlocal count
                for row in rows:
                    count += 1
                    yield row
            self.conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})",
                                  counted())
            return count
        with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count

    def scalar_rows(self, sql: str) -> list[tuple]:
        if self.sqlite:
            return self.conn.execute(sql).fetchall()
        with self.conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()

    def finish(self) -> None:
        if self.sqlite:
            self.conn.execute("COMMIT")
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            self.conn.commit()
            with self.conn.cursor() as cur:
                # COPY wrote the ids: each id sequence goes past them, or the next registration's
                # INSERT draws an id that is taken
                cur.execute("SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' "
                            "AND column_name = 'id' AND column_default LIKE 'nextval%'")
                for (table,) in cur.fetchall():
                    cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")
                cur.execute("ANALYZE")  # PostgreSQL's autovacuum would soon; a served SQLite gets none
            self.conn.commit()
        self.conn.close()


def build(url: str, learners: int, attempts: int, seed: int = 1) -> dict[str, float]:
    """Create the database at url with the province's year in it; seconds per step."""
    from quiz_api import migrate
    from quiz_api.aggregates import rebuild
    from quiz_api.aggregates.service import zone
    from quiz_api.banks import load_banks
    from quiz_api.db import Database, utcnow
    from quiz_api.units import service as units

    times: dict[str, float] = {}
    t0 = time.monotonic()
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        harness.reset_postgres(url)
    migrate.upgrade(url)
    database = Database(url)
    with database.writing() as db:
        units.import_csv(db=db, data=(ROOT / "quiz_api/profiles/tay-ninh/units.csv").read_bytes())
    database.dispose()
    times["schema"] = time.monotonic() - t0

    rng = random.Random(seed)
    banks = load_banks(ROOT / "quiz_api/banks")
    modules = sorted(banks)
    questions = {m: list(banks[m].questions) for m in modules}
    per_attempt = {m: min(banks[m].questions_per_attempt, len(questions[m])) for m in modules}
    pass_mark = {m: banks[m].pass_mark for m in modules}
    load = Loader(url)
    unit_codes = [r[0] for r in load.scalar_rows("SELECT code FROM unit WHERE parent_code IS NOT NULL ORDER BY code")]
    groups = list(GROUP_SHARES)
    now = utcnow().replace(microsecond=0)
    start = now - timedelta(days=365)
    year_seconds = int((now - start).total_seconds())

    t = time.monotonic()
    people = [(groups[_pick(rng, GROUP_SHARES)], rng.choice(unit_codes)) for _ in range(learners)]
    load.rows("learner", ("id", "pseudonym", "full_name", "group", "unit_code", "created_at", "last_seen_at",
                          "is_demo"),
              ((i + 1, f"{rng.getrandbits(128):032x}", f"Học viên {i + 1}", g, u, load.dt(start), load.dt(now), False)
               for i, (g, u) in enumerate(people)))
    times["learners"] = time.monotonic() - t
    log(f"  {learners:,} learners in {times['learners']:.1f} s")

    # Each learner's attempts in time order (retakes after a fail, then the next module); the total
    # is spread so that the mean is attempts / learners.
    answers: list[tuple] = []
    certificates: list[tuple] = []
    trained: dict[tuple[str, str, str], int] = {}
    counts = {"attempts": 0, "answers": 0, "certificates": 0}

    def attempt_rows() -> Iterator[tuple]:
        mean = attempts / max(learners, 1)
        left = attempts
        for index, (group, unit) in enumerate(people):
            learner_id = index + 1
            remaining_people = learners - index
            n = left if remaining_people == 1 else min(left, max(0, round(rng.expovariate(1 / mean)) if mean else 0))
            left -= n
            if not n:
                continue
            moments = sorted(start + timedelta(seconds=rng.randrange(year_seconds)) for _ in range(n))
            ability = rng.gauss(0.0, 1.0)
            module_index, tries = rng.randrange(len(modules)), {}
            passed_modules = set()
            for moment in moments:
                module = modules[module_index % len(modules)]
                no = tries.get(module, 0) + 1
                tries[module] = no
                k = per_attempt[module]
                p = 1 / (1 + math.exp(-(ability + 0.8 + 0.4 * (no - 1))))
                correct = sum(rng.random() < p for _ in range(k))
                score = correct / k
                passed = score >= pass_mark[module]
                counts["attempts"] += 1
                attempt_id = f"p{counts['attempts']:012d}"
                submitted = moment + timedelta(seconds=rng.randint(120, 1500))
                if no == 1:
                    drawn = rng.sample(questions[module], k)
                    right = [True] * correct + [False] * (k - correct)
                    rng.shuffle(right)
                    answers.extend((attempt_id, pos, qid, "a", ok) for pos, (qid, ok) in enumerate(zip(drawn, right)))
                if passed and module not in passed_modules:
                    passed_modules.add(module)
                    certificates.append((f"P{learner_id:010d}{modules.index(module)}", learner_id, "module", module,
                                         attempt_id, score, load.dt(submitted)))
                    trained[(unit, group, module)] = trained.get((unit, group, module), 0) + 1
                if passed or rng.random() < 0.3:
                    module_index += 1  # on to the next module (some give up after a fail)
                yield (attempt_id, learner_id, module, no, "vi", "[]", k, load.dt(moment),
                       load.dt(moment + timedelta(hours=1)), load.dt(submitted), correct, score, passed)

    t = time.monotonic()
    columns = ("id", "learner_id", "module_id", "attempt_no", "lang", "draw", "question_count", "started_at",
               "expires_at", "submitted_at", "correct_count", "score", "passed")
    chunk: list[tuple] = []
    for row in attempt_rows():
        chunk.append(row)
        if len(chunk) == 50_000:
            load.rows("attempt", columns, chunk)
            load.rows("attempt_answer", ("attempt_id", "position", "question_id", "chosen", "correct"), answers)
            load.rows("certificate", ("code", "learner_id", "kind", "subject", "attempt_id", "score", "issued_at"),
                      certificates)
            counts["answers"] += len(answers)
            counts["certificates"] += len(certificates)
            chunk, answers[:], certificates[:] = [], [], []
            if counts["attempts"] % 500_000 == 0:
                log(f"  {counts['attempts']:,} attempts ({time.monotonic() - t:.0f} s)")
    load.rows("attempt", columns, chunk)
    load.rows("attempt_answer", ("attempt_id", "position", "question_id", "chosen", "correct"), answers)
    load.rows("certificate", ("code", "learner_id", "kind", "subject", "attempt_id", "score", "issued_at"),
              certificates)
    counts["answers"] += len(answers)
    counts["certificates"] += len(certificates)
    times["attempts"] = time.monotonic() - t
    log(f"  {counts['attempts']:,} attempts, {counts['answers']:,} answers, {counts['certificates']:,} "
        f"certificates in {times['attempts']:.1f} s")

    t = time.monotonic()
    present = {(u, g) for g, u in people}
    load.rows("target", ("year", "unit_code", "group", "module_id", "headcount", "target_share"),
              ((now.year, u, g, m, max(5, math.ceil(trained.get((u, g, m), 0) / rng.uniform(0.5, 1.1))), 0.8)
               for u, g in sorted(present) for m in modules))
    load.finish()
    times["targets"] = time.monotonic() - t

    t = time.monotonic()
    database = Database(url)
    with database.writing() as db:
        done = rebuild.rebuild(db.connection(), zone(), progress=sys.stderr)
    database.dispose()
    times["aggregates"] = time.monotonic() - t
    log(f"  aggregates: {done.months:,} month rows, {done.questions:,} question rows, {done.picks:,} pick rows "
        f"in {times['aggregates']:.1f} s")
    times["total"] = time.monotonic() - t0
    return times


def _pick(rng: random.Random, shares: dict[str, float]) -> int:
    x, acc = rng.random(), 0.0
    for i, share in enumerate(shares.values()):
        acc += share
        if x < acc:
            return i
    return len(shares) - 1


# --- serving and timing -----------------------------------------------------------------------------------

@contextmanager
def serving(url: str, var_dir: Path) -> Iterator[harness.Server]:
    """`kynangso serve` on this database (harness.running_server resets a PostgreSQL one first)."""
    env = dict(os.environ)
    env.pop("KYNANGSO_TEST_DATABASE_URL", None)
    env.update({"KYNANGSO_DATABASE_URL": url, "KYNANGSO_VAR_DIR": str(var_dir),
                "KYNANGSO_BANKS_DIR": str(ROOT / "quiz_api/banks"), "NO_MKDOCS_2_WARNING": "1"})
    env.setdefault("KYNANGSO_SECRET_KEY", "benchmark-secret-key-not-for-production")  # serve needs one on PostgreSQL
    server = harness.Server(url, harness.free_port(), var_dir, env, 1, ROOT / "quiz_api/banks",
                            var_dir / "server.log")
    server.start(timeout=600)
    try:
        yield server
    finally:
        server.stop()


def organisers(url: str, unit: str) -> None:
    """A province admin and a commune organiser (left as they are when --keep finds them)."""
    from quiz_api.db import Database
    from quiz_api.errors import DomainError
    from quiz_api.organisers import service

    database = Database(url)
    for name, role, units in (("bench-admin", "admin", []), ("bench-commune", "unit", [unit])):
        try:
            with database.writing() as db:
                service.create(db=db, username=name, password=PASSWORD, role=role, unit_codes=units)
        except DomainError:
            pass
    database.dispose()


def web_client(base_url: str, username: str) -> httpx.Client:
    import re

    client = httpx.Client(base_url=base_url, timeout=600)
    page = client.get("/organiser/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post("/organiser/login", data={"csrf_token": csrf, "username": username, "password": PASSWORD,
                                                     "next": "/organiser"})
    if response.status_code != 303:  # logged in: sent on to the dashboard
        raise RuntimeError(f"login as {username} failed: {response.status_code}")
    return client


def api_client(base_url: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=1800)
    token = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD}).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def timed(client: httpx.Client, method: str, url: str, **kw) -> tuple[float, httpx.Response]:
    t = time.perf_counter()
    response = client.request(method, url, **kw)
    return (time.perf_counter() - t) * 1000, response


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def line(label: str, value: str, goal: str = "", ok: bool | None = None) -> None:
    mark = "" if ok is None else ("  ok" if ok else "  MISSED")
    print(f"  {label:<44} {value:>16}   {goal}{mark}", flush=True)


def dashboards(base_url: str) -> None:
    for who, goal in (("bench-admin", 300), ("bench-commune", 150)):
        client = web_client(base_url, who)
        timed(client, "GET", "/organiser")  # warm-up (templates, statement caches)
        times = []
        for _ in range(DASHBOARD_LOADS):
            ms, response = timed(client, "GET", "/organiser")
            response.raise_for_status()
            times.append(ms)
        label = "admin dashboard" if who == "bench-admin" else "commune organiser's dashboard"
        line(f"{label} (p95 of {DASHBOARD_LOADS})", f"{p95(times):,.0f} ms", f"goal ≤ {goal} ms", p95(times) <= goal)
        client.close()


def streamed(client: httpx.Client, url: str) -> tuple[float, int, int]:
    """(ms to the last byte, status, bytes) of a download read as it streams (a year's rows do not fit
    in this process's memory)."""
    t = time.perf_counter()
    size = 0
    with client.stream("GET", url) as response:
        for chunk in response.iter_raw(1 << 16):
            size += len(chunk)
    return (time.perf_counter() - t) * 1000, response.status_code, size


def reports(base_url: str, row_formats: tuple[str, ...]) -> None:
    """Every report kind; the row reports (completions, attempts, xAPI) in row_formats only."""
    client = api_client(base_url, "bench-admin")
    goals = {"summary": 500, "annual": 500, "questions": 500}
    for kind, formats in (("summary", ("json", "csv")), ("annual", ("json", "csv")), ("questions", ("json", "csv")),
                          ("completions", ("json", "csv")), ("attempts", ("json", "csv")),
                          ("xapi", ("jsonl", "json"))):
        if kind not in goals:
            formats = tuple(f for f in formats if f in row_formats or (kind == "xapi" and "json" in row_formats))
        for fmt in formats:
            ms, status, size = streamed(client, f"/api/v1/reports/{kind}?format={fmt}")
            ok = status == 200
            goal = goals.get(kind)
            label = f"report {kind} ({fmt}, {size / 1e6:,.1f} MB)"
            if not ok:
                line(label, f"HTTP {status}", "", False)
            elif goal:
                line(label, f"{ms:,.0f} ms", f"goal ≤ {goal} ms", ms <= goal)
            else:
                line(label, f"{ms / 1000:,.1f} s", "(a row export, streamed: no goal)")
    client.close()


def learner_journey(base_url: str, banks_dir: Path, n: int = LIVE_LEARNERS) -> tuple[list[float], list[float]]:
    """Start and submit latencies of n new learners, one after another (commune unit, first module)."""
    key = harness.load_answer_key(banks_dir)
    rng = random.Random(7)
    starts, submits = [], []
    with httpx.Client(base_url=base_url, timeout=60) as client:
        module = min(key)
        for i in range(n):
            code = client.post("/api/v1/learners", json={"full_name": f"Người học {i}", "group": "citizen",
                                                         "unit_code": "TN-P-long-an", "consent": True}
                               ).json()["learner_code"]
            ms, response = timed(client, "POST", "/api/v1/attempts", json={"learner_code": code, "module_id": module})
            response.raise_for_status()
            starts.append(ms)
            attempt = response.json()
            body = {"answers": harness.answers_for(attempt, key[module], i % 2 == 0, rng)}
            ms, response = timed(client, "POST", f"/api/v1/attempts/{attempt['attempt_id']}/submit", json=body)
            response.raise_for_status()
            submits.append(ms)
    return starts, submits


def during_export(server: harness.Server, banks_dir: Path, quiet_submits: list[float]) -> None:
    """Learners start and submit, one after another, while the admin downloads the attempts CSV of
    every year (the biggest export there is): submit p99 during it, next to the quiet p99, and the
    server's peak resident memory."""
    import threading

    base_url = server.base_url
    client = api_client(base_url, "bench-admin")
    got: dict[str, float] = {}
    done = threading.Event()

    def pull() -> None:
        try:
            got["ms"], got["status"], got["bytes"] = streamed(client, "/api/v1/reports/attempts?format=csv")
        finally:
            done.set()

    puller = threading.Thread(target=pull)
    puller.start()
    sampler = harness.RssSampler(server.process.pid)
    sampler.start()
    time.sleep(2)  # its count is done and the rows stream
    submits: list[float] = []
    rounds = 0
    while not done.is_set() or rounds == 0:
        submits += learner_journey(base_url, banks_dir, n=20)[1]
        rounds += 1
    puller.join()
    sampler.running = False
    sampler.join()
    client.close()
    ordered = sorted(submits)
    p99 = ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]
    quiet = sorted(quiet_submits)[max(0, math.ceil(0.99 * len(quiet_submits)) - 1)]
    line(f"export: attempts CSV, every year ({got.get('bytes', 0) / 1e6:,.0f} MB)",
         f"{got.get('ms', 0) / 1000:,.1f} s", f"HTTP {int(got.get('status', 0))}")
    line(f"learner submit during it (p99 of {len(submits)})", f"{p99:.1f} ms",
         f"goal ≤ 100 ms (quiet p99 {quiet:.1f} ms)", p99 <= 100)
    line("server's peak RSS during it", f"{sampler.peak / 1024:,.0f} MB", "goal < 300 MB", sampler.peak / 1024 < 300)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--learners", type=int, default=2_000_000)
    p.add_argument("--attempts", type=int, default=10_000_000)
    p.add_argument("--database", help="a PostgreSQL URL (its public schema is replaced); default: a SQLite file")
    p.add_argument("--empty-database", help="PostgreSQL: another database for the empty-database comparison")
    p.add_argument("--keep", type=Path, help="SQLite: build into this file, or reuse it if it exists")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--reuse", action="store_true",
                   help="PostgreSQL: use the database as an earlier run built it (no build)")
    p.add_argument("--row-formats", default="csv",
                   help="formats the row reports (completions, attempts, xAPI) are timed in: csv, or csv,json "
                        "(JSON of a year's rows is Python's formatting, several minutes at 10,000,000 attempts)")
    p.add_argument("--no-export", action="store_true", help="skip the submissions during the attempts export")
    p.add_argument("--build-only", action="store_true", help="build (or find) the database, time nothing")
    a = p.parse_args(argv)
    import warnings

    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory(prefix="kns-province-") as tmp:
        tmp_dir = Path(tmp)
        path = a.keep or tmp_dir / "kynangso.db"
        url = a.database or f"sqlite:///{path}"
        print(f"province bench: {a.learners:,} learners, {a.attempts:,} attempts on "
              f"{'PostgreSQL' if a.database else 'SQLite'}", flush=True)
        if (a.database and not a.reuse) or (not a.database and not path.exists()):
            times = build(url, a.learners, a.attempts, a.seed)
            print("build:", ", ".join(f"{k} {v:,.1f} s" for k, v in times.items()), flush=True)
        else:
            print(f"build: reusing {a.database or path}", flush=True)
        organisers(url, "TN-P-long-an")
        if a.build_only:
            return 0
        (tmp_dir / "var").mkdir()
        with serving(url, tmp_dir / "var") as server:
            print("served (kynangso serve, 1 worker):", flush=True)
            dashboards(server.base_url)
            reports(server.base_url, tuple(a.row_formats.split(",")))
            full = learner_journey(server.base_url, ROOT / "quiz_api/banks")
            if not a.no_export:
                during_export(server, ROOT / "quiz_api/banks", full[1])
        empty_url = a.empty_database or f"sqlite:///{tmp_dir / 'empty.db'}"
        if empty_url.startswith("postgresql"):
            harness.reset_postgres(empty_url)
        (tmp_dir / "var-empty").mkdir()
        with serving(empty_url, tmp_dir / "var-empty") as server:
            empty = learner_journey(server.base_url, ROOT / "quiz_api/banks")
        for name, i in (("start", 0), ("submit", 1)):
            with_data, without = statistics.median(full[i]), statistics.median(empty[i])
            line(f"learner {name} (median of {LIVE_LEARNERS}; p95)",
                 f"{with_data:.1f}; {p95(full[i]):.1f} ms",
                 f"empty db {without:.1f}; {p95(empty[i]):.1f} ms", with_data <= max(without * 1.25, without + 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
