"""The reports, as SQL: every figure is aggregated by the database, rows are streamed.

Each report is a list of columns and a way to get its rows for a Scope (the units the organiser
may read, the filters, and whether small cells are hidden). Row reports (completions, attempts,
xAPI) stream from a server-side cursor; aggregate reports (summary, annual assessment, question
statistics) are small and are computed whole, then suppressed.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Float, Numeric, Select, String, and_, case, cast, distinct, exists, extract, func, literal, literal_column, not_, select, true,
)
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql import ColumnElement

from quiz_api.attempts.models import Attempt, AttemptAnswer
from quiz_api.banks import Bank
from quiz_api.certificates.models import Certificate
from quiz_api.classes import service as classes
from quiz_api.errors import NotFound
from quiz_api.labels import GROUPS
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

STREAM = {"stream_results": True, "yield_per": 5000}
KINDS = ("completions", "attempts", "summary", "annual", "questions", "xapi")
PERSONAL = frozenset({"completions", "attempts", "xapi"})  # one row per person: never suppressed
ADMIN_ONLY = frozenset({"questions", "xapi"})
FORMATS: dict[str, tuple[str, ...]] = {
    "completions": ("csv", "xlsx", "json", "jsonl"),
    "attempts": ("csv", "xlsx", "json", "jsonl"),
    "summary": ("csv", "xlsx", "json", "jsonl"),
    "annual": ("csv", "xlsx", "json", "jsonl", "docx"),
    "questions": ("csv", "xlsx", "json", "jsonl"),
    "xapi": ("jsonl", "json"),
}
TITLES = {
    "completions": {"vi": "Kết quả theo người học và học phần", "en": "Completions by learner and module"},
    "attempts": {"vi": "Các lượt làm bài", "en": "Attempts"},
    "summary": {"vi": "Tổng hợp theo đơn vị, nhóm, học phần", "en": "Summary by unit, group and module"},
    "annual": {"vi": "Đánh giá năm: việc làm được, chưa được", "en": "Annual assessment: done and not done"},
    "questions": {"vi": "Thống kê câu hỏi", "en": "Question statistics"},
    "xapi": {"vi": "Bản ghi xAPI", "en": "xAPI statements"},
}


def dt_text(column: Any, dialect: str) -> ColumnElement:
    """A timestamp as text 'YYYY-MM-DD HH:MM:SS' (UTC), formatted by the database."""
    if dialect == "sqlite":
        return func.strftime("%Y-%m-%d %H:%M:%S", column)
    return func.to_char(column, "YYYY-MM-DD HH24:MI:SS")


class unindexed(FunctionElement):  # noqa: N801 - reads like the SQL function it stands for
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


# --- completions: one row per learner and module ---------------------------------------------------

COMPLETIONS = [
    Column("learner", "Mã ẩn danh", "Pseudonym", "code"),
    Column("full_name", "Họ và tên", "Full name"),
    Column("group", "Nhóm", "Group", "code"),
    Column("unit_code", "Mã đơn vị", "Unit code"),
    Column("unit_name", "Đơn vị", "Unit"),
    Column("module_id", "Học phần", "Module"),
    Column("attempts", "Số lượt làm", "Attempts", "int", total=True),
    Column("best_score", "Điểm cao nhất", "Best score", "share"),
    Column("passed", "Đạt", "Passed", "bool", total=True),
    Column("first_passed_at", "Ngày đạt lần đầu (UTC)", "First passed at (UTC)", "datetime"),
    Column("last_attempt_at", "Lần làm gần nhất (UTC)", "Last attempt at (UTC)", "datetime"),
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
    return (
        select(lr.c.pseudonym, lr.c.full_name, lr.c.group, lr.c.unit_code, u.c.name, sub.c.module_id,
               sub.c.attempts, round4(sub.c.best, dialect), sub.c.passed == 1, dt_text(sub.c.first_passed_at, dialect),
               dt_text(sub.c.last_at, dialect))
        .select_from(sub.join(lr, lr.c.id == sub.c.learner_id).join(u, u.c.code == lr.c.unit_code))
        .order_by(sub.c.learner_id, sub.c.module_id)
    )


# --- attempts (raw) ------------------------------------------------------------------------------

ATTEMPTS = [
    Column("attempt_id", "Mã lượt làm", "Attempt id"),
    Column("learner", "Mã ẩn danh", "Pseudonym", "code"),
    Column("group", "Nhóm", "Group", "code"),
    Column("unit_code", "Mã đơn vị", "Unit code"),
    Column("module_id", "Học phần", "Module"),
    Column("attempt_no", "Lượt thứ", "Attempt no.", "int"),
    Column("lang", "Ngôn ngữ", "Language", "code"),
    Column("started_at", "Bắt đầu (UTC)", "Started at (UTC)", "datetime"),
    Column("submitted_at", "Nộp bài (UTC)", "Submitted at (UTC)", "datetime"),
    Column("question_count", "Số câu", "Questions", "int"),
    Column("correct_count", "Số câu đúng", "Correct", "int"),
    Column("score", "Điểm", "Score", "share"),
    Column("passed", "Đạt", "Passed", "int", total=True),
]


def attempts_query(scope: Scope, dialect: str) -> Select:
    """Every attempt (submitted or not) in the scope; the year filter reads the start time.

    Rows come in the order the database reads them (no ORDER BY): sorting a million
    rows would cost memory and time, and a raw export is for loading elsewhere.
    """
    stmt = (
        select(a.c.id, lr.c.pseudonym, lr.c.group, lr.c.unit_code, a.c.module_id, a.c.attempt_no, a.c.lang,
               dt_text(a.c.started_at, dialect), dt_text(a.c.submitted_at, dialect), a.c.question_count,
               a.c.correct_count, round4(a.c.score, dialect),
               case((a.c.passed.is_(True), 1), (a.c.passed.is_(False), 0)))
        .select_from(_with_learner(scope))
    )
    return _scoped(stmt, scope, time_column=a.c.started_at)


ROW_COLUMNS = {"completions": COMPLETIONS, "attempts": ATTEMPTS}


def row_query(kind: str, scope: Scope, dialect: str) -> Select:
    return {"completions": completions_query, "attempts": attempts_query}[kind](scope, dialect)


def count_rows(conn: Connection, kind: str, scope: Scope) -> int:
    """How many rows a row report will have (for the progress bar and Excel's row limit)."""
    query = row_query(kind, scope, conn.dialect.name).order_by(None)
    return int(conn.scalar(select(func.count()).select_from(query.subquery())) or 0)


def stream_rows(conn: Connection, kind: str, scope: Scope) -> Iterator[tuple]:
    """The rows of a row report from a server-side cursor, a few thousand in memory at a time."""
    result = conn.execution_options(**STREAM).execute(row_query(kind, scope, conn.dialect.name))
    for partition in result.partitions():
        yield from partition


def _csv_text(expr: Any, column: Column) -> ColumnElement:
    """A value the database writes as CSV text itself: '' for NULL, TRUE/FALSE for booleans."""
    if column.kind == "bool":
        return case((expr, literal("TRUE")), (not_(expr), literal("FALSE")), else_=literal(""))
    return func.coalesce(cast(expr, String), literal(""))


def packed_for_csv(query: Select, columns: list[Column]) -> tuple[Select, list[bool]]:
    """The same rows with each run of safe columns (codes, numbers, times, booleans) joined into one
    CSV fragment by the database; text columns stay separate, to be neutralised and quoted in Python.

    Safe values never contain a comma, a quote or a line break and never start a formula, so the
    database can format them: a million rows then cost a third of the Python work.
    """
    out: list[Any] = []
    flags: list[bool] = []
    run: list[ColumnElement] = []

    def flush() -> None:
        if run:
            joined = run[0]
            for part in run[1:]:
                joined = joined.op("||")(literal(",")).op("||")(part)
            out.append(joined.label(f"packed_{len(out)}"))
            flags.append(True)
            run.clear()

    for expr, column in zip(query.selected_columns, columns, strict=True):
        if column.kind == "text":
            flush()
            out.append(expr)
            flags.append(False)
        else:
            run.append(_csv_text(expr, column))
    flush()
    return query.with_only_columns(*out), flags


def stream_csv_rows(conn: Connection, kind: str, scope: Scope) -> tuple[list[bool], Iterator[tuple]]:
    """Rows of a row report shaped for CSV (see packed_for_csv), and which of their cells are packed."""
    query, flags = packed_for_csv(row_query(kind, scope, conn.dialect.name), ROW_COLUMNS[kind])

    def rows() -> Iterator[tuple]:
        result = conn.execution_options(**STREAM).execute(query)
        for partition in result.partitions():
            yield from partition

    return flags, rows()


# --- summary: unit × group × module --------------------------------------------------------------

SUMMARY = [
    Column("unit_code", "Mã đơn vị", "Unit code"),
    Column("unit_name", "Đơn vị", "Unit"),
    Column("group", "Nhóm", "Group", "code"),
    Column("module_id", "Học phần", "Module"),
    Column("learners", "Số người làm bài", "Learners", "int"),
    Column("attempts", "Số lượt làm", "Attempts", "int", total=True),
    Column("passed", "Số người đạt", "Learners passed", "int"),
    Column("pass_rate", "Tỉ lệ đạt", "Pass rate", "share"),
    Column("mean_score", "Điểm trung bình", "Mean score", "share"),
]


def summary_query(scope: Scope) -> Select:
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
    Column("unit_code", "Mã đơn vị", "Unit code"),
    Column("unit_name", "Đơn vị", "Unit"),
    Column("group", "Nhóm", "Group", "code"),
    Column("module_id", "Học phần", "Module"),
    Column("headcount", "Số người cần đào tạo", "Headcount", "int"),
    Column("target_share", "Chỉ tiêu (tỉ lệ)", "Target share", "share"),
    Column("target", "Chỉ tiêu (người)", "Target (people)", "int"),
    Column("trained", "Đã đạt đến hết năm", "Trained by year end", "int"),
    Column("trained_in_year", "Đạt lần đầu trong năm", "First passed this year", "int"),
    Column("rate", "Tỉ lệ đã đạt", "Share trained", "share"),
    Column("status", "Kết quả", "Result"),
    Column("gap", "Còn thiếu (người)", "Gap (people)", "int"),
]
TOTAL_CODE = "*"


def target_people(headcount: int, share: float) -> int:
    """People to train: the share of the headcount, rounded up (100% of 420 is 420; 50% of 5 is 3)."""
    return min(headcount, math.ceil(headcount * share - 1e-9))


def years_with_targets(conn: Connection) -> list[int]:
    return [int(y) for y in conn.scalars(select(tg.c.year).distinct().order_by(tg.c.year))]


def annual_query(scope: Scope, year: int) -> Select:
    """Per target: learners of the unit (and every unit below it) and group who passed the module."""
    tree = select(u.c.code.label("root"), u.c.code.label("code")).cte("tree", recursive=True)
    tree = tree.union_all(select(tree.c.root, u.c.code).where(u.c.parent_code == tree.c.code))
    first_pass = first_passes()
    start, end = datetime(year, 1, 1), datetime(year + 1, 1, 1)
    stmt = (
        select(tg.c.unit_code, u.c.name, u.c.parent_code, tg.c.group, tg.c.module_id, tg.c.headcount,
               tg.c.target_share,
               func.count(distinct(case((first_pass.c.first_at < end, lr.c.id)))).label("trained"),
               func.count(distinct(case((and_(first_pass.c.first_at >= start, first_pass.c.first_at < end),
                                         lr.c.id)))).label("trained_in_year"))
        .select_from(
            tg.join(u, u.c.code == tg.c.unit_code)
            .join(tree, tree.c.root == tg.c.unit_code)
            .outerjoin(lr, and_(lr.c.unit_code == tree.c.code, lr.c.group == tg.c.group))
            .outerjoin(first_pass, and_(first_pass.c.learner_id == lr.c.id,
                                        first_pass.c.module_id == tg.c.module_id)))
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
    total_name = "Tổng" if lang == "vi" else "Total"
    for r, h, hy in [*zip(rows, hidden, hidden_year, strict=True),
                     *[(t, suppress and suppression.is_small(t.trained, threshold),
                        suppress and suppression.is_small(t.trained_in_year, threshold)) for t in totals]]:
        hide = Suppressed(threshold)
        status = ("Đạt" if lang == "vi" else "Met") if r.met else ("Chưa đạt" if lang == "vi" else "Missed")
        out.append((
            r.unit_code, r.unit_name or total_name, r.group, r.module_id, r.headcount, round(r.target_share, 4),
            r.target, hide if h else r.trained, hide if hy else r.trained_in_year,
            hide if h else (round(r.rate, 4) if r.rate is not None else None),
            status, hide if h else r.gap,
        ))
    return out


# --- question statistics ---------------------------------------------------------------------------

QUESTIONS = [
    Column("module_id", "Học phần", "Module"),
    Column("question_id", "Mã câu hỏi", "Question id"),
    Column("question", "Câu hỏi", "Question"),
    Column("responses", "Số lượt trả lời (lần đầu)", "First-attempt answers", "int"),
    Column("facility", "Độ dễ (FI)", "Facility index", "float"),
    Column("discrimination", "Độ phân biệt (DI)", "Discrimination index", "float"),
    Column("flags", "Cần xem lại", "Review"),
]


def question_sums_query(scope: Scope) -> Select:
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


def question_rows(conn: Connection, scope: Scope, banks: dict[str, Bank], *, threshold: int,
                  lang: str, min_responses: int = 20) -> list[tuple]:
    """FI and DI per question (first attempts), with plain-language flags; bank questions never drawn too."""
    seen: dict[tuple[str, str], Any] = {(r.module_id, r.question_id): r for r in conn.execute(question_sums_query(scope))}
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
            flag_keys = stats.flags(sums.n, fi, di, max(min_responses, threshold))
            if scope.suppress and suppression.is_small(sums.n, threshold):
                fi = di = None
                n: Any = Suppressed(threshold)
            else:
                n = sums.n
            out.append((module_id, qid, text, n, round(fi, 4) if fi is not None else None,
                        round(di, 4) if di is not None else None,
                        "; ".join(stats.FLAGS[k][lang] for k in flag_keys)))
    return out


# --- xAPI -------------------------------------------------------------------------------------------

def xapi_query(scope: Scope) -> Select:
    first_pass = first_passes()
    stmt = (
        select(a.c.id, lr.c.pseudonym, lr.c.group, a.c.module_id, a.c.lang, a.c.started_at, a.c.submitted_at,
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
    result = conn.execution_options(**STREAM).execute(xapi_query(scope))
    for partition in result.partitions():
        for r in partition:
            bank = banks.get(r.module_id)
            yield from xapi.statements(
                public_url=public_url, attempt_id=r.id, pseudonym=r.pseudonym, group=r.group,
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
    stmt = _scoped(
        select(func.count(distinct(a.c.learner_id)), func.count(),
               func.count(distinct(case((a.c.passed.is_(True), a.c.learner_id)))))
        .select_from(_with_learner(scope)).where(a.c.submitted_at.is_not(None)), scope)
    learners, attempts, passed = conn.execute(stmt).one()
    cstmt = select(func.count()).select_from(cert.join(lr, lr.c.id == cert.c.learner_id)).where(
        cert.c.kind == "module", cert.c.revoked_at.is_(None))
    cstmt = _scoped(cstmt, scope, time_column=cert.c.issued_at, module_column=cert.c.subject)
    certificates = conn.scalar(cstmt) or 0
    if scope.suppress:
        if suppression.is_small(learners, threshold):
            attempts = Suppressed(threshold)
        return Totals(suppression.hide_small(learners, threshold), attempts,
                      suppression.hide_small(passed, threshold), suppression.hide_small(certificates, threshold))
    return Totals(int(learners), int(attempts), int(passed), int(certificates))


def module_rates(conn: Connection, scope: Scope, threshold: int) -> list[tuple[str, Any, Any, Any]]:
    """(module, learners, passed, pass rate) per module."""
    stmt = _scoped(
        select(a.c.module_id, func.count(distinct(a.c.learner_id)).label("learners"),
               func.count(distinct(case((a.c.passed.is_(True), a.c.learner_id)))).label("passed"))
        .select_from(_with_learner(scope)).where(a.c.submitted_at.is_not(None))
        .group_by(unindexed(a.c.module_id)).order_by(a.c.module_id), scope)
    out = []
    for module_id, learners, passed in conn.execute(stmt):
        rate = passed / learners if learners else None
        if scope.suppress and (suppression.is_small(learners, threshold) or suppression.is_small(passed, threshold)):
            rate = None
            learners, passed = suppression.hide_small(learners, threshold), Suppressed(threshold)
        out.append((module_id, learners, passed, rate))
    return out


def monthly(conn: Connection, scope: Scope, threshold: int, year: int) -> list[tuple[int, Any, Any]]:
    """(month 1–12, attempts submitted, learners who first passed a module that month) for the year."""
    month = extract("month", a.c.submitted_at)
    s2 = scope if scope.filters.year == year else Scope(scope.unit_codes, scope.suppress, scope.who,
                                                        type(scope.filters)(year, scope.filters.module,
                                                                            scope.filters.group, scope.filters.unit))
    attempts_by_month = dict(conn.execute(_scoped(
        select(month, func.count()).select_from(_with_learner(scope))
        .where(a.c.submitted_at.is_not(None)).group_by(month), s2)).all())
    first_pass = first_passes()
    fmonth = extract("month", first_pass.c.first_at)
    passes_by_month = dict(conn.execute(_scoped(
        select(fmonth, func.count()).select_from(first_pass.join(lr, lr.c.id == first_pass.c.learner_id))
        .where(true()).group_by(fmonth), s2, time_column=first_pass.c.first_at,
        module_column=first_pass.c.module_id)).all())
    out = []
    for m in range(1, 13):
        n_att = int(attempts_by_month.get(m, 0))
        n_pass = int(passes_by_month.get(m, 0))
        if scope.suppress:
            out.append((m, suppression.hide_small(n_att, threshold), suppression.hide_small(n_pass, threshold)))
        else:
            out.append((m, n_att, n_pass))
    return out


def groups_present() -> list[str]:
    return list(GROUPS)


def learners_exist(conn: Connection, *, real_only: bool = True) -> bool:
    stmt = select(exists().where(lr.c.is_demo.is_(False) if real_only else true()))
    return bool(conn.scalar(stmt))
