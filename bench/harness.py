"""Shared by the benchmarks and the reliability tests: run the real server, prepare data through the API.

The server is started exactly as `make serve` starts it (`.venv/bin/kynangso serve --port P
--workers W`), on a database of its own (a SQLite file in a temporary var/ directory, or a
PostgreSQL database whose schema is reset first), so what is measured is what an operator runs.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
KYNANGSO = ROOT / ".venv" / "bin" / "kynangso"
FIXTURE_BANKS = ROOT / "tests" / "fixtures" / "banks"
REAL_BANKS = ROOT / "quiz_api" / "banks"
GROUPS = ("public_servant", "business", "citizen")
UNITS = ("TN-P-long-an", "TN-S-so-y-te", "TN")


def banks_dir() -> Path:
    """The real banks when content authors have written at least one, else the test fixture bank."""
    return REAL_BANKS if any(REAL_BANKS.glob("*.yaml")) else FIXTURE_BANKS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reset_postgres(url: str) -> None:
    """Drop and recreate the public schema of a database that belongs to the benchmark."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@dataclass
class Server:
    """A running `kynangso serve` subprocess."""

    database_url: str
    port: int
    var_dir: Path
    env: dict[str, str]
    workers: int = 1
    banks: Path = FIXTURE_BANKS
    log_path: Path = field(default=Path("server.log"))
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [str(KYNANGSO), "serve", "--port", str(self.port), "--workers", str(self.workers)],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}; see {self.log_path}:\n"
                                   + self.log_tail())
            try:
                if httpx.get(f"{self.base_url}/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not answer within {timeout} s:\n" + self.log_tail())

    def cpu_seconds(self, which: str = "both") -> float:
        """User + system CPU used so far by the server and its worker processes (from /proc)."""
        ticks = os.sysconf("SC_CLK_TCK")
        stats = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                used = {"both": int(fields[11]) + int(fields[12]), "user": int(fields[11]), "system": int(fields[12])}
                stats[int(entry.name)] = (int(fields[1]), used[which])  # ppid, CPU ticks
        total, todo = 0, [self.process.pid]
        while todo:
            pid = todo.pop()
            total += stats.get(pid, (0, 0))[1]
            todo += [child for child, (ppid, _) in stats.items() if ppid == pid]
        return total / ticks

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text("utf-8", "replace").splitlines()[-lines:])
        except OSError:
            return ""

    def kill(self) -> None:
        """SIGKILL the whole process group: no shutdown hook, no flush, like a power cut for the process."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def running_server(database_url: str | None = None, *, workers: int = 1, extra_env: dict[str, str] | None = None,
                   keep_dir: Path | None = None, reset: bool = True) -> Iterator[Server]:
    """Start a server on a fresh database (SQLite under a temporary var/ unless a URL is given; a
    PostgreSQL database's schema is dropped first unless reset is False)."""
    with tempfile.TemporaryDirectory(prefix="kns-bench-") as tmp:
        var_dir = keep_dir or Path(tmp)
        url = database_url or f"sqlite:///{var_dir}/kynangso.db"
        banks = banks_dir()
        if url.startswith("postgresql") and reset:
            reset_postgres(url)
        env = dict(os.environ)
        env.pop("KYNANGSO_TEST_DATABASE_URL", None)
        env.update({
            "KYNANGSO_DATABASE_URL": url,
            "KYNANGSO_VAR_DIR": str(var_dir),
            "KYNANGSO_BANKS_DIR": str(banks),
            "NO_MKDOCS_2_WARNING": "1",
        })
        env.setdefault("KYNANGSO_SECRET_KEY", "benchmark-secret-key-not-for-production")  # serve needs one on PostgreSQL
        env.update(extra_env or {})
        server = Server(url, free_port(), var_dir, env, workers, banks, var_dir / "server.log")
        server.start()
        try:
            yield server
        finally:
            server.stop()


# ---------------------------------------------------------------- preparing data through the API


def load_answer_key(banks: Path) -> dict[str, dict[str, list[str]]]:
    """module id -> question id -> sorted correct choice ids (the benchmark plays a learner who knows)."""
    from quiz_api.banks import load_banks

    return {b.id: {q.id: sorted(q.correct) for q in b.questions.values()} for b in load_banks(banks).values()}


def answers_for(attempt: dict, key: dict[str, list[str]], passing: bool, rng: random.Random) -> dict[str, list[str]]:
    """All right (a pass) or the first question wrong and the rest random (almost always a fail)."""
    answers = {}
    for i, q in enumerate(attempt["questions"]):
        correct = key[q["id"]]
        if passing:
            answers[q["id"]] = correct
        else:
            wrong = [c["id"] for c in q["choices"] if c["id"] not in correct]
            answers[q["id"]] = wrong[:1] if i == 0 or rng.random() < 0.5 else correct
    return answers


class _Clients(threading.local):
    client: httpx.Client | None = None


def _parallel(base_url: str, fn, items, threads: int) -> list:
    local = _Clients()

    def call(item):
        if local.client is None:
            local.client = httpx.Client(base_url=base_url, timeout=60)
        return fn(local.client, item)

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(call, items))


BUSY_RETRIES = {"count": 0}


def post_json(client: httpx.Client, path: str, body: dict, attempts: int = 30) -> httpx.Response:
    """POST as the API contract asks a client to: a 503 server_busy stored nothing, so send it again after
    Retry-After (a slow machine sheds part of the set-up burst; the set-up is not what is measured)."""
    for _ in range(attempts):
        r = client.post(path, json=body)
        if r.status_code != 503:
            r.raise_for_status()
            return r
        BUSY_RETRIES["count"] += 1
        time.sleep(min(float(r.headers.get("Retry-After", "1")), 5.0))
    r.raise_for_status()
    return r


def create_learners(base_url: str, count: int, threads: int = 8) -> list[str]:
    def one(client: httpx.Client, i: int) -> str:
        body = {"full_name": f"Học viên {i}", "group": GROUPS[i % 3], "unit_code": UNITS[i % len(UNITS)],
                "consent": True}
        return post_json(client, "/api/v1/learners", body).json()["learner_code"]

    return _parallel(base_url, one, range(count), threads)


def start_attempts(base_url: str, learner_codes: list[str], count: int, module_ids: list[str],
                   threads: int = 8) -> list[dict]:
    """`count` attempts, each a different (learner, module): a learner has one open attempt per module
    (starting again gives the same one back), so learners are added when those given are too few."""
    need = -(-count // len(module_ids))
    if len(learner_codes) < need:
        learner_codes = learner_codes + create_learners(base_url, need - len(learner_codes), threads)

    def one(client: httpx.Client, i: int) -> dict:
        body = {"learner_code": learner_codes[i // len(module_ids)], "module_id": module_ids[i % len(module_ids)],
                "lang": "vi" if i % 4 else "en"}
        return post_json(client, "/api/v1/attempts", body).json()

    return _parallel(base_url, one, range(count), threads)


def write_submissions(path: Path, attempts: list[dict], banks: Path, pass_share: float = 0.5, seed: int = 1) -> None:
    """One line per attempt: `attempt_id<TAB>json body`, read by bench/wrk/submit.lua."""
    rng = random.Random(seed)
    key = {}
    for module in load_answer_key(banks).values():
        key.update(module)
    with path.open("w", encoding="utf-8") as f:
        for a in attempts:
            body = {"answers": answers_for(a, key, rng.random() < pass_share, rng)}
            f.write(f"{a['attempt_id']}\t{json.dumps(body, separators=(',', ':'))}\n")


def tree_pids(pid: int) -> list[int]:
    """A process and its descendants (the server and its worker): a scan of every /proc entry."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += [child for child, parent in parents.items() if parent == current]
    return found


def rss_kb(pids: list[int]) -> int:
    """Resident memory of these processes (those gone count 0)."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and its descendants (the server and its worker)."""
    return rss_kb(tree_pids(pid))


class RssSampler(threading.Thread):
    """The peak resident memory of a process tree, read every `every` seconds. The tree is found again
    once a second: scanning all of /proc at every sample cost the machine a good share of a core,
    which the measured server then lacked."""

    def __init__(self, pid: int, every: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.peak, self.running = pid, every, 0, True

    def run(self) -> None:
        pids, found_at = tree_pids(self.pid), time.monotonic()
        while self.running:
            if time.monotonic() - found_at > 1.0:
                pids, found_at = tree_pids(self.pid), time.monotonic()
            self.peak = max(self.peak, rss_kb(pids))
            time.sleep(self.every)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)
