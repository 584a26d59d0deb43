"""Log lines: time and level always, the request id on every line written for a request, text or
JSON (`KYNANGSO_LOG_FORMAT=json`), and no secrets.

The access log is the application's own (`kynangso.access`, written by metrics.Observe once the
answer has started): it names the route template (`/api/v1/attempts/{attempt_id}/submit`), never
the path, so learner codes, certificate codes and attempt ids, which the API contract puts in
URLs, never reach a log; a path that matched no route is cut to its first segment, and query
strings are never logged. uvicorn's own access log is switched off by `kynangso serve`; if
uvicorn is run by hand, RedactLearnerCodes still masks what it can.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id: ContextVar[str] = ContextVar("request_id", default="-")
access_log = logging.getLogger("kynangso.access")

# The API contract puts secrets in these paths (uvicorn's access line, if it is ever on).
_SECRET_PATHS = re.compile(r"(/api/v1/learners/|/api/v1/attempts/|/api/v1/certificates/|/certificates/|/verify/"
                           r"|/quiz/attempt/)[^/?\s]+")
_QUERY = re.compile(r"\?\S*")


class RedactLearnerCodes(logging.Filter):
    """Mask learner codes, certificate codes and attempt ids, and drop the query string, in
    uvicorn's access-log line (record.args holds the request path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_QUERY.sub("?…", _SECRET_PATHS.sub(r"\1***", a)) if isinstance(a, str) else a
                                for a in record.args)
        return True


class TextFormatter(logging.Formatter):
    """`2026-12-03T08:00:00.123Z INFO [request id] logger: message`."""

    def format(self, record: logging.LogRecord) -> str:
        line = (f"{_time(record)} {record.levelname} [{getattr(record, 'request_id', None) or request_id.get()}] "
                f"{record.name}: {record.getMessage()}")
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id, and an access line's fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {"time": _time(record), "level": record.levelname, "logger": record.name,
                                 "message": record.getMessage(),
                                 "request_id": getattr(record, "request_id", None) or request_id.get()}
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _time(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def log_access(*, method: str, route: str, status: int, seconds: float, client: str) -> None:
    """The access line of one request (called by metrics.Observe)."""
    if access_log.isEnabledFor(logging.INFO):
        ms = round(seconds * 1000, 1)
        access_log.info("%s %s %s %d %.1f ms", client, method, route, status, ms,
                        extra={"fields": {"method": method, "route": route, "status": status,
                                          "duration_ms": ms, "client": client}})


def config(fmt: str = "text", *, access: bool = True, level: str = "INFO") -> dict[str, Any]:
    """A logging.dictConfig for `kynangso serve` (uvicorn applies it in every worker)."""
    formatter = "json" if fmt == "json" else "text"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"text": {"()": TextFormatter}, "json": {"()": JsonFormatter}},
        "handlers": {"default": {"class": "logging.StreamHandler", "formatter": formatter,
                                 "stream": "ext://sys.stderr"}},
        "loggers": {
            "": {"handlers": ["default"], "level": level},
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": True},
            "kynangso.access": {"handlers": [], "level": "INFO" if access else "WARNING", "propagate": True},
        },
    }


def _with_request_id(factory: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        record.request_id = request_id.get()  # when the line is written, not when it is formatted
        return record

    make.kynangso = True  # type: ignore[attr-defined]
    return make


def install() -> None:
    """Every log record carries the request id it was written under; uvicorn's access line is masked."""
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "kynangso", False):
        logging.setLogRecordFactory(_with_request_id(factory))
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactLearnerCodes) for f in access.filters):
        access.addFilter(RedactLearnerCodes())
