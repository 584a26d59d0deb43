"""The organiser dashboard (server-rendered, no JavaScript), its download buttons, and the admin's
upload forms for units and targets."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from quiz_api import audit, localtime
from quiz_api.banks.deps import BanksDep
from quiz_api.csvfiles import CsvFileError, RowError
from quiz_api.deps import DatabaseDep, SettingsDep
from quiz_api.errors import DomainError, Invalid, NotFound
from quiz_api.labels import GROUPS, pick_lang, t
from quiz_api.organisers.deps import WebAdmin, WebOrganiser
from quiz_api.pages import check_csrf, render
from quiz_api.profile import load_profile
from quiz_api.reports import dashboard as dashboard_view
from quiz_api.reports import targets
from quiz_api.reports.deps import DashboardFilters, DownloadFilters, DownloadReport
from quiz_api.reports.exporting import export_response
from quiz_api.units import service as units
from quiz_api.units.models import Unit

router = APIRouter(include_in_schema=False)
MAX_UPLOAD = 2 * 1024 * 1024


@router.get("/organiser")
def dashboard(who: WebOrganiser, chosen: DashboardFilters, database: DatabaseDep, banks: BanksDep,
              settings: SettingsDep, request: Request, lang: str | None = None) -> Response:
    """The dashboard for the filters asked (default: this year), as its view model says."""
    lang = pick_lang(lang)
    tz = load_profile(settings.profile_dir).tz
    chosen = replace(chosen, year=chosen.year or localtime.local_today(tz).year)
    threshold = settings.suppression_threshold
    figures = dashboard_view.read(database=database, banks=banks, who=who, chosen=chosen, tz=tz,
                                  threshold=threshold, lang=lang)
    page = dashboard_view.view(figures, who=who, chosen=chosen, banks=banks, lang=lang, threshold=threshold)
    return render(request, "dashboard.html", lang, **page.context())


@router.get("/organiser/download/{kind}")
def download(who: WebOrganiser, report: DownloadReport, asked: DownloadFilters, database: DatabaseDep,
             banks: BanksDep, settings: SettingsDep, request: Request, format: str | None = None,
             lang: str | None = None) -> Response:
    """The dashboard's download buttons: the same export as the API, over the web session."""
    this_year = localtime.local_today(load_profile(settings.profile_dir).tz).year if report.needs_year else None
    return export_response(request, report=report, fmt=format or report.formats[0], filters=asked,
                           lang=pick_lang(lang), who=who, database=database, banks=banks, settings=settings,
                           year_default=this_year)


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
