"""The journeys people take, in a real Chromium against `kynangso serve` (see conftest.py).

A citizen on a phone reads a lesson, finds it again by typing without diacritics, takes the module quiz,
fails, reads the section the result points to, is asked to wait, retakes, passes, opens her certificate
and checks it as an employer would; the same in English on a desktop; the quiz with JavaScript off, and
a quiz sent with questions unanswered coming back to be finished; an organiser downloads an export; a
learner takes a copy of her data and erases it; axe-core finds no serious or critical problem on the
pages they all see. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

from quiz_api.banks import lesson_url
from quiz_api.certificates.masking import mask_name
from tests.browser.conftest import COOLDOWN_SECONDS, ORGANISER

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
expect = sync_api.expect

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Words:
    """What a person reads on the buttons and links, per language."""

    lang: str
    home: str
    save: str
    start: str
    submit: str
    not_passed: str
    passed: str
    read_section: str
    back_to_quiz: str
    cooldown: str
    open_certificate: str
    verification_page: str
    valid: str
    take_quiz: str


VI = Words("vi", "/", "Lưu và tiếp tục", "Bắt đầu làm bài", "Nộp bài", "Chưa đạt", "Đạt",
           "Đọc mục bài học liên quan", "Về trang bài kiểm tra", "làm lại sau", "mở chứng nhận",
           "Trang xác minh", "Chứng nhận hợp lệ.", "Làm bài kiểm tra của học phần")
EN = Words("en", "/en/", "Save and continue", "Start the quiz", "Submit", "Not passed yet", "Passed",
           "Read the lesson section", "Back to the quiz page", "try again in", "open the certificate",
           "Verification page", "This certificate is valid.", "Take the module quiz")


def fold(text: str) -> str:
    """Lower case without Vietnamese diacritics, as a person types on a phone without a VN keyboard."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


def shot(page, artifacts: Path, name: str, full_page: bool = True) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=full_page)


def search_site(page, query: str, phone: bool) -> list:
    """Type into Material's search box like a person; return the result links."""
    page.wait_for_timeout(2500)  # the search worker builds its index after the page loads
    if phone:
        page.locator("label.md-header__button[for='__search']").click()
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(query, delay=40)
    results = page.locator("a.md-search-result__link")
    expect(results.first).to_be_visible(timeout=15_000)  # a loaded machine builds the index slowly
    page.wait_for_timeout(300)  # let the first batch of results finish rendering
    return results.all()


def answer(page, bank, *, right: bool) -> list[str]:
    """Tick every question of the attempt page, all right or all wrong; return the question ids in order."""
    qids = []
    for fieldset in page.locator("fieldset.kns-question").all():
        first = fieldset.locator("input").first
        qid = first.get_attribute("name").removeprefix("q_")
        qids.append(qid)
        question = bank.questions[qid]
        ids = [c.id for c in question.choices]
        picks = sorted(question.correct) if right else [next(c for c in ids if c not in question.correct)]
        for choice in picks:
            fieldset.locator(f"input[value='{choice}']").check()
    return qids


def register(page, words: Words, full_name: str, group: str = "citizen") -> str:
    """Fill in the profile on the quiz start page by the fields' labels (so each has a name a screen reader
    reads); the learner lives in a ward. Returns the learner code shown once."""
    en = words.lang == "en"
    consent = page.locator("input[name='consent']")
    expect(consent).not_to_be_checked()  # consent is never pre-ticked
    page.get_by_label("Full name" if en else "Họ và tên").fill(full_name)
    page.locator(f"input[name='group'][value='{group}']").check()
    unit = page.get_by_label("Your agency, commune or ward" if en else "Cơ quan, xã hoặc phường của bạn")
    ward = unit.locator("option", has_text="phường").first.get_attribute("value")
    unit.select_option(ward)
    consent.check()
    page.get_by_role("button", name=words.save).click()
    code = page.locator("#learner-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{1,4})+", code), code
    return code


def citizen_journey(browser, server, artifacts, answer_key, words: Words, device: dict, module: str,
                    query: str, expect_in_title: str, full_name: str) -> None:
    bank = answer_key[module]
    name = f"{words.lang}-{'phone' if device is PHONE else 'desktop'}"
    locale = "vi-VN" if words.lang == "vi" else "en-GB"
    context = browser.new_context(base_url=server.url, locale=locale, **device)
    page = context.new_page()
    try:
        # Home page, then the module's overview.
        page.goto(words.home)
        expect(page.locator("html")).to_have_attribute("lang", words.lang)
        shot(page, artifacts, f"{name}-01-home", full_page=False)
        page.locator(f"article a[href$='{module}/']").first.click()
        expect(page).to_have_url(re.compile(rf"{words.home}{module}/$"))

        # Search without diacritics, open the best match.
        results = search_site(page, query, phone=device is PHONE)
        assert results, f"{query!r} found nothing"
        titles = [r.locator("h1, h2").first.inner_text() for r in results[:5]]
        shot(page, artifacts, f"{name}-02-search", full_page=False)
        best = next((r for r, t in zip(results, titles) if expect_in_title in fold(t)), None)
        assert best is not None, f"{query!r}: no top result titled with it in {titles}"
        best.click()
        expect(page.locator("article h1")).to_be_visible()
        assert f"/{module}/" in page.url, page.url
        shot(page, artifacts, f"{name}-03-lesson", full_page=False)

        # The lesson's quiz button leads to the module quiz.
        page.get_by_role("link", name=words.take_quiz).click()
        expect(page).to_have_url(re.compile(rf"/quiz/{module}(\?lang=en)?$"))
        code = register(page, words, full_name)
        shot(page, artifacts, f"{name}-04-learner-code")

        # First attempt: everything wrong.
        page.get_by_role("button", name=words.start).click()
        expect(page).to_have_url(re.compile(r"/quiz/attempt/[\w-]+$"))
        shot(page, artifacts, f"{name}-05-attempt")
        qids = answer(page, bank, right=False)
        assert len(qids) == bank.questions_per_attempt
        page.get_by_role("button", name=words.submit).click()
        failed_at = time.monotonic()
        expect(page).to_have_url(re.compile(r"/result$"))
        expect(page.locator(".admonition-title").first).to_contain_text(words.not_passed)
        expect(page.locator("li.kns-result.is-wrong")).to_have_count(len(qids))
        shot(page, artifacts, f"{name}-06-failed")
        result_url = page.url

        # Straight back to the quiz: asked to read the lessons and wait.
        page.get_by_role("link", name=words.back_to_quiz).click()
        page.get_by_role("button", name=words.start).click()
        assert time.monotonic() - failed_at < COOLDOWN_SECONDS, "too slow to see the cooldown"
        expect(page.locator("[role=alert]")).to_contain_text(words.cooldown)
        shot(page, artifacts, f"{name}-07-cooldown")

        # Read the section the first result points to: right page, right heading, in view.
        page.goto(result_url)
        link = page.locator("li.kns-result").first.get_by_role("link", name=words.read_section)
        expected = lesson_url(bank.questions[qids[0]].lesson, words.lang)
        assert link.get_attribute("href") == expected
        link.click()
        expect(page).to_have_url(re.compile(re.escape(expected) + "$"))
        anchor = expected.split("#", 1)[1]
        expect(page.locator(f"[id='{anchor}']")).to_be_in_viewport()
        expect(page.locator("html")).to_have_attribute("lang", words.lang)
        shot(page, artifacts, f"{name}-08-linked-section", full_page=False)

        # After the cooldown: the retake, all right, passes.
        time.sleep(max(0.0, failed_at + COOLDOWN_SECONDS + 0.5 - time.monotonic()))
        page.goto(f"/quiz/{module}" + ("?lang=en" if words.lang == "en" else ""))
        page.get_by_role("button", name=words.start).click()
        expect(page).to_have_url(re.compile(r"/quiz/attempt/[\w-]+$"))
        answer(page, bank, right=True)
        page.get_by_role("button", name=words.submit).click()
        expect(page.locator(".admonition-title").first).to_contain_text(words.passed)
        expect(page.locator("li.kns-result.is-right")).to_have_count(bank.questions_per_attempt)
        cert_code = page.locator(".admonition strong.kns-code").inner_text().strip()
        shot(page, artifacts, f"{name}-09-passed")

        # Her certificate: her full name, the QR drawn inline as SVG.
        page.get_by_role("link", name=words.open_certificate).click()
        expect(page).to_have_url(re.compile(rf"/certificates/{re.escape(cert_code)}(\?lang=en)?$"))
        expect(page.locator("#holder")).to_have_text(full_name)
        qr = page.locator("figure.kns-cert-qr > svg")
        expect(qr).to_have_count(1)
        assert qr.evaluate("el => el.namespaceURI") == "http://www.w3.org/2000/svg"
        assert page.locator("figure.kns-cert-qr img").count() == 0
        shot(page, artifacts, f"{name}-10-certificate")

        # Verification: valid, and the name masked.
        page.get_by_role("link", name=words.verification_page).click()
        expect(page).to_have_url(re.compile(rf"/verify/{re.escape(cert_code)}(\?lang=en)?$"))
        status = page.locator("#status")
        expect(status).to_have_attribute("data-status", "valid")
        expect(status).to_contain_text(words.valid)
        expect(status).to_contain_text(mask_name(full_name))
        assert full_name not in page.content()
        shot(page, artifacts, f"{name}-11-verify")

        # An employer on another device sees the certificate with the masked name only.
        other = browser.new_context(base_url=server.url, **DESKTOP)
        try:
            employer = other.new_page()
            employer.goto(f"/certificates/{cert_code}")
            expect(employer.locator("#holder")).to_have_text(mask_name(full_name))
            assert full_name not in employer.content()
        finally:
            other.close()
        assert code not in page.content()  # the learner code never shows again
    except Exception:  # what the page showed when a step failed (a timeout says only what was awaited)
        shot(page, artifacts, f"{name}-failed-step")
        (artifacts / f"{name}-failed-step.html").write_text(page.content(), "utf-8")
        raise
    finally:
        context.close()


def test_a_citizen_on_a_phone_fails_reads_the_section_retakes_passes_and_verifies(
        browser, server, artifacts, answer_key):
    citizen_journey(browser, server, artifacts, answer_key, VI, PHONE, module="kinh-te-so", query="lua dao",
                    expect_in_title="lua dao", full_name="Nguyễn Thị Lan")


def test_the_same_journey_in_english_on_a_desktop(browser, server, artifacts, answer_key):
    citizen_journey(browser, server, artifacts, answer_key, EN, DESKTOP, module="du-lieu-ca-nhan",
                    query="personal data", expect_in_title="personal data", full_name="Trần Văn Minh")


def test_the_quiz_works_with_javascript_off(browser, server, artifacts, answer_key):
    bank = answer_key["tre-em-tren-mang"]
    context = browser.new_context(base_url=server.url, java_script_enabled=False, **PHONE)
    page = context.new_page()
    try:
        page.goto("/tre-em-tren-mang/")
        page.get_by_role("link", name=VI.take_quiz).click()
        expect(page).to_have_url(re.compile(r"/quiz/tre-em-tren-mang$"))
        register(page, VI, "Lê Thị Hoa", group="public_servant")
        page.get_by_role("button", name=VI.start).click()
        answer(page, bank, right=True)
        page.get_by_role("button", name=VI.submit).click()
        expect(page).to_have_url(re.compile(r"/result$"))
        expect(page.locator(".admonition-title").first).to_contain_text(VI.passed)
        expect(page.locator("li.kns-result.is-right")).to_have_count(bank.questions_per_attempt)
        shot(page, artifacts, "nojs-result")
        page.get_by_role("link", name=VI.open_certificate).click()
        expect(page.locator("#holder")).to_have_text("Lê Thị Hoa")
    finally:
        context.close()


def test_a_slip_of_the_thumb_is_not_a_failed_attempt(browser, server, artifacts, answer_key):
    """On a phone with JavaScript off, the learner presses Submit with two questions unanswered: the quiz
    comes back with her answers still ticked and the two listed at the top; she follows the links, answers
    them, submits, and passes at the first attempt."""
    bank = answer_key["kinh-te-so"]
    code = api_learner(server, "Huỳnh Thị Mai")
    context = browser.new_context(base_url=server.url, locale="vi-VN", java_script_enabled=False, **PHONE)
    context.add_cookies([{"name": "kns_learner", "value": code, "url": server.url}])
    page = context.new_page()
    try:
        page.goto("/quiz/kinh-te-so")
        page.get_by_role("button", name=VI.start).click()
        expect(page).to_have_url(re.compile(r"/quiz/attempt/[\w-]+$"))
        attempt_url = page.url
        fieldsets = page.locator("fieldset.kns-question").all()
        skipped = [1, len(fieldsets) - 1]  # the second and the last question
        qids = []
        for i, fieldset in enumerate(fieldsets):
            qid = fieldset.get_attribute("id").removeprefix("q-")
            qids.append(qid)
            if i not in skipped:
                for choice in sorted(bank.questions[qid].correct):
                    fieldset.locator(f"input[value='{choice}']").check()
        page.get_by_role("button", name=VI.submit, exact=True).click()

        # Back on the quiz, not on a result: the two questions listed, marked, the answers kept.
        expect(page).to_have_url(attempt_url)
        listed = page.locator("#unanswered")
        expect(listed).to_be_visible()
        expect(listed).to_contain_text("Còn 2 câu chưa trả lời")
        links = listed.get_by_role("link")
        expect(links).to_have_text([f"Câu {i + 1}" for i in skipped])
        for i, qid in enumerate(qids):
            fieldset = page.locator(f"fieldset[id='q-{qid}']")
            if i in skipped:
                expect(fieldset).to_have_class(re.compile(r"\bis-unanswered\b"))
                expect(fieldset).to_have_accessible_description("Chưa trả lời")
                expect(fieldset.locator("input:checked")).to_have_count(0)
            else:
                expect(fieldset.locator("input:checked")).to_have_count(len(bank.questions[qid].correct))
        expect(page.get_by_role("button", name="Vẫn nộp bài")).to_be_visible()
        shot(page, artifacts, "unanswered-listed")

        # Each link leads to its question; she answers it there.
        for i in skipped:
            qid = qids[i]
            listed.get_by_role("link", name=f"Câu {i + 1}", exact=True).click()
            expect(page).to_have_url(re.compile(rf"#q-{re.escape(qid)}$"))
            fieldset = page.locator(f"fieldset[id='q-{qid}']")
            expect(fieldset).to_be_in_viewport()
            for choice in sorted(bank.questions[qid].correct):
                fieldset.locator(f"input[value='{choice}']").check()
        page.get_by_role("button", name=VI.submit, exact=True).click()
        expect(page).to_have_url(re.compile(r"/result$"))
        expect(page.locator(".admonition-title").first).to_contain_text(VI.passed)
        expect(page.locator("li.kns-result.is-right")).to_have_count(len(qids))
        shot(page, artifacts, "unanswered-then-passed")
    finally:
        context.close()


def test_an_organiser_logs_in_and_downloads_a_csv_export(browser, server, artifacts):
    context = browser.new_context(base_url=server.url, accept_downloads=True, **DESKTOP)
    page = context.new_page()
    try:
        page.goto("/organiser")  # not logged in: sent to the login page
        expect(page).to_have_url(re.compile(r"/organiser/login"))
        page.locator("#username").fill(ORGANISER[0])
        page.locator("#password").fill(ORGANISER[1])
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page).to_have_url(re.compile(r"/organiser$"))
        expect(page.locator("h1")).to_contain_text("Bảng điều khiển đào tạo")
        shot(page, artifacts, "organiser-dashboard")
        link = page.locator("ul.kns-downloads a[href*='format=csv']").first
        with page.expect_download() as info:
            link.click()
        download = info.value
        assert download.suggested_filename.endswith(".csv"), download.suggested_filename
        data = Path(download.path()).read_bytes()
        assert data.startswith(UTF8_BOM), data[:20]
        rows = list(csv.reader(io.StringIO(data[len(UTF8_BOM):].decode("utf-8"))))
        header = rows[0]
        assert len(header) >= 3 and all(header), header
        assert "Đơn vị" in header, header  # the organiser's language, Vietnamese intact
        assert all(len(row) == len(header) for row in rows[1:]), rows[:3]
    finally:
        context.close()


# --- learners set up through the JSON API (what the browser journeys above already proved by hand) ------

def api_learner(server, full_name: str, group: str = "citizen") -> str:
    import httpx

    made = httpx.post(f"{server.url}/api/v1/learners", json={
        "full_name": full_name, "group": group, "unit_code": "TN", "consent": True}, timeout=30)
    assert made.status_code == 201, made.text
    return made.json()["learner_code"]


def api_attempt(server, answer_key, code: str, module: str, *, right: bool | None, lang: str = "vi",
                cooling_is_fine: bool = False) -> dict | None:
    """Start an attempt; submit it all right or all wrong (right=None leaves it open). Returns ids/result,
    or None when cooling_is_fine and the module is still cooling down from a failed attempt."""
    import httpx

    started = httpx.post(f"{server.url}/api/v1/attempts", json={
        "learner_code": code, "module_id": module, "lang": lang}, timeout=30)
    if cooling_is_fine and started.status_code == 429 and started.json().get("code") == "cooldown":
        return None
    assert started.status_code == 201, started.text
    body = started.json()
    if right is None:
        return {"attempt_id": body["attempt_id"]}
    bank = answer_key[module]
    answers = {}
    for q in body["questions"]:
        question = bank.questions[q["id"]]
        answers[q["id"]] = sorted(question.correct) if right else \
            [next(c.id for c in question.choices if c.id not in question.correct)]
    done = httpx.post(f"{server.url}/api/v1/attempts/{body['attempt_id']}/submit", json={"answers": answers},
                      timeout=30)
    assert done.status_code == 200, done.text
    return {"attempt_id": body["attempt_id"], **done.json()}


def test_a_learner_takes_a_copy_of_her_data_then_erases_it(browser, server, artifacts, answer_key):
    full_name = "Phạm Thị Thu"
    code = api_learner(server, full_name)
    cert = api_attempt(server, answer_key, code, "du-lieu-ca-nhan", right=True)["certificate_code"]
    assert cert
    context = browser.new_context(base_url=server.url, accept_downloads=True, **PHONE)
    page = context.new_page()
    try:
        page.goto("/learner")
        page.get_by_label("Mã học viên").fill(code.lower())  # typed as it comes: case does not matter
        page.get_by_role("button", name="Xem dữ liệu của tôi").click()
        expect(page.locator("#full-name")).to_have_text(full_name)
        expect(page.locator("#certificates")).to_be_visible()
        expect(page.get_by_role("link", name=cert)).to_be_visible()
        shot(page, artifacts, "learner-data")

        with page.expect_download() as info:
            page.get_by_role("link", name="Tải toàn bộ dữ liệu của tôi (JSON)").click()
        document = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
        assert document["profile"]["full_name"] == full_name
        assert [c["code"] for c in document["certificates"]] == [cert]
        assert len(document["attempts"]) == 1 and document["attempts"][0]["passed"] is True
        assert code not in json.dumps(document)  # the code itself is not stored, so not exported

        page.get_by_role("checkbox", name="Tôi hiểu: xóa vĩnh viễn dữ liệu cá nhân của tôi").check()
        page.get_by_role("button", name="Xóa dữ liệu của tôi").click()
        expect(page.locator("#erasure")).to_have_attribute("data-erased", "yes")
        shot(page, artifacts, "learner-erased")

        page.goto("/learner")  # this device has forgotten the code
        expect(page.get_by_label("Mã học viên")).to_be_visible()
        page.goto(f"/verify/{cert}")
        expect(page.locator("#status")).to_have_attribute("data-status", "holder_erased")
        assert full_name not in page.content() and mask_name(full_name) not in page.content()
        shot(page, artifacts, "verify-holder-erased")
    finally:
        context.close()


def test_the_quiz_can_be_taken_with_the_keyboard_alone(browser, server, artifacts, answer_key):
    """WCAG 2.1.1: skip link, start button, every radio group and checkbox, submit; focus always visible."""
    bank = answer_key["ung-cuu-su-co"]
    code = api_learner(server, "Đỗ Văn Hùng", group="public_servant")
    context = browser.new_context(base_url=server.url, locale="vi-VN", **DESKTOP)
    context.add_cookies([{"name": "kns_learner", "value": code, "url": server.url}])
    page = context.new_page()
    keys = page.keyboard

    def focused() -> dict:
        return page.evaluate("""() => { const e = document.activeElement; const s = getComputedStyle(e);
            return {tag: e.tagName, type: e.type || "", name: e.name || "", value: e.value || "",
                    text: (e.innerText || "").trim(), checked: !!e.checked,
                    ring: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0
                          || s.boxShadow !== "none"}; }""")

    def tab_to(predicate, limit: int = 40) -> dict:
        for _ in range(limit):
            keys.press("Tab")
            now = focused()
            if predicate(now):
                return now
        raise AssertionError(f"never reached by Tab; last focus {now}")

    try:
        page.goto("/quiz/ung-cuu-su-co")
        skip = tab_to(lambda f: f["tag"] == "A", limit=1)
        assert skip["text"] == "Bỏ qua, đến nội dung" and skip["ring"], skip
        start = tab_to(lambda f: f["tag"] == "BUTTON" and f["text"] == VI.start)
        assert start["ring"], f"no visible focus on {start}"
        keys.press("Enter")
        expect(page).to_have_url(re.compile(r"/quiz/attempt/[\w-]+$"))

        done: set[str] = set()
        while True:
            now = tab_to(lambda f: f["type"] in ("radio", "checkbox") or f["text"] == VI.submit)
            assert now["ring"], f"no visible focus on {now}"
            if now["text"] == VI.submit:
                break
            qid = now["name"].removeprefix("q_")
            want = bank.questions[qid].correct
            if now["type"] == "radio":  # one tab stop per group: arrows move the choice
                for _ in range(len(bank.questions[qid].choices)):
                    if now["value"] in want:
                        keys.press("Space")
                        break
                    keys.press("ArrowDown")
                    now = focused()
            elif now["value"] in want:
                keys.press("Space")
            done.add(qid)
        assert len(done) == bank.questions_per_attempt
        shot(page, artifacts, "keyboard-attempt", full_page=False)
        keys.press("Enter")
        expect(page.locator(".admonition-title").first).to_contain_text(VI.passed)
        expect(page.locator("li.kns-result.is-right")).to_have_count(bank.questions_per_attempt)
    finally:
        context.close()


# --- accessibility -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def a11y_pages(server, answer_key, tmp_path_factory):
    """A learner with a failed, a passed and an open attempt; targets, so the dashboard draws its table."""
    code = api_learner(server, "Võ Thị Mai")
    failed = api_attempt(server, answer_key, code, "du-lieu-ca-nhan", right=False)
    passed = api_attempt(server, answer_key, code, "kinh-te-so", right=True)
    open_ = api_attempt(server, answer_key, code, "ung-cuu-su-co", right=None)
    targets = tmp_path_factory.mktemp("targets") / "targets.csv"
    year = time.gmtime().tm_year
    targets.write_text("year,unit_code,group,module_id,headcount,target_share\n"
                       f"{year},TN,citizen,du-lieu-ca-nhan,1000,0.5\n"
                       f"{year},TN,citizen,kinh-te-so,800,0.4\n", encoding="utf-8")
    imported = server.cli("targets", "import", str(targets))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    cert = passed["certificate_code"]
    return {"code": code, "answer_key": answer_key, "pages": [
        ("home", "/"),
        ("lesson", "/kinh-te-so/nhan-dien-lua-dao/"),
        ("home-en", "/en/"),
        ("quiz-start", "/quiz/du-lieu-ca-nhan"),
        ("quiz-start-en", "/quiz/du-lieu-ca-nhan?lang=en"),
        ("attempt", f"/quiz/attempt/{open_['attempt_id']}"),
        ("result-failed", f"/quiz/attempt/{failed['attempt_id']}/result"),
        ("result-passed", f"/quiz/attempt/{passed['attempt_id']}/result"),
        ("certificate", f"/certificates/{cert}"),
        ("verify", f"/verify/{cert}"),
        ("verify-form", "/verify?lang=en"),
        ("learner-code-form", "/learner"),
        ("LEARNER", None),
        ("learner", "/learner"),
        ("cooldown-error", "COOLDOWN"),
        ("organiser-login", "/organiser/login"),
        ("LOGIN", None),
        ("dashboard", "/organiser"),
        ("dashboard-en", "/organiser?lang=en"),
    ]}


def serious(results: dict) -> list[str]:
    """axe violations of impact serious or critical, one line per element."""
    lines = []
    for v in results["violations"]:
        if v["impact"] in ("serious", "critical"):
            for node in v["nodes"]:
                lines.append(f"{v['id']} ({v['impact']}): {node['target']} — {node['failureSummary']!r}")
    return lines


def dom_problems(page) -> list[str]:
    """What axe 4.x does not report: repeated ids, labels whose `for` names no form control (then the browser
    gives the control no name: /learner had <h2 id="code"> before <input id="code">), and a page wider than
    the screen (WCAG 1.4.10 reflow: on a phone the whole page would scroll sideways)."""
    return page.evaluate("""() => {
        const out = [];
        const wide = document.documentElement.scrollWidth - document.documentElement.clientWidth;
        if (wide > 1) out.push(`page is ${wide}px wider than the viewport`);
        const seen = new Map();
        for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) || 0) + 1);
        for (const [id, n] of seen) if (n > 1) out.push(`duplicate id "${id}" (${n} elements)`);
        for (const label of document.querySelectorAll('label[for]')) {
            if (!label.control) out.push(`label for="${label.htmlFor}" names no form control`);
        }
        return out;
    }""")


def broken_header_links(page) -> list[str]:
    """The header's own links (brand, my data, language) must open a page: after a POST the language link
    used to point at the POST-only path (a 404)."""
    hrefs = page.locator(".kns-app-header a[href^='/']").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))")
    return [f"header link {href} answers {status}" for href in hrefs
            if (status := page.request.get(href).status) >= 400]


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_axe_finds_nothing_serious_on_the_pages_people_use(browser, server, artifacts, a11y_pages, device):
    axe = pytest.importorskip("axe_playwright_python.sync_playwright",
                              reason="axe-playwright-python is not installed").Axe()
    context = browser.new_context(base_url=server.url, locale="vi-VN",
                                  **(PHONE if device == "phone" else DESKTOP))
    page = context.new_page()
    found: dict[str, list[str]] = {}
    try:
        for name, path in a11y_pages["pages"]:
            if name == "LEARNER":  # from here on the browser carries the learner's code, typed on "My data"
                context.add_cookies([{"name": "kns_learner", "value": a11y_pages["code"], "url": server.url}])
                page.goto("/learner")
                page.get_by_label("Mã học viên").fill(a11y_pages["code"])
                page.get_by_role("button", name="Xem dữ liệu của tôi").click()
                continue
            if name == "LOGIN":
                page.goto("/organiser/login")
                page.locator("#username").fill(ORGANISER[0])
                page.locator("#password").fill(ORGANISER[1])
                page.get_by_role("button", name="Đăng nhập").click()
                expect(page).to_have_url(re.compile(r"/organiser$"))
                continue
            if path == "COOLDOWN":  # a module just failed cannot be retaken yet: the error page
                # Phone and desktop share the learner: the other run's failure may still be cooling down.
                api_attempt(server, a11y_pages["answer_key"], a11y_pages["code"], "tre-em-tren-mang",
                            right=False, cooling_is_fine=True)
                page.goto("/quiz/tre-em-tren-mang")
                page.get_by_role("button", name=VI.start).click()
                expect(page.locator("[role=alert]")).to_contain_text(VI.cooldown)
            else:
                response = page.goto(path)
                assert response is not None and response.ok, f"{path}: {response and response.status}"
            problems = serious(axe.run(page).response) + dom_problems(page) + broken_header_links(page)
            if problems:
                found[name] = problems
                shot(page, artifacts, f"axe-{device}-{name}")
    finally:
        context.close()
    assert not found, "\n".join(f"{name}: {line}" for name, lines in found.items() for line in lines)
