"""My data, as a person uses it: enter the code, see everything, download, correct, erase — no JavaScript."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from quiz_api import codes, localtime
from quiz_api.learners import service as learners
from quiz_api.learners.models import Learner
from quiz_api.main import create_app
from quiz_api.privacy import service as privacy
from tests.certificates.helpers import pass_module
from tests.conftest import make_settings, new_learner
from tests.privacy.helpers import PERSON, learner_with_history

EVIL = "<script>alert(1)</script> Nguyễn"
HOST = "testserver.local"  # the test client's cookie domain: a cookie set for it can be deleted by the server


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, code: str, lang: str = "vi", **fields):
    """The learner types their code on "My data" (what opens it, on every visit)."""
    page = client.get("/learner" + ("?lang=en" if lang == "en" else ""))
    return client.post("/learner", data={"csrf_token": csrf(page.text), "code": code, "lang": lang, **fields})


def signed_in(client, code: str) -> str:
    assert sign_in(client, code).status_code == 200
    return code


def test_without_a_code_the_page_asks_for_it_and_then_shows_everything_stored(client, banks, app, database):
    code, certificate = learner_with_history(client, banks)
    client.cookies.clear()
    form = client.get("/learner")
    assert form.status_code == 200 and 'action="/learner"' in form.text and "Nhập mã học viên" in form.text
    html = sign_in(client, code.lower()).text
    for shown in (PERSON["full_name"], PERSON["email"], PERSON["phone"], PERSON["organisation"], "Doanh nghiệp",
                  app.state.settings.consent_version, certificate, "đạt", "chưa nộp", "5/5 (100%)"):
        assert shown in html, shown
    with database.reading() as db:
        consent_at = db.scalars(select(Learner.consent_at)).one()
    local = localtime.to_local(consent_at, localtime.zone())  # when consent was given, in Vietnam's time
    assert f"lúc <strong>{local:%d/%m/%Y %H:%M}</strong>" in html and " UTC" not in html


def test_the_page_speaks_english(client, banks):
    code, _ = learner_with_history(client, banks)
    html = sign_in(client, code, lang="en").text
    assert 'lang="en"' in html and "You agreed to the privacy notice version" in html and "Businesses" in html


def test_a_mistyped_code_asks_whether_it_was_mistyped(client):
    code = new_learner(client)
    client.cookies.clear()
    raw = codes.normalise(code)
    response = sign_in(client, raw[:-1] + ("0" if raw[-1] != "0" else "1"))
    assert response.status_code == 404 and "gõ nhầm" in response.text


def test_guessing_codes_on_the_page_is_refused_after_a_few_tries(client, app):
    real = new_learner(client)
    client.cookies.clear()
    for _ in range(app.state.settings.code_lookups_per_minute):
        assert sign_in(client, codes.new_code(learners.CODE_LENGTH)).status_code == 404
    blocked = sign_in(client, real)
    assert blocked.status_code == 429 and "quá nhiều lần" in blocked.text


def test_a_forged_learner_cookie_counts_as_a_guess(client, app):
    real = new_learner(client)
    client.cookies.clear()
    for _ in range(app.state.settings.code_lookups_per_minute):
        client.cookies.set("kns_learner", codes.new_code(learners.CODE_LENGTH), domain=HOST)
        assert "Bạn đang học với tên" not in client.get("/quiz/mau-thu").text
    assert sign_in(client, real).status_code == 429


def test_a_stale_cookie_is_expired_at_the_first_page_view_and_counts_once(client, app, database):
    """Ten page views with an erased learner's cookie used to lock verification for everyone behind the
    address for a minute: now the first view expires the cookie and the browser stops sending it."""
    code = new_learner(client)
    with database.writing() as db:
        privacy.erase(db=db, learner_id=db.scalars(select(Learner.id)).one())
    client.cookies.clear()
    client.cookies.set("kns_learner", code, domain=HOST)
    first = client.get("/quiz/mau-thu")
    assert first.status_code == 200 and re.search(r'kns_learner=""; .*Max-Age=0', first.headers["set-cookie"])
    assert "kns_learner" not in client.cookies
    for _ in range(app.state.settings.code_lookups_per_minute + 2):
        assert client.get("/quiz/mau-thu").status_code == 200


def test_the_learner_cookie_alone_shows_no_personal_data(client, banks):
    """A shared computer: the previous learner's cookie is still there; the next person sees only the form."""
    code, certificate = learner_with_history(client, banks)
    client.cookies.clear()
    client.cookies.set("kns_learner", code)
    page = client.get("/learner")
    assert page.status_code == 200 and 'action="/learner"' in page.text
    for private in (PERSON["full_name"], PERSON["email"], PERSON["phone"], certificate):
        assert private not in page.text
    assert 'id="forget-device"' in page.text
    assert client.get("/learner/data.json", follow_redirects=False).status_code == 303
    token = csrf(page.text)
    assert client.post("/learner/erase", data={"csrf_token": token, "confirm": "yes"}).status_code == 200
    assert client.get(f"/api/v1/certificates/{certificate}").json()["status"] == "valid"  # nothing was erased


def test_the_learner_cookie_lasts_the_browser_session_unless_remembered(client, banks):
    code = new_learner(client)
    client.cookies.clear()
    session_only = sign_in(client, code, next="/learner")
    cookie = next(h for h in session_only.history[0].headers.get_list("set-cookie") if h.startswith("kns_learner="))
    assert "Max-Age" not in cookie and "expires" not in cookie.lower()
    client.cookies.clear()
    remembered = sign_in(client, code, remember="yes")
    cookie = next(h for h in remembered.history[0].headers.get_list("set-cookie") if h.startswith("kns_learner="))
    assert "Max-Age=31536000" in cookie


def test_registration_remembers_the_device_only_when_asked(client):
    page = client.get("/quiz/mau-thu")
    assert 'name="remember"' in page.text and 'name="remember" value="yes" checked' not in page.text
    body = {"csrf_token": csrf(page.text), "full_name": "Võ Thị Sáu", "group": "citizen",
            "unit_code": "TN-P-long-an", "consent": "yes"}
    cookie = next(h for h in client.post("/quiz/mau-thu/learner", data=body).headers.get_list("set-cookie")
                  if h.startswith("kns_learner="))
    assert "Max-Age" not in cookie
    client.cookies.clear()
    page = client.get("/quiz/mau-thu")
    cookie = next(h for h in client.post("/quiz/mau-thu/learner", data={**body, "csrf_token": csrf(page.text),
                                                                      "remember": "yes"}).headers.get_list("set-cookie")
                  if h.startswith("kns_learner="))
    assert "Max-Age=31536000" in cookie


def test_every_page_that_uses_the_cookie_offers_to_forget_it(client, banks):
    code = new_learner(client)
    certificate = pass_module(client, banks, code)["certificate_code"]
    client.cookies.clear()
    client.cookies.set("kns_learner", code, domain=HOST)
    for path in ("/quiz/mau-thu", "/learner", f"/certificates/{certificate}"):
        assert 'id="forget-device"' in client.get(path).text, path
    forget = client.get("/learner")
    response = client.post("/learner/forget", data={"csrf_token": csrf(forget.text), "next": "/learner"},
                           follow_redirects=False)
    assert response.status_code == 303 and "kns_learner" not in client.cookies


def test_the_data_downloads_as_a_json_file(client, banks):
    code, certificate = learner_with_history(client, banks)
    signed_in(client, code)
    response = client.get("/learner/data.json?lang=en")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="my-data.json"'
    data = response.json()
    api = client.get(f"/api/v1/learners/{code}/data?lang=en").json()
    assert set(data) == set(api) and data["profile"]["email"] == PERSON["email"]
    assert [c["code"] for c in data["certificates"]] == [certificate] and len(data["attempts"]) == 2


def test_without_a_code_the_download_sends_to_the_form(client):
    assert client.get("/learner/data.json", follow_redirects=False).headers["location"] == "/learner"


def test_a_learner_corrects_name_and_unit_on_the_page(client, database):
    signed_in(client, new_learner(client, full_name="Nguyen Thi Be"))
    page = client.get("/learner")
    response = client.post("/learner/correct", data={
        "csrf_token": csrf(page.text), "full_name": "Nguyễn Thị Bé", "unit_code": "TN-S-so-y-te", "email": "",
        "phone": "", "organisation": ""})
    assert response.status_code == 200 and "Đã lưu thông tin mới" in response.text
    with database.reading() as db:
        row = db.scalars(select(Learner)).one()
    assert row.full_name == "Nguyễn Thị Bé" and row.unit_code == "TN-S-so-y-te"


def test_a_correction_to_an_unknown_unit_is_shown_on_the_form_and_changes_nothing(client, database):
    signed_in(client, new_learner(client, full_name="Phan Bội Châu"))
    page = client.get("/learner?lang=en")
    response = client.post("/learner/correct", data={
        "csrf_token": csrf(page.text), "lang": "en", "full_name": "Phan Châu Trinh", "unit_code": "TN-nowhere"})
    assert response.status_code == 422 and "There is no unit with code “TN-nowhere”" in response.text
    assert 'value="Phan Châu Trinh"' in response.text  # what was typed is kept
    with database.reading() as db:
        row = db.scalars(select(Learner)).one()
    assert row.full_name == "Phan Bội Châu" and row.unit_code == "TN-P-long-an"


def test_forms_without_the_csrf_token_are_refused(client, database):
    signed_in(client, new_learner(client, full_name="Hồ Xuân Hương"))
    assert client.post("/learner/correct", data={"full_name": "X", "unit_code": "TN"}).status_code == 403
    assert client.post("/learner/erase", data={"confirm": "yes"}).status_code == 403
    with database.reading() as db:
        row = db.scalars(select(Learner)).one()
    assert row.full_name == "Hồ Xuân Hương" and row.erased_at is None


def test_erasing_needs_the_confirmation_box(client, database):
    signed_in(client, new_learner(client))
    page = client.get("/learner")
    response = client.post("/learner/erase", data={"csrf_token": csrf(page.text)})
    assert response.status_code == 422 and "đánh dấu ô xác nhận" in response.text
    with database.reading() as db:
        assert db.scalars(select(Learner)).one().erased_at is None


def test_erasing_on_the_page_erases_forgets_the_cookie_and_a_second_try_is_calm(client, banks, database):
    code, certificate = learner_with_history(client, banks)
    signed_in(client, code)
    page = client.get("/learner")
    assert "Rút lại sự đồng ý và xóa dữ liệu ở đây là một" in page.text  # withdrawing consent = erasure
    token = csrf(page.text)
    response = client.post("/learner/erase", data={"csrf_token": token, "confirm": "yes"})
    assert response.status_code == 200 and 'data-erased="yes"' in response.text
    assert re.search(r'kns_learner=""; .*Max-Age=0', response.headers["set-cookie"])
    with database.reading() as db:
        row = db.scalars(select(Learner)).one()
    assert row.erased_at is not None and row.full_name is None and row.email is None
    again = client.post("/learner/erase", data={"csrf_token": token, "confirm": "yes"})
    assert again.status_code == 200 and 'data-erased="no"' in again.text and "đã được xóa trước đó" in again.text
    assert client.get(f"/api/v1/certificates/{certificate}").json()["status"] == "holder_erased"


def test_a_cookie_that_opens_nothing_is_forgotten(client, database):
    code = new_learner(client)
    with database.writing() as db:
        privacy.erase(db=db, learner_id=db.scalars(select(Learner.id)).one())
    client.cookies.set("kns_learner", code)
    response = client.get("/quiz/mau-thu")
    assert "Bạn đang học với tên" not in response.text and "Max-Age=0" in response.headers["set-cookie"]


def test_names_are_escaped_on_the_data_page(client, banks):
    signed_in(client, learner_with_history(client, banks, full_name=EVIL, organisation="<img src=x onerror=alert(2)>")[0])
    html = client.get("/learner").text
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert 'id="full-name">&lt;script&gt;alert(1)&lt;/script&gt; Nguyễn<' in html
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt; Nguyễn"' in html


def test_names_are_escaped_when_a_correction_is_refused(client):
    signed_in(client, new_learner(client))
    page = client.get("/learner")
    html = client.post("/learner/correct", data={"csrf_token": csrf(page.text), "full_name": EVIL,
                                                 "unit_code": "<b>x</b>"}).text
    assert "<script>alert(1)</script>" not in html and "<b>x</b>" not in html


def test_the_default_profile_points_to_the_unit_organiser(client):
    signed_in(client, new_learner(client))
    assert 'id="contact-organiser"' in client.get("/learner").text
    assert "contact the organiser of your unit" in client.get("/learner?lang=en").text


def test_an_operator_named_in_the_profile_is_the_contact(database_url, tmp_path):
    (tmp_path / "profile.yaml").write_text(
        'province: {vi: "Tỉnh Thử", en: "Test Province"}\nprogramme: {vi: "Chương trình", en: "Programme"}\n'
        'operator:\n  name: {vi: "Sở Khoa học và Công nghệ", en: "Department of Science and Technology"}\n'
        '  email: "dlcn@example.gov.vn"\n  phone: "0276 000 000"\n', "utf-8")
    app = create_app(make_settings(database_url, profile_dir=tmp_path))
    with TestClient(app) as other:
        html = other.get("/learner?lang=en").text
    assert "Department of Science and Technology" in html and "mailto:dlcn@example.gov.vn" in html
    assert 'id="contact-organiser"' not in html


@pytest.mark.parametrize("path", ["/learner", "/learner?lang=en"])
def test_the_page_works_without_javascript(client, path):
    signed_in(client, new_learner(client))
    html = client.get(path).text
    assert "<script" not in html and html.count('name="csrf_token"') >= 3
