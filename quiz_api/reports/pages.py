"""The organiser dashboard (server-rendered, no JavaScript), its download buttons, and the admin's
upload forms for units and targets."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from quiz_api import audit, localtime
from quiz_api.attempts.models import Attempt
from quiz_api.classes import service as classes
from quiz_api.csvfiles import CsvFileError, RowError
from quiz_api.errors import DomainError, Invalid, NotFound
from quiz_api.labels import DEFAULT_LANG, GROUPS, pick_lang, t
from quiz_api.organisers import service as organisers
from quiz_api.organisers.deps import WebAdmin, WebOrganiser
from quiz_api.pages import check_csrf, render
from quiz_api.profile import load_profile
from quiz_api.reports import charts, demo, filters, service, suppression, targets
from quiz_api.reports.exporting import export_response
from quiz_api.reports.formats import Suppressed
from quiz_api.units import service as units
from quiz_api.units.models import Unit

router = APIRouter(include_in_schema=False)
MAX_UPLOAD = 2 * 1024 * 1024


def _pct(value: Any) -> str:
    if isinstance(value, Suppressed):
        return str(value)
    return "—" if value is None else f"{value * 100:.0f}%"


def _num(value: Any) -> str:
    if isinstance(value, Suppressed):
        return str(value)
    return "—" if value is None else f"{value:,}".replace(",", ".")


def _years(database, tz) -> list[int]:
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


def _by_unit_group(rows: list[service.AnnualRow]) -> list[service.AnnualRow]:
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


@router.get("/organiser")
def dashboard(request: Request, who: WebOrganiser) -> Response:
    lang = pick_lang(request.query_params.get("lang"))
    state = request.app.state
    settings, database, banks = state.settings, state.database, state.banks
    threshold = settings.suppression_threshold
    tz = load_profile(settings.profile_dir).tz
    asked = filters.parse(request.query_params, allowed_extra=("lang",), known_modules=set(banks) | _target_modules(database))
    year = asked.year or localtime.local_today(tz).year
    chosen = filters.Filters(year, asked.module, asked.group, asked.unit)
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
            rows, total_rows, no_targets = [], [], t(exc.key, lang, **exc.params)
        unit_rows = service.annual_table(_by_unit_group(rows), [], threshold=threshold, suppress=scope.suppress,
                                         lang=lang)
        total_table = service.annual_table([], total_rows, threshold=threshold, suppress=scope.suppress, lang=lang)
        flagged = []
        if who.is_admin:
            flagged = [r for r in service.question_rows(conn, scope, banks, threshold=threshold, lang=lang)
                       if r[6] and isinstance(r[3], int) and r[3] >= 20][:15]
        conn.rollback()

    def title(module_id: str) -> str:
        bank = banks.get(module_id)
        return bank.title[lang] if bank else module_id

    module_chart = charts.bar_chart(
        [charts.Bar(title(m), rate, _pct(rate) if rate is not None else _pct(passed)) for m, _l, passed, rate in modules],
        title=t("dashboard.pass_rate_by_module", lang))
    month_labels = [t("dashboard.month_short", lang, month=m, month_name=date(2000, m, 1).strftime("%b"))
                    for m, _, _ in months]
    month_chart = charts.column_chart(
        month_labels,
        [(t("dashboard.attempts", lang), [v if isinstance(v, int) else None for _, v, _ in months]),
         (t("dashboard.first_passes", lang), [v if isinstance(v, int) else None for _, _, v in months])],
        title=f"{t('dashboard.month_by_month', lang)} {year}")
    target_bars = []
    for r in total_table:
        trained_rate = r[9] if not isinstance(r[9], Suppressed) else None
        label = t("dashboard.all", lang) if r[2] == "*" else f"{GROUPS[r[2]][lang]} · {title(r[3])}"
        target_bars.append(charts.Bar(label, trained_rate, f"{_pct(r[9])} / {_pct(r[5])}", target=r[5]))
    target_chart = charts.bar_chart(target_bars, title=t("dashboard.trained_against_target", lang),
                                    label_width=260)
    download_kinds = ["summary", "annual", "completions", "attempts"] + (["questions", "xapi"] if who.is_admin else [])
    base_query = chosen.query(lang=None if lang == DEFAULT_LANG else lang)
    downloads = [(k, t(f"report.{k}", lang), [(fmt, f"/organiser/download/{k}?{base_query}&format={fmt}".replace("?&", "?"))
                                              for fmt in ("csv", "xlsx", "json", "jsonl", "docx")
                                              if fmt in service.FORMATS[k]])
                 for k in download_kinds]
    switch = chosen.query(lang="en" if lang == DEFAULT_LANG else None)
    return render(
        request, "dashboard.html", lang, who=who, filters=chosen, years=_years(database, tz), banks=banks,
        unit_options=unit_options, totals=totals, modules=modules, months=months, unit_rows=unit_rows,
        total_table=total_table, no_targets=no_targets, flagged=flagged, module_chart=module_chart,
        month_chart=month_chart, target_chart=target_chart, downloads=downloads, pct=_pct, num=_num,
        title=title, month_labels=month_labels, suppressed=scope.suppress, threshold=threshold,
        is_demo=demo.is_demo(database=database), class_figures=class_figures,
        formats_note=t("downloads_formats_note", lang), lang_switch_url="/organiser" + (f"?{switch}" if switch else ""),
    )


def _target_modules(database) -> set[str]:
    from quiz_api.reports.models import Target

    with database.reading() as db:
        return set(db.scalars(select(Target.module_id).distinct()))


@router.get("/organiser/download/{kind}")
def download(request: Request, kind: str, who: WebOrganiser) -> Response:
    """The dashboard's download buttons: the same export as the API, over the web session."""
    if kind not in service.KINDS:
        raise NotFound("not_found")
    fmt = request.query_params.get("format") or service.FORMATS[kind][0]
    state = request.app.state
    today = localtime.local_today(load_profile(state.settings.profile_dir).tz)
    return export_response(request, kind=kind, fmt=fmt, who=who, database=state.database, banks=state.banks,
                           settings=state.settings, year_default=today.year)


# --- admin: units and targets ------------------------------------------------------------------------

def _data_page(request: Request, who, lang: str, status_code: int = 200, errors: list[str] | None = None,
               notice: str | None = None, which: str | None = None) -> Response:
    with request.app.state.database.reading() as db:
        years = targets.list_years(db=db)
        unit_count = db.scalar(select(func.count()).select_from(Unit))
    return render(request, "dashboard_data.html", lang, status_code=status_code, who=who, years=years,
                  unit_count=unit_count, errors=errors or [], notice=notice, which=which,
                  modules=sorted(request.app.state.banks), groups_list=list(GROUPS))


@router.get("/organiser/data")
def data_page(request: Request, who: WebAdmin) -> Response:
    return _data_page(request, who, pick_lang(request.query_params.get("lang")))


async def _upload(request: Request) -> tuple[str, bytes]:
    form = await request.form()
    lang = pick_lang(str(form.get("lang", "vi")))
    check_csrf(request, str(form.get("csrf_token", "")))
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        raise Invalid("file_required")
    content = await upload.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise Invalid("file_too_large", limit=MAX_UPLOAD // 1024)
    if not content.strip():
        raise Invalid("file_required")
    if b"\x00" in content:  # never a text CSV (UTF-16 or a spreadsheet file); PostgreSQL refuses NUL in text
        line = content[: content.index(b"\x00")].count(b"\n") + 1
        raise CsvFileError([RowError(line, "the file has NUL bytes: it is not a UTF-8 CSV; save it as 'CSV UTF-8'")])
    return lang, content


@router.post("/organiser/data/{which}")
async def upload(request: Request, which: str, who: WebAdmin) -> Response:
    """Import units or targets from an uploaded CSV: all rows or none, every bad line listed."""
    if which not in ("units", "targets"):
        raise NotFound("not_found")
    lang = pick_lang(request.query_params.get("lang"))
    try:
        lang, content = await _upload(request)
        with request.app.state.database.writing() as db:
            if which == "units":
                counts = units.import_csv(db=db, data=content,
                                          kinds=load_profile(request.app.state.settings.profile_dir).unit_kinds)
            else:
                counts = targets.import_csv(db=db, data=content,
                                            known_modules=set(request.app.state.banks) or None)
            audit.record(db=db, actor=who.actor, action=f"{which}.import", detail=counts,
                         row_count=counts["created"] + counts["updated"])
    except CsvFileError as exc:
        return _data_page(request, who, lang, status_code=422, errors=[str(e) for e in exc.errors[:200]],
                          which=which)
    except DomainError as exc:
        if exc.status == 403:
            raise
        return _data_page(request, who, lang, status_code=exc.status, errors=[t(exc.key, lang, **exc.params)],
                          which=which)
    return _data_page(request, who, lang, notice=t(f"{which}_imported", lang, **counts), which=which)
