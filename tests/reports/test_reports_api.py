"""The reports API: scoping through every endpoint and filter, figures on hand-computed fixtures,
suppression, xAPI, formats, bad input and the audit log."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from quiz_api.audit import AuditLog
from quiz_api.labels import t
from quiz_api.reports import service
from quiz_api.reports.filters import Filters, Scope
from tests.organisers.helpers import bearer, make_organiser
from tests.reports import data

MINE, OTHER = "TN-P-long-an", "TN-S-so-y-te"
ROW_KINDS = ("completions", "attempts", "summary", "annual")


def csv_rows(response) -> list[list[str]]:
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


@pytest.fixture
def two_units(client, database):
    """Six learners in my unit and six in another, each with a passed attempt in 2026; targets for both."""
    make_organiser(database, "admin1", admin=True)
    make_organiser(database, "longan", units=(MINE,))
    names = {}
    with database.writing() as db:
        for unit in (MINE, OTHER):
            for i in range(6):
                lid = data.learner(db, unit=unit, name=f"{unit}-người-{i}",
                                   group="public_servant" if i % 2 else "citizen")
                data.attempt(db, lid, answers=[("mau-001", True), ("mau-002", i % 2 == 0)])
            for group in ("public_servant", "citizen"):
                data.target(db, unit=unit, group=group, headcount=10, share=0.5)
    return names


# --- scoping -------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ROW_KINDS)
@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize("query", ["", "year=2026", "group=citizen", "module=mau-thu", f"unit={MINE}",
                                   "year=2026&group=public_servant&module=mau-thu"])
def test_a_unit_organiser_reads_only_their_units_rows(client, two_units, kind, fmt, query):
    headers = bearer(client, "longan")
    response = client.get(f"/api/v1/reports/{kind}?format={fmt}&{query}", headers=headers)
    assert response.status_code == 200, response.text
    assert OTHER not in response.text and "so-y-te" not in response.text
    if kind != "summary":  # summary of 3 people per group in my unit may be all hidden, but never empty of rows
        assert MINE in response.text


@pytest.mark.parametrize("kind", ROW_KINDS + ("questions", "xapi"))
@pytest.mark.parametrize("unit", [OTHER, "TN"])
def test_a_unit_organiser_asking_for_another_unit_gets_403(client, two_units, kind, unit):
    response = client.get(f"/api/v1/reports/{kind}?unit={unit}", headers=bearer(client, "longan"))
    assert response.status_code == 403


@pytest.mark.parametrize("kind", ["questions", "xapi"])
def test_question_statistics_and_xapi_are_for_province_admins(client, two_units, kind):
    assert client.get(f"/api/v1/reports/{kind}", headers=bearer(client, "longan")).status_code == 403
    assert client.get(f"/api/v1/reports/{kind}", headers=bearer(client, "admin1")).status_code == 200


@pytest.mark.parametrize("kind", ROW_KINDS + ("questions", "xapi"))
def test_every_report_needs_a_valid_bearer_token(client, two_units, kind):
    assert client.get(f"/api/v1/reports/{kind}").status_code == 401
    assert client.get(f"/api/v1/reports/{kind}", headers={"Authorization": "Bearer x.y"}).status_code == 401


def test_an_admin_reads_every_unit(client, two_units):
    body = client.get("/api/v1/reports/completions?format=json", headers=bearer(client, "admin1")).json()
    assert {r["unit_code"] for r in body["rows"]} == {MINE, OTHER}
    assert len(body["rows"]) == 12


# --- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("query,status,code", [
    ("units=TN", 422, "unknown_filter"),
    ("year=1999", 422, None),
    ("year=abc", 422, None),
    ("group=aliens", 422, None),
    ("module=khong-co", 422, "bad_filter"),
    ("unit=NO-SUCH-UNIT", 422, "unknown_unit"),
    ("format=pdf", 422, None),
    ("unit=TN%00", 422, "bad_filter"),
    ("module=%00", 422, None),
])
def test_bad_filters_get_a_clear_422(client, two_units, query, status, code):
    response = client.get(f"/api/v1/reports/summary?{query}", headers=bearer(client, "admin1"))
    assert response.status_code == status, response.text
    if code:
        assert response.json()["code"] == code


def test_a_year_without_targets_gets_a_clear_404(client, two_units):
    response = client.get("/api/v1/reports/annual?year=2031", headers=bearer(client, "admin1"))
    assert response.status_code == 404
    assert response.json()["code"] == "no_targets" and "2031" in response.json()["detail"]


# --- formats, audit ------------------------------------------------------------------------------

def test_csv_and_xlsx_hold_the_same_rows(client, two_units):
    headers = bearer(client, "admin1")
    for kind in ("completions", "attempts", "annual"):
        text_rows = csv_rows(client.get(f"/api/v1/reports/{kind}?format=csv&year=2026", headers=headers))
        xlsx = client.get(f"/api/v1/reports/{kind}?format=xlsx&year=2026", headers=headers)
        assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).active

        def cell(c):
            v = c.value
            if v is None:
                return ""
            if isinstance(v, bool):
                return "TRUE" if v else "FALSE"
            if isinstance(v, datetime):  # the local wall time; its offset is shown by the cell's format
                assert c.number_format.startswith("yyyy-mm-dd hh:mm:ss")
                return v.strftime("%Y-%m-%dT%H:%M:%S") + c.number_format.split('"')[1]
            return str(v)

        def same(v: str):  # 1 and 1.0 are the same number in a spreadsheet
            try:
                return float(v)
            except ValueError:
                return v

        title, header, *body = list(sheet.iter_rows())
        assert title[0].value.startswith(t(f"report.{kind}", "vi")) and "2026" in title[0].value
        words = [i for i, c in enumerate(header) if c.value in ("Tên nhóm", "Tên học phần")]
        assert len(words) == 2  # names next to the codes, in the spreadsheet only
        if kind != "annual":  # a totals row closes the row reports
            assert body[-1][0].value == "Tổng"
            body = body[:-1]
        xlsx_rows = [[same(cell(v)) for i, v in enumerate(row) if i not in words] for row in [header, *body]]
        assert xlsx_rows == [[same(v) for v in row] for row in text_rows], kind
        assert len(xlsx_rows) > 1


def test_names_that_look_like_formulas_are_neutralised_in_csv(client, database):
    make_organiser(database, "admin1", admin=True)
    with database.writing() as db:
        lid = data.learner(db, name='=HYPERLINK("http://evil","x")')
        data.attempt(db, lid)
    rows = csv_rows(client.get("/api/v1/reports/completions?format=csv", headers=bearer(client, "admin1")))
    assert rows[1][0] == '\'=HYPERLINK("http://evil","x")'


def test_every_export_is_written_to_the_audit_log(client, two_units, database):
    client.get("/api/v1/reports/completions?format=csv&group=citizen", headers=bearer(client, "longan"))
    with database.reading() as db:
        row = db.scalar(select(AuditLog).where(AuditLog.action == "export.completions"))
    detail = json.loads(row.detail)
    assert row.actor == "longan" and row.row_count == 3
    assert detail["filters"] == {"group": "citizen"} and detail["format"] == "csv"
    assert row.at is not None


def test_raw_attempts_carry_no_names(client, two_units):
    text = client.get("/api/v1/reports/attempts?format=csv", headers=bearer(client, "admin1")).text
    assert "người" not in text


# --- suppression ---------------------------------------------------------------------------------

def test_summary_hides_counts_below_the_threshold_and_the_rates_they_imply(client, two_units):
    rows = client.get("/api/v1/reports/summary", headers=bearer(client, "admin1")).json()["rows"]
    assert rows and all(r["learners"] is None and r["pass_rate"] is None and r["mean_score"] is None
                        for r in rows)  # 3 learners per unit and group
    csv_text = client.get("/api/v1/reports/summary?format=csv", headers=bearer(client, "admin1")).text
    assert "<5" in csv_text


def test_summary_shows_cells_at_or_above_the_threshold(client, database):
    make_organiser(database, "admin1", admin=True)
    with database.writing() as db:
        for i in range(5):
            data.attempt(db, data.learner(db), correct=5)
        data.attempt(db, data.learner(db), correct=1)
    (row,) = client.get("/api/v1/reports/summary", headers=bearer(client, "admin1")).json()["rows"]
    assert (row["learners"], row["attempts"], row["passed"], row["pass_rate"]) == (6, 6, 5, round(5 / 6, 4))
    assert row["mean_score"] == round((5 * 1.0 + 0.2) / 6, 4)


def test_the_complementary_cell_is_hidden_so_totals_do_not_reveal_a_small_one(client, database):
    from quiz_api.reports.suppression import complementary

    assert complementary([3, 9, 12], 5) == [True, True, False]
    assert complementary([3, 0, 0], 5) == [True, False, False]
    assert complementary([3, 2, 40], 5) == [True, True, False]
    assert complementary([0, 7, 40], 5) == [False, False, False]


# --- annual assessment on a hand-computed fixture --------------------------------------------------

@pytest.fixture
def annual_fixture(client, database):
    """Hand-computed (see each comment)."""
    make_organiser(database, "admin1", admin=True)
    with database.writing() as db:
        data.target(db, unit=MINE, group="public_servant", headcount=10, share=0.5)   # target 5
        data.target(db, unit=OTHER, group="public_servant", headcount=8, share=1.0)   # target 8
        data.target(db, unit=MINE, group="citizen", headcount=20, share=0.25)         # target 5
        data.target(db, year=2025, unit=MINE, group="citizen", headcount=99, share=1.0)  # another year
        # MINE public servants: 4 pass in 2026, 1 passed in 2025 (trained, not this year), 1 fails.
        for month in (1, 2, 3, 4):
            data.attempt(db, data.learner(db, unit=MINE), at=datetime(2026, month, 5))
        data.attempt(db, data.learner(db, unit=MINE), at=datetime(2025, 11, 5))
        data.attempt(db, data.learner(db, unit=MINE), correct=2)
        # a pass of another module does not count
        data.attempt(db, data.learner(db, unit=MINE), module="khac")
        # OTHER: 7 pass in 2026 (one of them twice: counted once), 1 passes only in 2027.
        for i in range(7):
            lid = data.learner(db, unit=OTHER)
            data.attempt(db, lid, at=datetime(2026, 2, 1))
            if i == 0:
                data.attempt(db, lid, no=2, at=datetime(2026, 6, 1))
        data.attempt(db, data.learner(db, unit=OTHER), at=datetime(2027, 1, 2))
        # a citizen of MINE who passed, and a public servant of OTHER in the citizen count? no: group differs
        data.attempt(db, data.learner(db, unit=MINE, group="business"), at=datetime(2026, 3, 1))


def _annual(database, year=2026, suppress=False, unit_codes=None):
    with database.engine.connect() as conn:
        scope = Scope(unit_codes, suppress, "t", Filters(year=year))
        rows, totals = service.annual_figures(conn, scope, year)
    return rows, totals


def test_annual_assessment_figures_match_the_hand_computed_fixture(client, annual_fixture, database):
    rows, totals = _annual(database)
    got = {(r.unit_code, r.group): (r.headcount, r.target, r.trained, r.trained_in_year, r.met, r.gap)
           for r in rows}
    assert got == {
        (MINE, "public_servant"): (10, 5, 5, 4, True, 0),
        (OTHER, "public_servant"): (8, 8, 7, 7, False, 1),
        (MINE, "citizen"): (20, 5, 0, 0, False, 5),
    }
    assert next(r for r in rows if r.unit_code == OTHER).rate == 7 / 8
    tot = {(t.group, t.module_id): (t.headcount, t.target, t.trained, t.trained_in_year) for t in totals}
    assert tot == {("public_servant", "mau-thu"): (18, 13, 12, 11), ("citizen", "mau-thu"): (20, 5, 0, 0),
                   ("*", "*"): (38, 18, 12, 11)}


def test_annual_report_api_shows_met_and_missed_with_totals_and_suppression(client, annual_fixture):
    body = client.get("/api/v1/reports/annual?year=2026&lang=en", headers=bearer(client, "admin1")).json()
    by_key = {(r["unit_code"], r["group"]): r for r in body["rows"]}
    mine = by_key[(MINE, "public_servant")]
    assert (mine["target"], mine["trained"], mine["status"], mine["gap"]) == (5, 5, "Met", 0)
    # 4 first passes this year is small; its partner in the same total (7) is hidden too
    assert mine["trained_in_year"] is None and by_key[(OTHER, "public_servant")]["trained_in_year"] is None
    assert by_key[(OTHER, "public_servant")]["status"] == "Missed" and by_key[(OTHER, "public_servant")]["gap"] == 1
    assert by_key[("*", "*")]["trained"] == 12 and by_key[("*", "*")]["headcount"] == 38
    assert body["suppression_threshold"] == 5


def test_a_province_target_counts_every_unit_below_and_totals_do_not_double_count(client, annual_fixture, database):
    with database.writing() as db:
        data.target(db, unit="TN", group="public_servant", headcount=100, share=0.2)
    rows, totals = _annual(database)
    province = next(r for r in rows if r.unit_code == "TN")
    assert (province.target, province.trained) == (20, 12)
    tot = {(t.group, t.module_id): (t.headcount, t.trained) for t in totals}
    assert tot[("public_servant", "mau-thu")] == (100, 12)


def test_target_people_rounds_up_and_never_exceeds_the_headcount():
    assert service.target_people(420, 1.0) == 420
    assert service.target_people(5, 0.5) == 3
    assert service.target_people(10, 0.3) == 3
    assert service.target_people(7, 0.0) == 0


# --- question statistics on a hand-computed fixture -------------------------------------------------

FIRST = {  # learner: right (1) or wrong (0) on q1, q2, q3 in the first attempt
    "L1": (1, 1, 1), "L2": (1, 1, 0), "L3": (1, 0, 1), "L4": (0, 1, 0), "L5": (1, 0, 0), "L6": (0, 0, 0),
}


def pearson(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return cov / math.sqrt(sum((x - mx) ** 2 for x in xs) * sum((y - my) ** 2 for y in ys))


@pytest.fixture
def item_fixture(client, database):
    make_organiser(database, "admin1", admin=True)
    with database.writing() as db:
        for name, xs in FIRST.items():
            lid = data.learner(db, name=name)
            data.attempt(db, lid, correct=sum(xs), questions=3,
                         answers=[(f"mau-00{i + 1}", bool(x)) for i, x in enumerate(xs)])
            if name == "L6":  # a second attempt is not a first attempt: ignored
                data.attempt(db, lid, no=2, correct=3, questions=3,
                             answers=[("mau-001", True), ("mau-002", True), ("mau-003", True)])


def test_facility_and_discrimination_match_the_hand_computed_fixture(client, item_fixture):
    body = client.get("/api/v1/reports/questions?module=mau-thu", headers=bearer(client, "admin1")).json()
    stats = {r["question_id"]: r for r in body["rows"]}
    for i in range(3):
        xs = [v[i] for v in FIRST.values()]
        ys = [(sum(v) - v[i]) / 2 for v in FIRST.values()]
        row = stats[f"mau-00{i + 1}"]
        assert row["responses"] == 6
        assert row["facility"] == round(sum(xs) / 6, 4)
        assert row["discrimination"] == pytest.approx(pearson(xs, ys), abs=1e-4)
    # q1 worked by hand: Σx=4, Σy=2.5, Σxy=2, Σy²=1.75 → (12−10)/√(8·4.25) = 0.3430
    assert stats["mau-001"]["facility"] == 0.6667
    assert stats["mau-001"]["discrimination"] == pytest.approx(0.3430, abs=1e-4)
    assert stats["mau-004"]["responses"] == 0  # in the bank, never drawn


def test_questions_get_plain_language_flags():
    from quiz_api.labels import t
    from quiz_api.reports import stats

    assert stats.flags(50, 0.95, 0.3, 20) == ["too_easy"]
    assert stats.flags(50, 0.2, 0.3, 20) == ["too_hard"]
    assert stats.flags(50, 0.6, 0.1, 20) == ["not_discriminating"]
    assert stats.flags(50, 0.6, -0.3, 20) == ["misleading"]
    assert stats.flags(5, 0.6, 0.5, 20) == ["few_responses"]
    assert t("flag.too_easy", "vi") == "quá dễ"
    assert t("flag.not_discriminating", "vi") == "không phân loại được người học"
    assert stats.discrimination(stats.Sums(4, 4, 2, 2, 1.5)) is None  # everyone right: undefined


# --- xAPI ----------------------------------------------------------------------------------------

def test_xapi_statements_have_the_required_fields_and_pseudonymous_actors(client, two_units, app):
    response = client.get("/api/v1/reports/xapi", headers=bearer(client, "admin1"))
    assert response.headers["content-type"].startswith("application/x-ndjson")
    statements = [json.loads(line) for line in response.text.splitlines()]
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in statements]
    assert verbs.count("passed") == 12 and verbs.count("completed") == 12 and "failed" not in verbs
    home = "http://testserver"  # no public URL: the address asked
    for s in statements:
        assert set(s) >= {"id", "actor", "verb", "object", "timestamp", "result", "context"}
        ifis = [k for k in ("mbox", "mbox_sha1sum", "openid", "account") if k in s["actor"]]
        assert ifis == ["account"]
        assert s["actor"]["account"]["homePage"] == home and len(s["actor"]["account"]["name"]) == 32
        assert "name" not in s["actor"] and "người" not in json.dumps(s, ensure_ascii=False)
        assert s["verb"]["id"].startswith("http://adlnet.gov/expapi/verbs/")
        assert s["object"]["id"].startswith("http")
        assert s["timestamp"].endswith("Z") and datetime.fromisoformat(s["timestamp"][:-1]) <= datetime.now()
        assert -1 <= s["result"]["score"]["scaled"] <= 1
        assert s["context"]["extensions"][f"{home}/xapi/ext/learner-group"] in ("public_servant", "citizen")
    again = client.get("/api/v1/reports/xapi", headers=bearer(client, "admin1")).text
    assert [json.loads(x)["id"] for x in again.splitlines()] == [s["id"] for s in statements]


def test_a_failed_attempt_gives_a_failed_statement(client, database):
    make_organiser(database, "admin1", admin=True)
    with database.writing() as db:
        data.attempt(db, data.learner(db), correct=1)
    (s,) = [json.loads(x) for x in client.get("/api/v1/reports/xapi", headers=bearer(client, "admin1")).text.splitlines()]
    assert s["verb"]["id"].endswith("/failed") and s["result"]["success"] is False
    assert s["result"]["score"]["scaled"] == 0.2


@pytest.mark.parametrize("kind", ["completions", "attempts"])
def test_the_database_formatted_csv_equals_the_python_formatted_one(client, database, kind):
    from quiz_api.reports import formats

    with database.writing() as db:
        lid = data.learner(db, name='=Trần, "Bé" Ba')
        data.attempt(db, lid, correct=3)
        data.attempt(db, lid, no=2, correct=5, attempt_id="-starts-with-dash")
        data.attempt(db, lid, no=3, submitted=False)
        data.attempt(db, data.learner(db, unit=OTHER, group="business"), correct=4, questions=6)
    scope = Scope(None, False, "t", Filters())
    columns = {"completions": service.COMPLETIONS, "attempts": service.ATTEMPTS}[kind]
    with database.engine.connect() as conn:
        plain = b"".join(formats.csv_chunks(columns, service.stream_rows(conn, kind, scope)))
        total, lines = service.stream_csv_lines(conn, kind, scope)
        fast = b"".join(formats.csv_line_chunks(columns, lines))

    def number(v: str):
        try:
            return float(v)
        except ValueError:
            return v

    def parsed(body):
        out = []
        for row in csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")):
            out.append([number(v) for v in row])
        return sorted(out[1:]), out[0]

    assert parsed(fast) == parsed(plain)
    assert total == len(parsed(fast)[0]) or (total is None and kind == "completions"
                                             and database.engine.dialect.name == "postgresql")
    assert "starts-with-dash" not in fast.decode()  # attempt ids are never exported
    assert "'=Trần, \"\"Bé\"\" Ba" in fast.decode() or kind == "attempts"


def test_a_wrong_option_nobody_picks_is_flagged_with_its_id(client, database):
    """mau-001 (key b): 24 first attempts pick a, b or c, never d; d makes the question easier to guess."""
    make_organiser(database, "admin1", admin=True)
    with database.writing() as db:
        for i in range(24):
            data.attempt(db, data.learner(db), correct=1, questions=1,
                         answers=[("mau-001", i % 3 == 1, "abc"[i % 3])])
    body = client.get("/api/v1/reports/questions?module=mau-thu&format=json", headers=bearer(client, "admin1")).json()
    row = next(r for r in body["rows"] if r["question_id"] == "mau-001")
    assert "có phương án sai không ai chọn (dễ đoán): d" in row["flags"]


def test_unused_options_and_their_flag():
    from quiz_api.reports import stats

    assert stats.unused_options({"a": 3, "c": 1}, ["a", "c", "d"]) == ["d"]
    assert stats.unused_options({"a": 3, "c": 1, "d": 2}, ["a", "c", "d"]) == []
    assert stats.flags(50, 0.6, 0.4, 20, ["d"]) == ["unused_distractors"]
    assert stats.flags(5, 0.6, 0.4, 20, ["d"]) == ["few_responses"]  # too few answers to tell
