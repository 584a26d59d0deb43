"""In Chromium against `kynangso serve`: the pages run under their Content-Security-Policy without a
violation (the conftest fails any test whose pages report one), no request leaves the origin, and the
API docs render from the package's Swagger UI."""

from __future__ import annotations

import pytest

from tests.browser.test_journeys import DESKTOP, PHONE, api_attempt, api_learner, search_site

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
expect = sync_api.expect

pytestmark = pytest.mark.browser


def test_a_page_that_breaks_the_policy_is_caught(browser, server, console_log):
    """The check the other tests rely on: an inline script is refused and the refusal is seen."""
    page = browser.new_page()
    try:
        page.goto(server.url + "/")
        page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
                      " document.body.append(s); }")
        page.wait_for_timeout(300)
        assert page.evaluate("() => window.ran") is None
        assert console_log.csp_violations()
    finally:
        page.close()
        console_log.errors.clear()  # expected here: not a failure of this test


def test_lessons_search_quiz_and_certificate_run_under_the_policy_with_no_request_elsewhere(
        browser, server, answer_key):
    code = api_learner(server, "Đặng Thị Lan")
    certificate = api_attempt(server, answer_key, code, "du-lieu-ca-nhan", right=True)["certificate_code"]
    context = browser.new_context(base_url=server.url, **PHONE)
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    try:
        home = page.goto("/")
        assert "script-src 'self' 'sha256-" in home.headers["content-security-policy"]
        assert search_site(page, "du lieu", phone=True)  # the worker, its index and the results' markup
        page.goto("/du-lieu-ca-nhan/su-dong-y/")
        page.goto("/en/tre-em-tren-mang/danh-cho-cha-me/")
        page.goto("/quiz/du-lieu-ca-nhan")
        page.goto(f"/certificates/{certificate}")
        page.evaluate("() => { window.print = () => { window.printed = true; }; }")
        page.locator("[data-kns-print]").click()
        assert page.evaluate("() => window.printed") is True  # the button works without an onclick attribute
    finally:
        context.close()
    elsewhere = [url for url in requests if not url.startswith(server.url)]
    assert requests and not elsewhere, elsewhere


def test_the_api_docs_render_from_this_origin_alone(browser, server):
    context = browser.new_context(base_url=server.url, **DESKTOP)
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    try:
        page.goto("/api/docs")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("Kỹ năng số API", timeout=20_000)
        expect(page.locator(".opblock-tag-section").first).to_be_visible()
    finally:
        context.close()
    elsewhere = [url for url in requests if not url.startswith(server.url)]
    assert not elsewhere, elsewhere
