"""Schema changes go through migrations: upgrading an empty database gives exactly the models' schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from quiz_api.models import Base


def test_migrations_produce_the_same_schema_as_the_models(database_url, app):
    with app.state.database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
