"""The province's open training statistics: counts by year, unit, group and module, suppressed.

Two tables, nothing else, so that no published figure can be subtracted from another to reveal a
hidden one:
- by unit: learners who took a module's quiz in a year, and learners who passed it for the first
  time that year, per unit (commune, ward or agency), group and module;
- province: the same two counts per year, group and module (the by-unit table's only margin).

Suppression is the one unit organisers get (reports/suppression.py): a count 0 < n < threshold is
hidden, and a rate with it. Because the province table publishes the total of every (year, group,
module) column of the unit table, one hidden cell there is protected by a second (complementary).
Years are calendar years in UTC, as in every report.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import distinct, extract, func, select
from sqlalchemy.engine import Connection

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


def _counts(conn: Connection) -> dict[tuple[int, str, str, str], list[int]]:
    """(year, unit, group, module) -> [learners who submitted an attempt, learners who first passed]."""
    cells: dict[tuple[int, str, str, str], list[int]] = {}
    year = extract("year", a.c.submitted_at)
    real = lr.c.is_demo.is_(False) | ~select(lr.c.id).where(lr.c.is_demo.is_(False)).exists()
    for y, unit, group, module, n in conn.execute(
        select(year, lr.c.unit_code, lr.c.group, a.c.module_id, func.count(distinct(a.c.learner_id)))
        .select_from(a.join(lr, lr.c.id == a.c.learner_id))
        .where(a.c.submitted_at.is_not(None), real)
        .group_by(year, lr.c.unit_code, lr.c.group, a.c.module_id)):
        cells.setdefault((int(y), unit, group, module), [0, 0])[0] = int(n)
    first = reports.first_passes()
    fyear = extract("year", first.c.first_at)
    for y, unit, group, module, n in conn.execute(
        select(fyear, lr.c.unit_code, lr.c.group, first.c.module_id, func.count())
        .select_from(first.join(lr, lr.c.id == first.c.learner_id)).where(real)
        .group_by(fyear, lr.c.unit_code, lr.c.group, first.c.module_id)):
        cells.setdefault((int(y), unit, group, module), [0, 0])[1] = int(n)
    return cells


def compute(conn: Connection, threshold: int) -> Statistics:
    """Both tables, suppressed (aggregated by the database; the suppression runs over the result)."""
    counts = _counts(conn)
    units = {code: (name, kind) for code, name, kind in conn.execute(select(u.c.code, u.c.name, u.c.kind))}
    columns: dict[tuple[int, str, str], list[tuple[str, list[int]]]] = {}
    for (year, unit, group, module), values in counts.items():
        columns.setdefault((year, group, module), []).append((unit, values))
    by_unit: list[Cell] = []
    province: list[Cell] = []
    for (year, group, module), members in sorted(columns.items(), key=lambda kv: (-kv[0][0], kv[0][1], kv[0][2])):
        members.sort(key=lambda m: (units.get(m[0], ("", ""))[0], m[0]))
        hidden = [suppression.complementary([v[i] for _, v in members], threshold) for i in (0, 1)]
        for k, (unit, (learners, passed)) in enumerate(members):
            name, kind = units.get(unit, (unit, ""))
            by_unit.append(Cell(year, unit, name, kind, group, module,
                                Suppressed(threshold) if hidden[0][k] else learners,
                                Suppressed(threshold) if hidden[1][k] else passed))
        total_learners = sum(v[0] for _, v in members)
        total_passed = sum(v[1] for _, v in members)
        province.append(Cell(year, "*", "", "", group, module, suppression.hide_small(total_learners, threshold),
                             suppression.hide_small(total_passed, threshold)))
    return Statistics(by_unit, province, threshold)


class Cached:
    """The statistics, recomputed at most every `ttl` seconds: a public page must not let anyone
    make the database aggregate a year of attempts at every request."""

    def __init__(self, ttl: float = 600.0) -> None:
        self.ttl = ttl
        self._value: tuple[float, Statistics] | None = None
        self._lock = threading.Lock()

    def get(self, make: Callable[[], Statistics]) -> Statistics:
        with self._lock:
            if self._value is None or time.monotonic() - self._value[0] > self.ttl:
                self._value = (time.monotonic(), make())
            return self._value[1]

    def clear(self) -> None:
        with self._lock:
            self._value = None


# --- the files --------------------------------------------------------------------------------------

FIELDS_BY_UNIT: list[dict[str, Any]] = [
    {"name": "year", "type": "integer", "description": "calendar year (UTC)"},
    {"name": "unit_code", "type": "string", "description": "unit code (the province's unit list)"},
    {"name": "unit_name", "type": "string"},
    {"name": "unit_kind", "type": "string", "description": "xã, phường, sở, ban …"},
    {"name": "unit_type", "type": "string", "constraints": {"enum": ["commune", "agency", "province"]}},
    {"name": "group", "type": "string",
     "constraints": {"enum": ["public_servant", "business", "citizen"]}},
    {"name": "module_id", "type": "string"},
    {"name": "learners", "type": "integer", "description": "learners who submitted the module's quiz that year"},
    {"name": "passed", "type": "integer", "description": "learners who passed the module for the first time that year"},
    {"name": "pass_rate", "type": "number", "description": "passed / learners, 0–1 (empty when either is hidden)"},
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
