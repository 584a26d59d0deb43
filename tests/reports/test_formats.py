"""CSV, XLSX and JSON writers: formula neutralisation, BOM, streaming, and the same rows in every format."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import given
from hypothesis import strategies as st

from quiz_api.reports.formats import (
    BOM,
    FORMULA_STARTS,
    Column,
    Suppressed,
    csv_chunks,
    json_chunks,
    neutralise,
    xlsx_chunks,
)

# four columns of a real report: their headers come from the catalogue
COLUMNS = [Column("completions", "full_name"), Column("completions", "attempts", "int"),
           Column("completions", "best_score", "float"), Column("completions", "passed", "bool")]


@given(st.text())
def test_neutralise_quotes_exactly_the_cells_that_would_start_a_formula(value):
    out = neutralise(value)
    if value[:1] in FORMULA_STARTS and value:
        assert out == "'" + value
    else:
        assert out == value
    assert not out[:1] or out[0] not in FORMULA_STARTS


def test_neutralise_covers_each_dangerous_start():
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert neutralise(f"{start}HYPERLINK(\"http://x\")") == f"'{start}HYPERLINK(\"http://x\")"
    assert neutralise("Nguyễn Văn An") == "Nguyễn Văn An"
    assert neutralise("") == ""


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30), min_size=1, max_size=20))
def test_no_csv_cell_written_from_text_can_start_a_formula(values):
    rows = [(v, i, 0.5, True) for i, v in enumerate(values)]
    data = b"".join(csv_chunks(COLUMNS, iter(rows)))
    assert data.startswith(BOM.encode())
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(parsed) == len(values) + 1
    for (cell, *_), original in zip(parsed[1:], values, strict=True):
        assert cell in (original, "'" + original)
        assert not cell[:1] or cell[0] not in FORMULA_STARTS


def test_csv_starts_with_a_bom_and_keeps_vietnamese():
    data = b"".join(csv_chunks(COLUMNS, iter([("Lê Thị Hoa", 1, 0.8, False)]), "vi"))
    assert data[:3] == b"\xef\xbb\xbf"
    text = data.decode("utf-8-sig")
    assert text.splitlines() == ["Họ và tên,Số lượt làm,Điểm cao nhất,Đạt", "Lê Thị Hoa,1,0.8,FALSE"]


def test_csv_streams_in_chunks_and_counts_rows():
    seen = []
    chunks = list(csv_chunks(COLUMNS, ((f"p{i}", i, 0.1, True) for i in range(12000)), on_rows=seen.append))
    assert len(chunks) >= 3 and seen[-1] == 12000


def test_suppressed_cells_read_as_less_than_the_threshold():
    text = b"".join(csv_chunks(COLUMNS, iter([("a", Suppressed(5), None, True)]))).decode("utf-8-sig")
    assert text.splitlines()[1] == "a,<5,,TRUE"
    body = b"".join(json_chunks(COLUMNS, iter([("a", Suppressed(5), None, True)]), {"report": "x"}))
    assert json.loads(body)["rows"] == [{"full_name": "a", "attempts": None, "best_score": None, "passed": True}]


def test_json_streams_one_valid_document():
    body = b"".join(json_chunks(COLUMNS, ((f"p{i}", i, 0.1, True) for i in range(4500)), {"report": "x"},
                                tail=lambda: {"total": 4500}))
    doc = json.loads(body)
    assert doc["report"] == "x" and len(doc["rows"]) == 4500 and doc["total"] == 4500


def test_xlsx_is_readable_and_never_holds_a_formula():
    from openpyxl import load_workbook

    rows = [("=1+1", 1, 0.5, True), ("@SUM(A1)", 2, 0.25, False), ("Bình thường", 3, 1.0, True)]
    data = b"".join(xlsx_chunks(COLUMNS, iter(rows), "en"))
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == ["Full name", "Attempts", "Best score", "Passed"]
    assert values[1:] == [["'=1+1", 1, 0.5, True], ["'@SUM(A1)", 2, 0.25, False], ["Bình thường", 3, 1.0, True]]


def test_xlsx_replaces_control_characters_that_xml_cannot_hold():
    from openpyxl import load_workbook

    data = b"".join(xlsx_chunks(COLUMNS, iter([("a\x01b\x1fc", 1, 0.5, True)])))
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    assert list(sheet.iter_rows(values_only=True))[1][0] == "a\ufffdb\ufffdc"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_csv_field_writes_a_cell_exactly_as_the_csv_module_does(value):
    from quiz_api.reports.formats import csv_field

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([neutralise(value), "x"])
    assert buffer.getvalue() == csv_field(value) + ",x\r\n"
