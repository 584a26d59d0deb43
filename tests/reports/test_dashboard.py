"""The organiser dashboard: scoped, suppressed for unit organisers, no JavaScript, charts with tables;
the admin's upload forms for units and targets refuse bad files whole."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
from sqlalchemy import func, select

from quiz_api import localtime
from quiz_api.audit import AuditLog
from quiz_api.reports import charts
from quiz_api.reports.models import Target
from quiz_api.units.models import Unit
from tests.organisers.helpers import csrf, make_organiser, web_login
from tests.reports import data

MINE, OTHER = "TN-P-long-an", "TN-S-so-y-te"
YEAR = localtime.local_today(localtime.zone()).year  # the dashboard's default year: Vietnam's


@pytest.fixture
def province(client, database):
    make_organiser(database, "admin1", admin=True)
    make_organiser(database, "longan", units=(MINE,))
    with database.writing() as db:
        for i in range(3):  # a small cell in my unit
            data.attempt(db, data.learner(db, unit=MINE, name=f"Người Long An {i}"), at=datetime(YEAR, 1, 5))
        for i in range(9):
            data.attempt(db, data.learner(db, unit=OTHER, name=f"Người Sở Y tế {i}"), at=datetime(YEAR, 1, 5))
        data.target(db, year=YEAR, unit=MINE, headcount=10, share=0.5)
        data.target(db, year=YEAR, unit=OTHER, headcount=12, share=1.0)


def test_a_unit_organiser_sees_only_their_units_with_small_counts_hidden(client, province):
    web_login(client, "longan")
    page = client.get("/organiser")
    assert page.status_code == 200
    assert "Long An" in page.text and "Sở Y tế" not in page.text
    assert "&lt;5" in page.text  # 3 learners: hidden
    assert "<script" not in page.text


def test_a_unit_organiser_gets_403_for_another_units_dashboard_and_downloads(client, province):
    web_login(client, "longan")
    assert client.get(f"/organiser?unit={OTHER}").status_code == 403
    assert client.get("/organiser?unit=TN").status_code == 403
    for kind in ("summary", "annual", "completions", "attempts"):
        assert client.get(f"/organiser/download/{kind}?unit={OTHER}&format=csv").status_code == 403
        mine = client.get(f"/organiser/download/{kind}?format=csv&year={YEAR}")
        assert mine.status_code == 200 and "so-y-te" not in mine.text and "Sở Y tế" not in mine.text
    assert client.get("/organiser/download/xapi").status_code == 403
    assert client.get("/organiser/download/questions").status_code == 403
    assert client.get("/organiser/data").status_code == 403


def test_an_admin_sees_every_unit_and_exact_counts_on_screen(client, province):
    web_login(client, "admin1")
    page = client.get(f"/organiser?year={YEAR}")
    assert "Long An" in page.text and "Sở Y tế" in page.text
    totals = re.search(r"Người đã làm bài</dt><dd>([^<]+)<", page.text).group(1)
    assert totals == "12"
    assert 'href="/organiser/download/xapi?' in page.text


def test_the_dashboard_filters_validate_like_the_api(client, province):
    web_login(client, "admin1")
    assert client.get("/organiser?nonsense=1").status_code == 422
    assert client.get("/organiser?group=aliens").status_code == 422
    assert client.get("/organiser?year=1800").status_code == 422
    assert client.get(f"/organiser?module=mau-thu&group=citizen&unit={MINE}&year={YEAR}").status_code == 200


def test_the_dashboard_speaks_english_and_says_when_a_year_has_no_targets(client, province):
    web_login(client, "admin1")
    page = client.get(f"/organiser?lang=en&year={YEAR - 1}")
    assert 'lang="en"' in page.text and "Completion against target" in page.text
    assert f"no targets for {YEAR - 1}" in page.text


def test_every_chart_has_a_table_behind_it(client, province):
    web_login(client, "admin1")
    page = client.get("/organiser")
    assert page.text.count("<svg") == 3
    assert page.text.count('aria-hidden="true"') >= 3
    assert page.text.count("<table") >= 3


def test_download_buttons_stream_the_same_exports_and_are_audited(client, province, database):
    web_login(client, "admin1")
    response = client.get(f"/organiser/download/completions?format=csv&year={YEAR}")
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    assert "attachment" in response.headers["content-disposition"]
    with database.reading() as db:
        row = db.scalar(select(AuditLog).where(AuditLog.action == "export.completions"))
    assert row.actor == "admin1" and row.row_count == 12


# --- charts ------------------------------------------------------------------------------------

def test_charts_are_well_formed_svg_with_escaped_labels():
    bars = [charts.Bar("<script>alert(1)</script> & co", 0.5, "50%", target=0.8), charts.Bar("x", None, "<5")]
    svg = str(charts.bar_chart(bars, title="T & <t>"))
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg") and "<script>" not in svg
    cols = str(charts.column_chart(["T1", "T2"], [("a", [3, None]), ("b", [0, 120])], title="m"))
    ET.fromstring(cols)
    assert charts.column_chart([], [], title="empty")


def test_a_bar_below_its_target_is_drawn_red():
    assert charts.MISSED in str(charts.bar_chart([charts.Bar("u", 0.4, "40%", target=0.8)], title="t"))
    assert charts.MISSED not in str(charts.bar_chart([charts.Bar("u", 0.9, "90%", target=0.8)], title="t"))


# --- uploads -------------------------------------------------------------------------------------

def upload(client, which: str, content: bytes, filename="f.csv"):
    page = client.get("/organiser/data")
    return client.post(f"/organiser/data/{which}", data={"csrf_token": csrf(page.text)},
                       files={"file": (filename, content, "text/csv")})


def counts(database):
    with database.reading() as db:
        return db.scalar(select(func.count()).select_from(Unit)), db.scalar(select(func.count()).select_from(Target))


@pytest.fixture
def restore_units(database):
    """Units survive between tests (the client fixture keeps the tree): remove the ones a test adds."""
    with database.reading() as db:
        before = set(db.scalars(select(Unit.code)))
    yield
    with database.writing() as db:
        for code in sorted(set(db.scalars(select(Unit.code))) - before, key=len, reverse=True):
            db.delete(db.get(Unit, code))


def test_an_admin_uploads_targets_and_units(client, province, database, restore_units):
    web_login(client, "admin1")
    body = f"year,unit_code,group,module_id,headcount,target_share\n{YEAR},TN-S-so-tu-phap,citizen,mau-thu,40,80%\n"
    response = upload(client, "targets", body.encode())
    assert response.status_code == 200 and "1" in response.text
    units_csv = "code,name,kind,parent_code\nTN-P-long-an-1,Khu phố 1,khu phố,TN-P-long-an\n"
    assert upload(client, "units", units_csv.encode("utf-8-sig")).status_code == 200
    assert counts(database) == (113, 3)


@pytest.mark.parametrize("which,content", [
    ("units", b"code,title\nX,Y\n"),                                                          # wrong columns
    ("units", "code,name,kind,parent_code\nA1,Ấp Một,ấp,TN\n".encode("utf-16")),              # not UTF-8
    ("units", b"code,name,kind,parent_code\nA1,One,ap,TN\nA1,Two,ap,TN\n"),                   # duplicate codes
    ("units", b"code,name,kind,parent_code\nA1,One,ap,TN\nA2,Two,ap,NOWHERE\n"),              # unknown parent
    ("units", b"code,name,kind,parent_code\nA\x001,One,ap,TN\n"),                              # NUL byte
    ("targets", b"year,unit_code,group,module_id,headcount,target_share\n2026,NOPE,citizen,mau-thu,5,1\n"),
    ("targets", b"year,unit_code,group,module_id,headcount\n2026,TN,citizen,mau-thu,5\n"),
])
def test_bad_uploads_get_422_with_line_numbers_and_change_nothing(client, province, database, which, content,
                                                                  restore_units):
    web_login(client, "admin1")
    before = counts(database)
    response = upload(client, which, content)
    assert response.status_code == 422
    assert "dòng/line" in response.text
    assert counts(database) == before


def test_uploads_need_the_csrf_token_and_a_file(client, province):
    web_login(client, "admin1")
    client.get("/organiser/data")
    no_token = client.post("/organiser/data/targets", files={"file": ("f.csv", b"x", "text/csv")})
    assert no_token.status_code == 403
    page = client.get("/organiser/data")
    empty = client.post("/organiser/data/targets", data={"csrf_token": csrf(page.text)})
    assert empty.status_code == 422


def test_the_year_list_spans_the_years_attempts_were_submitted(client, database, province):
    with database.writing() as db:
        data.attempt(db, data.learner(db, unit=MINE, name="Người năm cũ"), at=datetime(YEAR - 3, 6, 1))
    web_login(client, "admin1")
    page = client.get("/organiser")
    offered = re.findall(r'<option value="(\d{4})"', page.text.split('id="f-year"', 1)[1].split("</select>", 1)[0])
    assert offered == [str(y) for y in range(YEAR, YEAR - 4, -1)]
