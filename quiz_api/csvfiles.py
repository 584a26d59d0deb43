"""Reading uploaded CSV files: decoding, required columns, and errors that name the line."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from quiz_api.labels import bilingual


@dataclass(frozen=True)
class RowError:
    line: int  # 1-based line in the file, the header being line 1
    reason: str

    def __str__(self) -> str:
        return f"{bilingual('csv.line', sep='/')} {self.line}: {self.reason}"


class CsvFileError(ValueError):
    """The file cannot be used; `errors` lists every bad row. Nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def read_rows(data: bytes, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """Decode UTF-8 (BOM allowed) CSV bytes into (line, row) pairs with stripped values."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvFileError([RowError(1, f"the file is not UTF-8 (byte {exc.start}); save it as 'CSV UTF-8'")]) from exc
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise CsvFileError([RowError(line, "the file contains a NUL byte; is it really a CSV text file?")])
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise CsvFileError([RowError(1, f"missing column(s): {', '.join(missing)}; found: {', '.join(header) or 'none'}")])
    reader.fieldnames = header
    rows = []
    for row in reader:
        if None in row:
            raise CsvFileError([RowError(reader.line_num, "more values than columns")])
        values = {k: (v or "").strip() for k, v in row.items()}
        if any(values.values()):
            rows.append((reader.line_num, values))
    return rows
