"""The group-commit writer from plain threads (tests and benchmarks): the writer is awaited by the
application; here one background event loop awaits it for blocking callers."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from typing import Any

_loop: asyncio.AbstractEventLoop | None = None
_lock = threading.Lock()


def _background_loop() -> asyncio.AbstractEventLoop:
    global _loop
    with _lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="writer-calls", daemon=True).start()
        return _loop


def submit(database: Any, fn: Any) -> Future:
    """Queue fn on the database's writer; a Future of its committed result."""
    return asyncio.run_coroutine_threadsafe(database.writer(fn), _background_loop())


def run(database: Any, fn: Any, timeout: float = 60) -> Any:
    return submit(database, fn).result(timeout)
