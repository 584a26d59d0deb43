"""The first visit of a lesson in Chromium: the search index (190 kB compressed) is not downloaded
until the reader goes to search (search-on-demand.js); then the language's own index comes and search
finds pages. A page opened from a search result (?h=) gets the index at once, to highlight the words."""

from __future__ import annotations

import pytest

from tests.browser.test_journeys import PHONE, search_site

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

pytestmark = pytest.mark.browser

INDEX_REQUESTS = "() => performance.getEntriesByType('resource').filter((r) => r.name.endsWith('search_index.json'))" \
                 ".map((r) => r.name)"


@pytest.mark.parametrize("path, index, query", [
    ("/du-lieu-ca-nhan/su-dong-y/", "/search/search_index.json", "du lieu"),
    ("/en/du-lieu-ca-nhan/su-dong-y/", "/en/search/search_index.json", "personal data"),
])
def test_the_search_index_waits_for_the_reader_to_search_and_search_works(browser, server, path, index, query):
    context = browser.new_context(base_url=server.url, **PHONE)
    page = context.new_page()
    try:
        page.goto(path, wait_until="load")
        page.wait_for_timeout(3000)  # Material asked for the index as soon as its bundle ran
        assert page.evaluate(INDEX_REQUESTS) == [], "the index was downloaded before anyone searched"
        assert search_site(page, query, phone=True)  # opens the search like a person, types, waits
        assert page.evaluate(INDEX_REQUESTS) == [server.url + index]
    finally:
        context.close()


def test_a_page_opened_from_a_search_result_gets_the_index_and_highlights_the_words(browser, server):
    context = browser.new_context(base_url=server.url, **PHONE)
    page = context.new_page()
    try:
        page.goto("/du-lieu-ca-nhan/su-dong-y/?h=%C4%91%E1%BB%93ng+%C3%BD")  # ?h=đồng ý
        page.wait_for_function("() => document.querySelectorAll('.md-content mark').length > 0", timeout=15_000)
        assert page.evaluate(INDEX_REQUESTS) == [server.url + "/search/search_index.json"]
    finally:
        context.close()
