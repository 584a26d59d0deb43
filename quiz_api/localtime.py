"""Local time: times are stored as naive UTC (db.utcnow); people, and the reports that group by day,
month or year, see the province's time zone (the profile's `timezone`, Asia/Ho_Chi_Minh).

Pure functions, no I/O. A certificate earned at 06:30 on 1 January in Tây Ninh is 23:30 on
31 December in UTC: it must print 01/01 and count towards the new year.

Queries compare stored UTC times with UTC bounds computed here from the zone (`local_year_bounds`,
`local_month_starts`): exact for any zone and served by the same index as before. Only the text of
an exported time is formatted by the database, where SQLite knows no time zones: there the zone's
offset is applied as a fixed number of seconds (`fixed_offset`), which is exact because a zone is
accepted only if its offset is the same all through the years the platform serves (YEARS_SERVED).
Asia/Ho_Chi_Minh has been +07:00 since 13 June 1975, with no daylight saving time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
YEARS_SERVED = (2000, 2100)  # the years a report may be asked for (reports/filters.py)


@lru_cache
def zone(name: str = DEFAULT_TIMEZONE) -> ZoneInfo:
    """The zone called name (an IANA name); ValueError if unknown or its offset is not fixed over
    YEARS_SERVED (see fixed_offset)."""
    try:
        tz = ZoneInfo(name)
    except (ValueError, KeyError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(f"unknown time zone {name!r}") from exc
    fixed_offset(tz)
    return tz


@lru_cache
def fixed_offset(tz: tzinfo, years: tuple[int, int] = YEARS_SERVED) -> timedelta:
    """The zone's one UTC offset over the years (inclusive), or ValueError if it changes then
    (daylight saving time, or a change of zone). Checked a week apart: a zone's offsets last months
    (Morocco's shortest, Ramadan, about four weeks), never days."""
    first, last = years
    moment = datetime(first, 1, 1, tzinfo=UTC) - timedelta(days=1)
    end = datetime(last + 1, 1, 1, tzinfo=UTC) + timedelta(days=7)
    offset = moment.astimezone(tz).utcoffset() or timedelta(0)
    while moment < end:
        other = moment.astimezone(tz).utcoffset() or timedelta(0)
        if other != offset:
            raise ValueError(f"time zone {tz} changes its UTC offset by {moment:%Y-%m-%d} (UTC{offset_text(offset)} "
                             f"to UTC{offset_text(other)}); only a zone with one fixed offset over the years "
                             f"{first}-{last} is supported")
        moment += timedelta(days=7)
    return offset


def to_local(value: datetime, tz: tzinfo | None = None) -> datetime:
    """A stored time (naive UTC; an aware one is converted) as an aware local time (default zone)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(tz or zone())


def from_local(value: datetime, tz: tzinfo | None = None) -> datetime:
    """A naive local time (typed by a person here) as the naive UTC time the database stores."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz or zone())
    return value.astimezone(UTC).replace(tzinfo=None)


def local_text(value: datetime | None, *, seconds: bool = False, tz: tzinfo | None = None) -> str:
    """'05/12/2026 14:30' in local time, as people here write it ('—' for none)."""
    if value is None:
        return "—"
    return to_local(value, tz).strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")


def now_local(tz: tzinfo | None = None) -> datetime:
    return datetime.now(tz or zone())


def to_utc(value: datetime) -> datetime:
    """An aware time as stored: naive UTC."""
    return value.astimezone(UTC).replace(tzinfo=None)


def local_date(value: datetime, tz: tzinfo) -> date:
    """The local calendar day of a stored time."""
    return to_local(value, tz).date()


def local_today(tz: tzinfo, now: datetime | None = None) -> date:
    """Today in the zone (now: a stored, naive UTC time; default the clock)."""
    return to_local(now or datetime.now(UTC), tz).date()


def local_year_bounds(year: int, tz: tzinfo) -> tuple[datetime, datetime]:
    """[start, end) of the local calendar year, as naive UTC for comparing with stored times."""
    return to_utc(datetime(year, 1, 1, tzinfo=tz)), to_utc(datetime(year + 1, 1, 1, tzinfo=tz))


def local_month_starts(year: int, tz: tzinfo) -> list[datetime]:
    """The starts of the local months 1..12 of the year and of the next January (13 instants), as
    naive UTC: a stored time t is in local month m when starts[m-1] <= t < starts[m]."""
    return [to_utc(datetime(year + (m > 12), (m - 1) % 12 + 1, 1, tzinfo=tz)) for m in range(1, 14)]


def offset_text(offset: timedelta) -> str:
    """'+07:00' for seven hours east of UTC (ISO 8601)."""
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def iso(value: datetime, tz: tzinfo) -> str:
    """A stored time as ISO 8601 local time with its offset: 2027-01-01T06:30:00+07:00."""
    return to_local(value, tz).replace(microsecond=0).isoformat()


def short(value: datetime | None, tz: tzinfo) -> str:
    """A stored time as people here write it, in local time: 01/01/2027 06:30 ('—' for none)."""
    return f"{to_local(value, tz):%d/%m/%Y %H:%M}" if value else "—"


def day(value: datetime | None, tz: tzinfo) -> str:
    """The local day of a stored time: 01/01/2027 ('—' for none)."""
    return f"{to_local(value, tz):%d/%m/%Y}" if value else "—"


class LocalTime:
    """A stored time in a message: '{expires_at}' gives '06:30 01/01/2027 (giờ Việt Nam)', and a
    format spec is a strftime pattern on the local time ('{revoked_on:%d/%m/%Y}')."""

    __slots__ = ("local", "zone_name")

    def __init__(self, value: datetime, tz: tzinfo, zone_name: str) -> None:
        self.local = to_local(value, tz)
        self.zone_name = zone_name

    def __format__(self, spec: str) -> str:
        if spec:
            return self.local.strftime(spec)
        return f"{self.local:%H:%M %d/%m/%Y} ({self.zone_name})"

    def __str__(self) -> str:
        return format(self)


def localise(params: Mapping[str, Any], *, tz: tzinfo, zone_name: str) -> dict[str, Any]:
    """A message's parameters with every stored time (a datetime) made a LocalTime: domain errors
    carry times as stored, the page or answer that shows them knows the zone and the language."""
    return {k: LocalTime(v, tz, zone_name) if isinstance(v, datetime) else v for k, v in params.items()}
