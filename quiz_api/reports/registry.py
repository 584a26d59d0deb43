"""The reports, one description each: the API's endpoints, the dashboard's download buttons, the
`kynangso export` choices and the OpenAPI document's enums all read REPORTS.

A report's title and sheet name stay in the catalogue (labels.py: `report.<key>`, `xlsx_sheet_<key>`),
so every label has one home; its columns stay next to the SQL that produces them (service.py), since
a query's select list and its columns must match in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.engine import Connection

from quiz_api.banks import Bank
from quiz_api.errors import Forbidden, Invalid
from quiz_api.organisers.service import Principal
from quiz_api.reports import service
from quiz_api.reports.filters import Scope
from quiz_api.reports.formats import Column

Format = Literal["csv", "xlsx", "json", "jsonl", "docx"]


@dataclass(frozen=True)
class FileFormat:
    """How a format travels: its media type, whether it is bytes (a zip container) or text, and whether
    the API sends it as a file to save (a browser opens JSON; it saves a spreadsheet)."""

    key: str
    media_type: str
    binary: bool
    attachment: bool

    @property
    def bare_media_type(self) -> str:
        """The media type without its parameters (OpenAPI's content keys)."""
        return self.media_type.split(";", 1)[0]


# In the order the dashboard shows its buttons.
FILE_FORMATS: dict[str, FileFormat] = {f.key: f for f in (
    FileFormat("csv", "text/csv; charset=utf-8", binary=False, attachment=True),
    FileFormat("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", binary=True,
               attachment=True),
    FileFormat("json", "application/json", binary=False, attachment=False),
    FileFormat("jsonl", "application/x-ndjson", binary=False, attachment=False),
    FileFormat("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", binary=True,
               attachment=True),
)}


@dataclass(frozen=True)
class Inputs:
    """What an aggregate needs besides the connection and the scope."""

    banks: dict[str, Bank]
    threshold: int
    lang: str
    year: int | None


Aggregate = Callable[[Connection, Scope, Inputs], list[tuple]]
# rows: streamed from a server-side cursor (service.stream_rows, stream_csv_rows, count_rows by key);
# aggregate: small, computed whole then suppressed (`aggregate`); statements: xAPI statements, not a table.
Source = Literal["rows", "aggregate", "statements"]


@dataclass(frozen=True)
class Report:
    key: str  # the API path /api/v1/reports/<key>, the dashboard's /organiser/download/<key>, the CLI's choice
    source: Source
    formats: tuple[str, ...]  # the first is what a download button and `kynangso export` give by default
    columns: tuple[Column, ...] = ()  # none for statements
    aggregate: Aggregate | None = None
    admin_only: bool = False  # province admins only: hidden from unit organisers, 403 if asked
    class_filter: bool = False  # takes `class` (a class's join code: its members only)
    needs_year: bool = False  # about one year: the API and the dashboard default to this year
    totals_row: bool = True  # a spreadsheet ends with a totals row (not the annual table: it has its own)
    api_format: str = "json"  # what the API gives without `format`
    api_name: str = ""  # the endpoint's name (its OpenAPI operationId starts with it), if not the key
    doc: str = ""  # the endpoint's description in the API document (for developers, in English)

    def __post_init__(self) -> None:
        assert set(self.formats) <= set(FILE_FORMATS) and self.api_format in self.formats, self.key
        assert (self.aggregate is not None) == (self.source == "aggregate"), self.key
        assert bool(self.columns) == (self.source != "statements"), self.key

    @property
    def title(self) -> str:
        """The catalogue key of the report's title."""
        return f"report.{self.key}"

    @property
    def sheet(self) -> str:
        """The catalogue key of its spreadsheet tab."""
        return f"xlsx_sheet_{self.key}"

    def offered_to(self, who: Principal) -> bool:
        return who.is_admin or not self.admin_only


def _summary(conn: Connection, scope: Scope, given: Inputs) -> list[tuple]:
    return service.summary_rows(conn, scope, given.threshold)


def _annual(conn: Connection, scope: Scope, given: Inputs) -> list[tuple]:
    if given.year is None:
        raise Invalid("bad_filter", name="year", reason="2000–2100")
    figures, totals = service.annual_figures(conn, scope, given.year)
    return service.annual_table(figures, totals, threshold=given.threshold, suppress=scope.suppress,
                                lang=given.lang)


def _questions(conn: Connection, scope: Scope, given: Inputs) -> list[tuple]:
    return service.question_rows(conn, scope, given.banks, threshold=given.threshold, lang=given.lang)


TABLE = ("csv", "xlsx", "json", "jsonl")

# In the order the dashboard lists them: the aggregates an organiser reads first, then the raw rows.
REPORTS: dict[str, Report] = {r.key: r for r in (
    Report("summary", "aggregate", TABLE, tuple(service.SUMMARY), aggregate=_summary,
           doc="Learners, attempts, learners passed, pass rate and mean score by unit × group × module "
               "(small cells hidden)."),
    Report("annual", "aggregate", (*TABLE, "docx"), tuple(service.ANNUAL), aggregate=_annual, needs_year=True,
           totals_row=False,
           doc="The annual assessment against targets (default: this year): per unit, group and module, and "
               "totals.\n`format=docx`: the yearly report as an editable Word document (Vietnamese "
               "administrative layout)."),
    Report("completions", "rows", TABLE, tuple(service.COMPLETIONS), class_filter=True,
           doc="One row per learner and module with a submitted attempt: attempts, best score, passed, first "
               "pass date (year: of the submissions)."),
    Report("attempts", "rows", TABLE, tuple(service.ATTEMPTS), class_filter=True,
           doc="Every submitted attempt, raw (year: when it was submitted). Learners appear only by pseudonym."),
    Report("questions", "aggregate", TABLE, tuple(service.QUESTIONS), aggregate=_questions, admin_only=True,
           doc="Facility and discrimination index per question on first attempts, with flags (province "
               "admins)."),
    Report("xapi", "statements", ("jsonl", "json"), admin_only=True, api_format="jsonl", api_name="xapi_statements",
           doc="xAPI statements (passed / failed / completed) as JSON Lines; actors are pseudonymous accounts "
               "(admins)."),
)}
KEYS: tuple[str, ...] = tuple(REPORTS)


def check(key: str, fmt: str, who: Principal | None) -> Report:
    """The report asked for, if it exists, the principal may read it (None: the operator at the
    terminal) and it is offered in that format; else a clear 4xx."""
    report = REPORTS.get(key)
    if report is None:
        raise Invalid("bad_filter", name="kind", reason=", ".join(KEYS))
    if who is not None and not report.offered_to(who):
        raise Forbidden("admin_only")
    if fmt not in report.formats:
        raise Invalid("bad_format", format=fmt[:10], allowed=", ".join(report.formats))
    return report


def offered_to(who: Principal) -> list[Report]:
    """The reports this organiser may download, in the dashboard's order."""
    return [r for r in REPORTS.values() if r.offered_to(who)]
