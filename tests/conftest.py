"""Fixtures: the same API tests run on SQLite and, when KYNANGSO_TEST_DATABASE_URL is set, PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from quiz_api import migrate
from quiz_api.config import Settings
from quiz_api.db import Database
from quiz_api.main import create_app
from quiz_api.models import Base
from quiz_api.units import service as units

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("KYNANGSO_TEST_DATABASE_URL")
DATABASES = ["sqlite"] + (["postgresql"] if PG_URL else [])


def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A freshly migrated database with the default province units loaded."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db')}/test.db"
    else:
        url = PG_URL
        reset_postgres(url)
    migrate.upgrade(url)
    database = Database(url)
    with database.writing() as db:
        units.import_csv(db=db, data=(ROOT / "quiz_api/profiles/tay-ninh/units.csv").read_bytes())
    database.dispose()
    return url


# API tests use a small fixed bank (tests/fixtures/banks), so they do not depend on the content;
# the real banks are checked in tests/content.
def make_settings(database_url: str, **overrides) -> Settings:
    values = {"database_url": database_url, "site_dir": ROOT / "site", "docs_dir": ROOT / "docs",
              "banks_dir": ROOT / "tests/fixtures/banks",
              "secret_key": "test-secret-key-not-for-production", "cooldown_minutes": 10,
              # The suite runs the app in its own process on a machine shared with other jobs, where a
              # lone write may wait 0.3 s for the CPU: shedding has its own tests (test_shedding.py,
              # test_busy.py, test_group_commit.py), the others are about what a request does.
              "writer_max_wait_seconds": 10.0}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def app(database_url: str):
    return create_app(make_settings(database_url))


def clear_data(database: Database) -> None:
    """Empty every table but the unit tree, children first."""
    with database.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "unit":
                conn.execute(table.delete())


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    clear_data(app.state.database)
    app.state.limiters.reset()
    with TestClient(app) as c:
        yield c


@pytest.fixture
def database(app) -> Database:
    return app.state.database


@pytest.fixture
def banks(app):
    return app.state.banks


def new_learner(client: TestClient, **overrides) -> str:
    body = {"full_name": "Nguyễn Văn An", "group": "citizen", "unit_code": "TN-P-long-an", "consent": True}
    body.update(overrides)
    response = client.post("/api/v1/learners", json=body)
    assert response.status_code == 201, response.text
    return response.json()["learner_code"]


def answer_key(banks, attempt: dict, right: int) -> dict[str, list[str]]:
    """Answers with exactly `right` correct ones (the rest deliberately wrong)."""
    module = banks[attempt["module_id"]]
    answers = {}
    for i, q in enumerate(attempt["questions"]):
        correct = sorted(module.questions[q["id"]].correct)
        if i < right:
            answers[q["id"]] = correct
        else:
            wrong = [c["id"] for c in q["choices"] if c["id"] not in correct][:1]
            answers[q["id"]] = wrong
    return answers
