"""A burst: 300 learners register and start a quiz within about 3 seconds, from 32 connections,
against the real server. Every one of them must get in (201): no "database is locked", no 503.

Not a benchmark (bench/ measures throughput); the only timing bound is a generous one, so the test
fails on a server that queues requests for many seconds, not on a slow CI machine.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.reliability.server import UNITS, Server, fresh_database, percentile

pytestmark = pytest.mark.slow

LEARNERS = 300
THREADS = 32
SPREAD = 3.0  # seconds over which the learners arrive
P99_BOUND = 10.0  # seconds: generous (registration p99 on SQLite measured 1.5-3.7 s on 2 cores)
MODULE = "mau-thu"


def burst(server: Server) -> tuple[list[tuple[str, int, float, str]], float]:
    """Each learner arrives at its moment within SPREAD (or as soon as a connection is free),
    registers, then starts an attempt. Returns (step, status, seconds, body) per request."""
    results: list[tuple[str, int, float, str]] = []
    lock = threading.Lock()
    arrivals = iter(range(LEARNERS))
    began = time.monotonic()

    def timed(client: httpx.Client, step: str, path: str, body: dict) -> httpx.Response | None:
        t0 = time.monotonic()
        try:
            response = client.post(path, json=body)
        except httpx.HTTPError as exc:
            with lock:
                results.append((step, 0, time.monotonic() - t0, repr(exc)))
            return None
        with lock:
            results.append((step, response.status_code, time.monotonic() - t0, response.text[:300]))
        return response

    def worker() -> None:
        with httpx.Client(base_url=server.base_url, timeout=60) as client:
            while True:
                with lock:
                    i = next(arrivals, None)
                if i is None:
                    return
                delay = began + i * SPREAD / LEARNERS - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                registered = timed(client, "register", "/api/v1/learners", {
                    "full_name": f"Công chức {i}", "group": "public_servant",
                    "unit_code": UNITS[i % len(UNITS)], "consent": True})
                if registered is None or registered.status_code != 201:
                    continue
                timed(client, "start", "/api/v1/attempts",
                      {"learner_code": registered.json()["learner_code"], "module_id": MODULE})

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, time.monotonic() - began


@pytest.mark.timeout(180)
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_burst_of_learners_all_get_in(kind: str, tmp_path: Path) -> None:
    with fresh_database(kind, tmp_path) as database_url:
        # The door (503 after 1 s in the listen queue) and the writer's bound (0.3 s for a batch) are
        # for a server over capacity; 300 learners in 3 s are within it, but a CI machine shared with
        # other jobs could make them wait that long (on PostgreSQL CI saw 3 of 600 refused), and this
        # test is about queueing, not about shedding (tests/reliability/test_shedding.py).
        server = Server(database_url, tmp_path, extra_env={"KYNANGSO_REQUEST_MAX_WAIT_SECONDS": "10",
                                                               "KYNANGSO_WRITER_MAX_WAIT_SECONDS": "10"})
        try:
            server.start()
            results, elapsed = burst(server)
            log = server.log(lines=10_000)
        finally:
            server.stop()
    statuses = Counter((step, status) for step, status, _, _ in results)
    print(f"\n[{kind}] {LEARNERS} learners registered and started a quiz in {elapsed:.2f} s "
          f"from {THREADS} connections: {dict(statuses)}")
    for step in ("register", "start"):
        seconds = [s for st, _, s, _ in results if st == step]
        print(f"[{kind}] {step}: p50 {percentile(seconds, 50) * 1000:.1f} ms, "
              f"p99 {percentile(seconds, 99) * 1000:.1f} ms, max {max(seconds) * 1000:.1f} ms")
    errors = [(step, status, body) for step, status, _, body in results if status != 201]
    assert not errors, f"{len(errors)} requests did not get 201: {errors[:5]}"
    assert statuses == {("register", 201): LEARNERS, ("start", 201): LEARNERS}
    assert "database is locked" not in log and "Traceback" not in log, log[-3000:]
    for step in ("register", "start"):
        p99 = percentile([s for st, _, s, _ in results if st == step], 99)
        assert p99 < P99_BOUND, f"{step} p99 {p99:.2f} s"
