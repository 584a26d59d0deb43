"""In a real Chromium: Material's own search worker (lunr) finds Vietnamese pages from queries typed
without diacritics, and the checklists print on one A4 page. Skipped when Chromium or Playwright
is missing."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import threading
import unicodedata
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("KYNANGSO_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.browser

if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
    pytest.skip(f"Chromium not found at {CHROMIUM}", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")


def fold(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory):
    site = tmp_path_factory.mktemp("site-browser")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"), capture_output=True, text=True, timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def search(browser, site_url: str, query: str) -> tuple[str, list[str]]:
    """Type a query into the site's search box like a person; return the summary and result titles."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(site_url)
        meta = page.locator(".md-search-result__meta")
        initializing = meta.inner_text()  # "Đang khởi tạo tìm kiếm" until the index is ready
        box = page.locator("input.md-search__input")
        box.click()  # the index is fetched now (search-on-demand.js), the query runs once it is ready
        box.press_sequentially(query, delay=30)
        page.wait_for_function("([el, text]) => el.innerText !== text", arg=[meta.element_handle(), initializing],
                               timeout=15_000)  # a loaded machine builds the index slowly
        page.wait_for_timeout(300)  # let the first batch of results finish rendering
        meta = meta.inner_text()
        items = page.locator(".md-search-result__item")
        titles = [items.nth(i).locator("h1, h2").first.inner_text() for i in range(min(items.count(), 10))]
        return meta, titles
    finally:
        page.close()


@pytest.mark.parametrize("query", ["lua dao", "du lieu ca nhan"])
def test_a_query_without_diacritics_ranks_pages_titled_with_the_words_first(browser, site_url, query):
    meta, titles = search(browser, site_url, query)
    assert titles, f"{query!r} found nothing ({meta})"
    top = [fold(t) for t in titles[:3]]
    assert any(query in t for t in top), f"{query!r}: top results {titles[:3]} do not contain the phrase"


def test_the_result_list_never_shows_the_folded_words(browser, site_url):
    _, titles = search(browser, site_url, "lua dao")
    assert titles and all("lua dao" not in t for t in titles), titles


def test_a_query_that_matches_nothing_finds_nothing(browser, site_url):
    _, titles = search(browser, site_url, "zqxwv")
    assert titles == []


@pytest.mark.parametrize("path", ["danh-sach-kiem-tra/gio-dau-su-co/", "danh-sach-kiem-tra/bao-ve-du-lieu-ca-nhan/",
                                  "danh-sach-kiem-tra/thoa-thuan-gia-dinh/", "danh-sach-kiem-tra/truoc-khi-chuyen-tien/",
                                  "en/danh-sach-kiem-tra/gio-dau-su-co/", "en/danh-sach-kiem-tra/thoa-thuan-gia-dinh/"])
def test_each_checklist_prints_on_one_a4_page_without_the_site_furniture(browser, site_url, path):
    page = browser.new_page()
    try:
        page.goto(site_url + path)
        page.emulate_media(media="print")
        assert not page.locator(".md-header").is_visible()
        assert not page.locator(".md-sidebar--primary").is_visible()
        assert page.locator(".task-list-indicator").count() >= 8
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
        pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
        assert pages == 1, f"{path} prints on {pages} pages"
    finally:
        page.close()
