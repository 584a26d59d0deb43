"""Training classes: scheduling within the organiser's units, the join code and sheet, joining (API
and the page the QR code opens), the live page, the attendance sheet, and a classroom's burst."""

from __future__ import annotations

import io
import json
import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from quiz_api import codes
from quiz_api.audit import AuditLog
from quiz_api.classes.models import ClassMember, TrainingClass
from quiz_api.learners.models import Learner
from quiz_api.localtime import now_local
from tests.certificates.helpers import pass_module
from tests.certificates.qrdecode import decode_svg
from tests.conftest import new_learner
from tests.organisers.helpers import bearer, csrf, make_organiser, web_login

MINE, OTHER = "TN-P-long-an", "TN-S-so-y-te"
MODULE = "mau-thu"


@pytest.fixture
def organisers(client, database):
    make_organiser(database, "admin1", admin=True)
    make_organiser(database, "longan", units=(MINE,))


APP_CSS = (Path(__file__).resolve().parents[2] / "docs/assets/stylesheets/app.css").read_text("utf-8")

def class_body(**overrides) -> dict:
    start = (now_local() + timedelta(days=3)).replace(hour=8, minute=0, second=0, microsecond=0, tzinfo=None)
    body = {"title": "Tập huấn bảo vệ dữ liệu cá nhân", "starts_at": start.isoformat(timespec="minutes"),
            "place": "Hội trường UBND phường Long An", "unit_code": MINE, "modules": [MODULE],
            "trainer_name": "Trần Thị Bình", "expected_headcount": 80}
    body.update(overrides)
    return body


def new_class(client, who: str = "longan", **overrides) -> dict:
    response = client.post("/api/v1/classes", json=class_body(**overrides), headers=bearer(client, who))
    assert response.status_code == 201, response.text
    return response.json()


def mistype(code: str) -> str:
    """The code with one character changed: the check character catches it."""
    raw = codes.normalise(code)
    swapped = ("1" if raw[0] != "1" else "2") + raw[1:]
    return codes.format_code(swapped)


# --- scheduling -----------------------------------------------------------------------------------

def test_a_unit_organiser_schedules_a_class_for_their_unit_in_vietnam_time(client, organisers):
    body = class_body(starts_at="2027-01-15T08:30")
    created = client.post("/api/v1/classes", json=body, headers=bearer(client, "longan"))
    if created.status_code == 422:  # the machine's clock is past 2027-01: use a date a month ahead
        body = class_body()
        created = client.post("/api/v1/classes", json=body, headers=bearer(client, "longan"))
    assert created.status_code == 201, created.text
    c = created.json()
    assert codes.is_well_formed(c["code"], 6) and re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{3}", c["code"])
    local = datetime.fromisoformat(c["starts_at_local"])
    assert local.utcoffset() == timedelta(hours=7)
    assert local.replace(tzinfo=None) == datetime.fromisoformat(body["starts_at"])
    assert c["starts_at"].endswith("Z")
    assert datetime.fromisoformat(c["starts_at"][:-1]) == datetime.fromisoformat(body["starts_at"]) - timedelta(hours=7)
    assert c["join_url"].endswith(f"/lop/{c['code']}") and c["members"] == 0 and c["warnings"] == []
    assert c["modules"] == [MODULE] and c["unit_name"] == "Long An"


def test_a_unit_organiser_cannot_schedule_a_class_for_a_unit_they_do_not_see(client, organisers, database):
    response = client.post("/api/v1/classes", json=class_body(unit_code=OTHER), headers=bearer(client, "longan"))
    assert response.status_code == 403
    assert client.post("/api/v1/classes", json=class_body(unit_code=OTHER),
                       headers=bearer(client, "admin1")).status_code == 201
    with database.reading() as db:
        assert db.scalar(select(func.count()).select_from(TrainingClass)) == 1


def test_a_class_in_the_past_is_recorded_with_a_warning_and_more_than_a_year_ahead_is_refused(client, organisers):
    past = (now_local() - timedelta(days=20)).replace(tzinfo=None).isoformat(timespec="minutes")
    c = new_class(client, starts_at=past)
    assert [w["code"] for w in c["warnings"]] == ["class_in_past"]
    far = (now_local() + timedelta(days=400)).replace(tzinfo=None).isoformat(timespec="minutes")
    refused = client.post("/api/v1/classes", json=class_body(starts_at=far), headers=bearer(client, "longan"))
    assert refused.status_code == 422 and refused.json()["code"] == "class_too_far"


@pytest.mark.parametrize("change, key", [({"modules": ["khong-co"]}, "unknown_module"),
                                         ({"title": "   "}, "class_title_required"),
                                         ({"unit_code": "KHONG-CO"}, "unknown_unit")])
def test_a_class_with_a_bad_field_is_refused_and_nothing_is_stored(client, organisers, database, change, key):
    response = client.post("/api/v1/classes", json=class_body(**change), headers=bearer(client, "admin1"))
    assert response.status_code == 422 and response.json()["code"] == key
    with database.reading() as db:
        assert db.scalar(select(func.count()).select_from(TrainingClass)) == 0


def test_the_class_list_shows_only_the_organisers_units(client, organisers):
    new_class(client, "admin1", unit_code=OTHER, title="Lớp của Sở Y tế")
    mine = new_class(client)
    listed = client.get("/api/v1/classes", headers=bearer(client, "longan")).json()
    assert [c["code"] for c in listed] == [mine["code"]]
    assert len(client.get("/api/v1/classes", headers=bearer(client, "admin1")).json()) == 2


# --- joining --------------------------------------------------------------------------------------

def test_a_learner_registers_with_the_class_code_and_sees_the_class_in_their_data(client, organisers):
    c = new_class(client)
    response = client.post("/api/v1/learners", json={
        "full_name": "Lê Văn Cường", "group": "public_servant", "unit_code": MINE, "consent": True,
        "class_code": c["code"].lower().replace("-", " ")})
    assert response.status_code == 201, response.text
    assert response.json()["class_code"] == c["code"]
    data = client.get(f"/api/v1/learners/{response.json()['learner_code']}/data").json()
    assert [(x["code"], x["title"]) for x in data["classes"]] == [(c["code"], c["title"])]
    progress = client.get(f"/api/v1/classes/{c['code']}", headers=bearer(client, "longan")).json()
    assert [m["full_name"] for m in progress["members"]] == ["Lê Văn Cường"]


def test_joining_twice_is_idempotent(client, organisers, database):
    c = new_class(client)
    code = new_learner(client)
    first = client.post(f"/api/v1/classes/{c['code']}/join", json={"learner_code": code})
    again = client.post(f"/api/v1/classes/{c['code']}/join", json={"learner_code": code})
    assert (first.status_code, first.json()["joined"]) == (200, True)
    assert (again.status_code, again.json()["joined"]) == (200, False)
    assert again.json()["class"]["members"] == 1
    with database.reading() as db:
        assert db.scalar(select(func.count()).select_from(ClassMember)) == 1


def test_a_mistyped_unknown_or_closed_class_code_gets_a_clear_error_and_stores_nobody(client, organisers, database):
    c = new_class(client)
    body = {"full_name": "Phạm Thu", "group": "citizen", "unit_code": MINE, "consent": True}
    typo = client.post("/api/v1/learners", json={**body, "class_code": mistype(c["code"])})
    assert typo.status_code == 404 and typo.json()["code"] == "class_mistyped"
    assert "mistype" in client.post("/api/v1/learners", json={**body, "class_code": mistype(c["code"]),
                                                              "lang": "en"}).json()["detail"]
    unknown_raw = "ZZZZZZ"
    unknown = codes.format_code(unknown_raw + codes.check_char(unknown_raw))
    missing = client.post("/api/v1/learners", json={**body, "class_code": unknown})
    assert missing.status_code == 404 and missing.json()["code"] == "unknown_class"
    assert client.post(f"/api/v1/classes/{c['code']}/close", headers=bearer(client, "longan")).json()["closed"]
    closed = client.post("/api/v1/learners", json={**body, "class_code": c["code"]})
    assert closed.status_code == 410 and closed.json()["code"] == "class_closed"
    assert c["title"] in closed.json()["detail"]
    with database.reading() as db:
        assert db.scalar(select(func.count()).select_from(Learner)) == 0


def test_the_join_sheet_qr_code_opens_the_registration_with_the_class_and_its_unit_chosen(client, organisers, app):
    c = new_class(client)
    web_login(client, "longan")
    sheet = client.get(f"/organiser/classes/{c['code']}/join-sheet")
    assert sheet.status_code == 200 and 'class="kns-join-sheet"' in sheet.text and c["code"] in sheet.text
    assert "@page joinsheet { size: A4 portrait" in APP_CSS  # the sheet's page, in the stylesheet (CSP)
    url = decode_svg(re.search(r"<svg.*?</svg>", sheet.text, re.DOTALL).group(0))
    assert url == [f"{app.state.settings.public_url}/lop/{c['code']}"]
    client.cookies.clear()
    page = client.get(url[0].removeprefix(app.state.settings.public_url))
    assert page.status_code == 200 and c["title"] in page.text
    assert re.search(rf'<option value="{MINE}"\s+selected>', page.text)
    assert 'action="/lop/' + c["code"] + '/register"' in page.text


def test_a_new_learner_registers_on_the_join_page_and_may_choose_another_unit(client, organisers, database):
    c = new_class(client)
    page = client.get(f"/lop/{c['code']}")
    done = client.post(f"/lop/{c['code']}/register", data={
        "csrf_token": csrf(page.text), "full_name": "Võ Thị Lan", "group": "citizen", "unit_code": OTHER,
        "consent": "yes"})
    assert done.status_code == 200 and 'id="joined"' in done.text and f"/quiz/{MODULE}" in done.text
    learner_code = re.search(r'id="learner-code">([^<]+)<', done.text).group(1)
    assert client.cookies.get("kns_learner") == learner_code
    with database.reading() as db:
        learner = db.scalar(select(Learner))
        assert learner.unit_code == OTHER
        assert db.scalar(select(ClassMember.learner_id)) == learner.id


def test_a_learner_with_a_code_joins_on_the_join_page(client, organisers, database):
    c = new_class(client)
    learner_code = new_learner(client)
    client.cookies.clear()
    page = client.get(f"/lop/{c['code']}")
    done = client.post(f"/lop/{c['code']}/join", data={"csrf_token": csrf(page.text), "learner_code": learner_code})
    assert done.status_code == 200 and 'id="joined"' in done.text
    again = client.post(f"/lop/{c['code']}/join", data={"csrf_token": csrf(page.text)})  # the cookie, now
    assert again.status_code == 200
    with database.reading() as db:
        assert db.scalar(select(func.count()).select_from(ClassMember)) == 1


def test_a_typed_class_code_with_a_typo_asks_whether_it_was_mistyped(client, organisers):
    c = new_class(client)
    wrong = client.get("/lop", params={"code": mistype(c["code"]), "lang": "en"})
    assert wrong.status_code == 404 and "Did you mistype" in wrong.text
    right = client.get("/lop", params={"code": c["code"].lower()}, follow_redirects=False)
    assert right.status_code == 303 and right.headers["location"] == f"/lop/{c['code']}"


# --- on the day and after -------------------------------------------------------------------------

def test_the_live_page_refreshes_itself_without_javascript_and_counts_each_step(client, organisers, banks):
    c = new_class(client)
    passed, started, _joined = (new_learner(client, full_name=n, class_code=c["code"])
                               for n in ("Người Đạt", "Người Đang Làm", "Người Mới Vào"))
    pass_module(client, banks, passed)
    assert client.post("/api/v1/attempts", json={"learner_code": started, "module_id": MODULE}).status_code == 201
    web_login(client, "longan")
    page = client.get(f"/organiser/classes/{c['code']}")
    assert page.status_code == 200 and "<script" not in page.text
    refresh = int(re.search(r'<meta http-equiv="refresh" content="(\d+)">', page.text).group(1))
    assert 20 <= refresh <= 30
    row = re.search(r'<tr id="count-mau-thu">(.*?)</tr>', page.text, re.DOTALL).group(1)
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["3", "2", "1", "1"]  # joined, started, submitted, passed
    for name in ("Người Đạt", "Người Đang Làm", "Người Mới Vào"):
        assert name in page.text
    # the first link turns the refresh off (a time limit the reader can stop), and back on
    first = re.search(r'<a href="([^"]+)"', page.text.split('id="main"')[1]).group(1)
    assert first == f"/organiser/classes/{c['code']}?live=0"
    still = client.get(first)
    assert 'http-equiv="refresh"' not in still.text and 'id="count-mau-thu"' in still.text


def test_another_units_organiser_cannot_see_a_class(client, organisers):
    c = new_class(client, "admin1", unit_code=OTHER)
    assert client.get(f"/api/v1/classes/{c['code']}", headers=bearer(client, "longan")).status_code == 403
    web_login(client, "longan")
    assert client.get(f"/organiser/classes/{c['code']}").status_code == 403
    assert client.get(f"/organiser/classes/{c['code']}/sheet.xlsx").status_code == 403


def test_the_attendance_sheet_lists_results_and_never_names_an_erased_learner(client, organisers, banks, database):
    c = new_class(client)
    kept = new_learner(client, full_name="Đặng Văn Giữ", group="public_servant", class_code=c["code"])
    erased = new_learner(client, full_name="Ngô Thị Xóa", class_code=c["code"])
    certificate = pass_module(client, banks, kept)["certificate_code"]
    pass_module(client, banks, erased)
    assert client.delete(f"/api/v1/learners/{erased}").json()["erased"]
    web_login(client, "longan")
    page = client.get(f"/organiser/classes/{c['code']}/sheet")
    assert page.status_code == 200 and 'class="kns-class-sheet"' in page.text
    assert "@page classsheet { size: A4 landscape" in APP_CSS
    assert "Đặng Văn Giữ" in page.text and certificate in page.text and "100%" in page.text
    assert "Ngô Thị Xóa" not in page.text and "1 học viên đã xóa" in page.text
    assert "Giảng viên" in page.text and c["trainer_name"] in page.text
    xlsx = client.get(f"/organiser/classes/{c['code']}/sheet.xlsx")
    assert xlsx.status_code == 200
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [[cell.value for cell in row] for row in ws.iter_rows()]
    header = next(i for i, row in enumerate(cells) if row[0] == "STT")
    assert ws.freeze_panes == f"A{header + 2}"
    assert cells[header + 1][:5] == [1, "Đặng Văn Giữ", "Long An", "Cán bộ, công chức, viên chức", 1]
    assert cells[header + 1][5:7] == [1.0, certificate]
    assert ws.cell(header + 2, 6).number_format == "0%"
    assert not any("Ngô Thị Xóa" in str(v) for row in cells for v in row)
    assert any("1 học viên đã xóa" in str(row[0]) for row in cells)
    assert c["title"] in [row[1] for row in cells[:header]]
    with database.reading() as db:  # each copy with names is on record: who, which class, how many rows
        logged = db.execute(select(AuditLog.action, AuditLog.actor, AuditLog.detail, AuditLog.row_count)
                            .where(AuditLog.action == "class.sheet").order_by(AuditLog.id)).all()
    assert [(a, who, json.loads(d)["format"], n) for a, who, d, n in logged] == [
        ("class.sheet", "longan", "html", 1), ("class.sheet", "longan", "xlsx", 1)]


def test_a_learner_typing_a_formula_as_a_name_gets_a_text_cell(client, organisers):
    c = new_class(client)
    new_learner(client, full_name="=HYPERLINK(\"http://x\")", class_code=c["code"])
    data = client.get(f"/api/v1/classes/{c['code']}/sheet", headers=bearer(client, "longan")).content
    ws = load_workbook(io.BytesIO(data)).active
    cell = next(cell for row in ws.iter_rows() for cell in row if str(cell.value).startswith("=HYPER"))
    assert cell.data_type == "s"


# --- a classroom at once --------------------------------------------------------------------------

def test_eighty_learners_register_join_and_start_within_two_minutes_from_one_address(client, organisers, app,
                                                                                   database):
    """A classroom behind one NAT address: half scan the QR code (the web form), half use an app (the
    API). No response is an error, and correct codes never feed the code-guessing limiter."""
    c = new_class(client)
    started = time.monotonic()
    statuses: list[int] = []
    for i in range(40):
        client.cookies.clear()  # a phone of its own
        page = client.get(f"/lop/{c['code']}")
        statuses.append(page.status_code)
        done = client.post(f"/lop/{c['code']}/register", data={
            "csrf_token": csrf(page.text), "full_name": f"Học viên web {i}", "group": "citizen", "unit_code": MINE,
            "consent": "yes"})
        statuses.append(done.status_code)
        assert f'href="/quiz/{MODULE}"' in done.text  # the joined page links to the class's modules
        quiz = client.get(f"/quiz/{MODULE}")
        statuses.append(quiz.status_code)
        begin = client.post(f"/quiz/{MODULE}/start", data={"csrf_token": csrf(quiz.text)}, follow_redirects=False)
        assert begin.status_code == 303 and begin.headers["location"].startswith("/quiz/attempt/"), begin.text
        statuses.append(client.get(begin.headers["location"]).status_code)
    client.cookies.clear()
    for i in range(40):
        registered = client.post("/api/v1/learners", json={
            "full_name": f"Học viên API {i}", "group": "public_servant", "unit_code": MINE, "consent": True,
            "class_code": c["code"]})
        statuses.append(registered.status_code)
        attempt = client.post("/api/v1/attempts", json={"learner_code": registered.json()["learner_code"],
                                                         "module_id": MODULE})
        statuses.append(attempt.status_code)
    elapsed = time.monotonic() - started
    assert elapsed < 120, elapsed
    assert all(200 <= s < 300 for s in statuses), sorted(set(statuses))
    assert len(statuses) == 40 * 4 + 40 * 2
    progress = client.get(f"/api/v1/classes/{c['code']}", headers=bearer(client, "longan")).json()
    assert progress["counts"][0]["joined"] == 80 and progress["counts"][0]["started"] == 80
    # the hundreds of correct code lookups above (class and learner codes) left the limiter untouched:
    # every wrong try but the last is still allowed, while wrong codes do count
    body = {"full_name": "x", "group": "citizen", "unit_code": MINE, "consent": True}
    limit = app.state.settings.code_lookups_per_minute
    for _ in range(limit - 1):
        assert client.post("/api/v1/learners", json={**body, "class_code": mistype(c["code"])}).status_code == 404
    assert client.post("/api/v1/learners", json={**body, "class_code": c["code"]}).status_code == 201
    assert client.post("/api/v1/learners", json={**body, "class_code": mistype(c["code"])}).status_code == 404
    assert client.post("/api/v1/learners", json={**body, "class_code": c["code"]}).status_code == 429


# --- the class in reports -------------------------------------------------------------------------

def test_completions_and_attempts_take_a_class_filter_limited_to_its_members(client, organisers, banks):
    c = new_class(client)
    member = new_learner(client, full_name="Thành Viên Lớp", class_code=c["code"])
    outsider = new_learner(client, full_name="Người Ngoài Lớp")
    for code in (member, outsider):
        pass_module(client, banks, code)
    headers = bearer(client, "longan")
    for kind in ("completions", "attempts"):
        everyone = client.get(f"/api/v1/reports/{kind}?format=json", headers=headers).json()["rows"]
        rows = client.get(f"/api/v1/reports/{kind}?format=json&class={c['code']}", headers=headers).json()
        assert len(everyone) == 2 and len(rows["rows"]) == 1 and rows["filters"]["class"] == c["code"]
    csv_text = client.get(f"/api/v1/reports/completions?format=csv&class={c['code']}", headers=headers).text
    assert "Thành Viên Lớp" in csv_text and "Người Ngoài Lớp" not in csv_text
    typo = client.get(f"/api/v1/reports/completions?class={mistype(c['code'])}", headers=headers)
    assert typo.status_code == 422
    assert client.get(f"/api/v1/reports/summary?class={c['code']}", headers=headers).status_code == 422
    other = new_class(client, "admin1", unit_code=OTHER)
    assert client.get(f"/api/v1/reports/attempts?class={other['code']}", headers=headers).status_code == 403


def test_the_dashboard_counts_the_years_classes(client, organisers, banks):
    c = new_class(client, "admin1")
    for i in range(6):
        code = new_learner(client, full_name=f"Học viên {i}", class_code=c["code"])
        if i < 5:
            pass_module(client, banks, code)
    web_login(client, "admin1")
    page = client.get(f"/organiser?year={(now_local() + timedelta(days=3)).year}")  # the class's year
    section = page.text.split('id="classes"')[1].split("<h2")[0]
    assert re.findall(r"<dd>([^<]+)</dd>", section) == ["1", "6", "5"]
    assert 'href="/organiser/classes"' in section


# --- odd input never gives a 500 ---------------------------------------------------------------------

ODD = ["", "\x00", "x" * 400, "'; DROP TABLE class; --", "<script>alert(1)</script>", "２０２６-１２-０１", "9" * 40,
       "2026-02-30", "25:61"]


@pytest.mark.parametrize("value", ODD)
def test_the_class_forms_answer_odd_input_with_a_4xx_or_success(client, organisers, value):
    c = new_class(client)
    web_login(client, "longan")
    page = client.get("/organiser/classes")
    form = {"csrf_token": csrf(page.text), "title": value, "date": value, "time": value, "place": value,
            "unit_code": value, "trainer_name": value, "expected_headcount": value, "modules": [value, MODULE]}
    assert client.post("/organiser/classes", data=form).status_code < 500
    good = {**form, "title": "Lớp", "date": "2026-12-01", "time": "08:00", "place": "Hội trường", "unit_code": MINE,
            "trainer_name": "Bình", "expected_headcount": "20"}
    for key in ("title", "place", "trainer_name", "expected_headcount", "unit_code", "date"):
        assert client.post("/organiser/classes", data={**good, key: value}).status_code < 500
    assert client.get("/lop", params={"code": value}).status_code < 500
    assert client.get(f"/lop/{quote(value, safe='') or 'x'}").status_code < 500
    join = client.get(f"/lop/{c['code']}")
    assert client.post(f"/lop/{c['code']}/register", data={
        "csrf_token": csrf(join.text), "full_name": value, "group": value, "unit_code": value, "consent": value,
        "email": value, "phone": value}).status_code < 500
    assert client.post(f"/lop/{c['code']}/join", data={"csrf_token": csrf(join.text),
                                                        "learner_code": value}).status_code < 500
    assert client.get(f"/organiser/classes/{quote(value, safe='') or 'x'}").status_code < 500
    assert client.get("/api/v1/reports/completions", params={"class": value},
                      headers=bearer(client, "longan")).status_code < 500


def test_kynangso_export_takes_a_class(client, organisers, banks, app, monkeypatch, tmp_path):
    from quiz_api.cli import main
    from quiz_api.config import get_settings

    c = new_class(client)
    pass_module(client, banks, new_learner(client, full_name="Thành Viên", class_code=c["code"]))
    pass_module(client, banks, new_learner(client, full_name="Người Ngoài"))
    monkeypatch.setenv("KYNANGSO_DATABASE_URL", app.state.settings.database_url)
    monkeypatch.setenv("KYNANGSO_BANKS_DIR", str(app.state.settings.banks_dir))
    get_settings.cache_clear()
    try:
        out = tmp_path / "lop.csv"
        assert main(["export", "completions", "--class", c["code"], "-o", str(out)]) == 0
        text = out.read_text("utf-8-sig")
        assert "Thành Viên" in text and "Người Ngoài" not in text
        assert main(["export", "summary", "--class", c["code"], "-o", str(tmp_path / "x.csv")]) == 2
    finally:
        get_settings.cache_clear()
