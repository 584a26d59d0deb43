"""The aggregates from scratch: a GROUP BY over the raw tables, to check them or to rebuild them.

`check` is the definition the maintained rows (service.py) must always equal, and shares no code
with them: a learner's "firsts" are ranked with window functions (ROW_NUMBER over the learner's
attempts in time order, ties by module id), then every column is a SUM per unit, group, module
and local month. `rebuild` counts the firsts in Python instead (several times faster: the window
functions sort the attempts once per kind of first); the property test holds the two equal. The
work goes a range of learners at a time (each learner's rows are whole in one range), so a
progress bar can follow it and memory stays small.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import IO, Any

from sqlalchemy import Float, and_, case, delete, func, insert, literal, select, text
from sqlalchemy.engine import Connection

from quiz_api.aggregates import service
from quiz_api.aggregates.models import ReportMonth, ReportPick, ReportQuestion
from quiz_api.aggregates.service import MONTH_COLUMNS, QUESTION_COLUMNS, Delta, Zone
from quiz_api.aggregates.sources import answer as _aa
from quiz_api.aggregates.sources import attempt as _a
from quiz_api.aggregates.sources import certificate as _c
from quiz_api.aggregates.sources import learner as _l
from quiz_api.aggregates.sources import pending as _p
from quiz_api.db import Raw

_rm, _rq, _rk = ReportMonth.__table__, ReportQuestion.__table__, ReportPick.__table__
CHUNK = 20_000  # learners per step


def _ranked_attempts(zone: Zone, dialect: str, low: int, high: int) -> Any:
    """Submitted attempts of learners low..high with their month and a rank for every kind of first."""
    month = zone.month_sql(_a.c.submitted_at, dialect)
    base = (select(_a.c.learner_id, _a.c.module_id, _a.c.submitted_at, _a.c.score,
                   case((_a.c.passed.is_(True), 1), else_=0).label("passed"), month.label("month"),
                   _l.c.unit_code, _l.c.group)
            .select_from(_a.join(_l, _l.c.id == _a.c.learner_id))
            .where(_a.c.submitted_at.is_not(None), _a.c.learner_id.between(low, high))
            .subquery("s"))
    s = base.c
    year = s.month - s.month % 100  # the year, times 100: enough to partition by

    def first(*partition: Any, by_module: bool = False) -> Any:
        order = [s.submitted_at, s.module_id] if by_module else [s.submitted_at]
        return func.row_number().over(partition_by=[s.learner_id, *partition], order_by=order)

    return select(
        s.learner_id, s.module_id, s.month, s.unit_code, s.group, s.passed, s.score,
        first(s.module_id, year).label("r_learners"),
        first(s.module_id, year, s.passed).label("r_passers"),
        first(s.module_id).label("r_learners_ever"),
        first(s.module_id, s.passed).label("r_passers_ever"),
        first(year, by_module=True).label("r_any_learners"),
        first(year, s.passed, by_module=True).label("r_any_passers"),
        first(by_module=True).label("r_any_learners_ever"),
        first(s.passed, by_module=True).label("r_any_passers_ever"),
    ).subquery("ranked")


def _month_rows(conn: Connection, zone: Zone, low: int, high: int, into: Delta) -> None:
    """Attempts, passes, scores and every kind of first of learners low..high, ranked by SQL."""
    r = _ranked_attempts(zone, conn.dialect.name, low, high).c

    def firsts(rank: Any, passed_only: bool = False) -> Any:
        hit = and_(rank == 1, r.passed == 1) if passed_only else rank == 1
        return func.sum(case((hit, 1), else_=0))

    for row in conn.execute(
            select(r.month, r.unit_code, r.group, r.module_id, func.count(), func.sum(r.passed),
                   func.sum(r.score), firsts(r.r_learners), firsts(r.r_passers, True),
                   firsts(r.r_learners_ever), firsts(r.r_passers_ever, True), firsts(r.r_any_learners),
                   firsts(r.r_any_passers, True), firsts(r.r_any_learners_ever),
                   firsts(r.r_any_passers_ever, True))
            .group_by(r.month, r.unit_code, r.group, r.module_id)):
        values = into.month((int(row[0]), row[1], row[2], row[3]))
        for i, v in enumerate(row[4:]):
            values[i] += float(v or 0) if i == service.SCORE_SUM else int(v or 0)


_LEARNERS_ATTEMPTS = ('SELECT a.learner_id, a.module_id, a.submitted_at, a.passed, a.score, l.unit_code, l."group" '
                      "FROM attempt a JOIN learner l ON l.id = a.learner_id "
                      "WHERE a.submitted_at IS NOT NULL AND a.learner_id BETWEEN ? AND ? ORDER BY a.learner_id")


def _month_rows_tallied(conn: Connection, zone: Zone, low: int, high: int, into: Delta) -> None:
    """_month_rows, counted in Python from each learner's attempts (service.add_marks, what a unit
    correction counts with): the rebuild's way. The window functions sort the attempts once per
    kind of first, eight times; this reads them once, in the index's learner order. Measured on
    100,000 attempts: 22 s against 3 s (a loaded machine; the ratio is what counts)."""
    raw = Raw(conn)
    rows = raw.execute(_LEARNERS_ATTEMPTS, (low, high)).fetchall()
    for _, attempts in groupby(rows, key=itemgetter(0)):
        items = []
        unit = group = ""
        for _, module_id, at, passed, score, unit, group in attempts:
            at, passed = raw.read_dt(at), bool(passed)
            values = into.month((zone.month(at), unit, group, module_id))
            values[service.ATTEMPTS] += 1
            values[service.PASSED_ATTEMPTS] += passed
            values[service.SCORE_SUM] += score or 0.0
            items.append((at, module_id, passed))
        service.add_marks(into, items, unit=unit, group=group, zone=zone)


def _certificate_rows(conn: Connection, zone: Zone, low: int, high: int, into: Delta) -> None:
    month = zone.month_sql(_c.c.issued_at, conn.dialect.name)
    for m, unit, group, module_id, n in conn.execute(
            select(month, _l.c.unit_code, _l.c.group, _c.c.subject, func.count())
            .select_from(_c.join(_l, _l.c.id == _c.c.learner_id))
            .where(_c.c.kind == "module", _c.c.revoked_at.is_(None), _c.c.learner_id.between(low, high))
            .group_by(month, _l.c.unit_code, _l.c.group, _c.c.subject)):
        into.month((int(m), unit, group, module_id))[service.CERTIFICATES] += int(n)


def _question_rows(conn: Connection, zone: Zone, low: int, high: int, into: Delta) -> None:
    x = case((_aa.c.correct.is_(True), 1), else_=0)
    y = (_a.c.correct_count - x) * literal(1.0, Float) / func.nullif(_a.c.question_count - 1, 0)
    year = zone.year_sql(_a.c.submitted_at, conn.dialect.name)
    for row in conn.execute(
            select(year, _a.c.module_id, _aa.c.question_id, _l.c.group, _l.c.unit_code, func.count(), func.sum(x),
                   func.sum(y), func.sum(x * y), func.sum(y * y))
            .select_from(_aa.join(_a, _a.c.id == _aa.c.attempt_id).join(_l, _l.c.id == _a.c.learner_id))
            .where(_a.c.attempt_no == 1, _a.c.submitted_at.is_not(None), _a.c.learner_id.between(low, high),
                   _a.c.id.not_in(select(_p.c.attempt_id)))  # queued: counted when folded
            .group_by(year, _a.c.module_id, _aa.c.question_id, _l.c.group, _l.c.unit_code)):
        values = into.question((int(row[0]), *row[1:5]))
        values[service.RESPONSES] += int(row[5])
        values[service.CORRECT] += int(row[6] or 0)
        for i, v in zip((service.REST_SUM, service.REST_PRODUCT, service.REST_SQUARE), row[7:10], strict=True):
            values[i] += float(v or 0)


def _pick_rows(conn: Connection, zone: Zone, low: int, high: int, into: Delta) -> None:
    """How often each choice was picked on first attempts (an answer "a,c" picks a and c)."""
    year = zone.year_sql(_a.c.submitted_at, conn.dialect.name)
    for y, module_id, question_id, chosen, group, unit, n in conn.execute(
            select(year, _a.c.module_id, _aa.c.question_id, _aa.c.chosen, _l.c.group, _l.c.unit_code, func.count())
            .select_from(_aa.join(_a, _a.c.id == _aa.c.attempt_id).join(_l, _l.c.id == _a.c.learner_id))
            .where(_a.c.attempt_no == 1, _a.c.submitted_at.is_not(None), _a.c.learner_id.between(low, high),
                   _a.c.id.not_in(select(_p.c.attempt_id)))
            .group_by(year, _a.c.module_id, _aa.c.question_id, _aa.c.chosen, _l.c.group, _l.c.unit_code)):
        for choice in (chosen or "").split(","):
            if choice:
                into.pick((int(y), module_id, question_id, choice, group, unit))[0] += int(n)


def expected_share(conn: Connection, zone: Zone, low: int, high: int, *, tallied: bool = False) -> Delta:
    """The aggregates of learners low..high, from their raw rows: all in SQL (the check's
    definition), or with the firsts tallied in Python (the rebuild's, faster)."""
    out = Delta()
    (_month_rows_tallied if tallied else _month_rows)(conn, zone, low, high, out)
    _certificate_rows(conn, zone, low, high, out)
    _question_rows(conn, zone, low, high, out)
    _pick_rows(conn, zone, low, high, out)
    return out


class Progress:
    """A text progress bar on a terminal stream (stderr), redrawn at most every tenth of a second."""

    def __init__(self, label: str, total: int, stream: IO[str] | None) -> None:
        self.label, self.total = label, max(total, 1)
        self.stream = stream if total else None  # nothing to follow
        self.started = self.shown = time.monotonic()

    def update(self, done: int, *, final: bool = False) -> None:
        now = time.monotonic()
        if self.stream is None or (not final and now - self.shown < 0.1):
            return
        self.shown = now
        share = min(1.0, done / self.total)
        bar = "#" * int(share * 30)
        self.stream.write(f"\r{self.label} [{bar:<30}] {share:4.0%} {done:,}/{self.total:,} learners "
                          f"{now - self.started:.0f} s" + ("\n" if final else ""))
        self.stream.flush()


def expected(conn: Connection, zone: Zone, *, progress: IO[str] | None = None, label: str = "aggregates",
             tallied: bool = False) -> Delta:
    """Every aggregate row, from scratch (in the caller's transaction)."""
    low, high, count = conn.execute(select(func.min(_l.c.id), func.max(_l.c.id), func.count()).select_from(_l)).one()
    total = Delta()
    bar = Progress(label, int(count or 0), progress)
    if low is None:
        bar.update(0, final=True)
        return total
    done = 0
    for start in range(int(low), int(high) + 1, CHUNK):
        end = min(start + CHUNK - 1, int(high))
        part = expected_share(conn, zone, start, end, tallied=tallied)
        for rows, into in ((part.months, total.months), (part.questions, total.questions),
                           (part.picks, total.picks)):
            for key, values in rows.items():
                row = into.get(key)
                if row is None:
                    into[key] = values
                else:
                    for i, v in enumerate(values):
                        row[i] += v
        done += int(conn.scalar(select(func.count()).select_from(_l).where(_l.c.id.between(start, end))) or 0)
        bar.update(done, final=end == int(high))
    total.questions = service.with_province_rows(total.questions)
    total.picks = service.with_province_rows(total.picks)
    return total


def stored(conn: Connection) -> Delta:
    """The aggregate rows as they are."""
    out = Delta()
    for table, key, columns, into in ((_rm, service.MONTH_KEY, MONTH_COLUMNS, out.months),
                                      (_rq, service.QUESTION_KEY, QUESTION_COLUMNS, out.questions),
                                      (_rk, service.PICK_KEY, service.PICK_COLUMNS, out.picks)):
        for row in conn.execute(select(*(table.c[name] for name in (*key, *columns)))):
            into[tuple(row[:len(key)])] = list(row[len(key):])
    return out


def _lock(conn: Connection) -> None:
    """PostgreSQL: keep every other writer of the aggregates waiting until this transaction ends, so
    no submission adds to a row between our reading the raw tables and replacing the rows. (SQLite:
    the caller's write transaction already holds the database's only write lock.)"""
    if conn.dialect.name != "sqlite":
        conn.execute(text("LOCK TABLE report_month, report_question, report_pick, report_question_pending IN EXCLUSIVE MODE"))


@dataclass(frozen=True)
class Rebuilt:
    months: int
    questions: int
    picks: int
    seconds: float


def rebuild(conn: Connection, zone: Zone | None = None, *, progress: IO[str] | None = None) -> Rebuilt:
    """Replace every aggregate row with the from-scratch figures, in the caller's (write) transaction.
    Idempotent. Submissions wait while it runs (it holds the aggregates' write lock)."""
    started = time.monotonic()
    zone = zone or service.current_zone()
    _lock(conn)
    conn.execute(delete(_p))  # the queued first attempts are counted with the rest
    fresh = expected(conn, zone, progress=progress, label="rebuilding aggregates", tallied=True).without_zeros()
    conn.execute(delete(_rm))
    conn.execute(delete(_rq))
    conn.execute(delete(_rk))
    for table, key_names, names, rows in ((_rm, service.MONTH_KEY, MONTH_COLUMNS, fresh.months),
                                          (_rq, service.QUESTION_KEY, QUESTION_COLUMNS, fresh.questions),
                                          (_rk, service.PICK_KEY, service.PICK_COLUMNS, fresh.picks)):
        values = [dict(zip((*key_names, *names), (*key, *row), strict=True)) for key, row in sorted(rows.items())]
        for i in range(0, len(values), 5000):
            conn.execute(insert(table), values[i:i + 5000])
    return Rebuilt(len(fresh.months), len(fresh.questions), len(fresh.picks), time.monotonic() - started)


@dataclass(frozen=True)
class Difference:
    table: str
    key: tuple
    column: str
    stored: Any
    expected: Any

    def __str__(self) -> str:
        return f"{self.table} {self.key} {self.column}: stored {self.stored}, expected {self.expected}"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):  # sums of scores: added in another order
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def differences(have: Delta, want: Delta) -> list[Difference]:
    """Every cell where the stored rows differ from the expected ones (a missing row counts as zeros)."""
    out = []
    for name, columns, mine, theirs in (("report_month", MONTH_COLUMNS, have.months, want.months),
                                        ("report_question", QUESTION_COLUMNS, have.questions, want.questions),
                                        ("report_pick", service.PICK_COLUMNS, have.picks, want.picks)):
        zeros = [0] * len(columns)
        for key in sorted(set(mine) | set(theirs)):
            a, b = mine.get(key, zeros), theirs.get(key, zeros)
            out += [Difference(name, key, c, x, y) for c, x, y in zip(columns, a, b, strict=True) if not _same(x, y)]
    return out


def check(conn: Connection, zone: Zone | None = None, *, progress: IO[str] | None = None) -> list[Difference]:
    """The differences between the stored aggregates and the raw tables (read in one snapshot:
    call it in a REPEATABLE READ transaction on PostgreSQL, a read transaction on SQLite)."""
    zone = zone or service.current_zone()
    have = stored(conn)
    return differences(have, expected(conn, zone, progress=progress, label="checking aggregates"))
