"""Security headers on every HTML response, the built site's included, with a Content-Security-Policy
the pages satisfy (tests/browser checks it in Chromium too); personal data is never cached."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import answer_key, new_learner
from tests.organisers.helpers import make_organiser, web_login

SITE_PAGES = ["/", "/en/", "/du-lieu-ca-nhan/su-dong-y/", "/en/du-lieu-ca-nhan/su-dong-y/", "/no-such-page/",
              "/assets/stylesheets/app.css"]
APP_PAGES = ["/quiz/mau-thu", "/quiz/mau-thu?lang=en", "/learner", "/learner/resume", "/verify", "/verify/NOPE",
             "/organiser/login", "/api/docs", "/quiz/nothing-here"]


class Inline(HTMLParser):
    """What a page runs or styles inline: scripts without src, <style>, style="", on*="" attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self.styles = 0
        self.attributes: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        self.attributes += [k for k in names if k == "style" or k.startswith("on")]
        if tag == "style":
            self.styles += 1
        self._in_script = tag == "script" and "src" not in names and names.get("type") != "application/json"
        if self._in_script:
            self.scripts.append("")

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def inline(html: str) -> Inline:
    parser = Inline()
    parser.feed(html)
    return parser


def directives(policy: str) -> dict[str, list[str]]:
    found = {}
    for part in policy.split(";"):
        name, *values = part.split()
        found[name] = values
    return found


def assert_secure(response) -> None:
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] in ("same-origin", "strict-origin", "strict-origin-when-cross-origin",
                                          "no-referrer")  # stricter than or equal to strict-origin-when-cross-origin
    if headers.get("content-type", "").startswith("text/html"):
        policy = directives(headers["content-security-policy"])
        assert policy["default-src"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("path", SITE_PAGES + APP_PAGES)
def test_every_response_carries_the_security_headers(site_client, path):
    response = site_client.get(path)
    assert response.status_code in (200, 404), path
    assert_secure(response)


def test_the_answers_of_refused_requests_carry_them_too(site_client):
    refused = site_client.post("/learner/resume", data={"csrf_token": "x"}, headers={"origin": "https://evil.example"})
    assert refused.status_code == 403
    assert_secure(refused)
    too_big = site_client.post("/learner/resume", content=b"x" * 70_000,
                               headers={"content-type": "application/x-www-form-urlencoded"})
    assert too_big.status_code == 413
    assert_secure(too_big)


def test_the_policy_allows_no_other_origin_and_no_inline_code_but_material_s_own(site_client):
    policy = site_client.get("/").headers["content-security-policy"]
    assert "http" not in policy and "*" not in policy and "unsafe" not in policy
    assert [name for name, values in directives(policy).items() if "data:" in values] == ["img-src"]
    scripts = directives(policy)["script-src"]
    assert scripts[0] == "'self'"
    assert scripts[1:] and all(re.fullmatch(r"'sha256-[A-Za-z0-9+/]{43}='", s) for s in scripts[1:])
    assert directives(policy)["object-src"] == ["'none'"]
    assert directives(policy)["style-src"] == ["'self'"]


def test_every_inline_script_of_the_built_site_is_allowed_by_its_hash(site_client, built_site: Path):
    import base64
    import hashlib

    allowed = set(directives(site_client.get("/").headers["content-security-policy"])["script-src"])
    pages = list(built_site.rglob("*.html"))
    assert len(pages) > 50
    seen = set()
    for page in pages:
        for script in inline(page.read_text("utf-8")).scripts:
            digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
            seen.add(f"'sha256-{digest}'")
    assert seen and seen <= allowed, seen - allowed


def certified(client, banks) -> tuple[str, str]:
    code = new_learner(client)
    attempt = client.post("/api/v1/attempts", json={"learner_code": code, "module_id": "mau-thu"}).json()
    result = client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit",
                         json={"answers": answer_key(banks, attempt, right=5)}).json()
    return code, result["certificate_code"]


def test_the_service_s_pages_run_no_inline_code(site_client, site_app):
    code, certificate = certified(site_client, site_app.state.banks)
    site_client.cookies.set("kns_learner", code)
    make_organiser(site_app.state.database, "headers-admin", admin=True)
    pages = [f"/certificates/{certificate}", f"/verify/{certificate}", "/learner", "/quiz/mau-thu", "/api/docs"]
    for path in pages:
        found = inline(site_client.get(path).text)
        assert (found.scripts, found.styles, found.attributes) == ([], 0, []), path
    assert web_login(site_client, "headers-admin").status_code == 303
    for path in ["/organiser", "/organiser/accounts", "/organiser/data"]:
        response = site_client.get(path)
        assert response.status_code == 200, path
        assert_secure(response)
        found = inline(response.text)
        assert (found.scripts, found.styles, found.attributes) == ([], 0, []), path


def test_personal_data_is_never_stored_in_a_cache(site_client, site_app):
    code, certificate = certified(site_client, site_app.state.banks)
    data = site_client.get(f"/api/v1/learners/{code}/data")
    assert data.status_code == 200 and data.headers["cache-control"] == "no-store"
    corrected = site_client.patch(f"/api/v1/learners/{code}", json={"organisation": "UBND"})
    assert corrected.status_code == 200 and corrected.headers["cache-control"] == "no-store"
    site_client.cookies.set("kns_learner", code)
    for path in ["/learner", "/learner/data.json", f"/certificates/{certificate}", "/quiz/mau-thu"]:
        assert site_client.get(path).headers["cache-control"] == "no-store", path
    make_organiser(site_app.state.database, "cache-admin", admin=True)
    web_login(site_client, "cache-admin")
    for path in ["/organiser", "/organiser/accounts", "/organiser/data"]:
        assert site_client.get(path).headers["cache-control"] == "no-store", path


def test_json_answers_are_not_sniffed(site_client):
    assert site_client.get("/api/v1/modules").headers["x-content-type-options"] == "nosniff"
