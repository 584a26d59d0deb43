"""Certificate pages: the printable certificate with its QR code, public verification, the badge."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from quiz_api import codes
from quiz_api.certificates import service as certificates
from quiz_api.learners import service as learners
from quiz_api.privacy import service as privacy
from tests.certificates.helpers import MODULE, certified_learner
from tests.certificates.qrdecode import decode_svg
from tests.certificates.test_verification_api import typo

ROOT = Path(__file__).resolve().parents[2]
NAME = "Trần Thị Thu Hà"
EVIL = "<script>alert(1)</script> Nguyễn"


def holder_and_stranger(client, banks, app, name=NAME):
    """The certificate code, seen by its holder (this client, with the learner cookie) and by a stranger."""
    learner_code, code = certified_learner(client, banks, full_name=name)
    client.cookies.set("kns_learner", learner_code)
    from fastapi.testclient import TestClient
    stranger = TestClient(app)
    return code, stranger


def test_the_holder_sees_the_full_name_and_anyone_else_the_masked_one(client, banks, app):
    code, stranger = holder_and_stranger(client, banks, app)
    own = client.get(f"/certificates/{code}")
    assert own.status_code == 200 and f'id="holder">{NAME}<' in own.text
    other = stranger.get(f"/certificates/{code}")
    assert other.status_code == 200 and 'id="holder">Trần T. T. H.<' in other.text
    assert "Thu Hà" not in other.text


def test_the_certificate_names_the_province_module_date_and_code(client, banks, app):
    _, code = certified_learner(client, banks)
    vi = client.get(f"/certificates/{code}").text
    assert "Tỉnh Tây Ninh" in vi and banks[MODULE].title["vi"] in vi and code in vi
    assert re.search(r"ngày \d\d tháng \d\d năm \d{4}", vi)
    en = client.get(f"/certificates/{code}?lang=en").text
    assert "Tây Ninh Province" in en and banks[MODULE].title["en"] in en and 'lang="en"' in en
    assert re.search(r"\d{1,2} [A-Z][a-z]+ \d{4}", en)


def test_the_qr_code_decodes_to_the_verification_url(client, banks, app):
    _, code = certified_learner(client, banks)
    html = client.get(f"/certificates/{code}").text
    svg = re.search(r"<svg[^>]*class=\"kns-qr\".*?</svg>", html, re.DOTALL).group(0)
    assert decode_svg(svg) == [f"http://testserver/verify/{code}"]  # no public URL: the address asked
    assert "http" not in svg  # made in-process: the SVG loads nothing from anywhere


def test_the_certificate_prints_on_one_a4_landscape_page(client, banks):
    _, code = certified_learner(client, banks)
    html = client.get(f"/certificates/{code}").text
    assert 'class="kns-certificate"' in html
    css = (ROOT / "docs/assets/stylesheets/app.css").read_text("utf-8")
    # a named page: the certificate's page only, not every printed page
    assert re.search(r"@page certificate\s*{[^}]*size:\s*A4 landscape", css)
    assert re.search(r"\.kns-certificate\s*{\s*page:\s*certificate;", css)
    printed = css[css.index("@media print"):]
    assert re.search(r"\.kns-certificate\s*{[^}]*break-inside:\s*avoid;\s*height:\s*1\d\dmm", printed)
    assert re.search(r"\.kns-noprint[^{]*{\s*display:\s*none", printed)


def test_the_verification_page_shows_status_and_masked_name(client, banks):
    _, code = certified_learner(client, banks, full_name=NAME)
    html = client.get(f"/verify/{code}").text
    assert 'data-status="valid"' in html and "Trần T. T. H." in html and "Thu Hà" not in html
    assert "Chứng nhận hợp lệ." in html


def test_the_verification_form_takes_a_typed_code(client, banks):
    _, code = certified_learner(client, banks)
    assert 'name="code"' in client.get("/verify").text
    typed = codes.normalise(code).lower()
    response = client.get(f"/verify?code={typed}&lang=en", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/verify/{code}?lang=en"


@pytest.mark.parametrize("lang, words", [("vi", "gõ nhầm"), ("en", "mistyped")])
def test_a_mistyped_code_asks_whether_it_was_mistyped_and_keeps_what_was_typed(client, banks, lang, words):
    _, code = certified_learner(client, banks)
    for url in (f"/verify/{typo(code)}?lang={lang}", f"/verify?code={typo(code)}&lang={lang}",
                f"/certificates/{typo(code)}?lang={lang}"):
        response = client.get(url)
        assert response.status_code == 404 and words in response.text, url
    assert f'value="{typo(code)}"' in client.get(f"/verify/{typo(code)}").text


def test_an_unknown_code_gets_a_clear_404(client):
    response = client.get(f"/verify/{codes.new_code(8)}?lang=en")
    assert response.status_code == 404 and "No certificate has this code" in response.text
    assert client.get(f"/certificates/{codes.new_code(8)}").status_code == 404


def test_a_revoked_certificate_shows_revoked_and_is_not_printable(client, banks, database):
    _, code = certified_learner(client, banks)
    with database.writing() as db:
        certificates.revoke(db=db, code=code, reason="duplicate account", actor="admin")
    for url in (f"/verify/{code}", f"/certificates/{code}"):
        html = client.get(url).text
        assert 'data-status="revoked"' in html and "thu hồi" in html and "kns-qr" not in html
        assert "duplicate account" not in html
    assert client.get(f"/certificates/{code}/badge.json").status_code == 410


def test_a_certificate_of_an_erased_holder_names_nobody(client, banks, database):
    learner_code, code = certified_learner(client, banks, full_name=NAME)
    with database.writing() as db:
        privacy.erase(db=db, learner_id=learners.find_by_code(db=db, code=learner_code).id)
    client.cookies.set("kns_learner", learner_code)  # even on the former holder's device
    for url in (f"/verify/{code}?lang=en", f"/certificates/{code}?lang=en"):
        html = client.get(url).text
        assert 'data-status="holder_erased"' in html and "erased" in html
        assert "Trần" not in html


def test_names_are_escaped_on_every_certificate_page(client, banks, app):
    code, stranger = holder_and_stranger(client, banks, app, name=EVIL)
    pages = [client.get(f"/certificates/{code}"), stranger.get(f"/certificates/{code}"),
             stranger.get(f"/verify/{code}")]
    for page in pages:
        assert page.status_code == 200
        assert "<script>alert(1)</script>" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_the_open_badge_is_an_unsigned_openbadgecredential_without_personal_data(client, banks, app):
    _, code = certified_learner(client, banks, full_name=NAME, email="ha.tran@example.vn")
    response = client.get(f"/certificates/{code}/badge.json?lang=en")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    badge = response.json()
    assert badge["@context"] == ["https://www.w3.org/ns/credentials/v2",
                                 "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["issuer"]["type"] == ["Profile"] and badge["issuer"]["name"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", badge["validFrom"])
    achievement = badge["credentialSubject"]["achievement"]
    assert achievement["name"] == banks[MODULE].title["en"] and achievement["criteria"]["narrative"]
    assert "proof" not in badge and "not digitally signed" in badge["description"]
    verify = f"http://testserver/verify/{code}"  # no public URL: the address asked
    assert badge["credentialSubject"]["identifier"][0]["identityHash"] == verify
    assert "Trần" not in response.text and "example.vn" not in response.text


def test_guessing_certificate_pages_is_slowed_down(client, app):
    limit = app.state.settings.code_lookups_per_minute
    for _ in range(limit):
        assert client.get(f"/verify/{codes.new_code(8)}").status_code == 404
    assert client.get(f"/verify/{codes.new_code(8)}").status_code == 429
    assert client.get(f"/certificates/{codes.new_code(8)}").status_code == 429
