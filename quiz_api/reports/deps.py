"""The report filters as dependencies: each endpoint declares its filters once, in its signature, and
gets them checked (`filters.checked`) as a `Filters`; no body re-reads the query string.

The API's parameters are typed (the OpenAPI document shows their ranges and enums); the dashboard's
are text, because its form sends an empty value for "all".
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy import select

from quiz_api.banks.deps import BanksDep
from quiz_api.db import Database
from quiz_api.deps import DatabaseDep
from quiz_api.errors import NotFound
from quiz_api.labels import GroupId
from quiz_api.labels import Lang as LangCode
from quiz_api.reports import filters, registry
from quiz_api.reports.filters import CLASS, Filters
from quiz_api.reports.models import Target

Year = Annotated[int | None, Query(ge=2000, le=2100, description="calendar year, in the province's time zone (the profile's timezone: Asia/Ho_Chi_Minh)")]
Module = Annotated[str | None, Query(max_length=64, description="module id")]
Group = Annotated[GroupId | None, Query(description="learner group")]
Unit = Annotated[str | None, Query(max_length=64, description="a unit code: that unit and every unit below it")]
ClassCode = Annotated[str | None, Query(alias=CLASS, max_length=40,
                                         description="a class's join code: its members only")]
Lang = Annotated[LangCode | None, Query(description="language of headers and labels")]
Text = Annotated[str | None, Query()]


def known_modules(database: Database, banks: dict) -> set[str]:
    """Module ids a filter may name: the banks' and those with targets."""
    with database.reading() as db:
        return set(banks) | set(db.scalars(select(Target.module_id).distinct()))


def report_filters(request: Request, database: DatabaseDep, banks: BanksDep, year: Year = None,
                   module: Module = None, group: Group = None, unit: Unit = None) -> Filters:
    """A report's filters (reports without a class filter)."""
    filters.refuse_unknown(request.query_params, with_class=False, allowed_extra=("format", "lang"))
    return filters.checked(year=year, module=module, group=group, unit=unit,
                           known_modules=known_modules(database, banks))


def class_report_filters(request: Request, database: DatabaseDep, banks: BanksDep, year: Year = None,
                         module: Module = None, group: Group = None, unit: Unit = None,
                         class_code: ClassCode = None) -> Filters:
    """A row report's filters: those of every report, and a class."""
    filters.refuse_unknown(request.query_params, with_class=True, allowed_extra=("format", "lang"))
    return filters.checked(year=year, module=module, group=group, unit=unit, class_code=class_code,
                           known_modules=known_modules(database, banks))


def dashboard_filters(request: Request, database: DatabaseDep, banks: BanksDep, year: Text = None,
                      module: Text = None, group: Text = None, unit: Text = None) -> Filters:
    """The dashboard's filters, as its form sends them."""
    filters.refuse_unknown(request.query_params, with_class=False, allowed_extra=("lang",))
    return filters.checked(year=year, module=module, group=group, unit=unit,
                           known_modules=known_modules(database, banks))


def download_report(kind: str) -> registry.Report:
    """The report a download button names (404 for any other name)."""
    report = registry.REPORTS.get(kind)
    if report is None:
        raise NotFound("not_found")
    return report


def download_filters(request: Request, report: Annotated[registry.Report, Depends(download_report)],
                     database: DatabaseDep, banks: BanksDep, year: Text = None, module: Text = None,
                     group: Text = None, unit: Text = None,
                     class_code: Annotated[str | None, Query(alias=CLASS)] = None) -> Filters:
    """A download button's filters: the dashboard's, and a class for the row reports."""
    filters.refuse_unknown(request.query_params, with_class=report.class_filter,
                           allowed_extra=("format", "lang"))
    return filters.checked(year=year, module=module, group=group, unit=unit,
                           class_code=class_code if report.class_filter else None,
                           known_modules=known_modules(database, banks))


ReportFilters = Annotated[Filters, Depends(report_filters)]
ClassReportFilters = Annotated[Filters, Depends(class_report_filters)]
DashboardFilters = Annotated[Filters, Depends(dashboard_filters)]
DownloadReport = Annotated[registry.Report, Depends(download_report)]
DownloadFilters = Annotated[Filters, Depends(download_filters)]
