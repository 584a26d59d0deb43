"""Retention: `kynangso purge` counts (dry run) or erases (--apply) learners inactive too long; safe daily."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from quiz_api import cli
from quiz_api.audit import AuditLog
from quiz_api.config import get_settings
from quiz_api.db import utcnow
from quiz_api.learners.models import Learner
from quiz_api.privacy import service as privacy
from tests.certificates.helpers import certified_learner
from tests.conftest import new_learner


@pytest.fixture
def kynangso(database_url, monkeypatch, capsys):
    """Run the command line against the test database; returns (exit status, stdout)."""
    monkeypatch.setenv("KYNANGSO_DATABASE_URL", database_url)
    get_settings.cache_clear()

    def run(*argv: str) -> tuple[int, str]:
        status = cli.main(list(argv))
        return status, capsys.readouterr().out
    yield run
    get_settings.cache_clear()


def age(database, name: str, days: int) -> None:
    """Pretend the learner was last seen `days` ago."""
    with database.writing() as db:
        db.execute(update(Learner).where(Learner.full_name == name)
                   .values(last_seen_at=utcnow() - timedelta(days=days)))


def names(database) -> set[str]:
    with database.reading() as db:
        return set(db.scalars(select(Learner.full_name).where(Learner.erased_at.is_(None))))


@pytest.fixture
def three_learners(client, database):
    """One long gone, one just past the retention period, one active (retention: 730 days)."""
    for name in ("Cũ Lâu Rồi", "Vừa Quá Hạn", "Còn Học"):
        new_learner(client, full_name=name)
    age(database, "Cũ Lâu Rồi", 2000)
    age(database, "Vừa Quá Hạn", 731)
    age(database, "Còn Học", 729)


def test_a_dry_run_counts_and_changes_nothing(three_learners, database, kynangso):
    status, out = kynangso("purge")
    assert status == 0 and "dry run: 2 learner(s)" in out and "retention 730 days" in out and "--apply" in out
    assert names(database) == {"Cũ Lâu Rồi", "Vừa Quá Hạn", "Còn Học"}
    with database.reading() as db:
        assert db.scalars(select(AuditLog)).all() == []


def test_apply_erases_exactly_the_inactive_learners_and_logs_the_count(three_learners, database, kynangso):
    status, out = kynangso("purge", "--apply")
    assert status == 0 and "erased the personal data of 2 learner(s)" in out
    assert names(database) == {"Còn Học"}
    with database.reading() as db:
        erased = db.scalars(select(Learner).where(Learner.erased_at.is_not(None))).all()
        log = db.scalars(select(AuditLog).where(AuditLog.action == "learner.purge")).one()
    assert len(erased) == 2 and all(getattr(row, f) is None for row in erased for f in privacy.PERSONAL_FIELDS)
    assert log.actor == "system" and log.row_count == 2 and json.loads(log.detail)["retention_days"] == 730
    assert "Cũ" not in log.detail  # counts, never names


def test_running_it_daily_is_safe(three_learners, database, kynangso):
    kynangso("purge", "--apply")
    status, out = kynangso("purge", "--apply")
    assert status == 0 and "of 0 learner(s)" in out
    assert kynangso("purge")[1].startswith("dry run: 0 learner(s)")
    assert names(database) == {"Còn Học"}
    with database.reading() as db:
        assert [a.row_count for a in db.scalars(select(AuditLog).order_by(AuditLog.id))] == [2, 0]


def test_the_retention_period_is_configurable(three_learners, database, kynangso, monkeypatch):
    assert "dry run: 1 learner(s)" in kynangso("purge", "--retention-days", "1000")[1]
    monkeypatch.setenv("KYNANGSO_RETENTION_DAYS", "100")
    get_settings.cache_clear()
    assert "dry run: 3 learner(s)" in kynangso("purge")[1]


def test_purged_learners_certificates_verify_as_holder_erased(client, banks, database, kynangso):
    _, code = certified_learner(client, banks, full_name="Người Đã Đi")
    age(database, "Người Đã Đi", 1000)
    kynangso("purge", "--apply")
    assert client.get(f"/api/v1/certificates/{code}").json()["status"] == "holder_erased"


def test_purge_uses_the_same_erasure_as_a_learners_request(client, database):
    """A learner who erased their own data is not erased (or counted) again."""
    new_learner(client, full_name="Tự Xóa")
    age(database, "Tự Xóa", 1000)
    with database.writing() as db:
        privacy.erase(db=db, learner_id=db.scalar(select(Learner.id)))
    with database.writing() as db:
        assert privacy.purge(db=db, retention_days=730).count == 0
        assert privacy.purge(db=db, retention_days=730, apply=True).count == 0


def test_a_nonsensical_retention_period_is_refused(database):
    from quiz_api.errors import Invalid

    with pytest.raises(Invalid), database.writing() as db:
        privacy.purge(db=db, retention_days=0, apply=True)
