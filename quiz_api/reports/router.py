"""GET /api/v1/reports/...: organiser reports over a bearer token, as JSON, CSV, XLSX or JSON Lines."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from quiz_api import localtime
from quiz_api.banks.deps import BanksDep
from quiz_api.deps import DatabaseDep, SettingsDep
from quiz_api.labels import GroupId
from quiz_api.labels import Lang as LangCode
from quiz_api.organisers.deps import CurrentOrganiser
from quiz_api.profile import load_profile
from quiz_api.reports.exporting import export_response
from quiz_api.schemas import INVALID
from quiz_api.strictjson import StrictJSONRoute

router = APIRouter(route_class=StrictJSONRoute, prefix="/reports", tags=["reports"])

Year = Annotated[int | None, Query(ge=2000, le=2100, description="calendar year, in the province's time zone (the profile's timezone: Asia/Ho_Chi_Minh)")]
Module = Annotated[str | None, Query(max_length=64, description="module id")]
Group = Annotated[GroupId | None, Query(description="learner group")]
Unit = Annotated[str | None, Query(max_length=64, description="a unit code: that unit and every unit below it")]
ClassCode = Annotated[str | None, Query(alias="class", max_length=40,
                                         description="a class's join code: its members only")]
Lang = Annotated[LangCode | None, Query(description="language of headers and labels")]
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
    this_year = localtime.local_today(load_profile(settings.profile_dir).tz).year
    return export_response(request, kind="annual", fmt=format, who=who, database=database, banks=banks,
                           settings=settings, year_default=this_year)


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
