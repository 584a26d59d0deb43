"""The reports, as SQL: every figure is aggregated by the database, rows are streamed.

Each report is a list of columns and a way to get its rows for a Scope (the units the organiser
may read, the filters, and whether small cells are hidden). Row reports (completions, attempts,
xAPI) stream from a server-side cursor over the raw rows; aggregate reports (summary, annual
assessment, question statistics) and the dashboard's figures are sums over the running totals kept
by quiz_api/aggregates (a few thousand rows for a province-wide year, not every attempt), computed
whole, then suppressed. Where the totals do not hold what a scope asks (a class's members, another
time zone than they count in) the same figures come from the raw rows (`from_aggregates`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from sqlalchemy import (
    Float,
    Numeric,
    Select,
    String,
    and_,
    case,
    cast,
    distinct,
    func,
    literal,
    literal_column,
    not_,
    select,
    true,
)
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from quiz_api import labels, localtime
from quiz_api.aggregates import service as aggregates
from quiz_api.aggregates.models import ReportMonth, ReportPick, ReportQuestion, ReportQuestionPending
from quiz_api.attempts.models import Attempt, AttemptAnswer
from quiz_api.banks import Bank
from quiz_api.certificates.models import Certificate
from quiz_api.classes import service as classes
from quiz_api.errors import NotFound
from quiz_api.learners.models import Learner
from quiz_api.reports import stats, suppression, xapi
from quiz_api.reports.filters import Scope
from quiz_api.reports.formats import Column, Suppressed
from quiz_api.reports.models import Target
from quiz_api.units.models import Unit

a = Attempt.__table__
aa = AttemptAnswer.__table__
lr = Learner.__table__
u = Unit.__table__
tg = Target.__table__
cert = Certificate.__table__
rm = ReportMonth.__table__
rq = ReportQuestion.__table__
rqp = ReportQuestionPending.__table__
rk = ReportPick.__table__

STREAM = {"stream_results": True, "yield_per": 5000}


def dt_text(column: Any, dialect: str, offset: timedelta) -> ColumnElement:
    """A stored (UTC) time as local ISO 8601 text, '2027-01-01T06:30:00+07:00', formatted by the
    database. offset is the zone's one fixed offset (localtime.fixed_offset): SQLite knows no zones."""
    seconds = int(offset.total_seconds())
    suffix = localtime.offset_text(offset)
    if dialect == "sqlite":
        return func.strftime(f"%Y-%m-%dT%H:%M:%S{suffix}", column, f"{seconds:+d} seconds")
    shifted = column + literal_column(f"interval '{seconds} seconds'")
    return func.to_char(shifted, f'YYYY-MM-DD"T"HH24:MI:SS"{suffix}"')


def local_month(column: Any, year: int, scope: Scope) -> ColumnElement:
    """The local month (1-12) of a stored time that lies in the local year: compared with the UTC
    starts of the months, so it is exact in any zone and the same on SQLite and PostgreSQL."""
    starts = localtime.local_month_starts(year, scope.tz)
    return case(*[(column < starts[m], literal_column(str(m))) for m in range(1, 12)], else_=literal_column("12"))


class unindexed(FunctionElement):
    """`+column` on SQLite (a no-op that stops the planner from using the column's index), the bare
    column elsewhere. A year is most of a table: scanning it is 3× faster than walking the
    submitted_at index and fetching each row (1.0 s against 3.2 s for 1,000,000 attempts)."""

    inherit_cache = True
    name = "unindexed"

    def __init__(self, column: Any) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(unindexed)
def _unindexed_default(element: unindexed, compiler: Any, **kw: Any) -> str:
    return compiler.process(next(iter(element.clauses)), **kw)


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element: unindexed, compiler: Any, **kw: Any) -> str:
    return "+" + compiler.process(next(iter(element.clauses)), **kw)


def round4(expr: Any, dialect: str) -> ColumnElement:
    """A score rounded to 4 decimals by the database, the same in CSV, XLSX and JSON on both dialects."""
    if dialect == "sqlite":
        return func.round(expr, 4)
    return cast(func.round(cast(expr, Numeric), 4), Float)


def _scoped(stmt: Select, scope: Scope, *, time_column: Any = None, module_column: Any = None) -> Select:
    """Apply the organiser's units and the filters to a statement that joins learner."""
    f = scope.filters
    if scope.unit_codes is not None:
        stmt = stmt.where(lr.c.unit_code.in_(sorted(scope.unit_codes)))
    if f.group is not None:
        stmt = stmt.where(lr.c.group == f.group)
    if scope.class_id is not None:
        stmt = stmt.where(lr.c.id.in_(classes.members_query(scope.class_id)))
    if f.module is not None:
        stmt = stmt.where((module_column if module_column is not None else a.c.module_id) == f.module)
    bounds = scope.year_bounds
    if bounds is not None:
        col = unindexed(time_column if time_column is not None else a.c.submitted_at)
        stmt = stmt.where(col >= bounds[0], col < bounds[1])
    return stmt


def from_aggregates(scope: Scope) -> bool:
    """Whether the scope's figures can be summed from the aggregates: they count units, groups,
    modules and local months (in one zone), not a class's members."""
    return scope.class_id is None and aggregates.counts_in(scope.tz)


def _aggregated(stmt: Select, scope: Scope, table: Any, *, year: int | None = None) -> Select:
    """_scoped for a statement over an aggregate table (report_month, report_question, report_pick);
    `year` overrides the filter's. Question and pick rows for every unit and group are the
    province-wide ones (aggregates.with_province_rows); a unit or group filter never matches them."""
    f = scope.filters
    if scope.unit_codes is not None:
        stmt = stmt.where(table.c.unit_code.in_(sorted(scope.unit_codes)))
    if f.group is not None:
        stmt = stmt.where(table.c.group == f.group)
    if table is not rm and scope.unit_codes is None and f.group is None:  # the province-wide rows alone
        # Both columns: then the (unit, group, year) index finds the year's province rows; the unit
        # alone read the year's whole range (136,000 rows, 27–41 ms on SQLite).
        stmt = stmt.where(table.c.unit_code == aggregates.EVERYONE, table.c.group == aggregates.EVERYONE)
    if f.module is not None:
        stmt = stmt.where(table.c.module_id == f.module)
    year = year if year is not None else f.year
    if year is not None:
        stmt = stmt.where(table.c.month.between(year * 100 + 1, year * 100 + 12)) if table is rm else \
            stmt.where(table.c.year == year)
    return stmt


def _learner_counts(scope: Scope, *, any_module: bool = False) -> tuple[Any, Any]:
    """The columns that count learners (who attempted, who passed) once: in the year when the scope
    has one, else ever; at the module, or at any module when the figure is not per module."""
    yearly = scope.filters.year is not None
    if any_module:
        return (rm.c.any_learners, rm.c.any_passers) if yearly else (rm.c.any_learners_ever, rm.c.any_passers_ever)
    return (rm.c.learners, rm.c.passers) if yearly else (rm.c.learners_ever, rm.c.passers_ever)


# --- completions: one row per learner and module ---------------------------------------------------

# A file with names never holds the pseudonym: it would tie the pseudonymous exports (attempts,
# xAPI) back to a name.
COMPLETIONS = [
    Column("completions", "full_name"),
    Column("completions", "group", "code"),
    Column("completions", "unit_code"),
    Column("completions", "unit_name"),
    Column("completions", "module_id"),
    Column("completions", "attempts", "int", total=True),
    Column("completions", "best_score", "share"),
    Column("completions", "passed", "bool", total=True),
    Column("completions", "first_passed_at", "datetime"),
    Column("completions", "last_attempt_at", "datetime"),
]


def _learner_filter(scope: Scope) -> Select | None:
    """The learners in scope (units and group), as a subquery, or None when every learner is."""
    conditions = []
    if scope.unit_codes is not None:
        conditions.append(lr.c.unit_code.in_(sorted(scope.unit_codes)))
    if scope.filters.group is not None:
        conditions.append(lr.c.group == scope.filters.group)
    if scope.class_id is not None:
        conditions.append(lr.c.id.in_(classes.members_query(scope.class_id)))
    return select(lr.c.id).where(*conditions) if conditions else None


def first_passes() -> Any:
    """(learner, module, when first passed) for every pass. Grouped after a table scan, not by walking
    the (learner_id, module_id) index, which on SQLite fetches each row at random (3× slower)."""
    return (
        select(a.c.learner_id, a.c.module_id, func.min(a.c.submitted_at).label("first_at"))
        .where(a.c.passed.is_(True))
        .group_by(unindexed(a.c.learner_id), a.c.module_id)
        .subquery("first_pass")
    )


def _with_learner(scope: Scope) -> Any:
    """attempt JOIN learner. Reading every learner, SQLite should scan attempts in order and look each
    learner up by primary key, not walk learners and fetch their attempts one by one through an index
    (3× slower for a whole province); with a unit or group filter, learner-first is the right plan."""
    key = a.c.learner_id if _learner_filter(scope) is not None else unindexed(a.c.learner_id)
    return a.join(lr, lr.c.id == key)


def completions_query(scope: Scope, dialect: str) -> Select:
    """Aggregated per (learner, module) in the order of the attempt index, so no big sort is needed."""
    passed = case((a.c.passed.is_(True), 1), else_=0)
    agg = (
        select(a.c.learner_id, a.c.module_id, func.count().label("attempts"), func.max(a.c.score).label("best"),
               func.max(passed).label("passed"),
               func.min(case((a.c.passed.is_(True), a.c.submitted_at))).label("first_passed_at"),
               func.max(a.c.submitted_at).label("last_at"))
        .where(a.c.submitted_at.is_not(None))
        .group_by(a.c.learner_id, a.c.module_id)
    )
    learners = _learner_filter(scope)
    if learners is not None:
        agg = agg.where(a.c.learner_id.in_(learners))
    f = scope.filters
    if f.module is not None:
        agg = agg.where(a.c.module_id == f.module)
    bounds = scope.year_bounds
    if bounds is not None:
        agg = agg.where(unindexed(a.c.submitted_at) >= bounds[0], unindexed(a.c.submitted_at) < bounds[1])
    sub = agg.subquery("per_module")
    offset = localtime.fixed_offset(scope.tz)
    return (
        select(lr.c.full_name, lr.c.group, lr.c.unit_code, u.c.name, sub.c.module_id,
               sub.c.attempts, round4(sub.c.best, dialect), sub.c.passed == 1,
               dt_text(sub.c.first_passed_at, dialect, offset), dt_text(sub.c.last_at, dialect, offset))
        .select_from(sub.join(lr, lr.c.id == sub.c.learner_id).join(u, u.c.code == lr.c.unit_code))
        .order_by(sub.c.learner_id, sub.c.module_id)
    )


# --- attempts (raw) ------------------------------------------------------------------------------

# No attempt id: it is the learner's secret, enough to submit or read the attempt. A row is told
# apart by (pseudonym, module, attempt no.).
ATTEMPTS = [
    Column("attempts", "learner", "code"),
    Column("attempts", "group", "code"),
    Column("attempts", "unit_code"),
    Column("attempts", "module_id"),
    Column("attempts", "attempt_no", "int"),
    Column("attempts", "lang", "code"),
    Column("attempts", "started_at", "datetime"),
    Column("attempts", "submitted_at", "datetime"),
    Column("attempts", "question_count", "int"),
    Column("attempts", "correct_count", "int"),
    Column("attempts", "score", "share"),
    Column("attempts", "passed", "int", total=True),
]


def attempts_query(scope: Scope, dialect: str) -> Select:
    """Every submitted attempt in the scope; the year filter reads the submission time (local year).

    These are the attempts every other figure counts (the dashboard, the summary, the aggregates'
    `attempts`), so the dashboard can state this file's rows before the click without reading the
    attempts. An attempt never submitted has no score: it is not a result to report.

    Rows come in the order the database reads them (no ORDER BY): sorting a million
    rows would cost memory and time, and a raw export is for loading elsewhere.
    """
    offset = localtime.fixed_offset(scope.tz)
    stmt = (
        select(lr.c.pseudonym, lr.c.group, lr.c.unit_code, a.c.module_id, a.c.attempt_no, a.c.lang,
               dt_text(a.c.started_at, dialect, offset), dt_text(a.c.submitted_at, dialect, offset), a.c.question_count,
               a.c.correct_count, round4(a.c.score, dialect),
               case((a.c.passed.is_(True), 1), (a.c.passed.is_(False), 0)))
        .select_from(_with_learner(scope))
        .where(unindexed(a.c.submitted_at).is_not(None))
    )
    return _scoped(stmt, scope)


ROW_COLUMNS = {"completions": COMPLETIONS, "attempts": ATTEMPTS}


def row_query(kind: str, scope: Scope, dialect: str) -> Select:
    return {"completions": completions_query, "attempts": attempts_query}[kind](scope, dialect)


def count_rows(conn: Connection, kind: str, scope: Scope) -> int:
    """How many rows a row report will have (for the progress bar and Excel's row limit)."""
    query = row_query(kind, scope, conn.dialect.name).order_by(None)
    return int(conn.scalar(select(func.count()).select_from(query.subquery())) or 0)


def stream_rows(conn: Connection, kind: str, scope: Scope) -> Iterator[tuple]:
    """The rows of a row report from a server-side cursor, a few thousand in memory at a time."""
    result = conn.execute(row_query(kind, scope, conn.dialect.name), execution_options=STREAM)
    for partition in result.partitions():
        yield from partition


def _csv_text(expr: Any, column: Column) -> ColumnElement:
    """A value the database writes as CSV text itself: '' for NULL, TRUE/FALSE for booleans."""
    if column.kind == "bool":
        return case((expr, literal("TRUE")), (not_(expr), literal("FALSE")), else_=literal(""))
    return func.coalesce(cast(expr, String), literal(""))


# What formats.csv_field looks for, as one pattern each: a formula start, and a character that needs quotes.
_FORMULA_START = {"sqlite": "[=+@\t\r-]*", "postgresql": "^[-=+@\t\r]"}  # GLOB: "-" before "]" is itself
_NEEDS_QUOTES = {"sqlite": '*[,"\r\n]*', "postgresql": '[,"\r\n]'}


def _csv_field(expr: Any, dialect: str) -> ColumnElement:
    """A text cell as formats.csv_field writes it, by the database: '' for NULL or empty, a leading
    quote before a formula start (formats.neutralise), double quotes around a cell holding a comma,
    a quote or a line break (csv.writer's QUOTE_MINIMAL). One pattern match per question (GLOB on
    SQLite, a regular expression on PostgreSQL): a third of the cost of substr, IN and instr."""
    match = "GLOB" if dialect == "sqlite" else "~"
    text = func.coalesce(cast(expr, String), literal(""))
    safe = case((text.op(match)(literal(_FORMULA_START.get(dialect, _FORMULA_START["postgresql"]))),
                 literal("'").op("||")(text)), else_=text)
    quoted = text.op(match)(literal(_NEEDS_QUOTES.get(dialect, _NEEDS_QUOTES["postgresql"])))
    return case((quoted, literal('"').op("||")(func.replace(safe, literal('"'), literal('""'))).op("||")(literal('"'))),
                else_=safe)


def csv_line_query(query: Select, columns: list[Column], dialect: str) -> Select:
    """The same rows as one CSV line each (without its line break), written whole by the database.

    Python then only joins lines: a row costs one string instead of a tuple of cells to neutralise and
    quote. formats.csv_field is the reference; tests compare the two on every awkward value.

    SQLite joins the cells with one printf('%s,%s,…') (its %s writes NULL as ''): at 10,000,000
    attempts 28% faster than a cast, a coalesce and two concatenations a cell, and byte for byte the same.
    """
    pairs = list(zip(query.selected_columns, columns, strict=True))
    if dialect == "sqlite":
        cells = [_csv_field(expr, dialect) if column.kind == "text" else _csv_text(expr, column)
                 if column.kind == "bool" else expr for expr, column in pairs]
        return query.with_only_columns(func.printf(",".join(["%s"] * len(cells)), *cells).label("line"))
    cells = [_csv_field(expr, dialect) if column.kind == "text" else _csv_text(expr, column) for expr, column in pairs]
    line = cells[0]
    for cell in cells[1:]:
        line = line.op("||")(literal(",")).op("||")(cell)
    return query.with_only_columns(line.label("line"))


LINE_BATCH = 5_000  # CSV lines read at a time (about 0.7 MB), as the other exports read rows


def stream_csv_lines(conn: Connection, kind: str, scope: Scope) -> tuple[int | None, Iterator[tuple[int, bytes]]]:
    """(how many rows, or None; the rows as CSV bytes: (lines, their bytes with CRLF) in chunks) of a
    row report, read in the connection's one transaction, so a count is the number of lines that follow.

    Counted when it costs no second grouping of the year. Attempts: a count is one scan of the table
    (0.5 s on PostgreSQL, about a quarter of the export on SQLite). Completions on SQLite: the database
    holds the whole result before its first row in any case (grouped through the learner index, then
    sorted), so the count comes with each row (count(*) OVER ()). Completions on PostgreSQL: the
    window made the query twice as slow (5.3 s against 2.6 s at 1,000,000 attempts) and a separate
    count is the grouping again (1.6 s), which took the export past twice psql's time: not counted.
    PostgreSQL writes the CSV itself (copied_csv): no cursor, no round trip per batch.
    """
    dialect = conn.dialect.name
    if dialect == "postgresql":
        total = None if kind == "completions" else count_rows(conn, kind, scope)
        return total, copied_csv(conn, csv_copy_query(row_query(kind, scope, dialect), ROW_COLUMNS[kind]))
    query = csv_line_query(row_query(kind, scope, dialect), ROW_COLUMNS[kind], dialect)
    # The lines are read from the driver's cursor under the result: SQLAlchemy's rows cost about 1 µs
    # a line (10 of 66 s for 9,200,000 attempts), and a line needs no processing.
    if kind == "completions" and dialect == "sqlite":
        cursor = _driver_cursor(conn, query.add_columns(func.count().over().label("total")))
        first = cursor.fetchmany(LINE_BATCH)
        total = first[0][1] if first else 0

        def grouped() -> Iterator[tuple[int, bytes]]:
            rows = first
            while rows:
                yield _crlf_lines([r[0] for r in rows])
                rows = cursor.fetchmany(LINE_BATCH)
            cursor.close()

        return int(total), grouped()
    total = count_rows(conn, kind, scope)

    def read() -> Iterator[tuple[int, bytes]]:
        cursor = _driver_cursor(conn, query)
        while rows := cursor.fetchmany(LINE_BATCH):
            yield _crlf_lines([r[0] for r in rows])
        cursor.close()

    return total, read()


def _driver_cursor(conn: Connection, query: Select) -> Any:
    """The driver's cursor of query, executed by SQLAlchemy (its SQL, its parameters) with no result
    buffering (a streaming result holds its first row back from the cursor)."""
    return conn.execute(query, execution_options={"stream_results": False, "yield_per": None}).cursor


def _crlf_lines(lines: Sequence[str]) -> tuple[int, bytes]:
    return len(lines), ("\r\n".join(lines) + "\r\n").encode("utf-8") if lines else b""


def csv_copy_query(query: Select, columns: list[Column]) -> Select:
    """The same rows shaped for PostgreSQL's own CSV writer (COPY ... CSV), which quotes as csv.writer
    does: text cells neutralised and '' sent as NULL (COPY would write "" for it), booleans TRUE/FALSE."""
    cells: list[Any] = []
    for expr, column in zip(query.selected_columns, columns, strict=True):
        if column.kind == "text":
            text = cast(expr, String)
            safe = case((text.op("~")(literal(_FORMULA_START["postgresql"])), literal("'").op("||")(text)), else_=text)
            cells.append(func.nullif(safe, literal("")))
        elif column.kind == "bool":
            cells.append(case((expr, literal("TRUE")), (not_(expr), literal("FALSE"))))
        else:
            cells.append(expr)
    return query.with_only_columns(*cells)


def copied_csv(conn: Connection, query: Select, chunk: int = 1 << 19) -> Iterator[tuple[int, bytes]]:
    """A query's rows as CSV lines with CRLF, written by PostgreSQL (COPY ... TO STDOUT CSV, as psql's
    \\copy), in chunks of about `chunk` bytes, inside the connection's transaction. COPY takes no
    parameters: the query is compiled with its values, quoted by SQLAlchemy's literal renderers (a
    scope holds unit codes, module ids, a class id and times)."""
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
            buffer = bytearray()
            rows = 0
            for data in copy:  # one row each, ending in "\n"; a line break inside a quoted cell stays
                buffer += data[:-1]
                buffer += b"\r\n"
                rows += 1
                if len(buffer) >= chunk:
                    yield rows, bytes(buffer)
                    buffer.clear()
                    rows = 0
            if rows:
                yield rows, bytes(buffer)
    finally:
        cursor.close()


# --- summary: unit × group × module --------------------------------------------------------------

SUMMARY = [
    Column("summary", "unit_code"),
    Column("summary", "unit_name"),
    Column("summary", "group", "code"),
    Column("summary", "module_id"),
    Column("summary", "learners", "int"),
    Column("summary", "attempts", "int", total=True),
    Column("summary", "passed", "int"),
    Column("summary", "pass_rate", "share"),
    Column("summary", "mean_score", "share"),
]


def summary_query(scope: Scope) -> Select:
    """Per unit, group and module: learners (each once), attempts, learners who passed, mean score."""
    if not from_aggregates(scope):
        return summary_query_raw(scope)
    learners, passers = _learner_counts(scope)
    attempts = func.sum(rm.c.attempts)
    stmt = (
        select(rm.c.unit_code, u.c.name, rm.c.group, rm.c.module_id, func.sum(learners).label("learners"),
               attempts.label("attempts"), func.sum(passers).label("passed"),
               (func.sum(rm.c.score_sum) / func.nullif(attempts, 0)).label("mean_score"))
        .select_from(rm.join(u, u.c.code == rm.c.unit_code))
        .group_by(rm.c.unit_code, u.c.name, u.c.position, rm.c.group, rm.c.module_id)
        .having(attempts > 0)
        .order_by(u.c.position, rm.c.unit_code, rm.c.group, rm.c.module_id)
    )
    return _aggregated(stmt, scope, rm)


def summary_query_raw(scope: Scope) -> Select:
    """summary_query over the raw rows."""
    stmt = (
        select(lr.c.unit_code, u.c.name, lr.c.group, a.c.module_id,
               func.count(distinct(a.c.learner_id)).label("learners"),
               func.count().label("attempts"),
               func.count(distinct(case((a.c.passed.is_(True), a.c.learner_id)))).label("passed"),
               func.avg(a.c.score).label("mean_score"))
        .select_from(_with_learner(scope).join(u, u.c.code == lr.c.unit_code))
        .where(a.c.submitted_at.is_not(None))
        .group_by(lr.c.unit_code, u.c.name, u.c.position, lr.c.group, a.c.module_id)
        .order_by(u.c.position, lr.c.unit_code, lr.c.group, a.c.module_id)
    )
    return _scoped(stmt, scope)


def summary_row(row: Any, threshold: int, suppress: bool) -> tuple:
    """One summary row with its pass rate, small counts hidden (and what they would reveal)."""
    learners, attempts, passed = int(row.learners), int(row.attempts), int(row.passed)
    rate = passed / learners if learners else None
    mean = round(float(row.mean_score), 4) if row.mean_score is not None else None
    if suppress:
        small_learners = suppression.is_small(learners, threshold)
        small_passed = suppression.is_small(passed, threshold)
        hide = Suppressed(threshold)
        if small_learners:
            learners, attempts, mean, rate = hide, hide, hide, hide
        if small_passed or small_learners:
            passed, rate = hide, hide
    return (row.unit_code, row.name, row.group, row.module_id, learners, attempts, passed,
            round(rate, 4) if isinstance(rate, float) else rate, mean)


def summary_rows(conn: Connection, scope: Scope, threshold: int) -> list[tuple]:
    return [summary_row(r, threshold, scope.suppress) for r in conn.execute(summary_query(scope))]


# --- annual assessment ----------------------------------------------------------------------------

ANNUAL = [
    Column("annual", "unit_code"),
    Column("annual", "unit_name"),
    Column("annual", "group", "code"),
    Column("annual", "module_id"),
    Column("annual", "headcount", "int"),
    Column("annual", "target_share", "share"),
    Column("annual", "target", "int"),
    Column("annual", "trained", "int"),
    Column("annual", "trained_in_year", "int"),
    Column("annual", "rate", "share"),
    Column("annual", "status"),
    Column("annual", "gap", "int"),
]
TOTAL_CODE = "*"


def target_people(headcount: int, share: float) -> int:
    """People to train: the share of the headcount, rounded up (100% of 420 is 420; 50% of 5 is 3)."""
    return min(headcount, math.ceil(headcount * share - 1e-9))


def years_with_targets(conn: Connection) -> list[int]:
    return [int(y) for y in conn.scalars(select(tg.c.year).distinct().order_by(tg.c.year))]


def _unit_tree() -> Any:
    """(root, code) for every unit and every unit below it, the unit itself included."""
    tree = select(u.c.code.label("root"), u.c.code.label("code")).cte("tree", recursive=True)
    return tree.union_all(select(tree.c.root, u.c.code).where(u.c.parent_code == tree.c.code))


def _per_target(scope: Scope, year: int, trained: Any, trained_in_year: Any,
                counted: Callable[[Any, Any], Any]) -> Select:
    """The annual statement both readers share: per target of the year (its unit's name and parent,
    group, module, headcount and share), the two counts over `counted(joined, tree)` (the targets
    joined to their units and each unit's tree, with what is counted joined on), the scope's
    filters, in the units' order."""
    tree = _unit_tree()
    stmt = (
        select(tg.c.unit_code, u.c.name, u.c.parent_code, tg.c.group, tg.c.module_id, tg.c.headcount,
               tg.c.target_share, trained.label("trained"), trained_in_year.label("trained_in_year"))
        .select_from(counted(tg.join(u, u.c.code == tg.c.unit_code).join(tree, tree.c.root == tg.c.unit_code), tree))
        .where(tg.c.year == year)
        .group_by(tg.c.unit_code, u.c.name, u.c.parent_code, u.c.position, tg.c.group, tg.c.module_id,
                  tg.c.headcount, tg.c.target_share)
        .order_by(u.c.position, tg.c.unit_code, tg.c.group, tg.c.module_id)
    )
    f = scope.filters
    if scope.unit_codes is not None:
        stmt = stmt.where(tg.c.unit_code.in_(sorted(scope.unit_codes)))
    if f.group is not None:
        stmt = stmt.where(tg.c.group == f.group)
    if f.module is not None:
        stmt = stmt.where(tg.c.module_id == f.module)
    return stmt


def annual_query(scope: Scope, year: int) -> Select:
    """Per target: learners of the unit (and every unit below it) and group who passed the module
    (their first pass by the end of the local year, and within it)."""
    if not from_aggregates(scope):
        return annual_query_raw(scope, year)
    first, last = year * 100 + 1, year * 100 + 12
    # The month rows summed per unit, group and module first (each read once), then per target over
    # its unit's tree: joined month by month, a province's target re-read every unit's months
    # (75–88 ms against 26–55 on SQLite at 200,000 attempts).
    per_key = (
        select(rm.c.unit_code, rm.c.group, rm.c.module_id, func.sum(rm.c.passers_ever).label("trained"),
               func.sum(case((rm.c.month >= first, rm.c.passers_ever), else_=0)).label("in_year"))
        .where(rm.c.month <= last)
        .group_by(rm.c.unit_code, rm.c.group, rm.c.module_id)
        .subquery("per_key"))
    return _per_target(
        scope, year, func.coalesce(func.sum(per_key.c.trained), 0), func.coalesce(func.sum(per_key.c.in_year), 0),
        lambda joined, tree: joined.outerjoin(per_key, and_(per_key.c.unit_code == tree.c.code,
                                                            per_key.c.group == tg.c.group,
                                                            per_key.c.module_id == tg.c.module_id)))


def annual_query_raw(scope: Scope, year: int) -> Select:
    """annual_query over the raw rows."""
    first_pass = first_passes()
    start, end = localtime.local_year_bounds(year, scope.tz)
    return _per_target(
        scope, year, func.count(distinct(case((first_pass.c.first_at < end, lr.c.id)))),
        func.count(distinct(case((and_(first_pass.c.first_at >= start, first_pass.c.first_at < end), lr.c.id)))),
        lambda joined, tree: joined
        .outerjoin(lr, and_(lr.c.unit_code == tree.c.code, lr.c.group == tg.c.group))
        .outerjoin(first_pass, and_(first_pass.c.learner_id == lr.c.id, first_pass.c.module_id == tg.c.module_id)))


@dataclass(frozen=True)
class AnnualRow:
    unit_code: str
    unit_name: str
    group: str
    module_id: str
    headcount: int
    target_share: float
    target: int
    trained: int
    trained_in_year: int

    @property
    def rate(self) -> float | None:
        return self.trained / self.headcount if self.headcount else None

    @property
    def met(self) -> bool:
        return self.trained >= self.target

    @property
    def gap(self) -> int:
        return max(0, self.target - self.trained)


def annual_figures(conn: Connection, scope: Scope, year: int) -> tuple[list[AnnualRow], list[AnnualRow]]:
    """Rows per target, and totals per group and module plus one overall (raises NotFound: no targets)."""
    if conn.scalar(select(func.count()).select_from(tg).where(tg.c.year == year)) == 0:
        raise NotFound("no_targets", year=year)
    raw = list(conn.execute(annual_query(scope, year)))
    rows = [AnnualRow(r.unit_code, r.name, r.group, r.module_id, int(r.headcount), float(r.target_share),
                      target_people(int(r.headcount), float(r.target_share)), int(r.trained),
                      int(r.trained_in_year)) for r in raw]
    # A unit below another target's unit is already counted there: totals add only the top targets.
    parents = dict(conn.execute(select(u.c.code, u.c.parent_code)).all())
    keyed = {(r.unit_code, r.group, r.module_id) for r in rows}
    totals: dict[tuple[str, str], list[int]] = {}
    for r in rows:
        node, covered = parents.get(r.unit_code), False
        while node is not None and not covered:
            covered = (node, r.group, r.module_id) in keyed
            node = parents.get(node)
        if covered:
            continue
        for key in ((r.group, r.module_id), ("*", "*")):
            t = totals.setdefault(key, [0, 0, 0, 0])
            t[0] += r.headcount
            t[1] += r.target
            t[2] += r.trained
            t[3] += r.trained_in_year
    total_rows = [AnnualRow(TOTAL_CODE, "", g, m, h, (tgt / h if h else 0.0), tgt, tr, ty)
                  for (g, m), (h, tgt, tr, ty) in sorted(totals.items(), key=lambda kv: (kv[0] == ("*", "*"), kv[0]))]
    return rows, total_rows


def annual_table(rows: list[AnnualRow], totals: list[AnnualRow], *, threshold: int, suppress: bool,
                 lang: str) -> list[tuple]:
    """The annual table, rows then totals; small counts (and the rate and gap they imply) hidden."""
    hidden = [False] * len(rows)
    hidden_year = [False] * len(rows)
    if suppress:
        by_total: dict[tuple[str, str], list[int]] = {}
        for i, r in enumerate(rows):
            by_total.setdefault((r.group, r.module_id), []).append(i)
        for indexes in by_total.values():
            for flags, values in ((hidden, [rows[i].trained for i in indexes]),
                                  (hidden_year, [rows[i].trained_in_year for i in indexes])):
                for i, h in zip(indexes, suppression.complementary(values, threshold), strict=True):
                    flags[i] = h
    out = []
    total_name = labels.t("common.total", lang)
    for r, h, hy in [*zip(rows, hidden, hidden_year, strict=True),
                     *[(t, suppress and suppression.is_small(t.trained, threshold),
                        suppress and suppression.is_small(t.trained_in_year, threshold)) for t in totals]]:
        hide = Suppressed(threshold)
        status = labels.t("report.annual.met" if r.met else "report.annual.missed", lang)
        out.append((
            r.unit_code, r.unit_name or total_name, r.group, r.module_id, r.headcount, round(r.target_share, 4),
            r.target, hide if h else r.trained, hide if hy else r.trained_in_year,
            hide if h else (round(r.rate, 4) if r.rate is not None else None),
            status, hide if h else r.gap,
        ))
    return out


# --- question statistics ---------------------------------------------------------------------------

QUESTIONS = [
    Column("questions", "module_id"),
    Column("questions", "question_id"),
    Column("questions", "question"),
    Column("questions", "responses", "int"),
    Column("questions", "facility", "float"),
    Column("questions", "discrimination", "float"),
    Column("questions", "flags"),
]


def question_sums_query(scope: Scope) -> Select:
    """The item statistics' sums per question (first attempts): report_question's, plus those of the
    first attempts still queued for it, from their raw rows (a few seconds' submissions)."""
    if not from_aggregates(scope):
        return question_sums_query_raw(scope)
    folded = _aggregated(
        select(rq.c.module_id, rq.c.question_id, rq.c.responses.label("n"), rq.c.correct.label("sx"),
               rq.c.rest_sum.label("sy"), rq.c.rest_product.label("sxy"), rq.c.rest_square.label("syy")),
        scope, rq)
    queued = question_sums_query_raw(scope).where(a.c.id.in_(select(rqp.c.attempt_id))).order_by(None)
    both = folded.union_all(queued).subquery("sums")
    n = func.sum(both.c.n)
    return (
        select(both.c.module_id, both.c.question_id, n.label("n"), func.sum(both.c.sx).label("sx"),
               func.sum(both.c.sy).label("sy"), func.sum(both.c.sxy).label("sxy"), func.sum(both.c.syy).label("syy"))
        .group_by(both.c.module_id, both.c.question_id)
        .having(n > 0)
        .order_by(both.c.module_id, both.c.question_id)
    )


def question_sums_query_raw(scope: Scope) -> Select:
    """question_sums_query over the raw rows."""
    x = case((aa.c.correct.is_(True), 1.0), else_=0.0)
    y = (a.c.correct_count - x) * literal(1.0) / func.nullif(a.c.question_count - 1, 0)
    stmt = (
        select(a.c.module_id, aa.c.question_id, func.count().label("n"), func.sum(x).label("sx"),
               func.sum(y).label("sy"), func.sum(x * y).label("sxy"), func.sum(y * y).label("syy"))
        .select_from(aa.join(a, a.c.id == aa.c.attempt_id).join(lr, lr.c.id == a.c.learner_id))
        .where(a.c.attempt_no == 1, a.c.submitted_at.is_not(None))
        .group_by(a.c.module_id, aa.c.question_id)
        .order_by(a.c.module_id, aa.c.question_id)
    )
    return _scoped(stmt, scope)


def question_picks_query(scope: Scope) -> Select:
    """How often each answer (as stored: choice ids joined by commas; from report_pick, one choice)
    was given on first attempts: report_pick's counts, plus the queued first attempts' raw answers."""
    if not from_aggregates(scope):
        return question_picks_query_raw(scope)
    folded = _aggregated(select(rk.c.module_id, rk.c.question_id, rk.c.choice_id.label("chosen"),
                                rk.c.picks.label("n")), scope, rk)
    queued = question_picks_query_raw(scope).where(a.c.id.in_(select(rqp.c.attempt_id)))
    both = folded.union_all(queued).subquery("picks")
    return (select(both.c.module_id, both.c.question_id, both.c.chosen, func.sum(both.c.n).label("n"))
            .group_by(both.c.module_id, both.c.question_id, both.c.chosen))


def question_picks_query_raw(scope: Scope) -> Select:
    """question_picks_query over the raw rows."""
    stmt = (
        select(a.c.module_id, aa.c.question_id, aa.c.chosen, func.count().label("n"))
        .select_from(aa.join(a, a.c.id == aa.c.attempt_id).join(lr, lr.c.id == a.c.learner_id))
        .where(a.c.attempt_no == 1, a.c.submitted_at.is_not(None))
        .group_by(a.c.module_id, aa.c.question_id, aa.c.chosen)
    )
    return _scoped(stmt, scope)


def question_rows(conn: Connection, scope: Scope, banks: dict[str, Bank], *, threshold: int,
                  lang: str, min_responses: int = 20) -> list[tuple]:
    """FI and DI per question (first attempts), with plain-language flags; bank questions never drawn too."""
    seen: dict[tuple[str, str], Any] = {(r.module_id, r.question_id): r for r in conn.execute(question_sums_query(scope))}
    picks: dict[tuple[str, str], dict[str, int]] = {}
    for r in conn.execute(question_picks_query(scope)):
        counts = picks.setdefault((r.module_id, r.question_id), {})
        for choice in (r.chosen or "").split(","):
            if choice:
                counts[choice] = counts.get(choice, 0) + int(r.n)
    modules = [scope.filters.module] if scope.filters.module else sorted({m for m, _ in seen} | set(banks))
    out = []
    for module_id in modules:
        bank = banks.get(module_id)
        qids = list(bank.questions) if bank else []
        qids += sorted(q for m, q in seen if m == module_id and q not in qids)
        for qid in qids:
            r = seen.get((module_id, qid))
            sums = stats.Sums(int(r.n), float(r.sx or 0), float(r.sy or 0), float(r.sxy or 0), float(r.syy or 0)) \
                if r is not None else stats.Sums(0, 0, 0, 0, 0)
            text = bank.questions[qid].text[lang] if bank and qid in bank.questions else ""
            fi, di = stats.facility(sums), stats.discrimination(sums)
            question = bank.questions.get(qid) if bank else None
            wrong = [c.id for c in question.choices if c.id not in question.correct] if question else []
            unused = stats.unused_options(picks.get((module_id, qid), {}), wrong)
            flag_keys = stats.flags(sums.n, fi, di, max(min_responses, threshold), unused)
            if scope.suppress and suppression.is_small(sums.n, threshold):
                fi = di = None
                n: Any = Suppressed(threshold)
            else:
                n = sums.n
            out.append((module_id, qid, text, n, round(fi, 4) if fi is not None else None,
                        round(di, 4) if di is not None else None,
                        "; ".join(labels.t(f"flag.{k}", lang) + (f": {', '.join(unused)}" if k == "unused_distractors" else "")
                                  for k in flag_keys)))
    return out


# --- xAPI -------------------------------------------------------------------------------------------

def xapi_query(scope: Scope) -> Select:
    first_pass = first_passes()
    stmt = (
        select(a.c.id, lr.c.pseudonym, lr.c.group, a.c.module_id, a.c.attempt_no, a.c.lang, a.c.started_at,
               a.c.submitted_at,
               a.c.score, a.c.correct_count, a.c.question_count, a.c.passed,
               (func.coalesce(first_pass.c.first_at == a.c.submitted_at, False)).label("first_pass"))
        .select_from(_with_learner(scope)
                     .outerjoin(first_pass, and_(first_pass.c.learner_id == a.c.learner_id,
                                                 first_pass.c.module_id == a.c.module_id)))
        .where(a.c.submitted_at.is_not(None))
        .order_by(a.c.submitted_at, a.c.id)
    )
    return _scoped(stmt, scope)


def stream_statements(conn: Connection, scope: Scope, banks: dict[str, Bank], public_url: str) -> Iterator[dict]:
    result = conn.execute(xapi_query(scope), execution_options=STREAM)
    for partition in result.partitions():
        for r in partition:
            bank = banks.get(r.module_id)
            yield from xapi.statements(
                public_url=public_url, attempt_no=r.attempt_no, pseudonym=r.pseudonym, group=r.group,
                module_id=r.module_id, module_title=bank.title if bank else {}, lang=r.lang,
                started_at=r.started_at, submitted_at=r.submitted_at, score=r.score, correct_count=r.correct_count,
                question_count=r.question_count, passed=bool(r.passed), first_pass=bool(r.first_pass))


def count_statements(conn: Connection, scope: Scope) -> int:
    q = xapi_query(scope).order_by(None).subquery()
    return int(conn.scalar(select(func.count() + func.coalesce(
        func.sum(case((and_(q.c.passed.is_(True), q.c.first_pass.is_(True)), 1), else_=0)), 0)).select_from(q)) or 0)


# --- dashboard figures ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Totals:
    learners: int | Suppressed
    attempts: int | Suppressed
    passed: int | Suppressed
    certificates: int | Suppressed


def totals(conn: Connection, scope: Scope, threshold: int) -> Totals:
    """Learners who attempted (each once), attempts, learners who passed, module certificates."""
    if from_aggregates(scope):
        learners_col, passers_col = _learner_counts(scope, any_module=scope.filters.module is None)
        stmt = _aggregated(select(func.sum(learners_col), func.sum(rm.c.attempts), func.sum(passers_col),
                                  func.sum(rm.c.certificates)), scope, rm)
        learners, attempts, passed, certificates = (int(v or 0) for v in conn.execute(stmt).one())
    else:
        learners, attempts, passed, certificates = _totals_raw(conn, scope)
    if scope.suppress:
        if suppression.is_small(learners, threshold):
            attempts = Suppressed(threshold)
        return Totals(suppression.hide_small(learners, threshold), attempts,
                      suppression.hide_small(passed, threshold), suppression.hide_small(certificates, threshold))
    return Totals(int(learners), int(attempts), int(passed), int(certificates))


def _totals_raw(conn: Connection, scope: Scope) -> tuple[int, int, int, int]:
    stmt = _scoped(
        select(func.count(distinct(a.c.learner_id)), func.count(),
               func.count(distinct(case((a.c.passed.is_(True), a.c.learner_id)))))
        .select_from(_with_learner(scope)).where(a.c.submitted_at.is_not(None)), scope)
    learners, attempts, passed = conn.execute(stmt).one()
    cstmt = select(func.count()).select_from(cert.join(lr, lr.c.id == cert.c.learner_id)).where(
        cert.c.kind == "module", cert.c.revoked_at.is_(None))
    cstmt = _scoped(cstmt, scope, time_column=cert.c.issued_at, module_column=cert.c.subject)
    return int(learners), int(attempts), int(passed), int(conn.scalar(cstmt) or 0)


def module_rates(conn: Connection, scope: Scope, threshold: int) -> list[tuple[str, Any, Any, Any]]:
    """(module, learners, passed, pass rate) per module."""
    if from_aggregates(scope):
        learners_col, passers_col = _learner_counts(scope)
        stmt = _aggregated(
            select(rm.c.module_id, func.sum(learners_col), func.sum(passers_col))
            .group_by(rm.c.module_id).having(func.sum(rm.c.attempts) > 0).order_by(rm.c.module_id), scope, rm)
    else:
        stmt = _scoped(
            select(a.c.module_id, func.count(distinct(a.c.learner_id)).label("learners"),
                   func.count(distinct(case((a.c.passed.is_(True), a.c.learner_id)))).label("passed"))
            .select_from(_with_learner(scope)).where(a.c.submitted_at.is_not(None))
            .group_by(unindexed(a.c.module_id)).order_by(a.c.module_id), scope)
    out = []
    for module_id, learners, passed in conn.execute(stmt):
        learners, passed = int(learners or 0), int(passed or 0)
        rate = passed / learners if learners else None
        if scope.suppress and (suppression.is_small(learners, threshold) or suppression.is_small(passed, threshold)):
            rate = None
            learners, passed = suppression.hide_small(learners, threshold), Suppressed(threshold)
        out.append((module_id, learners, passed, rate))
    return out


def monthly(conn: Connection, scope: Scope, threshold: int, year: int) -> list[tuple[int, Any, Any]]:
    """(month 1–12, attempts submitted, learners who first passed a module that month) for the
    local year, by local month."""
    if from_aggregates(scope):
        stmt = _aggregated(select(rm.c.month, func.sum(rm.c.attempts), func.sum(rm.c.passers_ever))
                           .group_by(rm.c.month), scope, rm, year=year)
        by_month = {int(m) % 100: (int(n or 0), int(p or 0)) for m, n, p in conn.execute(stmt)}
    else:
        by_month = _monthly_raw(conn, scope, year)
    out = []
    for m in range(1, 13):
        n_att, n_pass = by_month.get(m, (0, 0))
        if scope.suppress:
            out.append((m, suppression.hide_small(n_att, threshold), suppression.hide_small(n_pass, threshold)))
        else:
            out.append((m, n_att, n_pass))
    return out


def _monthly_raw(conn: Connection, scope: Scope, year: int) -> dict[int, tuple[int, int]]:
    s2 = scope if scope.filters.year == year else replace(scope, filters=replace(scope.filters, year=year))
    month = local_month(a.c.submitted_at, year, scope).label("month")
    attempts_by_month = dict(conn.execute(_scoped(
        select(month, func.count()).select_from(_with_learner(scope))
        .where(a.c.submitted_at.is_not(None)).group_by(month), s2)).all())
    first_pass = first_passes()
    fmonth = local_month(first_pass.c.first_at, year, scope).label("month")
    passes_by_month = dict(conn.execute(_scoped(
        select(fmonth, func.count()).select_from(first_pass.join(lr, lr.c.id == first_pass.c.learner_id))
        .where(true()).group_by(fmonth), s2, time_column=first_pass.c.first_at,
        module_column=first_pass.c.module_id)).all())
    return {m: (int(attempts_by_month.get(m, 0)), int(passes_by_month.get(m, 0))) for m in range(1, 13)}
