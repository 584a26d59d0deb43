"""The province's open training statistics: counts by year, unit, group and module, suppressed.

Two tables, nothing else, so that no published figure can be subtracted from another to reveal a
hidden one:
- by unit: learners who took a module's quiz for the first time in a year, and learners who passed
  it for the first time that year, per unit (commune, ward or agency), group and module;
- province: the same two counts per year, group and module (the by-unit table's only margin).

Suppression is the one unit organisers get (reports/suppression.py): a count 0 < n < threshold is
hidden, and a rate with it. Because the province table publishes the total of every (year, group,
module) column of the unit table, one hidden cell there is protected by a second (complementary).
Years are calendar years in UTC, as in every report. Both counts are of new people each year (a
learner's first try, a learner's first pass), so years add up and a past year is never re-read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from quiz_api.attempts.models import Attempt
from quiz_api.labels import GROUP_IDS
from quiz_api.reports import service as reports
from quiz_api.reports import suppression
from quiz_api.reports.formats import Suppressed

LICENCE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0 International",
           "path": "https://creativecommons.org/licenses/by/4.0/"}
COMMUNE_KINDS = frozenset({"xã", "phường", "thị trấn", "đặc khu"})

a, lr, u = reports.a, reports.lr, reports.u


def unit_type(kind: str) -> str:
    """'commune' for a commune, ward or town; 'agency' for a department or another provincial body."""
    k = (kind or "").strip().lower()
    if k in COMMUNE_KINDS:
        return "commune"
    return "province" if k == "tỉnh" else "agency"


@dataclass(frozen=True)
class Cell:
    year: int
    unit_code: str
    unit_name: str
    unit_kind: str
    group: str
    module_id: str
    learners: int | Suppressed
    passed: int | Suppressed

    @property
    def pass_rate(self) -> float | None:
        if isinstance(self.learners, Suppressed) or isinstance(self.passed, Suppressed) or not self.learners:
            return None
        return round(self.passed / self.learners, 4)

    @property
    def unit_type(self) -> str:
        return unit_type(self.unit_kind)


@dataclass(frozen=True)
class Statistics:
    by_unit: list[Cell]
    province: list[Cell]  # unit_code "*"
    threshold: int

    @property
    def years(self) -> list[int]:
        return sorted({c.year for c in self.province}, reverse=True)


def _real() -> Any:
    """Real learners only, unless the database holds nothing else (a demo: its page says so)."""
    return lr.c.is_demo.is_(False) | ~select(lr.c.id).where(lr.c.is_demo.is_(False)).exists()


def years(conn: Connection) -> list[int]:
    """Years with a submitted attempt: two steps down the submitted_at index, not a scan."""
    first, last = conn.execute(select(select(func.min(a.c.submitted_at)).scalar_subquery(),
                                      select(func.max(a.c.submitted_at)).scalar_subquery())).one()
    return list(range(first.year, last.year + 1)) if first is not None else []


def _year_counts(conn: Connection, year: int) -> dict[tuple[str, str, str], list[int]]:
    """(unit, group, module) -> [learners who first took the module's quiz this year, learners who first
    passed it this year]. Both are new people each year, so years add up; and both read only the
    year's attempts, so a past year never needs reading again."""
    start, end = datetime(year, 1, 1), datetime(year + 1, 1, 1)
    when = reports.unindexed(a.c.submitted_at)  # a year is most of the table: a scan beats the index (reports)
    in_year = [when >= start, when < end]
    cells: dict[tuple[str, str, str], list[int]] = {}
    for unit, group, module, n in conn.execute(
        select(lr.c.unit_code, lr.c.group, a.c.module_id, func.count())
        .select_from(a.join(lr, lr.c.id == a.c.learner_id))
        .where(*in_year, a.c.attempt_no == 1, _real())
        .group_by(lr.c.unit_code, lr.c.group, a.c.module_id)):
        cells.setdefault((unit, group, module), [0, 0])[0] = int(n)
    earlier = aliased(Attempt)
    passed_before = select(earlier.id).where(earlier.learner_id == a.c.learner_id, earlier.module_id == a.c.module_id,
                                             earlier.passed.is_(True), earlier.submitted_at < start).exists()
    for unit, group, module, n in conn.execute(
        select(lr.c.unit_code, lr.c.group, a.c.module_id, func.count(distinct(a.c.learner_id)))
        .select_from(a.join(lr, lr.c.id == a.c.learner_id))
        .where(*in_year, a.c.passed.is_(True), ~passed_before, _real())
        .group_by(lr.c.unit_code, lr.c.group, a.c.module_id)):
        cells.setdefault((unit, group, module), [0, 0])[1] = int(n)
    return cells


def compute_year(conn: Connection, year: int, threshold: int) -> Statistics:
    """One year's two tables, suppressed (aggregated by the database; the suppression runs over the result)."""
    counts = _year_counts(conn, year)
    units = {code: (name, kind) for code, name, kind in conn.execute(select(u.c.code, u.c.name, u.c.kind))}
    columns: dict[tuple[str, str], list[tuple[str, list[int]]]] = {}
    for (unit, group, module), values in counts.items():
        columns.setdefault((group, module), []).append((unit, values))
    by_unit: list[Cell] = []
    province: list[Cell] = []
    for (group, module), members in sorted(columns.items()):
        members.sort(key=lambda m: (units.get(m[0], ("", ""))[0], m[0]))
        hidden = [suppression.complementary([v[i] for _, v in members], threshold) for i in (0, 1)]
        for k, (unit, (learners, passed)) in enumerate(members):
            name, kind = units.get(unit, (unit, ""))
            by_unit.append(Cell(year, unit, name, kind, group, module,
                                Suppressed(threshold) if hidden[0][k] else learners,
                                Suppressed(threshold) if hidden[1][k] else passed))
        province.append(Cell(year, "*", "", "", group, module,
                             suppression.hide_small(sum(v[0] for _, v in members), threshold),
                             suppression.hide_small(sum(v[1] for _, v in members), threshold)))
    return Statistics(by_unit, province, threshold)


def compute(conn: Connection, threshold: int) -> Statistics:
    """Every year's tables, newest year first."""
    parts = [compute_year(conn, y, threshold) for y in reversed(years(conn))]
    return Statistics([c for p in parts for c in p.by_unit], [c for p in parts for c in p.province], threshold)


class Cached:
    """The statistics, per year: this year's recomputed at most every `ttl` seconds, past years'
    every `past_ttl` (late submissions of an attempt started on 31 December land in the new year,
    so a past year changes hardly ever). A public page must not make the database aggregate a
    year of attempts at every request."""

    def __init__(self, ttl: float = 600.0, past_ttl: float = 24 * 3600.0) -> None:
        self.ttl, self.past_ttl = ttl, past_ttl
        self._years: dict[int, tuple[float, Statistics]] = {}
        self._lock = threading.Lock()

    def get(self, conn_factory: Callable[[], Any], threshold: int) -> Statistics:
        with self._lock:
            now = time.monotonic()
            this_year = datetime.now(UTC).year
            with conn_factory() as conn:
                wanted = years(conn)
                for year in wanted:
                    cached = self._years.get(year)
                    ttl = self.ttl if year >= this_year else self.past_ttl
                    if cached is None or now - cached[0] > ttl or cached[1].threshold != threshold:
                        self._years[year] = (now, compute_year(conn, year, threshold))
                conn.rollback()
            parts = [self._years[y][1] for y in sorted(wanted, reverse=True)]
        return Statistics([c for p in parts for c in p.by_unit], [c for p in parts for c in p.province], threshold)

    def clear(self) -> None:
        with self._lock:
            self._years.clear()


# --- the files --------------------------------------------------------------------------------------

FIELDS_BY_UNIT: list[dict[str, Any]] = [
    {"name": "year", "type": "integer", "description": "calendar year (UTC)"},
    {"name": "unit_code", "type": "string", "description": "unit code (the province's unit list)"},
    {"name": "unit_name", "type": "string"},
    {"name": "unit_kind", "type": "string", "description": "xã, phường, sở, ban …"},
    {"name": "unit_type", "type": "string", "constraints": {"enum": ["commune", "agency", "province"]}},
    {"name": "group", "type": "string",
     "constraints": {"enum": list(GROUP_IDS)}},
    {"name": "module_id", "type": "string"},
    {"name": "learners", "type": "integer",
     "description": "learners who submitted their first attempt at the module's quiz that year"},
    {"name": "passed", "type": "integer", "description": "learners who passed the module for the first time that year"},
    {"name": "pass_rate", "type": "number",
     "description": "passed / learners of the same year, 0–1 (empty when either is hidden)"},
]
FIELDS_PROVINCE = [f for f in FIELDS_BY_UNIT if not f["name"].startswith("unit_")]


def _value(v: Any) -> Any:
    return None if isinstance(v, Suppressed) else v


def by_unit_rows(stats: Statistics) -> list[dict[str, Any]]:
    return [{"year": c.year, "unit_code": c.unit_code, "unit_name": c.unit_name, "unit_kind": c.unit_kind,
             "unit_type": c.unit_type, "group": c.group, "module_id": c.module_id, "learners": _value(c.learners),
             "passed": _value(c.passed), "pass_rate": c.pass_rate} for c in stats.by_unit]


def province_rows(stats: Statistics) -> list[dict[str, Any]]:
    return [{"year": c.year, "group": c.group, "module_id": c.module_id, "learners": _value(c.learners),
             "passed": _value(c.passed), "pass_rate": c.pass_rate} for c in stats.province]
