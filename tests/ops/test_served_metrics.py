"""`kynangso serve --workers 2` as an operator runs it: /metrics adds up every worker's requests
(prometheus-client's multiprocess mode) and the log is JSON lines with time, level and request id."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import httpx
import pytest

from tests.reliability.server import FIXTURE_BANKS, KYNANGSO, free_port

pytestmark = pytest.mark.slow


def test_metrics_add_up_the_requests_of_every_worker_and_logs_are_json(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KYNANGSO_", "PROMETHEUS_"))}
    env.update(KYNANGSO_DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite", KYNANGSO_BANKS_DIR=str(FIXTURE_BANKS),
               KYNANGSO_SITE_DIR=str(tmp_path / "no-site"), KYNANGSO_VAR_DIR=str(tmp_path / "var"),
               KYNANGSO_SECRET_KEY="observability-test-secret-key", KYNANGSO_LOG_FORMAT="json")
    log_path = tmp_path / "server.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen([str(KYNANGSO), "serve", "--port", str(port), "--workers", "2"], cwd=tmp_path,
                                  env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log_path.read_text()
            try:
                if httpx.get(f"{base}/api/v1/health/live", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)
        time.sleep(1.0)  # the second worker too
        for _ in range(40):  # new connections: both workers answer some
            assert httpx.get(f"{base}/api/v1/health", headers={"X-Request-ID": "ops-test-0000001"}).status_code == 200
        lines = httpx.get(f"{base}/metrics").text.splitlines()
        health = [line for line in lines if line.startswith("kynangso_http_requests_total{")
                  and 'route="/api/v1/health"' in line]
        assert sum(float(line.rsplit(" ", 1)[1]) for line in health) == 40
        assert (tmp_path / "var" / f"metrics-{port}").is_dir()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    records = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    access = [r for r in records if r["logger"] == "kynangso.access" and r.get("route") == "/api/v1/health"]
    assert len(access) == 40 and all(r["request_id"] == "ops-test-0000001" and r["level"] == "INFO" for r in access)
    assert all("time" in r and "level" in r for r in records)
    assert len({r.get("message") for r in records if r["logger"] == "uvicorn.error"}) > 0
