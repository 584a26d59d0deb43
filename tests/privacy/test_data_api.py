"""The learner's rights through the API: see and copy everything, correct, erase (once, for good)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import String, Text, func, or_, select, update

from quiz_api import codes
from quiz_api.attempts.models import Attempt, AttemptAnswer
from quiz_api.audit import AuditLog
from quiz_api.certificates.models import Certificate
from quiz_api.db import utcnow
from quiz_api.learners import service as learners
from quiz_api.learners.models import Learner
from quiz_api.models import Base
from quiz_api.privacy import service as privacy
from tests.conftest import new_learner
from tests.privacy.helpers import PERSON, learner_with_history


def columns(model) -> set[str]:
    return {c.name for c in model.__table__.columns}


def learner_row(database, **where):
    with database.reading() as db:
        return db.scalars(select(Learner).filter_by(**where)).one()


# --- consent record -----------------------------------------------------------------------------

def test_registration_records_which_notice_was_agreed_to_and_when(client, app, database):
    before = utcnow()
    new_learner(client, full_name="Võ Văn Kiệt")
    row = learner_row(database, full_name="Võ Văn Kiệt")
    assert row.consent_version == app.state.settings.consent_version
    assert before - timedelta(seconds=1) <= row.consent_at <= utcnow()


def test_the_export_shows_the_consent_record(client, app):
    code = new_learner(client)
    consent = client.get(f"/api/v1/learners/{code}/data").json()["consent"]
    assert consent["notice_version"] == app.state.settings.consent_version
    assert consent["agreed_at"].endswith("Z")  # UTC, said so (RFC 3339)
    assert datetime.fromisoformat(consent["agreed_at"]).replace(tzinfo=None) <= utcnow()


# --- access and copy ------------------------------------------------------------------------------

def test_the_export_holds_every_stored_column_of_every_row_of_the_learner(client, banks, database):
    code, certificate = learner_with_history(client, banks)
    response = client.get(f"/api/v1/learners/{code}/data")
    assert response.status_code == 200
    data = response.json()
    me = learner_row(database, full_name=PERSON["full_name"])

    assert columns(Learner) <= set(data["profile"])
    for field in ("full_name", "email", "phone", "organisation", "group", "unit_code"):
        assert data["profile"][field] == PERSON[field]
    assert data["profile"]["unit_name"] and data["profile"]["group_name"] == "Doanh nghiệp"

    with database.reading() as db:
        attempt_ids = set(db.scalars(select(Attempt.id).where(Attempt.learner_id == me.id)))
        answer_count = db.scalar(select(func.count()).select_from(AttemptAnswer)
                                 .where(AttemptAnswer.attempt_id.in_(attempt_ids)))
        certificate_codes = set(db.scalars(select(Certificate.code).where(Certificate.learner_id == me.id)))
    assert {a["id"] for a in data["attempts"]} == attempt_ids and len(attempt_ids) == 2
    for attempt in data["attempts"]:
        assert columns(Attempt) <= set(attempt)
    submitted = [a for a in data["attempts"] if a["submitted_at"]]
    assert len(submitted) == 1 and submitted[0]["passed"] is True and submitted[0]["score"] == 1.0
    answers = [answer for a in data["attempts"] for answer in a["answers"]]
    assert len(answers) == answer_count == 5
    assert all(columns(AttemptAnswer) - {"attempt_id"} <= set(answer) for answer in answers)

    assert {c["code"] for c in data["certificates"]} == certificate_codes == {certificate}
    assert columns(Certificate) <= set(data["certificates"][0])
    assert data["certificates"][0]["status"] == "valid"
    assert data["certificates"][0]["verify_url"].endswith(f"/verify/{certificate}")
    assert data["retention"]["days"] > 0


def test_the_export_never_holds_another_learners_data(client, banks):
    mine = new_learner(client, full_name="Lý Thường Kiệt")
    learner_with_history(client, banks)
    data = client.get(f"/api/v1/learners/{mine}/data")
    assert PERSON["full_name"] not in data.text and data.json()["attempts"] == []


def test_english_labels_in_english(client):
    code = new_learner(client, group="public_servant")
    assert client.get(f"/api/v1/learners/{code}/data?lang=en").json()["profile"]["group_name"] == "Public servants"


# --- correction -----------------------------------------------------------------------------------

def test_a_learner_corrects_name_and_unit(client, database):
    code = new_learner(client, full_name="Nguyen Van An")
    response = client.patch(f"/api/v1/learners/{code}", json={"full_name": "  Nguyễn  Văn An ",
                                                              "unit_code": "TN-S-so-y-te"})
    assert response.status_code == 200, response.text
    assert response.json()["profile"]["full_name"] == "Nguyễn Văn An"
    row = learner_row(database, full_name="Nguyễn Văn An")
    assert row.unit_code == "TN-S-so-y-te"


def test_optional_fields_can_be_removed(client, database):
    code = new_learner(client, full_name="Bùi Thị Xuân", email="xuan@example.vn", phone="0912345678")
    assert client.patch(f"/api/v1/learners/{code}", json={"email": None, "phone": ""}).status_code == 200
    row = learner_row(database, full_name="Bùi Thị Xuân")
    assert row.email is None and row.phone is None


@pytest.mark.parametrize(("body", "code", "words"), [
    ({"unit_code": "TN-khong-co"}, "unknown_unit", "TN-khong-co"),
    ({"full_name": "   "}, "name_required", "họ và tên"),
    ({"full_name": None}, "name_required", "họ và tên"),
    ({"email": "not-an-email"}, "bad_email", "email"),
    ({"phone": "12"}, "bad_phone", "điện thoại"),
    ({}, "invalid_input", "hợp lệ"),
])
def test_a_bad_correction_is_refused_clearly_and_changes_nothing(client, database, body, code, words):
    learner_code = new_learner(client, full_name="Đinh Bộ Lĩnh", email="dinh@example.vn")
    response = client.patch(f"/api/v1/learners/{learner_code}", json=body)
    assert response.status_code == 422 and response.json()["code"] == code
    assert words in response.json()["detail"]
    row = learner_row(database, full_name="Đinh Bộ Lĩnh")
    assert row.unit_code == "TN-P-long-an" and row.email == "dinh@example.vn"


def test_unexpected_correction_fields_are_refused(client):
    code = new_learner(client)
    for body in ({"group": "citizen"}, {"consent_version": "x"}, {"full_name": "A" * 201}):
        assert client.patch(f"/api/v1/learners/{code}", json=body).status_code == 422


# --- erasure ----------------------------------------------------------------------------------------

def text_columns():
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (String, Text)):
                yield table, column


def test_erasure_leaves_no_personal_field_anywhere_in_the_database(client, banks, database):
    code, _ = learner_with_history(client, banks)
    code_hash = learners.hash_code(code)
    old_pseudonym = learner_row(database, full_name=PERSON["full_name"]).pseudonym
    response = client.delete(f"/api/v1/learners/{code}")
    assert response.status_code == 200 and response.json() == {
        "erased": True, "code": "learner_erased", "detail": "Dữ liệu cá nhân của bạn đã được xóa vĩnh viễn."}

    needles = [PERSON["full_name"], "Xuyến", PERSON["email"], "xuyen.quynh", PERSON["phone"], "654 321",
               "0987654321", PERSON["organisation"], code_hash, codes.normalise(code), code, old_pseudonym]
    searched = 0
    with database.reading() as db:
        for table, column in text_columns():
            hits = db.scalar(select(func.count()).select_from(table).where(
                or_(*(column.contains(needle, autoescape=True) for needle in needles))))
            searched += 1
            assert hits == 0, f"{table.name}.{column.name} still holds personal data"
    assert searched >= 15  # every text column of every table was searched


def test_erasure_keeps_anonymous_counts_and_the_certificates(client, banks, database):
    code, certificate = learner_with_history(client, banks)
    client.delete(f"/api/v1/learners/{code}")
    with database.reading() as db:
        row = db.scalars(select(Learner)).one()
        assert row.erased_at is not None and row.group == "business" and row.unit_code == "TN-P-long-an"
        assert all(getattr(row, field) is None for field in privacy.PERSONAL_FIELDS)
        assert db.scalar(select(func.count()).select_from(Attempt).where(Attempt.passed.is_(True))) == 1
        assert db.scalar(select(func.count()).select_from(AttemptAnswer)) == 5
        assert db.scalar(select(Certificate.code)) == certificate
        audit = db.scalars(select(AuditLog).where(AuditLog.action == "learner.erase")).one()
        assert audit.row_count == 1 and audit.detail == "{}"
    assert client.get(f"/api/v1/certificates/{certificate}").json()["status"] == "holder_erased"


def test_after_erasure_the_code_opens_nothing(client, banks):
    code, _ = learner_with_history(client, banks)
    client.delete(f"/api/v1/learners/{code}")
    for response in (client.get(f"/api/v1/learners/{code}/data"),
                     client.patch(f"/api/v1/learners/{code}", json={"full_name": "X"}),
                     client.post("/api/v1/attempts", json={"learner_code": code, "module_id": "mau-thu"})):
        assert response.status_code == 404 and response.json()["code"] == "unknown_learner"


@pytest.mark.parametrize("lang, words", [("vi", "đã được xóa trước đó"), ("en", "erased before")])
def test_erasing_twice_answers_clearly_without_an_error(client, lang, words):
    code = new_learner(client)
    assert client.delete(f"/api/v1/learners/{code}").json()["erased"] is True
    again = client.delete(f"/api/v1/learners/{code}?lang={lang}")
    assert again.status_code == 200
    assert again.json()["erased"] is False and again.json()["code"] == "nothing_to_erase"
    assert words in again.json()["detail"]


def test_erasure_is_all_or_nothing(client, database, monkeypatch):
    code = new_learner(client, full_name="Lê Lợi", email="le.loi@example.vn")
    learner_id = learner_row(database, full_name="Lê Lợi").id

    def broken_audit(**_):
        raise RuntimeError("disk full")

    monkeypatch.setattr(privacy.audit, "record", broken_audit)
    with pytest.raises(RuntimeError), database.writing() as db:
        privacy.erase(db=db, learner_id=learner_id)
    row = learner_row(database, id=learner_id)
    assert row.erased_at is None and row.full_name == "Lê Lợi" and row.email == "le.loi@example.vn"
    monkeypatch.undo()
    assert client.get(f"/api/v1/learners/{code}/data").status_code == 200


# --- bad codes and guessing ----------------------------------------------------------------------

def mistype(code: str) -> str:
    raw = codes.normalise(code)
    return raw[:-1] + ("0" if raw[-1] != "0" else "1")


@pytest.mark.parametrize("method, suffix", [("get", "/data"), ("patch", ""), ("delete", "")])
def test_a_mistyped_learner_code_asks_whether_it_was_mistyped(client, method, suffix):
    code = new_learner(client)
    kwargs = {"json": {"full_name": "X"}} if method == "patch" else {}
    response = getattr(client, method)(f"/api/v1/learners/{mistype(code)}{suffix}?lang=en", **kwargs)
    assert response.status_code == 404 and response.json()["code"] == "mistyped_code"
    assert "mistyped" in response.json()["detail"]


def test_an_unknown_learner_code_is_404(client):
    response = client.get(f"/api/v1/learners/{codes.new_code(learners.CODE_LENGTH)}/data")
    assert response.status_code == 404 and response.json()["code"] == "unknown_learner"


@pytest.mark.parametrize("guess", [
    lambda client, code: client.get(f"/api/v1/learners/{code}/data"),
    lambda client, code: client.patch(f"/api/v1/learners/{code}", json={"full_name": "X"}),
    lambda client, code: client.delete(f"/api/v1/learners/{code}"),
    lambda client, code: client.post("/api/v1/attempts", json={"learner_code": code, "module_id": "mau-thu"}),
])
def test_guessing_learner_codes_quickly_is_refused_even_for_a_right_guess(client, app, guess):
    real = new_learner(client)
    limit = app.state.settings.code_lookups_per_minute
    for _ in range(limit):
        assert guess(client, codes.new_code(learners.CODE_LENGTH)).status_code in (200, 404)
    blocked = guess(client, real)
    assert blocked.status_code == 429 and blocked.json()["code"] == "rate_limited"
    assert int(blocked.headers["retry-after"]) > 0
    app.state.code_limiter.reset()  # a minute later
    assert guess(client, real).status_code in (200, 201)


def test_a_learner_using_their_own_code_is_never_slowed_down(client, app):
    code = new_learner(client)
    for _ in range(app.state.settings.code_lookups_per_minute * 2):
        assert client.get(f"/api/v1/learners/{code}/data").status_code == 200


def test_viewing_the_data_counts_as_activity_for_retention(client, database):
    code = new_learner(client, full_name="Trưng Trắc")
    with database.writing() as db:
        db.execute(update(Learner).values(last_seen_at=utcnow() - timedelta(days=100)))
    client.get(f"/api/v1/learners/{code}/data")
    assert learner_row(database, full_name="Trưng Trắc").last_seen_at > utcnow() - timedelta(minutes=1)


def test_starting_a_quiz_counts_as_activity_once_an_hour(client, database):
    code = new_learner(client, full_name="Trưng Nhị")
    week_ago = utcnow() - timedelta(days=7)
    with database.writing() as db:
        db.execute(update(Learner).values(last_seen_at=week_ago))
    assert client.post("/api/v1/attempts", json={"learner_code": code, "module_id": "mau-thu"}).status_code == 201
    seen = learner_row(database, full_name="Trưng Nhị").last_seen_at
    assert seen > utcnow() - timedelta(minutes=1)
    # Within the hour, a second start does not rewrite the row (retention counts in days).
    assert client.post("/api/v1/attempts", json={"learner_code": code, "module_id": "mau-thu"}).status_code == 201
    assert learner_row(database, full_name="Trưng Nhị").last_seen_at == seen


@pytest.mark.parametrize(("body", "status", "stored"), [
    ({"full_name": "Trần\x00 Văn\x1b Ba"}, 200, "Trần Văn Ba"),  # control characters dropped
    ({"full_name": "Tra\u0302\u0300n Va\u0306n Ba"}, 200, "Trần Văn Ba"),  # decomposed diacritics stored composed
    ({"organisation": "HTX\x00 Muối"}, 200, "Trần Văn Ba"),
    ({"email": "ba\x00@example.vn"}, 422, "Trần Văn Ba"),
    ({"unit_code": "TN\x00"}, 422, "Trần Văn Ba"),
])
def test_control_characters_never_reach_the_database(client, database, body, status, stored):
    """PostgreSQL refuses NUL in text: it must be a clean answer, not a 500, on both databases."""
    code = new_learner(client, full_name="Trần Văn Ba")
    response = client.patch(f"/api/v1/learners/{code}", json=body)
    assert response.status_code == status, response.text
    row = learner_row(database, pseudonym=learner_row(database, group="citizen").pseudonym)
    assert row.full_name == stored and (row.organisation in (None, "HTX Muối"))


def test_registration_drops_control_characters_too(client, database):
    response = client.post("/api/v1/learners", json={"full_name": "Lê\x00 Văn Hưu", "group": "citizen",
                                                      "unit_code": "TN", "consent": True})
    assert response.status_code == 201
    assert learner_row(database, group="citizen").full_name == "Lê Văn Hưu"
