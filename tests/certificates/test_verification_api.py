"""GET /api/v1/certificates/{code}: what an employer learns from a code, and nothing more."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quiz_api import codes, localtime
from quiz_api.certificates import service as certificates
from quiz_api.certificates.models import Certificate
from quiz_api.learners import service as learners
from quiz_api.privacy import service as privacy
from tests.certificates.helpers import MODULE, certified_learner

PROFILE = {"full_name": "Nguyễn Văn Bình", "email": "binh.nguyen@example.vn", "phone": "0912 345 678",
           "organisation": "Công ty Muối tôm Tây Ninh"}


def typo(code: str) -> str:
    """The code with one character changed: the check character must catch it."""
    raw = codes.normalise(code)
    swapped = ("1" if raw[2] != "1" else "2")
    return codes.format_code(raw[:2] + swapped + raw[3:])


def test_a_valid_certificate_shows_module_date_and_masked_name_only(client, banks, app):
    _, code = certified_learner(client, banks, **PROFILE)
    response = client.get(f"/api/v1/certificates/{code}")
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True and body["status"] == "valid"
    assert body["kind"] == "module" and body["module_id"] == MODULE and body["path"] is None
    assert body["title"] == banks[MODULE].title["vi"]
    assert body["issued_on"] == localtime.local_today(localtime.zone()).isoformat()  # the day in Vietnam
    assert body["holder"] == "Nguyễn V. B."
    assert body["verify_url"] == f"http://testserver/verify/{code}"  # no public URL set: the address asked
    for secret in ("Bình", "binh.nguyen", "0912", "345 678", "Muối tôm"):
        assert secret not in response.text


def test_the_code_may_be_typed_in_lower_case_without_hyphens_and_with_look_alikes(client, banks):
    _, code = certified_learner(client, banks)
    typed = codes.normalise(code).lower().replace("0", "o").replace("1", "l")
    body = client.get(f"/api/v1/certificates/{typed}").json()
    assert body["code"] == code and body["valid"] is True


def test_english_answers_in_english(client, banks):
    _, code = certified_learner(client, banks)
    body = client.get(f"/api/v1/certificates/{code}?lang=en").json()
    assert body["title"] == banks[MODULE].title["en"] and body["message"] == "This certificate is valid."


def test_a_revoked_certificate_says_revoked(client, banks, database):
    _, code = certified_learner(client, banks)
    with database.writing() as db:
        certificates.revoke(db=db, code=code, reason="issued by mistake", actor="admin")
    body = client.get(f"/api/v1/certificates/{code}").json()
    assert body["valid"] is False and body["status"] == "revoked"
    assert body["revoked_on"] == localtime.local_today(localtime.zone()).isoformat()
    assert "thu hồi" in body["message"]
    assert "mistake" not in str(body)  # the reason is for the holder and the audit log, not the public


def test_a_certificate_of_an_erased_holder_says_so_and_names_nobody(client, banks, database):
    learner_code, code = certified_learner(client, banks, **PROFILE)
    with database.writing() as db:
        privacy.erase(db=db, learner_id=learners.find_by_code(db=db, code=learner_code).id)
    body = client.get(f"/api/v1/certificates/{code}?lang=en").json()
    assert body["valid"] is False and body["status"] == "holder_erased"
    assert body["holder"] is None and "erased" in body["message"]
    assert body["module_id"] == MODULE  # what was issued is still on record


def test_an_unknown_code_is_404_with_a_clear_message(client):
    unknown = codes.new_code(certificates.CODE_LENGTH)
    response = client.get(f"/api/v1/certificates/{unknown}")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_certificate" and "Không có chứng nhận" in response.json()["detail"]


@pytest.mark.parametrize("lang, words", [("vi", "gõ nhầm"), ("en", "mistyped")])
def test_a_mistyped_code_asks_whether_it_was_mistyped(client, banks, lang, words):
    _, code = certified_learner(client, banks)
    response = client.get(f"/api/v1/certificates/{typo(code)}?lang={lang}")
    assert response.status_code == 404
    assert response.json()["code"] == "mistyped_code" and words in response.json()["detail"]


@pytest.mark.parametrize("garbage", ["x", "%F0%9F%98%80", "' OR 1=1 --", "A" * 40, "ÀBCD-EFGH-J"])
def test_garbage_codes_are_404_never_500(client, garbage):
    response = client.get(f"/api/v1/certificates/{garbage}")
    assert response.status_code == 404 and response.json()["code"] == "mistyped_code"


def test_too_long_codes_are_refused(client):
    assert client.get(f"/api/v1/certificates/{'A' * 41}").status_code == 422


def test_guessing_codes_quickly_is_slowed_down_and_then_even_a_right_guess_is_refused(client, banks, app):
    _, code = certified_learner(client, banks)
    limit = app.state.settings.code_lookups_per_minute
    statuses = [client.get(f"/api/v1/certificates/{codes.new_code(8)}").status_code for _ in range(limit)]
    assert statuses == [404] * limit
    blocked = client.get(f"/api/v1/certificates/{code}")
    assert blocked.status_code == 429 and blocked.json()["code"] == "rate_limited"
    assert int(blocked.headers["retry-after"]) > 0


def test_checking_many_real_certificates_is_never_slowed_down(client, banks, app, database):
    _, code = certified_learner(client, banks)
    for _ in range(app.state.settings.code_lookups_per_minute * 2):
        assert client.get(f"/api/v1/certificates/{code}").status_code == 200


def test_revoking_needs_a_reason_and_revoking_twice_changes_nothing(client, banks, database):
    from quiz_api.errors import Conflict, Invalid

    _, code = certified_learner(client, banks)
    with pytest.raises(Invalid), database.writing() as db:
        certificates.revoke(db=db, code=code, reason="  ", actor="admin")
    with database.writing() as db:
        certificates.revoke(db=db, code=code, reason="cheating", actor="admin")
    with database.reading() as db:
        first = db.scalar(select(Certificate.revoked_at).where(Certificate.code == code))
    with pytest.raises(Conflict), database.writing() as db:
        certificates.revoke(db=db, code=code, reason="again", actor="admin")
    with database.reading() as db:
        row = db.scalar(select(Certificate).where(Certificate.code == code))
        assert row.revoked_at == first and row.revoked_reason == "cheating"
