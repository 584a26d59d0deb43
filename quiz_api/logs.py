"""Access logs without secrets: learner codes in URLs (the API contract puts them there) are masked."""

from __future__ import annotations

import logging
import re

_LEARNER_PATH = re.compile(r"(/api/v1/learners/)[^/?\s]+")


class RedactLearnerCodes(logging.Filter):
    """Mask the learner code in uvicorn's access-log line (record.args holds the request path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_LEARNER_PATH.sub(r"\1***", a) if isinstance(a, str) else a for a in record.args)
        return True


def install() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactLearnerCodes) for f in access.filters):
        access.addFilter(RedactLearnerCodes())
