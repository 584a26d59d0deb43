"""One export path for the API, the dashboard's download buttons and `kynangso export`.

`prepare` checks everything that can fail (format, access, a year without targets, Excel's row
limit) and writes the audit row, before a byte is sent, so a bad request gets a clear 4xx and not a
broken download. The returned chunks then stream from the database; the audit row gets its row
count when the stream ends.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import StreamingResponse
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from quiz_api import audit, localtime, metrics
from quiz_api.banks import Bank
from quiz_api.config import Settings
from quiz_api.db import Database, utcnow
from quiz_api.errors import Invalid
from quiz_api.labels import GROUPS, t
from quiz_api.organisers.service import Principal
from quiz_api.profile import load_profile
from quiz_api.reports import annual_docx, formats, registry, service
from quiz_api.reports.filters import Filters, Scope, resolve


@dataclass
class Export:
    kind: str
    fmt: str
    filename: str
    media_type: str
    total: int | None  # rows (or statements) to send, when known in advance
    chunks: Iterator[bytes]


def prepare(*, database: Database, banks: dict[str, Bank], settings: Settings, kind: str, fmt: str,
            scope: Scope | Callable[[Session], Scope], lang: str, actor: str, who: Principal | None = None,
            year_default: int | None = None, on_rows: Callable[[int], None] | None = None) -> Export:
    """Validate, compute what is small, log the export, and return its streaming body.

    The export reads through one connection (see _export): scope is a Scope, or a function that
    resolves it with a session on that connection."""
    report = registry.check(kind, fmt, who)
    body = _export(database=database, banks=banks, settings=settings, report=report, fmt=fmt, scope=scope,
                   lang=lang, actor=actor, year_default=year_default, on_rows=on_rows)
    export = next(body)  # everything that can fail has run; the body now holds the connection open
    assert isinstance(export, Export)
    export.chunks = cast(Iterator[bytes], body)
    return export


def _export(*, database: Database, banks: dict[str, Bank], settings: Settings, report: registry.Report, fmt: str,
            scope: Scope | Callable[[Session], Scope], lang: str, actor: str, year_default: int | None,
            on_rows: Callable[[int], None] | None) -> Iterator[Export | bytes]:
    """First the Export's description, then its bytes, all read on one connection: the scope, the
    count and the rows (in one transaction, so the count announced is the number of rows sent; on
    PostgreSQL a repeatable-read one, whose statements share a snapshot). Besides it the export
    writes its audit row twice (before the first byte and at the end), each a short transaction."""
    kind = report.key
    threshold = settings.suppression_threshold
    rows: list[tuple] | None = None
    total: int | None = None
    lines: Iterator[tuple[int, bytes]] | None = None
    with database.engine.connect() as conn, _temp_on_disk(conn):
        if not isinstance(scope, Scope):
            with Session(bind=conn) as db:
                scope = scope(db)
            conn.rollback()
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        year = scope.filters.year or year_default
        if report.aggregate is not None:
            rows = report.aggregate(conn, scope, registry.Inputs(banks, threshold, lang, year))
        elif report.source == "statements":
            total = service.count_statements(conn, scope)
        elif fmt == "csv":  # a row report: the database writes the lines
            total, lines = service.stream_csv_lines(conn, kind, scope)
        else:
            total = service.count_rows(conn, kind, scope)
        if rows is not None:
            total = len(rows)
        if fmt == "xlsx" and total is not None and total > formats.XLSX_MAX_ROWS:
            raise Invalid("too_many_rows_xlsx", rows=f"{total:,}", limit=f"{formats.XLSX_MAX_ROWS:,}")
        filters = scope.filters.as_dict()
        if report.needs_year:
            filters["year"] = year
        detail: dict[str, Any] = {"format": fmt, "filters": filters, "suppressed": scope.suppress,
                                  "units": "all" if scope.unit_codes is None else len(scope.unit_codes)}
        audit_id = audit.start_export(database=database, actor=actor, kind=kind, detail=detail)
        head = {"report": kind, "title": t(report.title, lang), "filters": filters,
                "generated_at": localtime.iso(utcnow(), scope.tz),
                "suppression_threshold": threshold if scope.suppress else None}
        sent = 0
        complete = False

        def counted(n: int) -> None:
            nonlocal sent
            sent = n
            if on_rows:
                on_rows(n)

        metrics.EXPORTS.inc()
        try:
            yield Export(kind, fmt, f"kynangso-{kind}-{year or 'all'}.{fmt}", registry.FILE_FORMATS[fmt].media_type,
                         total, iter(()))
            if lines is not None:
                yield from formats.csv_line_chunks(report.columns, lines, lang, on_rows=counted)
            else:
                yield from _chunks(conn, banks=banks, settings=settings, report=report, fmt=fmt, scope=scope, lang=lang,
                                   rows=rows, head=head, counted=counted)
            conn.rollback()
            complete = True
        finally:
            metrics.EXPORTS.dec()
            audit.finish_export(database=database, audit_id=audit_id, row_count=sent, complete=complete)


@contextmanager
def _temp_on_disk(conn: Connection) -> Iterator[None]:
    """SQLite: the export's sorts and grouped results in temporary files, not in the server's memory
    (temp_store=MEMORY, db.py, suits the small sorts of pages). The completions of 1,000,000 attempts
    held in memory took the server to 268 MB; a year of the province is ten times that."""
    raw = conn.connection.driver_connection if conn.dialect.name == "sqlite" else None
    if raw is None:
        yield
        return
    raw.execute("PRAGMA temp_store = FILE")
    try:
        yield
    finally:
        raw.execute("PRAGMA temp_store = MEMORY")


def _chunks(conn: Connection, *, banks: dict[str, Bank], settings: Settings, report: registry.Report, fmt: str,
            scope: Scope,
            lang: str, rows: list[tuple] | None, head: dict[str, Any], counted: Callable[[int], None]) -> Iterator[bytes]:
    """The export's bytes: aggregate rows already computed, or rows streamed from the database."""
    kind = report.key
    if report.source == "statements":
        items = service.stream_statements(conn, scope, banks, settings.public_base())
        yield from formats.jsonl_chunks(items, on_rows=counted) if fmt == "jsonl" else _json_array(items, counted)
        return
    if fmt == "docx":  # the yearly report: the annual figures as an editable Word document
        yield annual_docx.build(conn, scope=scope, year=int(head["filters"]["year"]), lang=lang,
                                threshold=settings.suppression_threshold, banks=banks,
                                profile=load_profile(settings.profile_dir))
        counted(len(rows or []))
        return
    columns = report.columns
    data = iter(rows) if rows is not None else service.stream_rows(conn, kind, scope)
    if fmt == "csv":
        yield from formats.csv_chunks(columns, data, lang, on_rows=counted)
    elif fmt == "xlsx":
        yield from formats.xlsx_chunks(columns, data, lang, sheet=t(report.sheet, lang), on_rows=counted,
                                       title=_title_line(head, banks, lang), words=_words(banks, lang),
                                       totals_label=t("xlsx_total", lang) if report.totals_row else None)
    elif fmt == "jsonl":
        yield from formats.jsonl_chunks(formats.rows_as_jsonl(columns, data), on_rows=counted)
    else:
        head = {**head, "columns": [{"key": c.key, "label": c.label(lang)} for c in columns]}
        yield from formats.json_chunks(columns, data, head, on_rows=counted)


_FILTER_LABELS = {"module": "xlsx_filter_module", "group": "xlsx_filter_group", "unit": "xlsx_filter_unit",
                  "class": "xlsx_filter_class"}


def _title_line(head: dict[str, Any], banks: dict[str, Bank], lang: str) -> str:
    """The spreadsheet's first row: which report, year, filters, and when it was made (Vietnam time)."""
    f = dict(head["filters"])
    year = f.pop("year", None)
    parts = [head["title"], f"{t('xlsx_year', lang)} {year}" if year else t("xlsx_all_years", lang)]
    names = {"group": lambda v: GROUPS.get(v, {}).get(lang, v), "module": lambda v: _module_title(banks, v, lang)}
    if f:
        parts.append(t("xlsx_filters", lang) + ": " + ", ".join(
            f"{t(_FILTER_LABELS[k], lang) if k in _FILTER_LABELS else k} {names.get(k, str)(v)}"
            for k, v in f.items()))
    generated = datetime.fromisoformat(head["generated_at"].removesuffix("Z"))
    parts.append(t("xlsx_generated", lang, when=localtime.local_text(generated)))
    if head.get("suppression_threshold"):
        parts.append(t("xlsx_suppressed", lang, threshold=head["suppression_threshold"]))
    return " · ".join(parts)


def _module_title(banks: dict[str, Bank], module_id: Any, lang: str) -> Any:
    bank = banks.get(module_id) if isinstance(module_id, str) else None
    return bank.title[lang] if bank else None


def _words(banks: dict[str, Bank], lang: str) -> list[formats.Words]:
    """Names next to the codes in a spreadsheet: a group's and a module's, in the sheet's language."""
    return [
        formats.Words("group", formats.Column("words", "group_name"), lambda code: GROUPS.get(code, {}).get(lang)),
        formats.Words("module_id", formats.Column("words", "module_title"),
                      lambda code: _module_title(banks, code, lang)),
    ]


def _json_array(items: Iterator[dict[str, Any]], on_rows: Callable[[int], None]) -> Iterator[bytes]:
    yield b"["
    count = 0
    parts: list[str] = []
    for item in items:
        parts.append(("," if count else "") + json.dumps(item, ensure_ascii=False, separators=(",", ":")))
        count += 1
        if len(parts) >= formats.CHUNK_ROWS:
            yield "\n".join(parts).encode("utf-8")
            parts.clear()
            on_rows(count)
    yield ("\n".join(parts) + "]\n").encode("utf-8")
    on_rows(count)


# --- the HTTP answer (the API's report endpoints and the dashboard's download buttons) ------------

def export_response(request: Request, *, report: registry.Report, fmt: str, filters: Filters, lang: str,
                    who: Principal, database: Database, banks: dict[str, Bank], settings: Settings,
                    year_default: int | None = None) -> StreamingResponse:
    """Shared by every report endpoint and the dashboard's download buttons (their filters already checked)."""
    tz = load_profile(settings.profile_dir).tz

    def scope(db: Session) -> Scope:  # on the export's own connection
        return resolve(db=db, who=who, filters=filters, aggregate_export=True, tz=tz)

    # xAPI statements name the system by its address: the public one, else the one asked
    settings = settings.model_copy(update={"public_url": settings.public_base(str(request.base_url))})
    export = prepare(database=database, banks=banks, settings=settings, kind=report.key, fmt=fmt,
                     scope=scope, lang=lang, actor=who.actor, who=who, year_default=year_default)
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    if export.total is not None:
        headers["X-Row-Count"] = str(export.total)
    if registry.FILE_FORMATS[fmt].attachment or request.url.path.startswith("/organiser"):
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(export.filename)}"
    return StreamingResponse(export.chunks, media_type=export.media_type, headers=headers)
