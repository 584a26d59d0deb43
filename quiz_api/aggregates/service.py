"""Keeping the report aggregates (models.py) right, inside the transaction that changes what they count.

- A submission (attempts/service.record) calls count_submission: one indexed read (the learner's
  unit and group, and their other submitted attempts) and a few dictionary operations.
  Its additions are written once per group-commit batch (db.defer), merged with the batch's
  others and in one order. A first attempt's answers (the item statistics, report_question) are
  not counted there: its id is queued (report_question_pending, one row) and `fold` counts the
  queue later, in small writer jobs of their own (the app folds every second). Counting them in the
  submission cost about 150 µs of its 600 (ten rows to add to, bench/submit_inprocess.py), the
  one cost that took the SQLite submission ratio under its goal. The question report stays exact
  meanwhile: it adds the queued attempts' answers, read from the raw rows, to the folded sums.
  A set-based batch (attempts/service.record_many, PostgreSQL) calls count_submissions: one lock
  and one read for all the batch's learners.
- A certificate issued (certificates.issue_for_pass, issue_for_passes) calls count_certificate.
- Anything else that changes a learner's rows (a unit correction, a revoked certificate, a test
  factory writing rows directly) runs inside `with changing(conn, learner_ids):`, which counts
  those learners' share before and after and writes the difference.
- A bulk load (the demo seed, a restore, the benchmarks' generators) ends with rebuild.rebuild.

Erasure and the retention purge (privacy/service.py) change nothing here: they null personal
fields and keep the unit, the group, the attempts and the certificates, so every count stays as it
was. Moving a unit under another parent (units import) changes nothing either: the rows are keyed
by the learner's own unit, and the annual assessment walks the unit tree when it reads them.

Months and years are the province's local calendar (localtime.py: the profile's zone, one fixed
UTC offset over the years served, so a local month is the UTC moment shifted by that offset).

Why this is exact: each column is a sum over learners of a function of that learner's own rows
(models.py), so a change to some learners changes the sums by the difference of their shares.
On PostgreSQL two transactions may change one learner at once (two tabs submitting): both lock
the learner's row first (`FOR UPDATE`), so the second reads the first's committed attempts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any

from sqlalchemy import Float, Integer, case, cast, func, literal, literal_column, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement

from quiz_api import localtime
from quiz_api.aggregates.sources import answer, attempt, certificate, learner, pending
from quiz_api.db import Raw, defer

MONTH_KEY = ("month", "unit_code", "group", "module_id")
MONTH_COLUMNS = ("attempts", "passed_attempts", "score_sum", "learners", "passers", "learners_ever",
                 "passers_ever", "any_learners", "any_passers", "any_learners_ever", "any_passers_ever",
                 "certificates")
QUESTION_KEY = ("year", "module_id", "question_id", "group", "unit_code")
QUESTION_COLUMNS = ("responses", "correct", "rest_sum", "rest_product", "rest_square")
(ATTEMPTS, PASSED_ATTEMPTS, SCORE_SUM, LEARNERS, PASSERS, LEARNERS_EVER, PASSERS_EVER, ANY_LEARNERS,
 ANY_PASSERS, ANY_LEARNERS_EVER, ANY_PASSERS_EVER, CERTIFICATES) = range(len(MONTH_COLUMNS))
RESPONSES, CORRECT, REST_SUM, REST_PRODUCT, REST_SQUARE = range(len(QUESTION_COLUMNS))
PICK_KEY = ("year", "module_id", "question_id", "choice_id", "group", "unit_code")
PICK_COLUMNS = ("picks",)

MonthKey = tuple[int, str, str, str]  # month (YYYYMM), unit, group, module
QuestionKey = tuple[int, str, str, str, str]  # year, module, question, group, unit
PickKey = tuple[int, str, str, str, str, str]  # year, module, question, choice, group, unit



@dataclass(frozen=True)
class Zone:
    """The province's calendar as the aggregates count by it: a zone with one fixed UTC offset
    (localtime.fixed_offset refuses any other), so a stored UTC moment's local month is the moment
    shifted by the offset, in Python (the submission path) and in SQL (the rebuild and the check)."""

    name: str
    offset: timedelta

    def month(self, utc: datetime) -> int:
        """The local calendar month of a naive UTC moment, as YYYYMM (202612)."""
        local = utc + self.offset
        return local.year * 100 + local.month

    def year_start(self, year: int) -> datetime:
        """The first UTC moment of a local calendar year (naive UTC)."""
        return datetime(year, 1, 1) - self.offset

    def month_sql(self, column: Any, dialect: str) -> ColumnElement:
        """month() in SQL, for a timestamp column (naive UTC) on SQLite or PostgreSQL."""
        return self._local_sql(column, dialect, "%Y%m", "YYYYMM")

    def year_sql(self, column: Any, dialect: str) -> ColumnElement:
        return self._local_sql(column, dialect, "%Y", "YYYY")

    def _local_sql(self, column: Any, dialect: str, sqlite_format: str, pg_format: str) -> ColumnElement:
        """SQLite: the stored text is cut to whole seconds first: its date functions round to the
        millisecond, so 16:59:59.9999 UTC on 31 December became next year's January in Tây Ninh.
        The offset is whole seconds, so dropping the fraction never moves a moment across a month."""
        seconds = int(self.offset.total_seconds())
        if dialect == "sqlite":
            return cast(func.strftime(sqlite_format, func.substr(column, 1, 19), f"{seconds:+d} seconds"), Integer)
        return cast(func.to_char(column + literal_column(f"interval '{seconds} seconds'"), pg_format), Integer)


@lru_cache
def zone(name: str = localtime.DEFAULT_TIMEZONE) -> Zone:
    """The calendar of a zone (an IANA name; ValueError where localtime refuses it)."""
    return Zone(name, localtime.fixed_offset(localtime.zone(name)))


_zone: Zone = zone()


def use_zone(name: str) -> None:
    """Count in this time zone from now on (the app and the CLI set the province profile's)."""
    global _zone
    _zone = zone(name)


def current_zone() -> Zone:
    return _zone


def counts_in(tz: tzinfo) -> bool:
    """Whether the aggregates' months are this zone's (a report in another zone reads the raw rows)."""
    return localtime.fixed_offset(tz) == _zone.offset


@dataclass
class Delta:
    """Additions to aggregate rows: key -> one value per column (negative to take away)."""

    months: dict[MonthKey, list[Any]] = field(default_factory=dict)
    questions: dict[QuestionKey, list[Any]] = field(default_factory=dict)
    shrinks: bool = False  # holds a negative value: a row may become empty (and is then deleted)
    picks: dict[PickKey, list[Any]] = field(default_factory=dict)

    def month(self, key: MonthKey) -> list[Any]:
        row = self.months.get(key)
        if row is None:
            row = self.months[key] = [0] * len(MONTH_COLUMNS)
        return row

    def question(self, key: QuestionKey) -> list[Any]:
        row = self.questions.get(key)
        if row is None:
            row = self.questions[key] = [0] * len(QUESTION_COLUMNS)
        return row

    def pick(self, key: PickKey) -> list[Any]:
        row = self.picks.get(key)
        if row is None:
            row = self.picks[key] = [0]
        return row

    def add(self, other: Delta, sign: int = 1) -> None:
        for mine, theirs in ((self.months, other.months), (self.questions, other.questions),
                             (self.picks, other.picks)):
            for key, values in theirs.items():
                row = mine.get(key)
                if row is None:
                    mine[key] = [sign * v for v in values]
                    continue
                for i, v in enumerate(values):
                    if v:
                        row[i] += sign * v

    def without_zeros(self) -> Delta:
        return Delta({k: v for k, v in self.months.items() if any(v)},
                     {k: v for k, v in self.questions.items() if any(v)}, self.shrinks,
                     {k: v for k, v in self.picks.items() if any(v)})


# --- what one learner adds to the aggregates (pure) ------------------------------------------------

@dataclass(frozen=True)
class Submitted:
    """A submitted attempt, as the aggregates see it; answers are kept only for a first attempt."""

    module_id: str
    submitted_at: datetime  # naive UTC
    passed: bool
    score: float
    attempt_no: int = 1
    correct_count: int = 0
    question_count: int = 0
    answers: tuple[tuple[str, bool, str], ...] = ()  # question, right, the choices picked ("a,c")


def add_marks(delta: Delta, attempts: Iterable[tuple[datetime, str, bool]], *, unit: str, group: str,
              zone: Zone, sign: int = 1) -> None:
    """Count the learner once where each of their "firsts" falls: the first attempt (and first pass)
    at each module per local year and ever, and at any module per year and ever.

    In time order, ties broken by module id: the order the SQL of rebuild.py ranks them in.
    """
    seen: set[tuple] = set()
    for at, module_id, passed in sorted(attempts):
        month = zone.month(at)
        year = month // 100
        row = delta.month((month, unit, group, module_id))
        marks = [(LEARNERS, ("m", module_id, year)), (LEARNERS_EVER, ("m", module_id)),
                 (ANY_LEARNERS, ("y", year)), (ANY_LEARNERS_EVER, ("*",))]
        if passed:
            marks += [(PASSERS, ("pm", module_id, year)), (PASSERS_EVER, ("pm", module_id)),
                      (ANY_PASSERS, ("py", year)), (ANY_PASSERS_EVER, ("p*",))]
        for index, tag in marks:
            if tag not in seen:
                seen.add(tag)
                row[index] += sign


def add_answers(delta: Delta, answers: Iterable[tuple[str, bool, str]], *, year: int, unit: str, group: str,
                module_id: str, correct_count: int, question_count: int, sign: int = 1) -> None:
    """A first attempt's answers in the item statistics: x (right or not) and y (the share right of
    the attempt's other questions), as reports.service computed them over the raw rows."""
    for question_id, correct, chosen in answers:
        for choice in chosen.split(","):
            if choice:
                delta.pick((year, module_id, question_id, choice, group, unit))[0] += sign
        x = 1 if correct else 0
        row = delta.question((year, module_id, question_id, group, unit))
        row[RESPONSES] += sign
        row[CORRECT] += sign * x
        if question_count > 1:
            y = (correct_count - x) / (question_count - 1)
            row[REST_SUM] += sign * y
            row[REST_PRODUCT] += sign * x * y
            row[REST_SQUARE] += sign * y * y


def contribution(*, unit: str, group: str, attempts: Iterable[Submitted],
                 certificates: Iterable[tuple[str, datetime]], zone: Zone, sign: int = 1,
                 into: Delta | None = None) -> Delta:
    """Everything one learner adds to the aggregates: their submitted attempts and their valid
    module certificates (subject, issued_at), counted in their unit and group."""
    delta = into if into is not None else Delta()
    attempts = list(attempts)
    for a in attempts:
        month = zone.month(a.submitted_at)
        row = delta.month((month, unit, group, a.module_id))
        row[ATTEMPTS] += sign
        row[PASSED_ATTEMPTS] += sign * bool(a.passed)
        row[SCORE_SUM] += sign * (a.score or 0.0)
        if a.attempt_no == 1:
            add_answers(delta, a.answers, year=month // 100, unit=unit, group=group, module_id=a.module_id,
                        correct_count=a.correct_count, question_count=a.question_count, sign=sign)
    add_marks(delta, ((a.submitted_at, a.module_id, bool(a.passed)) for a in attempts), unit=unit, group=group,
              zone=zone, sign=sign)
    for subject, issued_at in certificates:
        delta.month((zone.month(issued_at), unit, group, subject))[CERTIFICATES] += sign
    return delta


# --- the submission path -----------------------------------------------------------------------------

# The learner's unit and group, and the time, module and result of their other submitted attempts
# (a handful, from ix_attempt_learner_module), in one statement. PostgreSQL locks the learner's row
# first, in a statement of its own, so one learner's submissions count one after another: the next
# statement then reads what the one before committed.
_LEARNER_AND_EARLIER = ('SELECT l.unit_code, l."group", a.submitted_at, a.module_id, a.passed FROM learner l '
                        "LEFT JOIN attempt a ON a.learner_id = l.id AND a.submitted_at IS NOT NULL AND a.id <> ? "
                        "WHERE l.id = ?")
_LOCK_LEARNER = "SELECT id FROM learner WHERE id = ? FOR UPDATE"


def count_submission(conn: Connection, raw: Raw, *, learner_id: int, attempt_id: str, module_id: str,
                     attempt_no: int, submitted_at: datetime, passed: bool, score: float) -> None:
    """Count a submission just recorded in this transaction (attempts.service.record); a first
    attempt's answers are queued for the item statistics (fold).

    The learner's other submitted attempts tell which firsts this one is: usually it is the
    learner's latest, and a first is simply "none before in the year (or ever)". If another is as
    late or later (the clock went back, two submissions in one microsecond), the learner's firsts
    are recounted, before and after, and moved. The stored times are compared as they come (SQLite's
    text sorts as the times do, and the local year starts on a whole second), not converted: that
    cost about 3 µs an attempt. One pass over them, no intermediate lists: this runs for every
    submission (measured with bench/submit_inprocess.py, see README "Performance").
    """
    if not raw.sqlite:
        raw.execute(_LOCK_LEARNER, (learner_id,))
    rows = raw.execute(_LEARNER_AND_EARLIER, (attempt_id, learner_id)).fetchall()
    z = _zone
    month = z.month(submitted_at)
    year = month // 100
    now = raw.dt(submitted_at)
    since = _year_start(z, year, raw.sqlite)
    ever = ever_passed = module = module_passed = this_year = year_passed = year_module = year_module_passed = False
    later = False
    for _, _, at, m, p in rows:
        if at is None:  # the learner's row alone: no other submitted attempt
            continue
        if at >= now:
            later = True
            break
        same = m == module_id
        recent = (at[:19] if raw.sqlite else at) >= since
        ever = True
        module = module or same
        this_year = this_year or recent
        year_module = year_module or (same and recent)
        if p:
            ever_passed = True
            module_passed = module_passed or same
            year_passed = year_passed or recent
            year_module_passed = year_module_passed or (same and recent)
    unit, group = rows[0][0], rows[0][1]
    values = [1, int(passed), score, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    delta = Delta({(month, unit, group, module_id): values})
    if not later:
        values[LEARNERS] = int(not year_module)
        values[LEARNERS_EVER] = int(not module)
        values[ANY_LEARNERS] = int(not this_year)
        values[ANY_LEARNERS_EVER] = int(not ever)
        if passed:
            values[PASSERS] = int(not year_module_passed)
            values[PASSERS_EVER] = int(not module_passed)
            values[ANY_PASSERS] = int(not year_passed)
            values[ANY_PASSERS_EVER] = int(not ever_passed)
    else:
        earlier = [(raw.read_dt(at), m, bool(p)) for _, _, at, m, p in rows if at is not None]
        add_marks(delta, earlier, unit=unit, group=group, zone=z, sign=-1)
        add_marks(delta, [*earlier, (submitted_at, module_id, passed)], unit=unit, group=group, zone=z)
        delta.shrinks = True
    defer(conn, write, delta)
    if attempt_no == 1:
        defer(conn, queue_questions, attempt_id)


_LOCK_LEARNERS = "SELECT id FROM learner WHERE id = ANY(?) ORDER BY id FOR UPDATE"
_LEARNERS_AND_EARLIER = ('SELECT l.id, l.unit_code, l."group", a.submitted_at, a.module_id, a.passed FROM learner l '
                         "LEFT JOIN attempt a ON a.learner_id = l.id AND a.submitted_at IS NOT NULL "
                         "AND a.id <> ALL(?) WHERE l.id = ANY(?)")


def count_submissions(conn: Connection, raw: Raw, submissions: list[tuple[int, str, Submitted]]) -> None:
    """count_submission for a set-based batch just recorded (attempts.service.record_many, PostgreSQL):
    (learner id, attempt id, what was submitted) for each. Two statements for the batch: lock its
    learners in id order, then read their other submitted attempts; each learner's firsts are
    counted before and after the batch's attempts (a batch may hold two of one learner's, at one
    time), and the difference is written with the batch's other deferred rows."""
    if not submissions:
        return
    ids = sorted({learner_id for learner_id, _, _ in submissions})
    raw.execute(_LOCK_LEARNERS, (ids,))
    people: dict[int, tuple[str, str]] = {}
    earlier: dict[int, list[tuple[datetime, str, bool]]] = {}
    for learner_id, unit, group, at, module_id, passed in raw.execute(
            _LEARNERS_AND_EARLIER, ([attempt_id for _, attempt_id, _ in submissions], ids)).fetchall():
        people[learner_id] = (unit, group)
        if at is not None:
            earlier.setdefault(learner_id, []).append((raw.read_dt(at), module_id, bool(passed)))
    new: dict[int, list[Submitted]] = {}
    for learner_id, _, submitted in submissions:
        new.setdefault(learner_id, []).append(submitted)
    z = _zone
    delta = Delta()
    for learner_id, batch in new.items():
        unit, group = people[learner_id]
        before = earlier.get(learner_id, [])
        add_marks(delta, before, unit=unit, group=group, zone=z, sign=-1)
        add_marks(delta, [*before, *((s.submitted_at, s.module_id, s.passed) for s in batch)], unit=unit,
                  group=group, zone=z)
        for s in batch:
            month = z.month(s.submitted_at)
            row = delta.month((month, unit, group, s.module_id))
            row[ATTEMPTS] += 1
            row[PASSED_ATTEMPTS] += int(s.passed)
            row[SCORE_SUM] += s.score
    delta = delta.without_zeros()
    delta.shrinks = True  # a first moved to another month leaves -1 where it was
    defer(conn, write, delta)
    for _, attempt_id, s in submissions:
        if s.attempt_no == 1:
            defer(conn, queue_questions, attempt_id)


@lru_cache(maxsize=64)
def _year_start(zone: Zone, year: int, text: bool) -> Any:
    """The local year's first UTC moment, as SQLite's stored text to the second, or a datetime."""
    start = zone.year_start(year)
    return start.strftime("%Y-%m-%d %H:%M:%S") if text else start


def count_certificate(conn: Connection, *, unit: str, group: str, module_id: str, issued_at: datetime) -> None:
    """Count a module certificate just issued in this transaction (certificates.issue_for_pass)."""
    delta = Delta()
    delta.month((_zone.month(issued_at), unit, group, module_id))[CERTIFICATES] = 1
    defer(conn, write, delta)


# --- any other change: a learner's share before and after ---------------------------------------

def shares(conn: Connection, learner_ids: Iterable[int], *, zone: Zone | None = None, sign: int = 1,
           into: Delta | None = None) -> Delta:
    """What these learners add to the aggregates now, read from their rows."""
    ids = sorted(set(learner_ids))
    delta = into if into is not None else Delta()
    if not ids:
        return delta
    z = zone or _zone
    people = {r.id: (r.unit_code, r.group) for r in conn.execute(
        select(learner.c.id, learner.c.unit_code, learner.c.group).where(learner.c.id.in_(ids)))}
    answers: dict[str, list[tuple[str, bool, str]]] = {}
    for r in conn.execute(
            select(answer.c.attempt_id, answer.c.question_id, answer.c.correct, answer.c.chosen)
            .select_from(answer.join(attempt, attempt.c.id == answer.c.attempt_id))
            .where(attempt.c.learner_id.in_(ids), attempt.c.attempt_no == 1, attempt.c.submitted_at.is_not(None),
                   attempt.c.id.not_in(select(pending.c.attempt_id)))  # counted when folded
            .order_by(answer.c.attempt_id, answer.c.position)):
        answers.setdefault(r.attempt_id, []).append((r.question_id, bool(r.correct), r.chosen or ""))
    attempts: dict[int, list[Submitted]] = {}
    for r in conn.execute(select(attempt).where(attempt.c.learner_id.in_(ids),
                                                 attempt.c.submitted_at.is_not(None))):
        attempts.setdefault(r.learner_id, []).append(Submitted(
            r.module_id, r.submitted_at, bool(r.passed), r.score or 0.0, r.attempt_no, r.correct_count or 0,
            r.question_count or 0, tuple(answers.get(r.id, ()))))
    certificates: dict[int, list[tuple[str, datetime]]] = {}
    for r in conn.execute(select(certificate.c.learner_id, certificate.c.subject, certificate.c.issued_at)
                          .where(certificate.c.learner_id.in_(ids), certificate.c.kind == "module",
                                 certificate.c.revoked_at.is_(None))):
        certificates.setdefault(r.learner_id, []).append((r.subject, r.issued_at))
    for learner_id, (unit, group) in people.items():
        contribution(unit=unit, group=group, attempts=attempts.get(learner_id, ()),
                     certificates=certificates.get(learner_id, ()), zone=z, sign=sign, into=delta)
    return delta


def lock_learners(conn: Connection, learner_ids: Iterable[int]) -> None:
    """PostgreSQL: hold these learners' rows until commit, in id order (so two callers never deadlock)."""
    ids = sorted(set(learner_ids))
    if ids and conn.dialect.name != "sqlite":
        conn.execute(select(learner.c.id).where(learner.c.id.in_(ids)).order_by(learner.c.id).with_for_update())


@contextmanager
def changing(conn: Connection, learner_ids: Iterable[int]) -> Iterator[None]:
    """Around a change to these learners' rows: their share is counted before and after, and the
    difference written in the same transaction. For changes that are not the hot path."""
    ids = sorted(set(learner_ids))
    lock_learners(conn, ids)
    delta = shares(conn, ids, sign=-1)
    yield
    shares(conn, ids, into=delta)
    delta = delta.without_zeros()
    delta.shrinks = True
    if delta.months or delta.questions or delta.picks:
        defer(conn, write, delta)


# --- writing ----------------------------------------------------------------------------------------

def _upsert(table_name: str, key: tuple[str, ...], columns: tuple[str, ...]) -> tuple[str, str, str]:
    names = ", ".join(f'"{c}"' for c in (*key, *columns))
    one = "(" + ", ".join("?" * (len(key) + len(columns))) + ")"
    updates = ", ".join(f'"{c}" = {table_name}."{c}" + excluded."{c}"' for c in columns)
    conflict = ", ".join(f'"{c}"' for c in key)
    return (f"INSERT INTO {table_name} ({names}) VALUES", one,
            f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}")


EVERYONE = "*"  # the group and unit of report_question's and report_pick's province-wide rows


def with_province_rows(rows: dict[tuple, list[Any]]) -> dict[tuple, list[Any]]:
    """Question or pick rows (keys ending in group and unit) and, added to them, their sums over every
    group and unit (group and unit EVERYONE). The province's question report, on the admin's
    dashboard too, then reads one row per question and choice, not one per unit and group (150,000
    rows a year for 112 units: 0.4 s on SQLite). Written only off the submission path (fold,
    changing, rebuild), so they cost it nothing."""
    out = dict(rows)
    for key, values in rows.items():
        if key[-1] == EVERYONE:
            continue
        total = (*key[:-2], EVERYONE, EVERYONE)
        row = out.get(total)
        out[total] = list(values) if row is None else [a + b for a, b in zip(row, values, strict=True)]
    return out


# (Delta attribute, table, key columns, value columns, the column that is 0 on an empty row)
TABLES = (("months", "report_month", MONTH_KEY, MONTH_COLUMNS, "attempts"),
          ("questions", "report_question", QUESTION_KEY, QUESTION_COLUMNS, "responses"),
          ("picks", "report_pick", PICK_KEY, PICK_COLUMNS, "picks"))
_UPSERTS = {name: _upsert(name, key, columns) for _, name, key, columns, _ in TABLES}
# A month row is empty when every count is (score_sum is a float sum, not a count); a question or
# pick row when it counts no response.
_EMPTY = {name: f"DELETE FROM {name} WHERE " + " AND ".join(f'"{c}" = ?' for c in key) + " AND "
          + " AND ".join(f'"{c}" = 0' for c in (columns if name == "report_month" else (zero,)) if c != "score_sum")
          for _, name, key, columns, zero in TABLES}
_PG_ROWS = 1000  # rows per PostgreSQL statement (a statement takes at most 65,535 parameters)


def write(conn: Connection, deltas: list[Delta]) -> None:
    """Add a batch's deltas to the aggregate rows, one INSERT .. ON CONFLICT DO UPDATE per row.

    The rows are merged first (a batch's submissions share a few) and go in key order: on
    PostgreSQL concurrent writer threads then lock rows in one order (never a deadlock), and a
    statement may not touch a row twice; PostgreSQL gets one statement per table (per 1,000 rows),
    SQLite an executemany. A row a change emptied is deleted.
    """
    raw = Raw(conn)
    shrinks = any(delta.shrinks for delta in deltas)
    for attribute, name, key, _, _ in TABLES:
        merged: dict[tuple, list[Any]] = {}
        for delta in deltas:
            for k, values in getattr(delta, attribute).items():
                row = merged.get(k)
                merged[k] = values if row is None else [a + b for a, b in zip(row, values, strict=True)]
        if not merged:
            continue
        if attribute != "months":
            merged = with_province_rows(merged)
        rows = [(*k, *row) for k, row in sorted(merged.items())]
        head, one, tail = _UPSERTS[name]
        if raw.sqlite:
            raw.cursor.executemany(f"{head} {one} {tail}", rows)
        else:
            one = one.replace("?", "%s")
            for i in range(0, len(rows), _PG_ROWS):
                part = rows[i:i + _PG_ROWS]
                raw.cursor.execute(f"{head} {', '.join([one] * len(part))} {tail}", [v for row in part for v in row])
        if shrinks:
            width = len(key)
            for row in rows:
                if any(v < 0 for v in row[width:]):
                    raw.execute(_EMPTY[name], row[:width])


# --- the item statistics' queue -----------------------------------------------------------------------

_QUEUE = "INSERT INTO report_question_pending (attempt_id) VALUES (?)"
_CLAIM_QUEUED = ("DELETE FROM report_question_pending WHERE attempt_id IN "
                 "(SELECT attempt_id FROM report_question_pending ORDER BY attempt_id LIMIT ?) RETURNING attempt_id")
# Attempts per fold: about 2,500 answers, a few tens of ms in the writer. Folds of 2,000 every
# 5 s held the writer long enough to take submit p99 from ~100 ms to 400-500 ms under
# bench/submit_bench.py's load: small folds, often, spread that work between the submissions.
FOLD_BATCH = 250


def queue_questions(conn: Connection, attempt_ids: list[str]) -> None:
    """Queue first attempts (just submitted, in this transaction) for fold."""
    Raw(conn).insert_rows(_QUEUE, [(attempt_id,) for attempt_id in attempt_ids])


def question_sums(dialect: str, attempt_ids: Any, zone: Zone | None = None) -> Any:
    """The item statistics' sums of these first attempts per (local year, module, question, group,
    unit): the rows report_question adds them to. attempt_ids: a list or a subquery."""
    z = zone or _zone
    x = case((answer.c.correct.is_(True), 1), else_=0)
    y = (attempt.c.correct_count - x) * literal(1.0, Float) / func.nullif(attempt.c.question_count - 1, 0)
    year = z.year_sql(attempt.c.submitted_at, dialect)
    return (select(year, attempt.c.module_id, answer.c.question_id, learner.c.group, learner.c.unit_code,
                   func.count(), func.sum(x), func.sum(y), func.sum(x * y), func.sum(y * y))
            .select_from(answer.join(attempt, attempt.c.id == answer.c.attempt_id)
                         .join(learner, learner.c.id == attempt.c.learner_id))
            .where(attempt.c.id.in_(attempt_ids), attempt.c.attempt_no == 1, attempt.c.submitted_at.is_not(None))
            .group_by(year, attempt.c.module_id, answer.c.question_id, learner.c.group, learner.c.unit_code))


def pick_counts(dialect: str, attempt_ids: Any, zone: Zone | None = None) -> Any:
    """How often each answer (as stored: choice ids joined by commas) was given on these first
    attempts, per (local year, module, question, answer, group, unit)."""
    year = (zone or _zone).year_sql(attempt.c.submitted_at, dialect)
    return (select(year, attempt.c.module_id, answer.c.question_id, answer.c.chosen, learner.c.group,
                   learner.c.unit_code, func.count())
            .select_from(answer.join(attempt, attempt.c.id == answer.c.attempt_id)
                         .join(learner, learner.c.id == attempt.c.learner_id))
            .where(attempt.c.id.in_(attempt_ids), attempt.c.attempt_no == 1, attempt.c.submitted_at.is_not(None))
            .group_by(year, attempt.c.module_id, answer.c.question_id, answer.c.chosen, learner.c.group,
                      learner.c.unit_code))


def add_pick_counts(delta: Delta, rows: Iterable[Any]) -> None:
    """pick_counts' rows as picks per choice (an answer "a,c" picks a and c)."""
    for year, module_id, question_id, chosen, group, unit, n in rows:
        for choice in (chosen or "").split(","):
            if choice:
                delta.pick((int(year), module_id, question_id, choice, group, unit))[0] += int(n)


def add_question_sums(delta: Delta, rows: Iterable[Any]) -> None:
    for row in rows:
        values = delta.question((int(row[0]), *row[1:5]))
        values[RESPONSES] += int(row[5])
        values[CORRECT] += int(row[6] or 0)
        values[REST_SUM] += float(row[7] or 0)
        values[REST_PRODUCT] += float(row[8] or 0)
        values[REST_SQUARE] += float(row[9] or 0)


def fold(conn: Connection, *, limit: int = FOLD_BATCH) -> int:
    """Count up to `limit` queued first attempts into report_question, in the caller's write
    transaction; how many were folded (0: the queue is empty). The queue rows are claimed with
    DELETE .. RETURNING, so two folds at once (two workers) never count an attempt twice."""
    ids = [row[0] for row in Raw(conn).execute(_CLAIM_QUEUED, (limit,)).fetchall()]
    if not ids:
        return 0
    delta = Delta()
    for i in range(0, len(ids), 500):
        add_question_sums(delta, conn.execute(question_sums(conn.dialect.name, ids[i:i + 500])))
        add_pick_counts(delta, conn.execute(pick_counts(conn.dialect.name, ids[i:i + 500])))
    defer(conn, write, delta)
    return len(ids)


FOLD_SECONDS = 1.0  # how often the app looks at the queue
FOLD_PAUSE = 0.02  # between two folds in a row, so the submissions queued meanwhile go first
# Folding is work the submissions would otherwise wait for: while they arrive faster than this
# (first attempts queued per second), the queue waits, unless it holds QUEUE_MAX: the question
# report reads the queued answers raw, so a long burst makes it slower until the queue is folded
# (50,000 attempts, about 500,000 answers: about a second on SQLite). A 10,000 limit was reached
# within submit_bench's 10 s burst, and the folds then cost the submissions.
BUSY = 50
QUEUE_MAX = 50_000


def queued(engine: Any) -> int:
    """How many first attempts wait for fold (a read, next to the writer)."""
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(pending)) or 0)
log = logging.getLogger("kynangso.aggregates")


async def keep_folding(writer: Callable[[Callable[[Connection], int]], Awaitable[int]], engine: Any, *,
                       every: float = FOLD_SECONDS) -> None:
    """Fold the queue through the group-commit writer, until cancelled (the app's lifespan runs it):
    every second, unless submissions are arriving fast (BUSY) and the queue is not yet long
    (QUEUE_MAX). Each fold is a small job of its own, so a submission waits at most one."""
    before = 0
    while True:
        await asyncio.sleep(every)
        try:
            waiting = await asyncio.to_thread(queued, engine)
            arriving, before = waiting - before, waiting
            if arriving > BUSY * every and waiting < QUEUE_MAX:
                continue
            while await writer(fold) >= FOLD_BATCH:
                await asyncio.sleep(FOLD_PAUSE)
            before = 0
        except Exception as exc:  # noqa: BLE001 - the writer over capacity, the database away: next time
            log.warning("folding the item statistics' queue failed (tried again in %.0f s): %s", every, exc)
