"""The submission hot path in-process: the ASGI app without uvicorn, for profiling and quick comparison.

Prepares learners and attempts through a real server (`make serve`'s command, bench/harness.py),
stops it, copies the database, then drives the app's own ASGI callable (BodyLimit, SubmitFastLane,
group-commit writer, grading, SQLite with synchronous=FULL) with C concurrent submissions on one
uvloop event loop, each attempt once. Prints the CPU per submission of this process (user +
system, from os.times), its wall throughput, and the CPU of as many liveness probes through the
same app (a yardstick that moves with the machine's speed); --cprofile prints the functions that cost most.
HTTP parsing and the access log are not in this figure (uvicorn adds the same for every request).

    .venv/bin/python bench/submit_inprocess.py --attempts 20000 [--runs 3] [--cprofile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # after the path set-up


async def drive(app, lines: list[tuple[str, bytes]], concurrency: int) -> tuple[int, int]:
    """Each line once, `concurrency` in flight; (answers 200, other answers)."""
    ok = other = 0
    it = iter(lines)

    async def client() -> None:
        nonlocal ok, other
        for attempt_id, body in it:
            live = attempt_id is None
            scope = {"type": "http", "method": "GET" if live else "POST",
                     "path": "/api/v1/health/live" if live else f"/api/v1/attempts/{attempt_id}/submit",
                     "raw_path": b"", "root_path": "", "query_string": b"", "scheme": "http",
                     "http_version": "1.1", "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1),
                     "headers": [(b"host", b"x"), (b"content-type", b"application/json"),
                                 (b"content-length", str(len(body)).encode())]}
            sent = False

            async def receive(body=body):
                nonlocal sent
                if sent:
                    await asyncio.sleep(3600)
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            status = []

            async def send(message, status=status):
                if message["type"] == "http.response.start":
                    status.append(message["status"])

            await app(scope, receive, send)
            if status == [200]:
                ok += 1
            else:
                other += 1

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return ok, other


def run_once(db_path: Path, lines, concurrency: int, profile: bool) -> dict:
    import uvloop

    from quiz_api.config import Settings
    from quiz_api.main import create_app

    settings = Settings(database_url=f"sqlite:///{db_path}", banks_dir=harness.banks_dir())
    app = create_app(settings)

    async def main():
        async with app.router.lifespan_context(app):
            await drive(app, lines[:200], concurrency)  # warm-up: views, statement caches, pool
            rest = lines[200:]
            c0 = os.times()
            await drive(app, [(None, b"")] * len(rest), concurrency)  # the liveness probe, for scale
            c1 = os.times()
            live_cpu = (c1.user - c0.user) + (c1.system - c0.system)
            prof = cProfile.Profile() if profile else None
            t0, c0 = time.perf_counter(), os.times()
            if prof:
                prof.enable()
            ok, other = await drive(app, rest, concurrency)
            if prof:
                prof.disable()
            t1, c1 = time.perf_counter(), os.times()
            return (ok, other, t1 - t0, (c1.user - c0.user) + (c1.system - c0.system), c1.system - c0.system, prof,
                    live_cpu)

    ok, other, wall, cpu, system, prof, live_cpu = uvloop.run(main())
    if prof:
        stats = pstats.Stats(prof)
        stats.sort_stats("tottime").print_stats(35)
    n = ok + other
    return {"ok": ok, "other": other, "wall_s": wall, "per_s": n / wall, "cpu_us": cpu / n * 1e6,
            "live_cpu_us": live_cpu / n * 1e6,
            "system_share": system / cpu if cpu else 0}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--attempts", type=int, default=12000)
    p.add_argument("--learners", type=int, default=2000)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--runs", type=int, default=1, help="runs, each on a fresh copy of the prepared database")
    p.add_argument("--cprofile", action="store_true")
    p.add_argument("--live", action="store_true", help="GET /api/v1/health/live instead, for comparison")
    p.add_argument("--keep", type=Path, help="prepare once into this directory and reuse it later")
    a = p.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="kns-inproc-") as tmp:
        prepared = a.keep or Path(tmp) / "prepared"
        prepared.mkdir(parents=True, exist_ok=True)
        source, tsv = prepared / "kynangso.db", prepared / "submissions.tsv"
        if not tsv.exists():
            with harness.running_server(keep_dir=prepared) as server:
                modules = sorted(harness.load_answer_key(server.banks))
                learners = harness.create_learners(server.base_url, a.learners)
                attempts = harness.start_attempts(server.base_url, learners, a.attempts, modules)
                harness.write_submissions(tsv, attempts, server.banks)
            harness.log(f"prepared {len(attempts)} attempts in {prepared}")
        lines = []
        for line in tsv.read_text("utf-8").splitlines():
            attempt_id, body = line.split("\t", 1)
            lines.append((attempt_id, body.encode()))
        if a.live:
            lines = [(None, b"")] * len(lines)
        for r in range(a.runs):
            work = Path(tmp) / f"run{r}"
            work.mkdir()
            for suffix in ("", "-wal", "-shm"):
                if Path(f"{source}{suffix}").exists():
                    shutil.copy(f"{source}{suffix}", work / f"kynangso.db{suffix}")
            res = run_once(work / "kynangso.db", lines, a.concurrency, a.cprofile)
            print(f"run {r + 1}: {res['ok']} submitted ({res['other']} other answers), "
                  f"{res['per_s']:.0f}/s wall, CPU {res['cpu_us']:.0f} us per submission "
                  f"(kernel {res['system_share']:.0%}); liveness probe {res['live_cpu_us']:.0f} us, "
                  f"{res['cpu_us'] / res['live_cpu_us']:.1f} x", flush=True)
            if res["other"]:  # an expired attempt is answered 410 without being graded: not what is measured
                print("INVALID: not every submission was graded (attempts prepared longer ago than the "
                      "attempt TTL expire: prepare again, without --keep or with a new directory)")
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
