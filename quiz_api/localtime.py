"""Vietnam's local time (Asia/Ho_Chi_Minh, UTC+7, no daylight saving): what every person sees.

The database stores naive UTC; people type and read local times. These two conversions are the
only place the offset lives.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def to_local(value: datetime) -> datetime:
    """A stored naive UTC time as an aware Vietnam time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(VIETNAM)


def from_local(value: datetime) -> datetime:
    """A naive local time (typed by a person in Việt Nam) as the naive UTC time the database stores."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=VIETNAM)
    return value.astimezone(UTC).replace(tzinfo=None)


def local_text(value: datetime | None, *, seconds: bool = False) -> str:
    """'05/12/2026 14:30' in Vietnam time, as people here write it ('—' for none)."""
    if value is None:
        return "—"
    return to_local(value).strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")


def now_local() -> datetime:
    return datetime.now(VIETNAM)
