"""Summarise py-spy collapsed stacks (`py-spy record -f raw`): where the server spends its samples.

    .venv/bin/python bench/submit_bench.py --attempts 4000 --profile /tmp/submit.prof
    .venv/bin/python bench/profile_summary.py /tmp/submit.prof.0
"""

from __future__ import annotations

import re
import sys
from collections import Counter

# A frame is "function (file:line)"; bucket samples by the most specific interesting frame.
BUCKETS = [
    ("sqlite commit/fsync", re.compile(r"commit .*sqlite|do_commit|_commit_impl")),
    ("database driver execute", re.compile(r"do_execute|do_executemany|execute \(psycopg|_execute_context")),
    ("SQLAlchemy compile/ORM", re.compile(r"sqlalchemy/(orm|sql)/")),
    ("pydantic validation/serialisation", re.compile(r"pydantic|_prepare_response_content|serialize_response")),
    ("json", re.compile(r"json/|orjson")),
    ("grading", re.compile(r"grading\.py")),
    ("threadpool hop", re.compile(r"anyio/|to_thread|run_sync")),
    ("uvicorn/starlette/http", re.compile(r"uvicorn/|starlette/|httptools")),
    ("logging", re.compile(r"logging/")),
]


def main(path: str) -> None:
    own: Counter[str] = Counter()
    bucket: Counter[str] = Counter()
    idle = total = 0
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    for line in lines:
        stack, _, n = line.rstrip("\n").rpartition(" ")
        count = int(n)
        frames = stack.split(";")
        total += count
        leaf = frames[-1]
        if re.search(r"\b(wait|select|epoll|_worker|sleep|acquire|get \(queue)", leaf) and "commit" not in stack:
            idle += count
            continue
        own[leaf] += count
        for name, pattern in BUCKETS:
            if any(pattern.search(f) for f in frames):
                bucket[name] += count
                break
        else:
            bucket["other"] += count
    busy = total - idle
    print(f"{total} samples, {busy} busy ({busy / max(total, 1):.0%}), {idle} idle/waiting")
    print("\nbusy samples by layer (first match, outermost bucket wins in list order):")
    for name, n in bucket.most_common():
        print(f"  {n / max(busy, 1):6.1%}  {name}")
    print("\ntop leaf functions:")
    for name, n in own.most_common(25):
        print(f"  {n / max(busy, 1):6.1%}  {name[:150]}")


if __name__ == "__main__":
    main(sys.argv[1])
