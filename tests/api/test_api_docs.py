"""/api/docs: Swagger UI served from the installed package, so reading the API docs sends no request
to any other origin (tests/browser/test_security.py loads it in Chromium too)."""

from __future__ import annotations

import re

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


def test_the_docs_page_references_only_this_origin_and_every_asset_loads(client):
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    urls = ASSET.findall(page.text)
    assert len(urls) >= 4, urls
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 100, url
    assert "<script>" not in page.text  # configured by a file, not inline (the CSP allows no inline script)
    assert client.get(re.search(r'data-openapi-url="([^"]+)"', page.text).group(1)).status_code == 200
    assert client.get(re.search(r'data-oauth2-redirect-url="([^"]+)"', page.text).group(1)).status_code == 200


def test_swagger_ui_is_a_version_that_reads_openapi_3_1(client):
    bundle = client.get("/static/swagger-ui/swagger-ui-bundle.js")
    assert bundle.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert client.get("/api/openapi.json").json()["openapi"].startswith("3.1")
    version = re.search(r'PACKAGE_VERSION:"(\d+)\.(\d+)\.\d+"', bundle.text)
    assert version and int(version.group(1)) >= 5, version  # OpenAPI 3.1 support came with Swagger UI 5
    assert "isOAS31" in bundle.text


def test_swagger_ui_asks_no_validator_and_names_no_other_host(client):
    init = client.get("/static/app/swagger-init.js").text
    assert "validatorUrl: null" in init  # else it sends the schema's address to validator.swagger.io
    assert not re.search(r"https?://", init)


def test_the_cdn_page_and_its_redirect_helper_are_gone(client):
    assert "cdn.jsdelivr" not in client.get("/api/docs").text
    assert client.get("/docs/oauth2-redirect").status_code == 404
