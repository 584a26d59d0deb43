"""Rate limits (per client address, or per any key), held where every process sees them.

On PostgreSQL the counters live in the `rate_limit` table, so a limit holds in total across any
number of workers and hosts: one check is one statement (`INSERT … ON CONFLICT … DO UPDATE …
RETURNING`), on a small autocommit pool of its own, timed by the database's clock so hosts whose
clocks drift still agree. The window is fixed: it starts at a key's first hit and lasts `window`
seconds. Expired rows are deleted by whichever process notices first, at most once a minute each.

On SQLite there is one serving process (the database allows one writer), so the counters stay in
memory: a sliding window, no I/O. Behind a proxy run uvicorn with --proxy-headers so the client
address is the real one.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar

from fastapi import Request
from sqlalchemy import DateTime, Engine, Integer, String, create_engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, mapped_column

from quiz_api.db import Base
from quiz_api.errors import NotFound, TooSoon

T = TypeVar("T")


class RateLimitCounter(Base):
    """One key's hits in its current window (PostgreSQL only; SQLite counts in memory)."""

    __tablename__ = "rate_limit"

    # "<limiter>:<sha256 of the client and key>": a fixed length, whatever a username holds
    key: Mapped[str] = mapped_column(String(96), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    window_ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Counters(Protocol):
    def hit(self, key: str) -> tuple[bool, int]: ...
    def blocked(self, key: str) -> int: ...
    def reset(self) -> None: ...


class MemoryCounters:
    """Sliding-window counters of one process."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> tuple[bool, int]:
        """Record a try; (allowed, seconds until the oldest try leaves the window)."""
        now = time.monotonic()
        with self._lock:
            if len(self._hits) > 100_000:  # forget idle keys so memory stays bounded
                self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - self.window}
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False, _seconds(hits[0] + self.window - now)
            hits.append(now)
            return True, 0

    def blocked(self, key: str) -> int:
        """Seconds the key stays over its limit (0: not blocked); records nothing."""
        now = time.monotonic()
        with self._lock:
            live = [h for h in self._hits.get(key, ()) if h > now - self.window]
            if len(live) < self.limit:
                return 0
            return _seconds(live[-self.limit] + self.window - now)

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


_HIT = """
INSERT INTO rate_limit AS r (key, hits, window_ends_at)
VALUES (%(key)s, 1, statement_timestamp() + %(window)s * interval '1 second')
ON CONFLICT (key) DO UPDATE SET
  hits = CASE WHEN r.window_ends_at <= statement_timestamp() THEN 1 ELSE r.hits + 1 END,
  window_ends_at = CASE WHEN r.window_ends_at <= statement_timestamp() THEN EXCLUDED.window_ends_at
                        ELSE r.window_ends_at END
RETURNING r.hits, extract(epoch FROM r.window_ends_at - statement_timestamp())
"""
_BLOCKED = """
SELECT extract(epoch FROM window_ends_at - statement_timestamp()) FROM rate_limit
WHERE key = %(key)s AND hits >= %(limit)s AND window_ends_at > statement_timestamp()
"""
# SKIP LOCKED: two processes cleaning at once never wait for (or deadlock on) each other's rows.
_PURGE = """
DELETE FROM rate_limit WHERE key IN (
  SELECT key FROM rate_limit WHERE window_ends_at < statement_timestamp() - interval '1 minute'
  LIMIT 5000 FOR UPDATE SKIP LOCKED)
"""


class DatabaseCounters:
    """Fixed-window counters in the rate_limit table, shared by every process on the database."""

    purge_every = 60.0  # seconds between clean-ups, per process and limiter

    def __init__(self, engine: Engine, name: str, limit: int, window: float) -> None:
        self.engine = engine
        self.prefix = f"{name}:"
        self.limit = limit
        self.window = window
        self._next_purge = time.monotonic() + self.purge_every

    def _key(self, key: str) -> str:
        return self.prefix + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()

    def _run(self, statement: str, params: dict) -> tuple | None:
        """One statement in autocommit; once more on a fresh connection if the pooled one had died."""
        for attempt in (1, 2):
            try:
                with self.engine.connect() as conn:
                    result = conn.exec_driver_sql(statement, params)
                    return result.fetchone() if result.returns_rows else None
            except DBAPIError as exc:
                if attempt == 2 or not exc.connection_invalidated:
                    raise
        return None  # not reached

    def hit(self, key: str) -> tuple[bool, int]:
        hits, remaining = self._run(_HIT, {"key": self._key(key), "window": self.window})
        if time.monotonic() >= self._next_purge:
            self._next_purge = time.monotonic() + self.purge_every
            self._run(_PURGE, {})
        return hits <= self.limit, 0 if hits <= self.limit else _seconds(float(remaining))

    def blocked(self, key: str) -> int:
        row = self._run(_BLOCKED, {"key": self._key(key), "limit": self.limit})
        return 0 if row is None else _seconds(float(row[0]))

    def reset(self) -> None:
        self._run("DELETE FROM rate_limit WHERE key LIKE %(prefix)s", {"prefix": self.prefix + "%"})


def _seconds(value: float) -> int:
    return max(1, math.ceil(value))


def counter_engine(url: str) -> Engine:
    """The rate limiters' own small pool: autocommit (a check is one statement, never inside a
    request's transaction, so a rolled-back job cannot undo a counted miss) and no pre-ping (a
    dead connection is retried once instead of costing every check a second round trip)."""
    return create_engine(url, pool_size=2, max_overflow=8, pool_timeout=10, isolation_level="AUTOCOMMIT")


class RateLimiter:
    """At most `per_minute` tries per client (and key) in a window of `window` seconds."""

    def __init__(self, per_minute: int, window: float = 60.0, *, engine: Engine | None = None,
                 name: str = "limit") -> None:
        self.per_minute = per_minute
        self.window = window
        self.counters: Counters = (MemoryCounters(per_minute, window) if engine is None
                                   else DatabaseCounters(engine, name, per_minute, window))

    def hit(self, key: str) -> bool:
        """Record a try for key; False when the key is over its limit."""
        return self.counters.hit(key)[0]

    @staticmethod
    def _client_key(request: Request, key: str) -> str:
        return f"{request.client.host if request.client else 'unknown'}|{key}"

    def check(self, request: Request, key: str = "") -> None:
        """Count a try by this client; TooSoon when it is over the limit."""
        allowed, retry_after = self.counters.hit(self._client_key(request, key))
        if not allowed:
            raise TooSoon("rate_limited", retry_after=retry_after)

    def record(self, request: Request, key: str = "") -> None:
        """Count a try by this client (a failure, say) without refusing this one."""
        self.counters.hit(self._client_key(request, key))

    def refuse_if_blocked(self, request: Request, key: str = "") -> None:
        """TooSoon while the client has used up its tries; records nothing."""
        retry_after = self.counters.blocked(self._client_key(request, key))
        if retry_after:
            raise TooSoon("rate_limited", retry_after=retry_after)

    def is_blocked(self, request: Request, key: str = "") -> bool:
        """True when the client has used up its tries in the window; records nothing."""
        return bool(self.counters.blocked(self._client_key(request, key)))

    def guard(self, request: Request, lookup: Callable[[], T], key: str = "") -> T:
        """Run a lookup by secret code (learner or certificate code) so it cannot be used to guess:
        refused while the client is over the limit (so a right guess is not told apart then), and
        each miss (NotFound) counts as a try. Successful lookups cost nothing, so an employer
        checking many real certificates is never slowed down."""
        self.refuse_if_blocked(request, key)
        try:
            return lookup()
        except NotFound:
            self.record(request, key)
            raise

    def reset(self) -> None:
        self.counters.reset()


class Limiters:
    """The application's limiters, shared across processes on PostgreSQL (one pool for all three)."""

    def __init__(self, *, database_url: str, code_lookups: int, logins: int, login_failures: int) -> None:
        self.engine = None if database_url.startswith("sqlite") else counter_engine(database_url)
        # learner- and certificate-code misses per client
        self.code = RateLimiter(code_lookups, engine=self.engine, name="code")
        # login tries per client and username
        self.login = RateLimiter(logins, engine=self.engine, name="login")
        # failed logins per client, whatever the username: rotating usernames is limited too
        self.login_failures = RateLimiter(login_failures, engine=self.engine, name="login-failures")

    def reset(self) -> None:
        for limiter in (self.code, self.login, self.login_failures):
            limiter.reset()

    def dispose(self) -> None:
        if self.engine is not None:
            self.engine.dispose()
