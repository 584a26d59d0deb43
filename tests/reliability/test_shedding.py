"""Over capacity the real server sheds load early: a flood of learners registering and starting at
once, against budgets set tiny, gets quick 503 server_busy answers with Retry-After for what it
cannot serve in time, never another 5xx, never a dropped connection; what it acknowledged is
exactly what it stored (a refused request stored nothing, nothing is half-written); and once the
flood is over it serves again. Both places that refuse are tried: the door (a request that waited
too long before the application saw it) and the group-commit writer (its queue full, or a job
that waited too long for its batch).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from quiz_api import codes
from tests.reliability.server import UNITS, Server, fresh_database

pytestmark = pytest.mark.slow

LEARNERS = 400
MODULE = "mau-thu"
BUDGETS = {
    "door": {"KYNANGSO_REQUEST_MAX_WAIT_SECONDS": "0.05", "KYNANGSO_WRITER_MAX_WAIT_SECONDS": "0",
             "KYNANGSO_WRITER_QUEUE_MAX": "0"},
    "writer": {"KYNANGSO_REQUEST_MAX_WAIT_SECONDS": "0", "KYNANGSO_WRITER_MAX_WAIT_SECONDS": "0.25",
               "KYNANGSO_WRITER_QUEUE_MAX": "8"},
}


async def post(streams, port: int, path: str, body: dict) -> tuple[int, dict[str, str], dict]:
    reader, writer = streams
    data = json.dumps(body).encode()
    writer.write(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(data)}\r\n\r\n".encode() + data)
    lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    answer = json.loads(await reader.readexactly(int(headers["content-length"])))
    return int(lines[0].split(" ", 2)[1]), headers, answer


async def flood(port: int) -> list[tuple[str, int, dict[str, str], dict]]:
    """Every learner at once, each on a connection of its own: register, then start with the code."""
    async def learner(i: int) -> list[tuple[str, int, dict[str, str], dict]]:
        streams = await asyncio.open_connection("127.0.0.1", port)
        try:
            status, headers, answer = await post(streams, port, "/api/v1/learners", {
                "full_name": f"Người thử {i}", "group": "citizen", "unit_code": UNITS[i % len(UNITS)],
                "consent": True})
            steps = [("register", status, headers, answer)]
            if status == 201:
                status, headers, answer = await post(streams, port, "/api/v1/attempts",
                                                     {"learner_code": answer["learner_code"], "module_id": MODULE})
                steps.append(("start", status, headers, answer))
            return steps
        finally:
            streams[1].close()

    results = await asyncio.wait_for(asyncio.gather(*(learner(i) for i in range(LEARNERS))), 120)
    return [step for steps in results for step in steps]


async def one_learner(port: int) -> tuple[list[int], int]:
    """A learner after the flood, sending again after each 503 (the budgets are tiny: on a loaded
    machine even a lone request may miss them now and then). The answers, and how many 503s."""
    busy = 0
    for _ in range(20):
        streams = await asyncio.open_connection("127.0.0.1", port)
        try:
            status, _, answer = await post(streams, port, "/api/v1/learners", {
                "full_name": "Người đến sau", "group": "citizen", "unit_code": UNITS[0], "consent": True})
            while status == 201:
                started, _, _ = await post(streams, port, "/api/v1/attempts",
                                           {"learner_code": answer["learner_code"], "module_id": MODULE})
                if started != 503:
                    return [status, started], busy
                busy += 1
                await asyncio.sleep(0.5)
        finally:
            streams[1].close()
        busy += 1
        await asyncio.sleep(0.5)
    return [status], busy


@pytest.mark.timeout(240)
@pytest.mark.parametrize("where", ["door", "writer"])
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_flood_gets_quick_busy_answers_and_everything_acknowledged_is_stored(kind: str, where: str,
                                                                               tmp_path: Path) -> None:
    with fresh_database(kind, tmp_path) as database_url:
        server = Server(database_url, tmp_path, extra_env=BUDGETS[where])
        try:
            server.start()
            steps = asyncio.run(flood(server.port))
            afterwards, retries = asyncio.run(one_learner(server.port))
            log = server.log(lines=10_000)
        finally:
            server.stop()
        engine = create_engine(database_url)
        with engine.connect() as conn:
            stored_learners = set(conn.execute(text("SELECT code_hash FROM learner")).scalars())
            stored_attempts = set(conn.execute(text("SELECT id FROM attempt")).scalars())
        engine.dispose()

    statuses = Counter((step, status) for step, status, _, _ in steps)
    print(f"\n[{kind}, {where}] {LEARNERS} learners at once, budgets {BUDGETS[where]}: {dict(statuses)}; "
          f"one learner afterwards sent again {retries} time(s)")
    assert {status for _, status, _, _ in steps} <= {201, 503}, statuses
    busy = [(headers, answer) for _, status, headers, answer in steps if status == 503]
    assert busy, "the flood should have been over these budgets"
    assert all(h.get("retry-after") == "2" and a["code"] == "server_busy" for h, a in busy)
    registered = [answer["learner_code"] for step, status, _, answer in steps if step == "register" and status == 201]
    started = [answer["attempt_id"] for step, status, _, answer in steps if step == "start" and status == 201]
    assert afterwards == [201, 201], "once the flood is over the server serves again"
    assert len(stored_learners) == len(registered) + 1 and len(stored_attempts) == len(started) + 1  # + afterwards
    assert {hashlib.sha256(codes.normalise(c).encode()).hexdigest() for c in registered} <= stored_learners
    assert set(started) <= stored_attempts
    assert "Traceback" not in log, log[-3000:]
