"""report aggregates: running totals per unit, group, module and local month, and per question

Creates report_month, report_question, report_pick (and report_question_pending, the first attempts whose
answers are still to be counted there) and fills them from the existing attempts and
certificates (aggregates/rebuild.py; on a big database this takes a while and shows a progress
bar on stderr). The submission path keeps them up to date from then on.

Revision ID: 38c1a2d7466e
Revises: 3057ed2c8e19
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

import sys

import sqlalchemy as sa
from alembic import op

revision = "38c1a2d7466e"
down_revision = "3057ed2c8e19"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_month",
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=False),
        sa.Column("group", sa.String(length=20), nullable=False),
        sa.Column("module_id", sa.String(length=64), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in ("attempts", "passed_attempts")],
        sa.Column("score_sum", sa.Float(), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in (
            "learners", "passers", "learners_ever", "passers_ever", "any_learners", "any_passers",
            "any_learners_ever", "any_passers_ever", "certificates")],
        sa.PrimaryKeyConstraint("month", "unit_code", "group", "module_id", name=op.f("pk_report_month")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_report_month_key", "report_month", ["unit_code", "group", "module_id", "month"])
    op.create_table(
        "report_question",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("group", sa.String(length=20), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("rest_sum", sa.Float(), nullable=False),
        sa.Column("rest_product", sa.Float(), nullable=False),
        sa.Column("rest_square", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("year", "module_id", "question_id", "group", "unit_code",
                                name=op.f("pk_report_question")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "report_pick",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("choice_id", sa.String(length=64), nullable=False),
        sa.Column("group", sa.String(length=20), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=False),
        sa.Column("picks", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", "module_id", "question_id", "choice_id", "group", "unit_code",
                                name=op.f("pk_report_pick")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_report_question_unit", "report_question", ["unit_code", "group", "year"])
    op.create_index("ix_report_pick_unit", "report_pick", ["unit_code", "group", "year"])
    op.create_table(
        "report_question_pending",
        sa.Column("attempt_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("attempt_id", name=op.f("pk_report_question_pending")),
    )
    # The application's own rebuild, in the province profile's time zone: the definition the
    # submission path keeps them equal to.
    from quiz_api.aggregates import rebuild
    from quiz_api.aggregates.service import zone
    from quiz_api.config import get_settings
    from quiz_api.profile import load_profile

    timezone = load_profile(get_settings().profile_dir).timezone
    rebuild.rebuild(op.get_bind(), zone(timezone), progress=sys.stderr)


def downgrade() -> None:
    op.drop_table("report_question_pending")
    op.drop_index("ix_report_pick_unit", table_name="report_pick")
    op.drop_table("report_pick")
    op.drop_index("ix_report_question_unit", table_name="report_question")
    op.drop_table("report_question")
    op.drop_index("ix_report_month_key", table_name="report_month")
    op.drop_table("report_month")
