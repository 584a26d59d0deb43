"""The dashboard states, next to each row report's buttons, how many rows its file will have: the
number the download then sends (its rows and its X-Row-Count), for every filter, read off the
figures the page already holds. The attempts file lists submitted attempts by the local year of
their submission, as every other figure counts them. On SQLite and, with KYNANGSO_TEST_DATABASE_URL,
on PostgreSQL."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import datetime

import pytest

from tests.organisers.helpers import make_organiser, web_login
from tests.reports import data

MINE, OTHER = "TN-P-long-an", "TN-S-so-y-te"
ROW_REPORTS = ("completions", "attempts")


@pytest.fixture
def province(client, database):
    """Two units, three groups, two modules, in 2025-2027 (local years), with attempts never
    submitted and attempts either side of local midnight on New Year's Eve (storage is UTC)."""
    make_organiser(database, "admin1", admin=True)
    make_organiser(database, "longan", units=(MINE,))
    with database.writing() as db:
        for i in range(6):  # my unit: 6 learners at mau-thu, 3 pass on a second try, 2 also at khac
            lid = data.learner(db, unit=MINE, name=f"Người Long An {i}")
            data.attempt(db, lid, at=datetime(2026, 3, 10, 8), correct=3)
            if i < 3:
                data.attempt(db, lid, no=2, at=datetime(2026, 4, 10, 8))
            if i == 3:
                data.attempt(db, lid, no=2, at=datetime(2026, 4, 10, 8), submitted=False)
            if i >= 4:
                data.attempt(db, lid, module="khac", at=datetime(2026, 5, 1, 8))
        citizen = [data.learner(db, unit=OTHER, group="citizen", name=f"Dân {i}") for i in range(5)]
        # 00:00:30 on 1 January 2026 in Vietnam (started 23:53:30 on 31 December 2025): a 2026 attempt
        data.attempt(db, citizen[0], at=datetime(2025, 12, 31, 17, 0, 30))
        # 23:59:59 on 31 December 2025 in Vietnam: a 2025 attempt; then one in 2026
        data.attempt(db, citizen[1], at=datetime(2025, 12, 31, 16, 59, 59))
        data.attempt(db, citizen[1], no=2, at=datetime(2026, 2, 1, 8))
        # 00:03 on 1 January 2027 in Vietnam, started at 23:56 on 31 December 2026: a 2027 attempt
        data.attempt(db, citizen[2], at=datetime(2026, 12, 31, 17, 3))
        data.attempt(db, citizen[3], at=datetime(2026, 6, 1, 8))
        data.attempt(db, citizen[3], no=2, at=datetime(2026, 6, 2, 8), submitted=False)
        data.attempt(db, citizen[4], at=datetime(2026, 7, 1, 8), submitted=False)  # never submitted anything
        for i in range(2):
            lid = data.learner(db, unit=OTHER, group="business", name=f"Doanh nghiệp {i}")
            data.attempt(db, lid, at=datetime(2026, 8, 1, 8))
            if i:
                data.attempt(db, lid, module="khac", at=datetime(2026, 8, 2, 8))
        data.target(db, year=2026, unit=OTHER, module="khac")  # so the filters know the module


def stated(client, query: str) -> dict[str, tuple[str | None, str]]:
    """The dashboard's stated rows per row report (None: not stated), with its CSV button's address."""
    page = client.get(f"/organiser?{query}")
    assert page.status_code == 200, page.text
    out = {}
    for item in re.findall(r"<li>(.*?)</li>", page.text.split('class="kns-downloads"', 1)[1].split("</ul>", 1)[0]):
        kind = re.search(r'href="/organiser/download/(\w+)\?', item).group(1)
        rows = re.search(r'<span class="kns-rows">\((.+?)\)</span>', item)
        assert rows is None or kind in ROW_REPORTS, item
        if kind in ROW_REPORTS:
            href = html.unescape(re.search(r'href="([^"]+format=csv)"', item).group(1))
            out[kind] = (html.unescape(rows.group(1)) if rows else None, href)
    return out


def sent(client, href: str) -> int:
    """The rows a download sends, checked against its X-Row-Count (CSV, and JSON Lines: their two paths)."""
    response = client.get(href)
    assert response.status_code == 200, response.text
    rows = len(list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))) - 1
    if "X-Row-Count" in response.headers:  # not for completions as CSV on PostgreSQL (a second grouping)
        assert int(response.headers["X-Row-Count"]) == rows
    lines = client.get(href.replace("format=csv", "format=jsonl"))
    assert len(lines.text.splitlines()) == int(lines.headers["X-Row-Count"]) == rows
    return rows


def number(text: str) -> int:
    return int(text.removesuffix(" dòng").replace(".", ""))


# (filters, attempts, completions): the province's rows, counted by hand from the fixture.
ADMIN_CASES = [
    ("year=2026", 17, 14),
    (f"year=2026&unit={MINE}", 11, 8),
    ("year=2026&group=citizen", 3, 3),  # no unsubmitted attempt, nor 2025's, nor 2027's
    ("year=2026&module=khac", 3, 3),
    ("year=2026&module=mau-thu&group=business", 2, 2),
    ("year=2025", 1, 1),  # 23:59:59 on New Year's Eve; not the one started then and submitted after midnight
    ("year=2027", 1, 1),  # 00:03 on New Year's Day
    ("year=2020", 0, 0),  # no data
]


@pytest.mark.parametrize(("query", "attempts", "completions"), ADMIN_CASES)
def test_the_rows_stated_are_the_rows_each_download_sends(client, province, query, attempts, completions):
    web_login(client, "admin1")
    shown = stated(client, query)
    assert {kind: number(text) for kind, (text, _) in shown.items()} == {"attempts": attempts,
                                                                         "completions": completions}
    for kind, (text, href) in shown.items():
        assert sent(client, href) == number(text), (kind, query)


def test_the_english_dashboard_states_rows_too(client, province):
    web_login(client, "admin1")
    shown = stated(client, "year=2026&lang=en")
    assert shown["attempts"][0] == "rows: 17" and "lang=en" in shown["attempts"][1]


@pytest.mark.parametrize(("query", "attempts", "completions"), [
    ("year=2026", 11, None),  # 6 learners at mau-thu, 2 at khac (hidden): the 8 would tell the 2
    ("year=2026&module=mau-thu", 9, 6),
    ("year=2026&module=khac", None, None),  # 2 learners: hidden, as on the rest of the page
    ("year=2020", 0, 0),
])
def test_a_unit_organiser_is_told_rows_except_where_the_page_hides_a_small_count(client, province, query,
                                                                                 attempts, completions):
    web_login(client, "longan")
    shown = stated(client, query)
    for kind, expected in (("attempts", attempts), ("completions", completions)):
        text, href = shown[kind]
        rows = sent(client, href)  # the file itself lists the unit's own learners, hidden count or not
        if expected is None:
            assert text is None and rows > 0
        else:
            assert text == f"{expected} dòng" and rows == expected


@pytest.mark.parametrize(("query", "attempts", "completions"), [ADMIN_CASES[0], ADMIN_CASES[1], ADMIN_CASES[5]])
def test_where_the_dashboard_reads_the_raw_rows_it_states_the_same_rows(client, province, monkeypatch, query,
                                                                        attempts, completions):
    """A zone the aggregates do not count in: the page's figures, and so its row counts, come from the raw rows."""
    from quiz_api.reports import service

    monkeypatch.setattr(service, "from_aggregates", lambda scope: False)
    web_login(client, "admin1")
    shown = stated(client, query)
    assert (number(shown["attempts"][0]), number(shown["completions"][0])) == (attempts, completions)
    for text, href in shown.values():
        assert sent(client, href) == number(text)
