"""Revocation by province admins: `kynangso certificates revoke` and POST /api/v1/certificates/{code}/revoke."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from quiz_api import cli, codes
from quiz_api.audit import AuditLog
from quiz_api.config import get_settings
from tests.certificates.helpers import certified_learner
from tests.certificates.test_verification_api import typo
from tests.organisers.helpers import bearer, make_organiser


@pytest.fixture
def kynangso(database_url, monkeypatch, capsys):
    monkeypatch.setenv("KYNANGSO_DATABASE_URL", database_url)
    get_settings.cache_clear()

    def run(*argv: str) -> tuple[int, str, str]:
        status = cli.main(list(argv))
        captured = capsys.readouterr()
        return status, captured.out, captured.err
    yield run
    get_settings.cache_clear()


def audit_rows(database) -> list[AuditLog]:
    with database.reading() as db:
        return db.scalars(select(AuditLog).where(AuditLog.action == "certificate.revoke")).all()


def test_the_command_revokes_and_verification_then_says_revoked(client, banks, database, kynangso):
    _, code = certified_learner(client, banks)
    status, out, _ = kynangso("certificates", "revoke", code.lower(), "--reason", "gian lận khi làm bài",
                              "--actor", "admin-tinh")
    assert status == 0 and f"certificate {code}" in out and "revoked" in out
    assert client.get(f"/api/v1/certificates/{code}").json()["status"] == "revoked"
    [row] = audit_rows(database)
    assert row.actor == "cli:admin-tinh" and json.loads(row.detail) == {"code": code, "reason": "gian lận khi làm bài"}


def test_revoking_twice_from_the_command_line_says_so_and_changes_nothing(client, banks, database, kynangso):
    _, code = certified_learner(client, banks)
    kynangso("certificates", "revoke", code, "--reason", "first")
    status, out, _ = kynangso("certificates", "revoke", code, "--reason", "second")
    assert status == 0 and "already revoked" in out and len(audit_rows(database)) == 1


@pytest.mark.parametrize("make_code, message", [
    (lambda code: codes.new_code(8), "No certificate has this code"),
    (typo, "mistyped"),
])
def test_the_command_explains_unknown_and_mistyped_codes(client, banks, kynangso, make_code, message):
    _, code = certified_learner(client, banks)
    status, _, err = kynangso("certificates", "revoke", make_code(code), "--reason", "x")
    assert status == 2 and message in err


def test_the_command_needs_a_reason(client, banks, kynangso):
    _, code = certified_learner(client, banks)
    assert kynangso("certificates", "revoke", code, "--reason", "  ")[0] == 2
    with pytest.raises(SystemExit):
        kynangso("certificates", "revoke", code)


def test_an_admin_revokes_through_the_api(client, banks, database):
    make_organiser(database, "admin-tinh", admin=True)
    learner_code, code = certified_learner(client, banks)
    response = client.post(f"/api/v1/certificates/{code}/revoke", json={"reason": "cấp nhầm"},
                           headers=bearer(client, "admin-tinh"))
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    assert "cấp nhầm" not in response.text
    [row] = audit_rows(database)
    assert row.actor == "admin-tinh"
    # the holder sees why, in their own data
    data = client.get(f"/api/v1/learners/{learner_code}/data").json()
    assert data["certificates"][0]["revoked_reason"] == "cấp nhầm" and data["certificates"][0]["status"] == "revoked"
    again = client.post(f"/api/v1/certificates/{code}/revoke", json={"reason": "again"},
                        headers=bearer(client, "admin-tinh"))
    assert again.status_code == 409 and again.json()["code"] == "already_revoked"


def test_only_admins_may_revoke(client, banks, database):
    make_organiser(database, "to-chuc-xa", units=("TN-P-long-an",))
    _, code = certified_learner(client, banks)
    assert client.post(f"/api/v1/certificates/{code}/revoke", json={"reason": "x"}).status_code == 401
    forbidden = client.post(f"/api/v1/certificates/{code}/revoke", json={"reason": "x"},
                            headers=bearer(client, "to-chuc-xa"))
    assert forbidden.status_code == 403
    assert client.get(f"/api/v1/certificates/{code}").json()["status"] == "valid"


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "x" * 501}, {"reason": "x", "extra": 1},
                                  {"reason": "\u200b\u200d\ufeff"}, {"reason": "\x00"}])
def test_bad_revocation_requests_are_refused(client, banks, database, body):
    make_organiser(database, "admin-tinh", admin=True)
    _, code = certified_learner(client, banks)
    response = client.post(f"/api/v1/certificates/{code}/revoke", json=body, headers=bearer(client, "admin-tinh"))
    assert response.status_code == 422
    assert client.get(f"/api/v1/certificates/{code}").json()["status"] == "valid"


def test_revoking_an_unknown_code_is_404(client, database):
    make_organiser(database, "admin-tinh", admin=True)
    response = client.post(f"/api/v1/certificates/{codes.new_code(8)}/revoke", json={"reason": "x"},
                           headers=bearer(client, "admin-tinh"))
    assert response.status_code == 404 and response.json()["code"] == "unknown_certificate"
