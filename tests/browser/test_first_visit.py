"""The first visit of a lesson in Chromium: the search index is asked for only after the page has
painted (search-after-paint.js), over the language's own index, and search still finds pages."""

from __future__ import annotations

import pytest

from tests.browser.test_journeys import PHONE, search_site

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

pytestmark = pytest.mark.browser

TIMINGS = """() => {
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const index = performance.getEntriesByType("resource").find((r) => r.name.endsWith("search_index.json"));
  return {paint: paint && paint.startTime, index: index && index.startTime, url: index && index.name};
}"""


@pytest.mark.parametrize("path, index", [("/du-lieu-ca-nhan/su-dong-y/", "/search/search_index.json"),
                                         ("/en/du-lieu-ca-nhan/su-dong-y/", "/en/search/search_index.json")])
def test_the_search_index_is_fetched_after_the_first_paint_and_search_works(browser, server, path, index):
    context = browser.new_context(base_url=server.url, **PHONE)
    page = context.new_page()
    try:
        page.goto(path)
        page.wait_for_function("() => performance.getEntriesByType('resource')"
                               ".some((r) => r.name.endsWith('search_index.json'))", timeout=15_000)
        timings = page.evaluate(TIMINGS)
        assert timings["url"] == server.url + index
        assert timings["paint"] is not None and timings["index"] >= timings["paint"], timings
        assert search_site(page, "du lieu" if "/en/" not in path else "personal data", phone=True)
    finally:
        context.close()


def test_without_paint_timing_the_index_waits_two_seconds_after_load(browser, server):
    """The hold itself (Chromium paints before Material asks anyway, so the paint case alone cannot
    tell the script is there): with no paint timing to wait for, the request waits for load + 2 s."""
    context = browser.new_context(base_url=server.url, **PHONE)
    context.add_init_script("delete window.PerformanceObserver;")
    page = context.new_page()
    try:
        page.goto("/du-lieu-ca-nhan/su-dong-y/")
        page.wait_for_function("() => performance.getEntriesByType('resource')"
                               ".some((r) => r.name.endsWith('search_index.json'))", timeout=15_000)
        started, loaded = page.evaluate("""() => [
          performance.getEntriesByType("resource").find((r) => r.name.endsWith("search_index.json")).startTime,
          performance.getEntriesByType("navigation")[0].loadEventStart]""")
        assert started >= loaded + 1900, (started, loaded)
    finally:
        context.close()
