"""Reports group by Vietnam's calendar, not UTC's: an attempt at 06:30 on 1 January (23:30 UTC the day
before) counts in the new year and in January; one at 23:59:59 on 31 December stays in the old year.
Every test runs on SQLite and, with KYNANGSO_TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook

from quiz_api import localtime
from quiz_api.reports import service
from quiz_api.reports.filters import Filters, Scope
from tests.organisers.helpers import bearer, make_organiser, web_login
from tests.reports import data

UNIT = "TN-P-long-an"
NEW_YEAR_0630 = datetime(2026, 12, 31, 23, 30)  # 2027-01-01 06:30 in Vietnam
LAST_SECOND = datetime(2026, 12, 31, 16, 59, 59)  # 2026-12-31 23:59:59 in Vietnam


@pytest.fixture
def new_year(client, database):
    """Two learners who each passed once: one at 06:30 on New Year's Day (local), one a second
    before local midnight; targets for both years."""
    make_organiser(database, "admin1", admin=True)
    with database.writing() as db:
        early = data.learner(db, unit=UNIT, name="Người đầu năm")
        data.attempt(db, early, at=NEW_YEAR_0630)
        late = data.learner(db, unit=UNIT, name="Người cuối năm")
        data.attempt(db, late, at=LAST_SECOND)
        for year in (2026, 2027):
            data.target(db, year=year, unit=UNIT, headcount=10, share=0.5)


def scope(year: int | None) -> Scope:
    return Scope(None, False, "t", Filters(year=year), localtime.zone())


def test_the_year_filter_is_the_local_year(database, new_year):
    assert scope(2027).year_bounds == (datetime(2026, 12, 31, 17), datetime(2027, 12, 31, 17))
    with database.engine.connect() as conn:
        in_2027 = service.totals(conn, scope(2027), threshold=5)
        in_2026 = service.totals(conn, scope(2026), threshold=5)
    assert (in_2027.attempts, in_2027.learners, in_2027.passed) == (1, 1, 1)  # the 06:30 one only
    assert (in_2026.attempts, in_2026.learners, in_2026.passed) == (1, 1, 1)  # the 23:59:59 one only


def test_the_monthly_chart_counts_new_years_morning_in_january_and_the_last_second_in_december(database, new_year):
    with database.engine.connect() as conn:
        months_2027 = service.monthly(conn, scope(2027), 5, 2027)
        months_2026 = service.monthly(conn, scope(None), 5, 2026)  # the year asked, whatever the filter
    assert months_2027[0] == (1, 1, 1) and all(m[1:] == (0, 0) for m in months_2027[1:])
    assert months_2026[11] == (12, 1, 1) and all(m[1:] == (0, 0) for m in months_2026[:11])


def test_the_annual_assessment_counts_a_pass_in_the_local_year_it_happened(database, new_year):
    with database.engine.connect() as conn:
        rows_2026, _ = service.annual_figures(conn, scope(2026), 2026)
        rows_2027, _ = service.annual_figures(conn, scope(2027), 2027)
    [r26] = [r for r in rows_2026 if r.group == "public_servant"]
    [r27] = [r for r in rows_2027 if r.group == "public_servant"]
    assert (r26.trained, r26.trained_in_year) == (1, 1)  # only the one before local midnight
    assert (r27.trained, r27.trained_in_year) == (2, 1)  # both by the end of 2027; one first passed in it


def test_exported_times_are_local_iso_8601_with_the_offset(client, new_year):
    headers = bearer(client, "admin1")
    rows = list(csv.reader(io.StringIO(
        client.get("/api/v1/reports/completions?format=csv&year=2027", headers=headers).content.decode("utf-8-sig"))))
    assert rows[0][8:] == ["Ngày đạt lần đầu", "Lần làm gần nhất"]  # no "(UTC)"
    assert rows[1][8:] == ["2027-01-01T06:30:00+07:00", "2027-01-01T06:30:00+07:00"] and len(rows) == 2
    attempts = client.get("/api/v1/reports/attempts?format=json&year=2026&lang=en", headers=headers).json()
    assert [c["label"] for c in attempts["columns"]][6:8] == ["Started at", "Submitted at"]
    [row] = attempts["rows"]
    assert (row["started_at"], row["submitted_at"]) == ("2026-12-31T23:52:59+07:00", "2026-12-31T23:59:59+07:00")
    assert attempts["generated_at"].endswith("+07:00")
    lines = client.get("/api/v1/reports/completions?format=jsonl", headers=headers).text.splitlines()
    assert sorted(re.findall(r'"first_passed_at":"([^"]+)"', "".join(lines))) == [
        "2026-12-31T23:59:59+07:00", "2027-01-01T06:30:00+07:00"]


def test_the_attempts_file_lists_submitted_attempts_in_the_local_year_they_were_submitted(client, database, new_year):
    with database.writing() as db:  # started at 23:56 on New Year's Eve, submitted at 00:03 on New Year's Day
        lid = data.learner(db, unit=UNIT)
        data.attempt(db, lid, at=datetime(2026, 12, 31, 17, 3))
        data.attempt(db, lid, no=2, at=datetime(2026, 12, 31, 17, 5), submitted=False)  # never submitted
    headers = bearer(client, "admin1")

    def submitted(year: int) -> list[str]:
        rows = client.get(f"/api/v1/reports/attempts?format=json&year={year}", headers=headers).json()["rows"]
        return sorted(str(r["submitted_at"]) for r in rows)

    assert submitted(2026) == ["2026-12-31T23:59:59+07:00"]
    assert submitted(2027) == ["2027-01-01T00:03:00+07:00", "2027-01-01T06:30:00+07:00"]


def test_an_xlsx_cell_holds_the_local_time_and_shows_the_offset(client, new_year):
    xlsx = client.get("/api/v1/reports/completions?format=xlsx&year=2027", headers=bearer(client, "admin1"))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    header = [c.value for c in sheet[2]]  # row 1 is the title row
    column = header.index("Ngày đạt lần đầu") + 1
    cell = sheet.cell(row=3, column=column)
    assert cell.value == datetime(2027, 1, 1, 6, 30)  # a real date: sorts and filters in Excel
    assert cell.number_format == 'yyyy-mm-dd hh:mm:ss"+07:00"'


def test_xapi_timestamps_stay_utc_as_xapi_expects(client, new_year):
    lines = client.get("/api/v1/reports/xapi?format=jsonl&year=2027", headers=bearer(client, "admin1")).text
    assert '"timestamp":"2026-12-31T23:30:00Z"' in lines and "+07:00" not in lines


def test_the_dashboard_offers_local_years_and_draws_january(client, database):
    make_organiser(database, "admin1", admin=True)
    with database.writing() as db:  # 06:30 on 1 January 2020 in Vietnam: never offered as 2019
        data.attempt(db, data.learner(db, unit=UNIT), at=datetime(2019, 12, 31, 23, 30))
    web_login(client, "admin1")
    page = client.get("/organiser?year=2020")
    offered = re.findall(r'<option value="(\d{4})"', page.text.split('id="f-year"', 1)[1].split("</select>", 1)[0])
    this_year = localtime.local_today(localtime.zone()).year
    assert offered == [str(this_year), "2020"]  # the years with attempts, and this one
    with database.engine.connect() as conn:
        assert service.monthly(conn, scope(2020), 5, 2020)[0] == (1, 1, 1)
