"""The address printed on certificates: the configured public URL, else the one the server was asked
at (`make serve PORT=8080` prints 8080, not the default 8000)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from quiz_api.config import Settings
from quiz_api.main import create_app
from tests.certificates.helpers import certified_learner
from tests.certificates.qrdecode import decode_svg
from tests.conftest import clear_data, make_settings


def qr_and_text(client, code: str) -> tuple[list[str], str]:
    html = client.get(f"/certificates/{code}").text
    svg = re.search(r"<svg[^>]*class=\"kns-qr\".*?</svg>", html, re.DOTALL).group(0)
    return decode_svg(svg), html


@pytest.fixture
def served_at_8080(app) -> Iterator[TestClient]:
    clear_data(app.state.database)
    app.state.code_limiter.reset()
    with TestClient(app, base_url="http://127.0.0.1:8080") as c:
        yield c


def test_unset_the_public_url_is_not_a_made_up_default():
    assert Settings(_env_file=None).public_url == ""


def test_without_a_public_url_the_certificate_names_the_address_it_was_served_at(served_at_8080, banks):
    learner, code = certified_learner(served_at_8080, banks)
    verify = f"http://127.0.0.1:8080/verify/{code}"
    qr, html = qr_and_text(served_at_8080, code)
    assert qr == [verify]
    assert verify in html and ":8000" not in html
    assert served_at_8080.get(f"/api/v1/certificates/{code}").json()["verify_url"] == verify
    data = served_at_8080.get(f"/api/v1/learners/{learner}/data").json()
    assert data["certificates"][0]["verify_url"] == verify
    assert data["certificates"][0]["certificate_url"] == f"http://127.0.0.1:8080/certificates/{code}"
    badge = served_at_8080.get(f"/certificates/{code}/badge.json").json()
    assert verify in str(badge)


@pytest.fixture
def with_public_url(database_url) -> Iterator[TestClient]:
    app = create_app(make_settings(database_url, public_url="https://kynangso.example.vn/"))
    clear_data(app.state.database)
    with TestClient(app, base_url="http://127.0.0.1:8080") as c:
        yield c


def test_a_configured_public_url_wins_over_the_address_asked(with_public_url):
    _, code = certified_learner(with_public_url, with_public_url.app.state.banks)
    verify = f"https://kynangso.example.vn/verify/{code}"
    assert qr_and_text(with_public_url, code)[0] == [verify]
    assert with_public_url.get(f"/api/v1/certificates/{code}").json()["verify_url"] == verify
