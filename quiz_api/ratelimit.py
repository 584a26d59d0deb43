"""A small in-process sliding-window rate limiter (per client address, or per any key).

In memory, per worker process: with N workers a client gets at most N times the limit, which
still makes guessing a 60-bit learner code hopeless. Behind a proxy run uvicorn with
--proxy-headers so the client address is the real one.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from fastapi import Request

from quiz_api.errors import TooSoon


class RateLimiter:
    def __init__(self, per_minute: int, window: float = 60.0) -> None:
        self.per_minute = per_minute
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> bool:
        """Record a try for key; False when the key is over its limit."""
        now = time.monotonic()
        with self._lock:
            if len(self._hits) > 100_000:  # forget idle keys so memory stays bounded
                self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - self.window}
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return False
            hits.append(now)
            return True

    def check(self, request: Request, key: str = "") -> None:
        client = request.client.host if request.client else "unknown"
        if not self.hit(f"{client}|{key}"):
            raise TooSoon("rate_limited", retry_after=int(self.window))

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()
