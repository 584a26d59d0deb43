"""Domain errors: one type per kind of failure, mapped to an HTTP answer in one place (problems.py)."""

from __future__ import annotations


class DomainError(Exception):
    """A failure the user can fix; `key` names its message in labels.MESSAGES. A time among the
    params stays as stored (naive UTC): whoever shows the message localises it (localtime.localise)."""

    status = 400

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
        self.fields: dict[str, object] = {}  # more of the answer than the message, e.g. question ids


class NotFound(DomainError):
    status = 404


class Invalid(DomainError):
    status = 422


class Unanswered(Invalid):
    """Questions left without an answer (ids in the order shown): nothing is recorded unless the
    learner says to submit anyway, so a slip of the thumb is not a failed attempt."""

    def __init__(self, question_ids: list[str]) -> None:
        super().__init__("unanswered", count=len(question_ids))
        self.question_ids = question_ids
        self.fields = {"question_ids": question_ids}


class Expired(DomainError):
    status = 410


class Conflict(DomainError):
    status = 409


class TooSoon(DomainError):
    """Cooldown or rate limit; `retry_after` seconds."""

    status = 429

    def __init__(self, key: str, retry_after: int, **params: object) -> None:
        super().__init__(key, **params)
        self.retry_after = retry_after


class Busy(TooSoon):
    """The server has no capacity for this now (every password-hash slot taken); `retry_after` seconds."""

    status = 503


class Forbidden(DomainError):
    status = 403


class Unauthorized(DomainError):
    status = 401
