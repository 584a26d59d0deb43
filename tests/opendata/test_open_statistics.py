"""Open statistics: a public page and open data (CSV, JSON, datapackage.json) under CC BY 4.0, with
no person in it and no count below the threshold, suppressed as for a unit organiser."""

from __future__ import annotations

import csv
import json
import re
from datetime import datetime

import pytest

from tests.organisers.helpers import bearer, make_organiser
from tests.reports import data

LONG_AN, KIEN_TUONG, SO_Y_TE = "TN-P-long-an", "TN-P-kien-tuong", "TN-S-so-y-te"
COUNTS = ("learners", "passed")


@pytest.fixture
def province(client, database, app):
    """2026: Long An 7 citizens (all passed), Kiến Tường 2 citizens (passed), Sở Y tế 8 public servants
    (6 passed). 2025: Long An 5 citizens, all passed."""
    app.state.open_statistics = None  # a fresh cache for each test's data
    make_organiser(database, "kientuong", units=(KIEN_TUONG,))
    with database.writing() as db:
        for unit, group, n, passed, year in ((LONG_AN, "citizen", 7, 7, 2026), (KIEN_TUONG, "citizen", 2, 2, 2026),
                                             (SO_Y_TE, "public_servant", 8, 6, 2026),
                                             (LONG_AN, "citizen", 5, 5, 2025)):
            for i in range(n):
                lid = data.learner(db, unit=unit, group=group, name=f"Nguyễn Bí Mật {unit} {year} {i}")
                data.attempt(db, lid, at=datetime(year, 5, 1), correct=5 if i < passed else 1)


def csv_table(response) -> tuple[list[str], list[dict[str, str]]]:
    text = response.content.decode("utf-8")
    assert not text.startswith("\ufeff")  # a plain machine format
    comment, *lines = text.splitlines()
    assert comment.startswith("# Licence: Creative Commons Attribution 4.0 International")
    assert "https://creativecommons.org/licenses/by/4.0/" in comment
    rows = list(csv.DictReader(lines))
    return list(rows[0].keys()) if rows else [], rows


def test_the_statistics_page_is_public_with_a_chart_and_tables(client, province):
    page = client.get("/thong-ke")
    assert page.status_code == 200 and "<script" not in page.text
    assert "<svg" in page.text and 'id="province-caption"' in page.text
    assert "Kiến Tường" in page.text and "Sở Y tế" in page.text and "&lt;5" in page.text
    assert "Bí Mật" not in page.text
    assert 'rel="license"' in page.text and "CC-BY-4.0" in page.text
    assert 'href="/thong-ke?year=2025"' in page.text
    earlier = client.get("/thong-ke?year=2025")
    assert "Kiến Tường" not in earlier.text.split('id="communes"')[1].split('id="data"')[0]


@pytest.mark.parametrize("path", ["/en/statistics", "/thong-ke?lang=en"])
def test_the_statistics_page_in_english(client, province, path):
    page = client.get(path)
    assert page.status_code == 200 and '<html lang="en">' in page.text
    assert "Digital-skills training statistics" in page.text and "By commune and ward" in page.text


def test_the_csv_files_carry_the_licence_and_no_count_below_the_threshold(client, province):
    response = client.get("/thong-ke/thong-ke-don-vi.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert 'rel="license"' in response.headers["link"]
    header, rows = csv_table(response)
    assert header == ["year", "unit_code", "unit_name", "unit_kind", "unit_type", "group", "module_id", "learners",
                      "passed", "pass_rate"]
    for row in rows:
        for key in COUNTS:
            assert row[key] == "<5" or int(row[key]) == 0 or int(row[key]) >= 5, row
    cells = {(r["year"], r["unit_code"]): r for r in rows}
    assert cells[("2026", KIEN_TUONG)]["learners"] == "<5" and cells[("2026", KIEN_TUONG)]["unit_type"] == "commune"
    # Kiến Tường's 2 would be Long An's total minus 7: so Long An's count is hidden too (complementary)
    assert cells[("2026", LONG_AN)]["learners"] == "<5"
    assert cells[("2026", SO_Y_TE)]["learners"] == "8" and cells[("2026", SO_Y_TE)]["passed"] == "6"
    assert cells[("2026", SO_Y_TE)]["unit_type"] == "agency" and cells[("2026", SO_Y_TE)]["pass_rate"] == "0.75"
    assert cells[("2025", LONG_AN)]["learners"] == "5"
    _, province_rows = csv_table(client.get("/thong-ke/thong-ke-tinh.csv"))
    totals = {(r["year"], r["group"]): r for r in province_rows}
    assert totals[("2026", "citizen")]["learners"] == "9" and totals[("2026", "public_servant")]["passed"] == "6"


def test_open_data_hides_what_a_unit_organiser_sees_hidden(client, province):
    summary = client.get("/api/v1/reports/summary?year=2026&format=json", headers=bearer(client, "kientuong")).json()
    organiser = {r["unit_code"]: r["learners"] for r in summary["rows"]}
    open_rows = client.get("/thong-ke/thong-ke.json").json()["by_unit"]["rows"]
    public = {r["unit_code"]: r["learners"] for r in open_rows if r["year"] == 2026}
    assert organiser[KIEN_TUONG] is None and public[KIEN_TUONG] is None


def test_the_json_names_the_licence_and_holds_nothing_personal(client, province):
    document = client.get("/thong-ke/thong-ke.json").json()
    assert document["licence"]["name"] == "CC-BY-4.0" and document["suppression_threshold"] == 5
    assert "Kỹ năng số" in document["attribution"]
    for table in ("by_unit", "province"):
        keys = {f["name"] for f in document[table]["fields"]}
        for row in document[table]["rows"]:
            assert set(row) == keys
            for key in COUNTS:
                assert row[key] is None or row[key] == 0 or row[key] >= 5
    text = json.dumps(document, ensure_ascii=False)
    assert "Bí Mật" not in text and not re.search(r"[0-9a-f]{32}", text)  # no name, no pseudonym


def test_the_datapackage_describes_every_file(client, province):
    package = client.get("/thong-ke/datapackage.json").json()
    assert package["profile"] == "tabular-data-package"
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["licenses"][0]["path"] == "https://creativecommons.org/licenses/by/4.0/"
    for resource in package["resources"]:
        response = client.get(f"/thong-ke/{resource['path']}")
        assert response.status_code == 200, resource["path"]
        assert resource["licenses"][0]["name"] == "CC-BY-4.0"
        if resource["format"] == "csv":
            header, _ = csv_table(response)
            assert [f["name"] for f in resource["schema"]["fields"]] == header
            assert resource["dialect"]["commentChar"] == "#" and "<5" in resource["schema"]["missingValues"]
    assert client.get("/thong-ke/khong-co.csv").status_code == 404


def test_each_person_counts_once_in_the_year_of_their_first_try_and_of_their_first_pass(client, database, app):
    """Years add up: a retry in a later year, or a second pass, is no new learner and no new pass."""
    app.state.open_statistics = None
    with database.writing() as db:
        for i in range(5):
            lid = data.learner(db, unit=SO_Y_TE, name=f"Người {i}")
            data.attempt(db, lid, no=1, at=datetime(2025, 12, 20), correct=1)  # tried and failed in 2025
            data.attempt(db, lid, no=2, at=datetime(2026, 1, 10), correct=5)  # passed in 2026
            data.attempt(db, lid, no=3, at=datetime(2026, 2, 10), correct=5)  # passed again: not a new pass
    rows = client.get("/thong-ke/thong-ke.json").json()["province"]["rows"]
    by_year = {r["year"]: (r["learners"], r["passed"]) for r in rows}
    assert by_year == {2025: (5, 0), 2026: (0, 5)}
