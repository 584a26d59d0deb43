"""The organiser dashboard's view model: `read` asks the database (through the report readers), `view`
turns those figures into what the page shows (tables, charts, download links) without any I/O, so
it can be tested alone; the route in pages.py only joins the two to the template.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, tzinfo
from typing import Any, NamedTuple

from markupsafe import Markup
from sqlalchemy import func, select

from quiz_api import localtime
from quiz_api.attempts.models import Attempt
from quiz_api.banks import Bank
from quiz_api.classes import service as classes
from quiz_api.db import Database
from quiz_api.errors import NotFound
from quiz_api.labels import DEFAULT_LANG, GROUPS, t
from quiz_api.organisers import service as organisers
from quiz_api.organisers.service import Principal
from quiz_api.reports import charts, demo, filters, registry, service, suppression
from quiz_api.reports.filters import Filters
from quiz_api.reports.formats import Suppressed
from quiz_api.units import service as units
from quiz_api.units.models import Unit

FLAGGED_MIN_RESPONSES = 20  # a question is listed for review only on this many first attempts
FLAGGED_SHOWN = 15


def pct(value: Any) -> str:
    if isinstance(value, Suppressed):
        return str(value)
    return "—" if value is None else f"{value * 100:.0f}%"


def num(value: Any) -> str:
    if isinstance(value, Suppressed):
        return str(value)
    return "—" if value is None else f"{value:,}".replace(",", ".")


@dataclass(frozen=True)
class Figures:
    """What the database says for one organiser, year and set of filters."""

    years: list[int]  # to offer in the year filter, newest first
    unit_options: list[Unit]
    totals: service.Totals
    modules: list[tuple[str, Any, Any, Any]]  # (module, learners, passed, pass rate)
    months: list[tuple[int, Any, Any]]  # (month, attempts, first passes)
    annual_rows: list[service.AnnualRow]
    annual_totals: list[service.AnnualRow]
    no_targets: NotFound | None  # the year has no targets
    flagged: list[tuple]  # question statistics rows worth a look (admins only; else empty)
    class_figures: tuple[Any, Any, Any]  # classes held, members, members who passed
    suppressed: bool
    is_demo: bool


class Download(NamedTuple):
    kind: str
    label: str
    links: list[tuple[str, str]]  # (format, href)
    rows: int | None = None  # rows its file will have (a row report), stated before the click; None: not said


@dataclass(frozen=True)
class DashboardView:
    """Everything dashboard.html shows, by the names it uses."""

    who: Principal
    filters: Filters
    years: list[int]
    banks: dict[str, Bank]
    unit_options: list[Unit]
    totals: service.Totals
    modules: list[tuple[str, Any, Any, Any]]
    months: list[tuple[int, Any, Any]]
    month_labels: list[str]
    unit_rows: list[tuple]
    total_table: list[tuple]
    no_targets: str | None
    flagged: list[tuple]
    module_chart: Markup
    month_chart: Markup
    target_chart: Markup
    downloads: list[Download]
    suppressed: bool
    threshold: int
    is_demo: bool
    class_figures: tuple[Any, Any, Any]
    formats_note: str
    lang_switch_url: str
    titles: dict[str, str]

    def title(self, module_id: str) -> str:
        return self.titles.get(module_id, module_id)

    def context(self) -> dict[str, Any]:
        """The template's variables (and its two number formatters)."""
        return {**{f.name: getattr(self, f.name) for f in fields(self)}, "title": self.title, "pct": pct, "num": num}


def by_unit_group(rows: list[service.AnnualRow]) -> list[service.AnnualRow]:
    """Targets summed over modules, per unit and group (the dashboard's table; files keep every module)."""
    sums: dict[tuple[str, str], list] = {}
    for r in rows:
        s = sums.setdefault((r.unit_code, r.group), [r.unit_name, 0, 0, 0, 0])
        s[1] += r.headcount
        s[2] += r.target
        s[3] += r.trained
        s[4] += r.trained_in_year
    return [service.AnnualRow(code, name, group, "*", h, (tgt / h if h else 0.0), tgt, tr, ty)
            for (code, group), (name, h, tgt, tr, ty) in sums.items()]


def _years(database: Database, tz: tzinfo) -> list[int]:
    """Years to offer: those with targets or attempts, and this year (local years)."""
    with database.engine.connect() as conn:
        years = set(service.years_with_targets(conn))
        # Two scalar subqueries: each is one step down ix_attempt_submitted_at. min() and max() in one
        # SELECT made SQLite scan the whole index (100 ms over 200,000 attempts).
        first, last = conn.execute(select(select(func.min(Attempt.submitted_at)).scalar_subquery(),
                                          select(func.max(Attempt.submitted_at)).scalar_subquery())).one()
        conn.rollback()
    if first is not None:
        years.update(range(localtime.to_local(first, tz).year, localtime.to_local(last, tz).year + 1))
    years.add(localtime.local_today(tz).year)
    return sorted(years, reverse=True)


def read(*, database: Database, banks: dict[str, Bank], who: Principal, chosen: Filters, tz: tzinfo,
         threshold: int, lang: str) -> Figures:
    """The dashboard's figures for `chosen` (its year set), scoped and suppressed as `filters.resolve` says."""
    year = chosen.year
    assert year is not None
    with database.reading() as db:
        scope = filters.resolve(db=db, who=who, filters=chosen, aggregate_export=False, tz=tz)
        visible = organisers.visible_units(db=db, who=who)
        unit_options = [u for u in units.list_units(db=db) if visible is None or u.code in visible]
        held = classes.year_figures(db=db, unit_codes=scope.unit_codes, year=year)
    class_figures = (held.classes, *(suppression.hide_small(n, threshold) if scope.suppress else n
                                     for n in (held.members, held.passed_any)))
    with database.engine.connect() as conn:
        totals = service.totals(conn, scope, threshold)
        modules = service.module_rates(conn, scope, threshold)
        months = service.monthly(conn, scope, threshold, year)
        try:
            rows, total_rows = service.annual_figures(conn, scope, year)
            no_targets = None
        except NotFound as exc:
            rows, total_rows, no_targets = [], [], exc
        flagged = []
        if who.is_admin:
            flagged = [r for r in service.question_rows(conn, scope, banks, threshold=threshold, lang=lang)
                       if r[6] and isinstance(r[3], int) and r[3] >= FLAGGED_MIN_RESPONSES][:FLAGGED_SHOWN]
        conn.rollback()
    return Figures(years=_years(database, tz), unit_options=unit_options, totals=totals, modules=modules,
                   months=months, annual_rows=rows, annual_totals=total_rows, no_targets=no_targets,
                   flagged=flagged, class_figures=class_figures, suppressed=scope.suppress,
                   is_demo=demo.is_demo(database=database))


def row_counts(figures: Figures) -> dict[str, int | None]:
    """How many rows each row report's file has for the dashboard's filters, read off the figures the
    page already shows (no query of its own, so nothing over the attempts at province size):

    - attempts: one row per submitted attempt in the year, the totals' `attempts`;
    - completions: one row per learner and module with a submitted attempt in the year, the module
      table's learners (each counted once in the year at each module), summed.

    Both come from the aggregates, or from the raw rows where the dashboard reads those (a zone the
    aggregates do not count in), by the same filters and units as the download. Where the page hides
    a count it is not stated (None), nor is a sum over a hidden cell: it would give the cell away. Not
    "<5" either: the file may hold more (attempts are hidden for few learners; a sum for one small cell).
    """
    attempts = figures.totals.attempts
    learners = [n for _, n, _, _ in figures.modules]
    return {"attempts": attempts if isinstance(attempts, int) else None,
            "completions": sum(learners) if all(isinstance(n, int) for n in learners) else None}


def downloads(who: Principal, chosen: Filters, lang: str,
              rows: dict[str, int | None] | None = None) -> list[Download]:
    """A button per report this organiser may read and format it offers, keeping the filters, and the
    rows a row report will send (`rows`, by report key) where known."""
    query = chosen.query(lang=None if lang == DEFAULT_LANG else lang)
    rows = rows or {}
    return [Download(r.key, t(r.title, lang),
                     [(fmt, f"/organiser/download/{r.key}?{query}&format={fmt}".replace("?&", "?"))
                      for fmt in registry.FILE_FORMATS if fmt in r.formats],
                     rows.get(r.key) if r.source == "rows" else None)
            for r in registry.offered_to(who)]


def view(figures: Figures, *, who: Principal, chosen: Filters, banks: dict[str, Bank], lang: str,
         threshold: int) -> DashboardView:
    """What the page shows, from the figures: no I/O."""
    titles = {m: b.title[lang] for m, b in banks.items()}

    def title(module_id: str) -> str:
        return titles.get(module_id, module_id)

    year = chosen.year
    unit_rows = service.annual_table(by_unit_group(figures.annual_rows), [], threshold=threshold,
                                     suppress=figures.suppressed, lang=lang)
    total_table = service.annual_table([], figures.annual_totals, threshold=threshold, suppress=figures.suppressed,
                                       lang=lang)
    module_chart = charts.bar_chart(
        [charts.Bar(title(m), rate, pct(rate) if rate is not None else pct(passed))
         for m, _l, passed, rate in figures.modules],
        title=t("dashboard.pass_rate_by_module", lang))
    month_labels = [t("dashboard.month_short", lang, month=m, month_name=date(2000, m, 1).strftime("%b"))
                    for m, _, _ in figures.months]
    month_chart = charts.column_chart(
        month_labels,
        [(t("dashboard.attempts", lang), [v if isinstance(v, int) else None for _, v, _ in figures.months]),
         (t("dashboard.first_passes", lang), [v if isinstance(v, int) else None for _, _, v in figures.months])],
        title=f"{t('dashboard.month_by_month', lang)} {year}")
    target_bars = []
    for r in total_table:
        trained_rate = r[9] if not isinstance(r[9], Suppressed) else None
        label = t("dashboard.all", lang) if r[2] == "*" else f"{GROUPS[r[2]][lang]} · {title(r[3])}"
        target_bars.append(charts.Bar(label, trained_rate, f"{pct(r[9])} / {pct(r[5])}", target=r[5]))
    target_chart = charts.bar_chart(target_bars, title=t("dashboard.trained_against_target", lang), label_width=260)
    switch = chosen.query(lang="en" if lang == DEFAULT_LANG else None)
    no_targets = figures.no_targets
    return DashboardView(
        who=who, filters=chosen, years=figures.years, banks=banks, unit_options=figures.unit_options,
        totals=figures.totals, modules=figures.modules, months=figures.months, month_labels=month_labels,
        unit_rows=unit_rows, total_table=total_table,
        no_targets=t(no_targets.key, lang, **no_targets.params) if no_targets else None,
        flagged=figures.flagged, module_chart=module_chart, month_chart=month_chart, target_chart=target_chart,
        downloads=downloads(who, chosen, lang, row_counts(figures)), suppressed=figures.suppressed, threshold=threshold,
        is_demo=figures.is_demo, class_figures=figures.class_figures, formats_note=t("downloads_formats_note", lang),
        lang_switch_url="/organiser" + (f"?{switch}" if switch else ""), titles=titles)
