"""A small in-process sliding-window rate limiter (per client address, or per any key).

In memory, per worker process: with N workers a client gets at most N times the limit, which
still makes guessing a 60-bit learner code hopeless. Behind a proxy run uvicorn with
--proxy-headers so the client address is the real one.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TypeVar

from fastapi import Request

from quiz_api.errors import NotFound, TooSoon

T = TypeVar("T")


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

    def _client_key(self, request: Request, key: str) -> str:
        return f"{request.client.host if request.client else 'unknown'}|{key}"

    def is_blocked(self, request: Request, key: str = "") -> bool:
        """True when the client has used up its tries in the window; records nothing."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits.get(self._client_key(request, key))
            return bool(hits) and sum(1 for h in hits if h > now - self.window) >= self.per_minute

    def guard(self, request: Request, lookup: Callable[[], T], key: str = "") -> T:
        """Run a lookup by secret code (learner or certificate code) so it cannot be used to guess:
        refused while the client is over the limit (so a right guess is not told apart then), and
        each miss (NotFound) counts as a try. Successful lookups cost nothing, so an employer
        checking many real certificates is never slowed down."""
        if self.is_blocked(request, key):
            raise TooSoon("rate_limited", retry_after=int(self.window))
        try:
            return lookup()
        except NotFound:
            self.hit(self._client_key(request, key))
            raise

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()
