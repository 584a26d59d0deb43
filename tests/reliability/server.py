"""The real server as an operator runs it, for the reliability tests.

`.venv/bin/kynangso serve --port P --no-access-log` in a subprocess of its own (its own session,
so SIGKILL reaches it and nothing else), configured only through KYNANGSO_* environment
variables, on a database of the test's own: a SQLite file in a temporary directory, or a
PostgreSQL database created for the test and dropped after it.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
KYNANGSO = ROOT / ".venv" / "bin" / "kynangso"
FIXTURE_BANKS = ROOT / "tests" / "fixtures" / "banks"
PG_URL = os.environ.get("KYNANGSO_TEST_DATABASE_URL")
UNITS = ("TN-P-long-an", "TN")  # from the province profile the server loads on first start


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One `kynangso serve` process; start() waits for /api/v1/health, kill() sends SIGKILL."""

    def __init__(self, database_url: str, workdir: Path, extra_env: dict[str, str] | None = None) -> None:
        self.database_url = database_url
        self.workdir = workdir
        self.extra_env = extra_env or {}
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.starts = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"server-{self.starts}.log"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KYNANGSO_")}
        env.update(
            KYNANGSO_DATABASE_URL=self.database_url,
            KYNANGSO_BANKS_DIR=str(FIXTURE_BANKS),
            KYNANGSO_SITE_DIR=str(self.workdir / "no-site"),  # lessons not built: the API still serves
            KYNANGSO_VAR_DIR=str(self.workdir / "var"),
            KYNANGSO_SECRET_KEY="reliability-test-secret-key",
        )
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 60.0) -> float:
        """Start and wait until /api/v1/health answers ok; the seconds that took."""
        self.starts += 1
        began = time.monotonic()
        with open(self.log_path, "wb") as log:
            # cwd: the work directory, so no .env of the developer's is read.
            self.process = subprocess.Popen(
                [str(KYNANGSO), "serve", "--port", str(self.port), "--no-access-log"],
                cwd=self.workdir, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        while time.monotonic() - began < timeout:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited with {self.process.returncode}:\n{self.log()}")
            try:
                response = httpx.get(f"{self.base_url}/api/v1/health", timeout=2)
                if response.status_code == 200 and response.json() == {"status": "ok"}:
                    return time.monotonic() - began
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.kill()
        raise AssertionError(f"server did not answer /api/v1/health within {timeout} s:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL, as a power cut or the OOM killer would: no shutdown handler runs."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)  # the session this test started, nothing else
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text("utf-8", "replace").splitlines()[-lines:])
        except OSError:
            return ""


@contextmanager
def running(database_url: str, workdir: Path) -> Iterator[Server]:
    server = Server(database_url, workdir)
    try:
        server.start()
        yield server
    finally:
        server.kill()


@contextmanager
def fresh_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """A database nobody else uses: a new SQLite file, or a PostgreSQL database created for this test
    on the server of KYNANGSO_TEST_DATABASE_URL (never that database itself: the session fixtures
    of the other tests keep using it) and dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path}/db.sqlite"
        return
    if not PG_URL:
        pytest.skip("KYNANGSO_TEST_DATABASE_URL is not set")
    name = f"kns_reliability_{secrets.token_hex(4)}"
    admin = create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - no right to create databases: say so, do not fail
        admin.dispose()
        pytest.skip(f"cannot create a PostgreSQL database for the server under test: {exc}")
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def create_learners(client: httpx.Client, count: int, threads: int = 8) -> list[str]:
    def one(i: int) -> str:
        response = client.post("/api/v1/learners", json={
            "full_name": f"Người thử {i}", "group": "public_servant", "unit_code": UNITS[i % len(UNITS)],
            "consent": True})
        assert response.status_code == 201, response.text
        return response.json()["learner_code"]

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, range(count)))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]
