"""Forms across origins: a form from another site's page is refused before it runs, even with a
planted CSRF cookie; behind HTTPS the cookies carry the __Host- prefix."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from quiz_api.learners.models import Learner
from quiz_api.main import create_app
from tests.conftest import clear_data, make_settings
from tests.organisers.helpers import make_organiser, web_login
from tests.page_routes import form_paths

PLANTED = "p" * 43  # a token the attacker chose and planted as the CSRF cookie
EVIL = "https://evil.example"
VI_REFUSAL = "được gửi từ một trang web khác"


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def register_form(token: str) -> dict[str, str]:
    return {"csrf_token": token, "lang": "vi", "full_name": "Võ Thị Mai", "group": "citizen",
            "unit_code": "TN-P-long-an", "consent": "yes"}


def learners(database) -> int:
    with database.reading() as db:
        return db.scalar(select(func.count()).select_from(Learner))


def test_every_form_route_is_checked(app):
    assert len(form_paths(app)) >= 10


@pytest.mark.parametrize("header", ["origin", "referer"])
def test_every_form_from_another_origin_is_refused_with_a_planted_token(client, app, header):
    claimed = EVIL if header == "origin" else EVIL + "/trap.html"
    for path in form_paths(app):
        client.cookies.set("kns_csrf", PLANTED)
        response = client.post(path, data={"csrf_token": PLANTED, "lang": "vi"}, headers={header: claimed},
                               follow_redirects=False)
        assert response.status_code == 403, path
        assert response.headers["content-type"].startswith("text/html")
        assert VI_REFUSAL in response.text, path


def test_a_foreign_form_is_refused_before_anything_runs(client, database):
    client.cookies.set("kns_csrf", PLANTED)
    response = client.post("/quiz/mau-thu/learner", data=register_form(PLANTED), headers={"origin": EVIL})
    assert response.status_code == 403
    assert learners(database) == 0
    assert "set-cookie" not in response.headers or "kns_learner" not in response.headers["set-cookie"]


def test_the_refusal_speaks_the_learners_language(client):
    response = client.post("/learner/resume?lang=en", data={"csrf_token": "x"}, headers={"origin": EVIL})
    assert response.status_code == 403 and "sent from another website" in response.text
    response = client.post("/learner/resume", data={"csrf_token": "x"},
                           headers={"origin": EVIL, "accept-language": "en-GB,en;q=0.8"})
    assert "sent from another website" in response.text


@pytest.mark.parametrize("origin", ["null", "http://testserver:8080", "https://testserver", "http://evil.testserver",
                                    "http://[::1", "testserver", "file://"])
def test_an_origin_that_is_not_exactly_this_one_is_refused(client, origin):
    page = client.get("/quiz/mau-thu")
    response = client.post("/quiz/mau-thu/learner", data=register_form(csrf(page.text)), headers={"origin": origin})
    assert response.status_code == 403


@pytest.mark.parametrize("headers", [{"origin": "http://testserver"}, {"origin": "HTTP://TestServer:80"},
                                     {"referer": "http://testserver/quiz/mau-thu?lang=vi"}, {}])
def test_a_form_from_this_site_or_naming_no_page_goes_on(client, database, headers):
    page = client.get("/quiz/mau-thu")
    response = client.post("/quiz/mau-thu/learner", data=register_form(csrf(page.text)), headers=headers)
    assert response.status_code == 200, response.text
    assert learners(database) == 1


def test_without_origin_or_referer_the_csrf_token_still_applies(client, database):
    client.get("/quiz/mau-thu")
    response = client.post("/quiz/mau-thu/learner", data=register_form("wrong-token"))
    assert response.status_code == 403 and "Biểu mẫu đã hết hạn" in response.text
    assert learners(database) == 0


@pytest.fixture
def proxied(database_url: str) -> Iterator[TestClient]:
    """The app behind a TLS proxy at a public address: the server itself sees http://testserver."""
    app = create_app(make_settings(database_url, public_url="https://kynangso.example.vn"))
    clear_data(app.state.database)
    with TestClient(app) as c:
        yield c


def test_the_configured_public_origin_is_this_sites_origin_too(proxied):
    page = proxied.get("/quiz/mau-thu")
    ok = proxied.post("/quiz/mau-thu/learner", data=register_form(csrf(page.text)),
                      headers={"origin": "https://kynangso.example.vn"})
    assert ok.status_code == 200, ok.text
    refused = proxied.post("/learner/resume", data={"csrf_token": csrf(page.text)},
                           headers={"origin": "https://kynangso.example.vn.evil.example"})
    assert refused.status_code == 403


# --- __Host- cookies behind HTTPS ----------------------------------------------------------------

@pytest.fixture
def secure(database_url: str) -> Iterator[TestClient]:
    app = create_app(make_settings(database_url, cookie_secure=True))
    clear_data(app.state.database)
    with TestClient(app, base_url="https://testserver") as c:
        yield c


def set_cookies(response) -> list[str]:
    return response.headers.get_list("set-cookie")


def host_cookie(response, base: str) -> str:
    found = [c for c in set_cookies(response) if c.startswith(f"__Host-{base}=")]
    assert len(found) == 1, set_cookies(response)
    cookie = found[0]
    assert "; Secure" in cookie and "; Path=/" in cookie and "Domain" not in cookie and "HttpOnly" in cookie
    return cookie


def test_behind_https_every_cookie_has_the_host_prefix(secure):
    page = secure.get("/quiz/mau-thu")
    host_cookie(page, "kns_csrf")
    registered = secure.post("/quiz/mau-thu/learner", data=register_form(csrf(page.text)))
    assert registered.status_code == 200, registered.text
    host_cookie(registered, "kns_learner")
    assert "Võ Thị Mai" in secure.get("/quiz/mau-thu").text  # the prefixed learner cookie is read
    forget = secure.post("/learner/forget", data={"csrf_token": csrf(page.text)}, follow_redirects=False)
    assert 'Max-Age=0' in host_cookie(forget, "kns_learner")

    make_organiser(secure.app.state.database, "https-admin", admin=True)
    login = web_login(secure, "https-admin")
    assert login.status_code == 303, login.text
    host_cookie(login, "kns_organiser")
    assert secure.get("/organiser/accounts").status_code == 200  # the prefixed session is read
    assert not [c for c in set_cookies(login) if c.startswith("kns_")]


def test_behind_https_a_cookie_planted_without_the_prefix_is_ignored(secure, database):
    secure.cookies.set("kns_csrf", PLANTED)
    response = secure.post("/quiz/mau-thu/learner", data=register_form(PLANTED))
    assert response.status_code == 403
    assert learners(database) == 0
