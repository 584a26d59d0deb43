"""Logins as a CPU and memory weapon: 40 parallel logins, each with another username.

    .venv/bin/python bench/login_bench.py                 # SQLite, production argon2id (64 MiB, t=3, p=4)
    .venv/bin/python bench/login_bench.py --parallel 80 --rounds 3

Starts the real server (`kynangso serve`), then sends `--parallel` POST /api/v1/auth/token at
once from one client, every one with a different unknown username (so the per-username limit
never applies) and a wrong password, `--rounds` times. A thread samples the server's resident
memory (VmRSS of the process and its children) every 5 ms. Printed: the memory before, the peak
growth over it, the answers by status and how long each round took. The bar (security issue
"Logins as a CPU and memory weapon"): the peak growth stays under +150 MB.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness

GOAL_GROWTH_MB = 150


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parallel", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--database", help="a PostgreSQL URL of the benchmark's own (its schema is reset)")
    args = parser.parse_args()

    with harness.running_server(args.database) as server:
        pid = server.process.pid
        with httpx.Client(base_url=server.base_url) as warm:  # one login first: the code paths are loaded
            warm.post("/api/v1/auth/token", data={"username": "warm-up", "password": "x"})
        time.sleep(0.5)
        before = harness.tree_rss_kb(pid)
        sampler = harness.RssSampler(pid, every=0.005)
        sampler.start()
        print(f"server RSS before: {before / 1024:.0f} MB; {args.parallel} parallel logins per round, "
              f"each a different username")
        worst = 0
        for round_no in range(1, args.rounds + 1):
            sampler.peak = 0
            statuses: Counter[str] = Counter()
            barrier = threading.Barrier(args.parallel)

            def login(i: int, round_no: int = round_no, barrier: threading.Barrier = barrier) -> str:
                with httpx.Client(base_url=server.base_url, timeout=60) as client:
                    barrier.wait()
                    response = client.post("/api/v1/auth/token",
                                           data={"username": f"guess-{round_no}-{i}", "password": "wrong-password"})
                    retry = response.headers.get("retry-after")
                    return f"{response.status_code}" + (f" (Retry-After {retry})" if retry else "")

            began = time.monotonic()
            with ThreadPoolExecutor(args.parallel) as pool:
                statuses.update(pool.map(login, range(args.parallel)))
            took = time.monotonic() - began
            time.sleep(0.1)
            growth = (sampler.peak - before) / 1024
            worst = max(worst, growth)
            print(f"round {round_no}: {took:.2f} s, peak RSS growth {growth:+.0f} MB, answers: "
                  + ", ".join(f"{n} x {s}" for s, n in sorted(statuses.items())))
        sampler.running = False
    print(f"worst peak growth {worst:+.0f} MB (goal: under +{GOAL_GROWTH_MB} MB)")
    return 0 if worst < GOAL_GROWTH_MB else 1


if __name__ == "__main__":
    sys.exit(main())
