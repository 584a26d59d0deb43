"""Erasure leaves nothing on disk: after a learner's own erasure, a purge or a corrected name, none of
the old values can be read from the SQLite database file or its WAL (as `strings` would find them)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from quiz_api.db import utcnow
from quiz_api.learners.models import Learner
from quiz_api.privacy import service as privacy
from tests.conftest import new_learner

PERSONAL = {"full_name": "Lê Thị Hoàng Oanh Duy Nhất", "email": "oanh.duynhat@example.vn", "phone": "0912345678",
            "organisation": "Hợp tác xã Muối Tôm Duy Nhất"}


@pytest.fixture
def sqlite_files(database):
    if database.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL: old row versions stay until VACUUM (README, Security)")
    path = Path(database.engine.url.database)
    return lambda: b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def found(files: bytes, *values: str) -> list[str]:
    return [v for v in values if v.encode("utf-8") in files]


def test_a_learners_own_erasure_leaves_no_value_in_the_database_files(client, sqlite_files):
    code = new_learner(client, **PERSONAL)
    assert client.patch(f"/api/v1/learners/{code}", json={"full_name": "Tên Mới Sau Khi Sửa"}).status_code == 200
    assert found(sqlite_files(), "Tên Mới Sau Khi Sửa")  # the check can see a value that is there
    assert client.delete(f"/api/v1/learners/{code}").status_code == 200
    assert found(sqlite_files(), *PERSONAL.values(), "Tên Mới Sau Khi Sửa") == []


def test_a_corrected_name_leaves_no_trace_of_the_old_one(client, sqlite_files):
    code = new_learner(client, **PERSONAL)
    assert found(sqlite_files(), PERSONAL["full_name"])
    assert client.patch(f"/api/v1/learners/{code}", json={"full_name": "Lê Thị Oanh",
                                                            "email": "oanh@example.vn"}).status_code == 200
    assert found(sqlite_files(), PERSONAL["full_name"], PERSONAL["email"]) == []


def test_a_purge_leaves_no_value_in_the_database_files(client, database, sqlite_files):
    new_learner(client, **PERSONAL)
    with database.writing() as db:
        db.execute(update(Learner).values(last_seen_at=utcnow() - timedelta(days=4000)))
        assert privacy.purge(db=db, retention_days=30, apply=True).count == 1
    assert found(sqlite_files(), *PERSONAL.values()) == []
