"""GET /api/v1/reports/...: organiser reports over a bearer token, as JSON, CSV, XLSX or JSON Lines."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from quiz_api.deps import BanksDep, DatabaseDep, SettingsDep
from quiz_api.labels import pick_lang
from quiz_api.organisers.deps import CurrentOrganiser
from quiz_api.organisers.service import Principal
from quiz_api.reports import exporting, filters
from quiz_api.schemas import INVALID

router = APIRouter(prefix="/reports", tags=["reports"])

Year = Annotated[int | None, Query(ge=2000, le=2100, description="calendar year (UTC)")]
Module = Annotated[str | None, Query(max_length=64, description="module id")]
Group = Annotated[Literal["public_servant", "business", "citizen"] | None, Query(description="learner group")]
Unit = Annotated[str | None, Query(max_length=64, description="a unit code: that unit and every unit below it")]
ClassCode = Annotated[str | None, Query(alias="class", max_length=40,
                                         description="a class's join code: its members only")]
Lang = Annotated[Literal["vi", "en"] | None, Query(description="language of headers and labels")]
TableFormat = Annotated[Literal["json", "csv", "xlsx", "jsonl"], Query()]
RESPONSES = {200: {"description": "the report in the format asked for", "content": {
                 "text/csv": {"schema": {"type": "string"}},
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
                     {"schema": {"type": "string", "format": "binary"}},
                 "application/x-ndjson": {"schema": {"type": "string"}},
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
                     {"schema": {"type": "string", "format": "binary"}}}},
             401: {"description": "no, expired or forged token"},
             403: {"description": "a unit outside the organiser's units, or an admin-only report"},
             422: {**INVALID, "description": "unknown filter, bad value or format"}}


def export_response(request: Request, *, kind: str, fmt: str, who: Principal, database, banks, settings,
                    year_default: int | None = None) -> StreamingResponse:
    """Shared by every report endpoint and the dashboard's download buttons."""
    lang = pick_lang(request.query_params.get("lang"))
    f = filters.parse(request.query_params, known_modules=set(banks) | _modules_in_targets(database),
                      with_class=kind in ("completions", "attempts"))
    with database.reading() as db:
        scope = filters.resolve(db=db, who=who, filters=f, aggregate_export=True)
    export = exporting.prepare(database=database, banks=banks, settings=settings, kind=kind, fmt=fmt,
                               scope=scope, lang=lang, actor=who.actor, who=who, year_default=year_default)
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    if export.total is not None:
        headers["X-Row-Count"] = str(export.total)
    if fmt in ("csv", "xlsx", "docx") or request.url.path.startswith("/organiser"):
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(export.filename)}"
    return StreamingResponse(export.chunks, media_type=export.media_type, headers=headers)


def _modules_in_targets(database) -> set[str]:
    from sqlalchemy import select

    from quiz_api.reports.models import Target

    with database.reading() as db:
        return set(db.scalars(select(Target.module_id).distinct()))


@router.get("/completions", responses=RESPONSES)
def completions(request: Request, who: CurrentOrganiser, database: DatabaseDep, banks: BanksDep,
                settings: SettingsDep, year: Year = None, module: Module = None, group: Group = None,
                unit: Unit = None, class_code: ClassCode = None, format: TableFormat = "json",
                lang: Lang = None) -> StreamingResponse:
    """One row per learner and module: attempts, best score, passed, first pass date (year: of the attempts)."""
    return export_response(request, kind="completions", fmt=format, who=who, database=database, banks=banks,
                           settings=settings)


@router.get("/attempts", responses=RESPONSES)
def attempts(request: Request, who: CurrentOrganiser, database: DatabaseDep, banks: BanksDep,
             settings: SettingsDep, year: Year = None, module: Module = None, group: Group = None,
             unit: Unit = None, class_code: ClassCode = None, format: TableFormat = "json",
             lang: Lang = None) -> StreamingResponse:
    """Every attempt, raw (year: when it started). Learners appear only by pseudonym."""
    return export_response(request, kind="attempts", fmt=format, who=who, database=database, banks=banks,
                           settings=settings)


@router.get("/summary", responses=RESPONSES)
def summary(request: Request, who: CurrentOrganiser, database: DatabaseDep, banks: BanksDep,
            settings: SettingsDep, year: Year = None, module: Module = None, group: Group = None,
            unit: Unit = None, format: TableFormat = "json", lang: Lang = None) -> StreamingResponse:
    """Learners, attempts, learners passed, pass rate and mean score by unit × group × module (small cells hidden)."""
    return export_response(request, kind="summary", fmt=format, who=who, database=database, banks=banks,
                           settings=settings)


@router.get("/annual", responses={**RESPONSES, 404: {"description": "no targets for that year"}})
def annual(request: Request, who: CurrentOrganiser, database: DatabaseDep, banks: BanksDep,
           settings: SettingsDep, year: Year = None, module: Module = None, group: Group = None,
           unit: Unit = None, format: Annotated[Literal["json", "csv", "xlsx", "jsonl", "docx"], Query()] = "json",
           lang: Lang = None) -> StreamingResponse:
    """The annual assessment against targets (default: this year): per unit, group and module, and totals.
    `format=docx`: the yearly report as an editable Word document (Vietnamese administrative layout)."""
    return export_response(request, kind="annual", fmt=format, who=who, database=database, banks=banks,
                           settings=settings, year_default=date.today().year)


@router.get("/questions", responses=RESPONSES)
def questions(request: Request, who: CurrentOrganiser, database: DatabaseDep, banks: BanksDep,
              settings: SettingsDep, year: Year = None, module: Module = None, group: Group = None,
              unit: Unit = None, format: TableFormat = "json", lang: Lang = None) -> StreamingResponse:
    """Facility and discrimination index per question on first attempts, with flags (province admins)."""
    return export_response(request, kind="questions", fmt=format, who=who, database=database, banks=banks,
                           settings=settings)


@router.get("/xapi", responses=RESPONSES)
def xapi_statements(request: Request, who: CurrentOrganiser, database: DatabaseDep, banks: BanksDep,
                    settings: SettingsDep, year: Year = None, module: Module = None, group: Group = None,
                    unit: Unit = None, format: Annotated[Literal["jsonl", "json"], Query()] = "jsonl",
                    lang: Lang = None) -> StreamingResponse:
    """xAPI statements (passed / failed / completed) as JSON Lines; actors are pseudonymous accounts (admins)."""
    return export_response(request, kind="xapi", fmt=format, who=who, database=database, banks=banks,
                           settings=settings)
