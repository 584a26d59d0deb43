"""GET /api/v1/reports/<key>: organiser reports over a bearer token, one endpoint per report of the
registry (reports/registry.py), as JSON, CSV, XLSX, JSON Lines or Word, whichever the report offers."""

# No `from __future__ import annotations` here: each endpoint's `format` type is made per report at
# run time, and FastAPI reads the annotations of the functions it is given, so they must be objects.

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from quiz_api import localtime
from quiz_api.banks.deps import BanksDep
from quiz_api.deps import DatabaseDep, SettingsDep
from quiz_api.labels import pick_lang
from quiz_api.organisers.deps import CurrentOrganiser
from quiz_api.profile import load_profile
from quiz_api.reports.deps import ClassReportFilters, Lang, ReportFilters
from quiz_api.reports.exporting import export_response
from quiz_api.reports.registry import FILE_FORMATS, REPORTS, Report
from quiz_api.schemas import INVALID
from quiz_api.strictjson import StrictJSONRoute

router = APIRouter(route_class=StrictJSONRoute, prefix="/reports", tags=["reports"])


def responses(report: Report) -> dict[int | str, dict[str, Any]]:
    """What the report's endpoint may answer: its formats' media types, and its errors."""
    content = {FILE_FORMATS[f].bare_media_type: {"schema": {"type": "string", "format": "binary"}
                                                 if FILE_FORMATS[f].binary else {"type": "string"}}
               for f in report.formats if f != "json"}  # JSON: FastAPI's own application/json entry
    out: dict[int | str, dict[str, Any]] = {
        200: {"description": "the report in the format asked for", "content": content},
        401: {"description": "no, expired or forged token"},
        403: {"description": "a unit outside the organiser's units, or an admin-only report"},
        422: {**INVALID, "description": "unknown filter, bad value or format"}}
    if report.needs_year:
        out[404] = {"description": "no targets for that year"}
    return out


def _endpoint(report: Report) -> Callable[..., StreamingResponse]:
    """The endpoint of one report: the same signature for every report, but for its formats (an enum
    in the API document) and whether it takes a class."""
    Format = Annotated[Literal[report.formats], Query(description="the file format")]  # type: ignore[valid-type]
    Filters = ClassReportFilters if report.class_filter else ReportFilters

    def endpoint(request: Request, who: CurrentOrganiser, asked: Filters, database: DatabaseDep,  # type: ignore[valid-type]
                 banks: BanksDep, settings: SettingsDep, format: Format = report.api_format,  # type: ignore[valid-type]
                 lang: Lang = None) -> StreamingResponse:
        this_year = localtime.local_today(load_profile(settings.profile_dir).tz).year if report.needs_year else None
        return export_response(request, report=report, fmt=format, filters=asked, lang=pick_lang(lang), who=who,
                               database=database, banks=banks, settings=settings, year_default=this_year)

    return endpoint


for _report in REPORTS.values():
    router.add_api_route(f"/{_report.key}", _endpoint(_report), methods=["GET"], name=_report.api_name or _report.key,
                         description=_report.doc, responses=responses(_report))
