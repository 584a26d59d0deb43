"""Spreadsheets an organiser can hand on: a title row, a frozen header, fitted widths, names next to
codes, rates as percentages, a totals row, the sheet named after the report; numbers stay numbers
when LibreOffice opens the file in a Vietnamese locale. The CSV stays the plain machine format."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from quiz_api.reports.formats import Column, Suppressed, xlsx_chunks
from tests.organisers.helpers import bearer, make_organiser, web_login
from tests.reports import data

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
MINE, OTHER = "TN-P-long-an", "TN-S-so-y-te"


@pytest.fixture
def province(client, database):
    """Long An: 9 citizens, 6 of them passed; Sở Y tế: 8 public servants, all passed. Targets for both."""
    make_organiser(database, "admin1", admin=True)
    with database.writing() as db:
        for i in range(9):
            data.attempt(db, data.learner(db, unit=MINE, group="citizen", name=f"Dân {i}"), correct=5 if i < 6 else 2)
        for i in range(8):
            data.attempt(db, data.learner(db, unit=OTHER, name=f"Cán bộ {i}"))
        data.target(db, unit=MINE, group="citizen", headcount=10, share=0.5)
        data.target(db, unit=OTHER, headcount=8, share=1.0)


def sheet_of(response):
    assert response.status_code == 200, response.text
    return load_workbook(io.BytesIO(response.content)).active


def test_the_summary_spreadsheet_reads_like_a_report(client, province):
    ws = sheet_of(client.get("/api/v1/reports/summary?format=xlsx&year=2026&group=citizen",
                             headers=bearer(client, "admin1")))
    assert ws.title == "Tổng hợp"
    title = ws["A1"].value
    assert title.startswith("Tổng hợp theo đơn vị, nhóm, học phần · Năm 2026 · Bộ lọc: nhóm Người dân · Lập lúc ")
    assert "(giờ Việt Nam)" in title
    assert ws.freeze_panes == "A3"
    header = [c.value for c in ws[2]]
    assert header[:6] == ["Mã đơn vị", "Đơn vị", "Nhóm", "Tên nhóm", "Học phần", "Tên học phần"]
    row = [c.value for c in ws[3]]
    assert row[:6] == [MINE, "Long An", "citizen", "Người dân", "mau-thu", "Học phần mẫu"]
    rate = ws.cell(3, header.index("Tỉ lệ đạt") + 1)
    assert rate.value == 0.6667 and rate.data_type == "n" and rate.number_format == "0%"
    attempts = ws.cell(3, header.index("Số lượt làm") + 1)
    assert attempts.value == 9 and attempts.data_type == "n"
    totals = [c.value for c in ws[4]]
    assert totals[0] == "Tổng" and totals[header.index("Số lượt làm")] == 9
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    assert widths["B"] >= len("Long An") and widths["F"] >= len("Tên học phần")


def test_the_english_annual_spreadsheet_has_english_names_and_no_totals_row_of_its_own(client, province):
    ws = sheet_of(client.get("/api/v1/reports/annual?format=xlsx&year=2026&lang=en", headers=bearer(client, "admin1")))
    assert ws.title == "Annual assessment" and ws["A1"].value.startswith("Annual assessment")
    header = [c.value for c in ws[2]]
    assert "Group name" in header and "Module title" in header
    names = {ws.cell(r, header.index("Group name") + 1).value for r in range(3, ws.max_row + 1)}
    assert {"Citizens", "Public servants"} <= names
    shares = [ws.cell(r, header.index("Target share") + 1) for r in range(3, ws.max_row + 1)]
    assert all(c.number_format == "0%" and c.data_type == "n" for c in shares)
    assert next(c.value for c in ws[ws.max_row]) == "*"  # the report's own total rows end it


def test_a_total_that_would_reveal_a_hidden_count_is_left_empty():
    columns = [Column("summary", "unit_name"), Column("summary", "learners", "int", total=True),
               Column("summary", "attempts", "int", total=True)]
    rows = [("A", 7, 2), ("B", Suppressed(5), 3)]
    ws = load_workbook(io.BytesIO(b"".join(xlsx_chunks(columns, iter(rows), totals_label="Tổng")))).active
    assert [c.value for c in ws[ws.max_row]] == ["Tổng", None, 5]


def test_the_csv_stays_a_plain_machine_format(client, province):
    text = client.get("/api/v1/reports/summary?format=csv&year=2026", headers=bearer(client, "admin1")).content
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Mã đơn vị", "Đơn vị", "Nhóm", "Học phần"]  # no title row, no names added
    assert all(r[0] != "Tổng" for r in rows)
    assert "0.6667" in {cell for r in rows for cell in r}  # a rate is a decimal, not "67%"


def test_the_dashboard_says_which_format_is_for_what(client, province):
    web_login(client, "admin1")
    note = client.get("/organiser?year=2026").text.split('id="formats-note">')[1].split("</p>")[0]
    assert "CSV là định dạng cho máy" in note and "XLSX" in note


def test_libreoffice_in_a_vietnamese_locale_reads_numbers_as_numbers(client, province, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftoppm") is None:
        pytest.skip("LibreOffice (soffice) or pdftoppm is not installed")
    content = client.get("/api/v1/reports/summary?format=xlsx&year=2026", headers=bearer(client, "admin1")).content
    book = tmp_path / "tong-hop.xlsx"
    book.write_bytes(content)
    env = {**os.environ, "LANG": "vi_VN.UTF-8", "LC_ALL": "vi_VN.UTF-8"}
    profile = f"-env:UserInstallation=file://{tmp_path}/lo"
    # CSV export as shown on screen (LibreOffice's default): comma separated, UTF-8 (76), from row 1.
    subprocess.run([soffice, "--headless", profile, "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1",
                    "--outdir", str(tmp_path), str(book)], check=True, capture_output=True, timeout=180, env=env)
    shown = list(csv.reader(io.StringIO((tmp_path / "tong-hop.csv").read_text("utf-8"))))
    header = shown[1]
    long_an = next(r for r in shown if r[0] == MINE)
    assert long_an[header.index("Tỉ lệ đạt")] == "67%"  # a number formatted as a percentage, not text "0.6667"
    assert long_an[header.index("Số lượt làm")] == "9"
    assert shown[-1][0] == "Tổng" and shown[-1][header.index("Số lượt làm")] == "17"
    subprocess.run([soffice, "--headless", profile, "--convert-to", "pdf", "--outdir", str(tmp_path), str(book)],
                   check=True, capture_output=True, timeout=180, env=env)
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", str(tmp_path / "tong-hop.pdf"),
                    str(ARTIFACTS / "summary-xlsx-page")], check=True, timeout=120)
    assert (ARTIFACTS / "summary-xlsx-page-1.png").stat().st_size > 3000

