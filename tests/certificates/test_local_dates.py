"""A certificate shows the day it was earned in Vietnam: 06:30 on 1 January (23:30 UTC on 31
December) prints 1 January of the new year, on the certificate, the verification page and the API."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import update

from quiz_api.certificates import service as certificates
from quiz_api.certificates.models import Certificate
from tests.certificates.helpers import certified_learner
from tests.certificates.test_revocation import kynangso  # noqa: F401  (the CLI fixture)
from tests.organisers.helpers import bearer, make_organiser

NEW_YEAR_0630 = datetime(2026, 12, 31, 23, 30)  # 2027-01-01 06:30 in Vietnam
LAST_SECOND = datetime(2026, 12, 31, 16, 59, 59)  # 2026-12-31 23:59:59 in Vietnam


def issued_at(database, code: str, when: datetime) -> None:
    with database.writing() as db:
        db.execute(update(Certificate).where(Certificate.code == code).values(issued_at=when))


@pytest.mark.parametrize(("when", "vi", "en", "iso"), [
    (NEW_YEAR_0630, "ngày 01 tháng 01 năm 2027", "1 January 2027", "2027-01-01"),
    (LAST_SECOND, "ngày 31 tháng 12 năm 2026", "31 December 2026", "2026-12-31"),
])
def test_the_certificate_prints_the_day_it_was_earned_in_vietnam(client, banks, database, when, vi, en, iso):
    _, code = certified_learner(client, banks)
    issued_at(database, code, when)
    assert vi in client.get(f"/certificates/{code}").text
    assert en in client.get(f"/certificates/{code}?lang=en").text
    assert vi in client.get(f"/verify/{code}").text
    assert client.get(f"/api/v1/certificates/{code}").json()["issued_on"] == iso


def test_a_revocation_is_dated_by_the_local_day(client, banks, database, kynangso):  # noqa: F811
    make_organiser(database, "admin-tinh", admin=True)
    _, code = certified_learner(client, banks)
    with database.writing() as db:
        certificates.revoke(db=db, code=code, reason="cấp nhầm", actor="admin-tinh", now=NEW_YEAR_0630)
    assert client.get(f"/api/v1/certificates/{code}").json()["revoked_on"] == "2027-01-01"
    assert "1 January 2027" in client.get(f"/verify/{code}?lang=en").text
    again = client.post(f"/api/v1/certificates/{code}/revoke", json={"reason": "again"},
                        headers=bearer(client, "admin-tinh"))
    assert again.status_code == 409 and "thu hồi ngày 01/01/2027;" in again.json()["detail"]
    status, out, _ = kynangso("certificates", "revoke", code, "--reason", "again")
    assert status == 0 and "already revoked on 01/01/2027;" in out
