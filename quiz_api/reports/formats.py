"""Writing report rows as CSV, XLSX, JSON and JSON Lines: streamed, and safe to open in a spreadsheet.

Rows arrive as tuples (an iterator, never a list of everything) and leave as byte chunks, so memory
stays flat however many rows there are. Text cells that a spreadsheet would read as a formula are
neutralised in CSV and XLSX (see `neutralise`).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from typing import Any

from quiz_api.labels import t
from quiz_api.localtime import offset_text

BOM = "\ufeff"  # so Excel reads the CSV as UTF-8 and shows Vietnamese correctly
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 1_048_575  # Excel's 1,048,576 rows, less the header
CHUNK_ROWS = 5000
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(value: str) -> str:
    """A text cell as a spreadsheet must show it: one that would start a formula gets a leading quote.

    Excel, LibreOffice and Google Sheets treat a cell starting with = + - @ (and, after a tab or a
    carriage return, what follows) as a formula; "'" makes it plain text and is not displayed.
    """
    if value and value[0] in FORMULA_STARTS:
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    report: str
    key: str  # its header is the catalogue's `column.<report>.<key>`
    # text: anything a person typed or imported, neutralised in spreadsheets;
    # code: made by the system from a safe alphabet (hex pseudonyms, group ids, language codes);
    # int | float | bool | datetime (already text from the database: local ISO 8601 with its offset,
    # "2027-01-01T06:30:00+07:00")
    # share: a float 0..1 (a rate or a score), shown as a percentage in a spreadsheet
    kind: str = "text"
    total: bool = False  # summed in the spreadsheet's totals row


    def label(self, lang: str) -> str:
        return t(f"column.{self.report}.{self.key}", lang)


class Suppressed:
    """A hidden small count: shown as "<5" in files and null in JSON."""

    __slots__ = ("threshold",)

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold

    def __str__(self) -> str:
        return f"<{self.threshold}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Suppressed) and other.threshold == self.threshold

    def __hash__(self) -> int:
        return hash(("suppressed", self.threshold))

    def __repr__(self) -> str:
        return f"Suppressed({self.threshold})"


def _text_indexes(columns: Sequence[Column]) -> tuple[int, ...]:
    return tuple(i for i, c in enumerate(columns) if c.kind == "text")


def _spreadsheet_rows(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    """Rows with every text cell neutralised, copying only the rare row that needs it."""
    text = _text_indexes(columns)
    starts = FORMULA_STARTS
    for row in rows:
        for i in text:
            v = row[i]
            if v and v[0] in starts:
                row = [neutralise(v) if j in text and isinstance(v := row[j], str) else row[j]
                       for j in range(len(row))]
                break
        yield row


def _neutralise_batch(batch: list[Sequence[Any]], text: tuple[int, ...]) -> list[Sequence[Any]]:
    """A batch of rows with every text cell neutralised; a column at a time, copying only rows that need it."""
    starts = "".join(FORMULA_STARTS)
    hits: set[int] = set()
    for i in text:
        hits.update([k for k, row in enumerate(batch) if (v := row[i]) and v[0] in starts])
    for k in hits:
        row = batch[k]
        batch[k] = [neutralise(v) if j in text and isinstance(v := row[j], str) else row[j] for j in range(len(row))]
    return batch


def _cell(value: Any) -> Any:
    if isinstance(value, Suppressed):
        return str(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return value


def _needs_cells(columns: Sequence[Column]) -> bool:
    return any(c.kind not in ("text", "code", "int", "float", "share", "datetime") for c in columns)


def csv_chunks(columns: Sequence[Column], rows: Iterable[Sequence[Any]], lang: str = "vi",
               on_rows: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM and a header row, in chunks of CHUNK_ROWS rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([neutralise(c.label(lang)) for c in columns])
    convert = _needs_cells(columns)
    text = _text_indexes(columns)
    count = 0
    rows = iter(rows)
    while batch := list(islice(rows, CHUNK_ROWS)):
        batch = _neutralise_batch(batch, text)
        if convert:
            batch = [[_cell(v) for v in row] for row in batch]
        writer.writerows(batch)
        count += len(batch)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        if on_rows:
            on_rows(count)
    if count == 0:
        yield buffer.getvalue().encode("utf-8")
    if on_rows:
        on_rows(count)


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def csv_field(value: str | None) -> str:
    """One text cell exactly as csv.writer (QUOTE_MINIMAL, comma) writes it, after neutralising."""
    if not value:
        return ""
    if value[0] in FORMULA_STARTS:
        value = "'" + value
    if _NEEDS_QUOTES.search(value):
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_line_chunks(columns: Sequence[Column], chunks: Iterable[tuple[int, bytes]], lang: str = "vi",
                    on_rows: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """Like csv_chunks, for rows the database already wrote as CSV lines (service.stream_csv_lines):
    the header, then the lines' bytes as they come, (rows, bytes) at a time."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([neutralise(c.label(lang)) for c in columns])
    yield (BOM + buffer.getvalue()).encode("utf-8")
    count = 0
    for rows, data in chunks:
        if not rows:
            continue
        count += rows
        yield data
        if on_rows:
            on_rows(count)
    if on_rows:
        on_rows(count)


def _json_value(value: Any) -> Any:
    if isinstance(value, Suppressed):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _json_row(keys: Sequence[str], row: Sequence[Any]) -> str:
    return json.dumps({k: _json_value(v) for k, v in zip(keys, row, strict=True)}, ensure_ascii=False,
                      separators=(",", ":"))


def json_chunks(columns: Sequence[Column], rows: Iterable[Sequence[Any]], head: dict[str, Any],
                tail: Callable[[], dict[str, Any]] | None = None,
                on_rows: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """One JSON object: the `head` keys, then "rows": [...] streamed, then the keys `tail()` returns."""
    keys = [c.key for c in columns]
    opening = json.dumps(head, ensure_ascii=False, default=str)[:-1]
    yield (opening + (", " if head else "") + '"rows": [').encode("utf-8")
    parts: list[str] = []
    count = 0
    for row in rows:
        parts.append(("," if count else "") + _json_row(keys, row))
        count += 1
        if len(parts) >= CHUNK_ROWS:
            yield "\n".join(parts).encode("utf-8")
            parts.clear()
            if on_rows:
                on_rows(count)
    closing = "]"
    extra = tail() if tail else {}
    if extra:
        closing += ", " + json.dumps(extra, ensure_ascii=False, default=str)[1:-1]
    yield ("\n".join(parts) + closing + "}\n").encode("utf-8")
    if on_rows:
        on_rows(count)


def jsonl_chunks(items: Iterable[dict[str, Any]], on_rows: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """JSON Lines: one object per line (already built, e.g. xAPI statements)."""
    parts: list[str] = []
    count = 0
    for item in items:
        parts.append(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
        count += 1
        if len(parts) >= CHUNK_ROWS:
            yield ("\n".join(parts) + "\n").encode("utf-8")
            parts.clear()
            if on_rows:
                on_rows(count)
    if parts:
        yield ("\n".join(parts) + "\n").encode("utf-8")
    if on_rows:
        on_rows(count)


def rows_as_jsonl(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Iterator[dict[str, Any]]:
    keys = [c.key for c in columns]
    for row in rows:
        yield {k: _json_value(v) for k, v in zip(keys, row, strict=True)}


def _xlsx_value(column: Column, value: Any) -> Any:
    if isinstance(value, Suppressed):
        return str(value)
    if isinstance(value, str) and _XLSX_ILLEGAL.search(value):
        # XML cannot hold most control characters; openpyxl would fail mid-download
        return _XLSX_ILLEGAL.sub("\ufffd", value)
    if column.kind == "datetime" and isinstance(value, str) and value:
        return datetime.fromisoformat(value)
    return value


def _xlsx_date_style(value: datetime) -> str:
    """Excel holds no time zone: the cell is the local wall time, its format shows the offset
    ("+07:00" as literal text), so the file reads as the CSV does and still sorts as dates."""
    offset = value.utcoffset()
    return "yyyy-mm-dd hh:mm:ss" + (f'"{offset_text(offset)}"' if offset is not None else "")


@dataclass(frozen=True)
class Words:
    """A column of words added after a code column in a spreadsheet (a group's or module's name)."""

    after: str  # the key of the code column
    column: Column
    name: Callable[[Any], Any]


def _width(value: Any, column: Column) -> int:
    if column.kind == "share":
        return 6
    if column.kind == "datetime":
        return 25  # with its "+07:00"
    return min(len(str(value)) if value is not None else 0, 60)


def xlsx_chunks(columns: Sequence[Column], rows: Iterable[Sequence[Any]], lang: str = "vi",
                sheet: str = "data", on_rows: Callable[[int], None] | None = None,
                chunk_bytes: int = 256 * 1024, *, title: str | None = None, words: Sequence[Words] = (),
                totals_label: str | None = None, sample_rows: int = 500) -> Iterator[bytes]:
    """An XLSX workbook to hand on, written with openpyxl's write-only mode (rows go to disk, not
    memory), then streamed: an optional title row (what, which year and filters, when), a frozen
    header, columns as wide as the header and the first rows, names next to their codes (`words`),
    shares as percentages, and a totals row for the columns marked `total` (a sum that would include
    a hidden small count is left empty, or it would give the hidden count away)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    at = {c.key: i for i, c in enumerate(columns)}
    added = {at[w.after]: w for w in words if w.after in at}
    out_columns: list[Column] = []
    for i, c in enumerate(columns):
        out_columns.append(c)
        if i in added:
            out_columns.append(added[i].column)

    def widen(row: Sequence[Any]) -> list[Any]:
        values: list[Any] = []
        for i, v in enumerate(row):
            values.append(v)
            if i in added:
                values.append(added[i].name(v))
        return values

    source = _spreadsheet_rows(columns, rows)
    sample = [widen(r) for r in islice(source, sample_rows)]
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(title=_sheet_title(sheet))
    header_row = 2 if title else 1
    ws.freeze_panes = f"A{header_row + 1}"
    # Printed: A4 landscape, every column on the page's width, the header repeated on each page.
    ws.page_setup.orientation, ws.page_setup.paperSize = "landscape", "9"  # 9: A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = f"{header_row}:{header_row}"
    for i, c in enumerate(out_columns):
        width = max([len(c.label(lang))] + [_width(r[i], c) for r in sample])
        ws.column_dimensions[get_column_letter(i + 1)].width = min(max(width, 4) + 2, 62)
    bold = Font(bold=True)
    if title:
        cell = WriteOnlyCell(ws, value=neutralise(title))
        cell.font = Font(bold=True, size=12)
        ws.append([cell])
    header = []
    for c in out_columns:
        cell = WriteOnlyCell(ws, value=neutralise(c.label(lang)))
        cell.font = bold
        header.append(cell)
    ws.append(header)
    kinds = [c.kind for c in out_columns]
    sums: dict[int, int | float | None] = {i: 0 for i, c in enumerate(out_columns) if c.total}
    count = 0
    for row in (*sample, *(widen(r) for r in source)):
        values: list[Any] = []
        for i, (col, v) in enumerate(zip(out_columns, row, strict=True)):
            v = _xlsx_value(col, v)
            if i in sums:
                total = sums[i]
                sums[i] = None if total is None or isinstance(v, str) else total + (v or 0)
            kind = kinds[i]
            if kind == "datetime" and isinstance(v, datetime):
                cell = WriteOnlyCell(ws, value=v.replace(tzinfo=None))
                cell.number_format = _xlsx_date_style(v)
                v = cell
            elif kind == "share" and isinstance(v, float | int) and not isinstance(v, bool):
                cell = WriteOnlyCell(ws, value=v)
                cell.number_format = "0%"
                v = cell
            elif isinstance(v, str) and v.startswith("="):  # never a formula (neutralise covers text columns)
                cell = WriteOnlyCell(ws, value=v)
                cell.data_type = "s"
                v = cell
            values.append(v)
        ws.append(values)
        count += 1
        if on_rows and count % 10_000 == 0:
            on_rows(count)
    if totals_label and sums and count:
        first = next((i for i, c in enumerate(out_columns) if c.kind in ("text", "code")), 0)
        line: list[Any] = [None] * len(out_columns)
        line[first] = totals_label
        for i, total in sums.items():
            line[i] = total
        ws.append([WriteOnlyCell(ws, value=v) if v is None else _bold(WriteOnlyCell(ws, value=v), bold)
                   for v in line])
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        workbook.save(path)
        with open(path, "rb") as f:
            while chunk := f.read(chunk_bytes):
                yield chunk
    finally:
        os.unlink(path)
    if on_rows:
        on_rows(count)


def _bold(cell: Any, font: Any) -> Any:
    cell.font = font
    return cell


_SHEET_FORBIDDEN = re.compile(r"[\\/?*\[\]:]")


def _sheet_title(name: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of \\ / ? * [ ] :"""
    return _SHEET_FORBIDDEN.sub("-", name).strip("'")[:31] or "data"
