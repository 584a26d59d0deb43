"""rate_limit: login and code-guessing counters shared by every process on PostgreSQL

One row per limiter and client key, its hits in the current window and when the window ends.
SQLite keeps its counters in memory (one serving process); the table exists there too, unused,
so both databases have one schema.

Revision ID: 7b3e9d14a6f2
Revises: 5e1f0a7c2b93
Create Date: 2026-12-03 08:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "7b3e9d14a6f2"
down_revision = "5e1f0a7c2b93"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limit",
        sa.Column("key", sa.String(length=96), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("window_ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limit")),
    )
    op.create_index(op.f("ix_rate_limit_window_ends_at"), "rate_limit", ["window_ends_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_rate_limit_window_ends_at"), table_name="rate_limit")
    op.drop_table("rate_limit")
