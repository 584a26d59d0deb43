"""How the application serves the built site: redirects that stay on this host, precompressed copies,
cache headers, one search index per language, hreflang alternates."""

from __future__ import annotations

import json
import re

import anyio
import pytest


def raw_get(app, path: str, host: str = "evil.example") -> tuple[int, dict[str, str]]:
    """GET with the path exactly as given (an HTTP client would normalise "//en" to "/en")."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
             "headers": [(b"host", host.encode())], "server": ("testserver", 80), "client": ("127.0.0.1", 1)}
    sent: list[dict] = []

    async def run() -> None:
        done = anyio.Event()
        asked = False

        async def receive() -> dict:
            nonlocal asked
            if not asked:
                asked = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await done.wait()  # the client stays until the whole answer is sent
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            sent.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                done.set()

        await app(scope, receive, send)

    anyio.run(run)
    start = sent[0]
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8443", "127.0.0.1:9999"])
def test_a_directory_redirect_never_names_the_host_the_client_sent(site_client, host):
    response = site_client.get("/du-lieu-ca-nhan", headers={"host": host}, follow_redirects=False)
    assert response.status_code in (301, 302, 307, 308)
    assert response.headers["location"] == "/du-lieu-ca-nhan/"


def test_a_directory_redirect_keeps_the_query_and_the_language_folder(site_client):
    response = site_client.get("/en/du-lieu-ca-nhan?h=test", headers={"host": "evil.example"},
                               follow_redirects=False)
    assert response.headers["location"] == "/en/du-lieu-ca-nhan/?h=test"
    assert site_client.get(response.headers["location"]).status_code == 200


@pytest.mark.parametrize("path", ["//en", "///en", "//evil.example/../en", "/\\\\en", "/\\en"])
def test_a_directory_redirect_is_never_to_another_host(site_client, site_app, path):
    status, headers = raw_get(site_app, path)
    if status in (301, 302, 307, 308):
        location = headers["location"]
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert raw_get(site_app, "//en")[0] == 307  # the case that would be a link to the host "en"


# --- compression ---------------------------------------------------------------------------------

TEXT_FILES = ("index.html", "en/index.html", "search/search_index.json", "sitemap.xml")


def test_the_build_leaves_a_gzip_and_a_brotli_copy_of_every_text_file(built_site):
    import gzip

    import brotli

    texts = [p for p in built_site.rglob("*") if p.suffix in (".html", ".css", ".js", ".json", ".svg", ".xml")
             and p.stat().st_size > 1024]
    assert len(texts) > 100
    for path in texts:
        data = path.read_bytes()
        packed_gz = path.with_name(path.name + ".gz").read_bytes()
        packed_br = path.with_name(path.name + ".br").read_bytes()
        assert gzip.decompress(packed_gz) == data and brotli.decompress(packed_br) == data, path
        assert len(packed_br) < len(data) and len(packed_gz) < len(data)


@pytest.mark.parametrize("accept, coding", [("gzip, deflate, br, zstd", "br"), ("gzip", "gzip"),
                                            ("br;q=0, gzip;q=0.5", "gzip"), ("*", "br"), ("identity", None),
                                            ("", None), ("gzip;q=0, br;q=0", None)])
@pytest.mark.parametrize("path", ["/", "/search/search_index.json", "/du-lieu-ca-nhan/su-dong-y/"])
def test_the_site_is_sent_in_the_best_coding_the_browser_accepts(site_client, built_site, path, accept, coding):
    file = built_site / (path.strip("/") + "/index.html" if path.endswith("/") else path.strip("/"))
    file = built_site / "index.html" if path == "/" else file
    response = site_client.get(path, headers={"accept-encoding": accept})
    assert response.status_code == 200
    assert response.headers.get("content-encoding") == coding
    assert response.headers["vary"] == "Accept-Encoding"
    assert response.content == file.read_bytes()  # httpx decodes: the same page, whatever the coding
    sent = int(response.headers["content-length"])
    assert sent == (file.stat().st_size if coding is None else
                    file.with_name(file.name + {"br": ".br", "gzip": ".gz"}[coding]).stat().st_size)
    assert response.headers["content-type"].startswith("text/html" if path.endswith("/") else "application/json")


def test_each_coding_has_its_own_etag_and_revalidates(site_client):
    br = site_client.get("/", headers={"accept-encoding": "br"})
    gz = site_client.get("/", headers={"accept-encoding": "gzip"})
    assert br.headers["etag"] != gz.headers["etag"]
    again = site_client.get("/", headers={"accept-encoding": "br", "if-none-match": br.headers["etag"]})
    assert again.status_code == 304 and again.headers["vary"] == "Accept-Encoding"
    other = site_client.get("/", headers={"accept-encoding": "gzip", "if-none-match": br.headers["etag"]})
    assert other.status_code == 200 and other.headers["content-encoding"] == "gzip"


def test_the_search_index_is_sent_at_a_quarter_of_its_size_or_less(site_client, built_site):
    size = (built_site / "search/search_index.json").stat().st_size
    sent = int(site_client.get("/search/search_index.json", headers={"accept-encoding": "br"})
               .headers["content-length"])
    assert sent * 4 <= size, (sent, size)


def test_api_json_over_a_kilobyte_is_gzipped_and_small_answers_are_not(site_client):
    big = site_client.get("/api/openapi.json", headers={"accept-encoding": "gzip"})
    assert big.headers["content-encoding"] == "gzip" and big.json()["openapi"]
    units = site_client.get("/api/v1/units", headers={"accept-encoding": "gzip"})
    assert units.headers["content-encoding"] == "gzip" and len(units.json()) > 90
    small = site_client.get("/api/v1/health/live", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in small.headers


def test_pages_with_a_form_token_are_not_compressed(site_client):
    """BREACH: a CSRF token beside reflected input must not be compressed over HTTPS."""
    page = site_client.get("/quiz/mau-thu?next=" + "x" * 2000, headers={"accept-encoding": "gzip, br"})
    assert "csrf_token" in page.text and "content-encoding" not in page.headers


# --- caching and the search index ------------------------------------------------------------------

def test_hashed_assets_are_kept_for_a_year(site_client, built_site):
    hashed = [p.relative_to(built_site).as_posix() for p in built_site.glob("assets/**/*.min.*")
              if re.search(r"\.[0-9a-f]{8}\.min\.(js|css)$", p.name)]
    assert len(hashed) >= 4, hashed  # bundle, search worker, main and palette stylesheets
    for path in hashed:
        response = site_client.get("/" + path)
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable", path


@pytest.mark.parametrize("path", ["/", "/du-lieu-ca-nhan/su-dong-y/", "/en/", "/search/search_index.json",
                                  "/en/search/search_index.json", "/assets/stylesheets/extra.css",
                                  "/assets/javascripts/search-on-demand.js", "/sitemap.xml"])
def test_pages_the_index_and_unhashed_files_are_revalidated_and_a_repeat_visit_gets_304(site_client, path):
    first = site_client.get(path)
    assert first.status_code == 200
    assert first.headers["cache-control"] == "no-cache"
    assert first.headers["etag"] and first.headers["last-modified"]
    by_etag = site_client.get(path, headers={"if-none-match": first.headers["etag"]})
    assert by_etag.status_code == 304 and by_etag.content == b""
    assert by_etag.headers["cache-control"] == "no-cache"
    by_date = site_client.get(path, headers={"if-modified-since": first.headers["last-modified"]})
    assert by_date.status_code == 304


def test_each_language_has_its_own_search_index(built_site):
    vi = json.loads((built_site / "search/search_index.json").read_text("utf-8"))
    en = json.loads((built_site / "en/search/search_index.json").read_text("utf-8"))
    assert vi["docs"] and en["docs"]
    assert not [d for d in vi["docs"] if d["location"].startswith("en/")]
    assert not [d for d in en["docs"] if d["location"].startswith("en/")]  # relative to en/
    assert vi["config"] == en["config"]  # searching works as it did
    assert any(d["location"].startswith("du-lieu-ca-nhan/") for d in en["docs"])
    # every English location is an English page
    for doc in en["docs"][:50]:
        assert (built_site / "en" / doc["location"].split("#")[0] / "index.html").exists() or \
            (built_site / "en" / doc["location"].split("#")[0]).exists(), doc["location"]


@pytest.mark.parametrize("page, base", [("en/index.html", "."), ("en/du-lieu-ca-nhan/su-dong-y/index.html", "../.."),
                                        ("du-lieu-ca-nhan/su-dong-y/index.html", "../.."), ("index.html", ".")])
def test_each_page_s_search_looks_in_its_own_language_s_index(built_site, page, base):
    html = (built_site / page).read_text("utf-8")
    config = json.loads(re.search(r'<script id="__config" type="application/json">(.*?)</script>', html,
                                  re.DOTALL).group(1))
    assert config["base"] == base


# --- hreflang ------------------------------------------------------------------------------------------

ALTERNATE = re.compile(r'<link rel="alternate" href="([^"]+)" hreflang="([^"]+)">')


def alternates(page) -> dict[str, str]:
    return {lang: href for href, lang in ALTERNATE.findall(page.read_text("utf-8"))}


def test_every_page_names_itself_and_its_twin_by_absolute_hreflang_links(built_site):
    from urllib.parse import urlsplit

    pages = [p for p in built_site.rglob("index.html")]
    assert len(pages) > 80
    for page in pages:
        links = alternates(page)
        assert set(links) == {"vi", "en", "x-default"}, page
        assert all(re.match(r"https?://[^/]+/", href) for href in links.values()), links
        assert links["x-default"] == links["vi"]
        here = "/" + page.parent.relative_to(built_site).as_posix() + "/"
        here = "/" if here == "/./" else here
        own = links["en" if here.startswith("/en/") else "vi"]
        assert urlsplit(own).path == here, (page, links)
        for href in links.values():  # each alternate is a page of the site, naming this one back
            twin = built_site / urlsplit(href).path.strip("/") / "index.html"
            assert twin.exists(), (page, href)
            assert alternates(twin)["en" if here.startswith("/en/") else "vi"] == own, (page, twin)


def test_the_not_found_page_names_no_alternate(built_site):
    assert not ALTERNATE.findall((built_site / "404.html").read_text("utf-8"))


def test_a_missing_file_that_is_not_a_page_gets_an_empty_404(site_client):
    asset = site_client.get("/du-lieu-ca-nhan/su-dong-y/sitemap.xml")  # Material asks for these
    assert asset.status_code == 404 and asset.content == b""
    page = site_client.get("/no-such-lesson/")
    assert page.status_code == 404 and "<html" in page.text  # people still get Material's 404 page
