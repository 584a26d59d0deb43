"""training classes: class, class_module, class_member

A class (lớp tập huấn) is scheduled by an organiser for one unit and some modules; learners join
it by its code. class_member keeps who joined and when (learner_id indexed: a learner's own data
export lists their classes).

Revision ID: 3057ed2c8e19
Revises: 5e1f0a7c2b93
Create Date: 2026-12-03 08:22:39.056068
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '3057ed2c8e19'
down_revision = '7b3e9d14a6f2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('class',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=False),
    sa.Column('trainer_name', sa.String(length=120), nullable=False),
    sa.Column('expected_headcount', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['unit_code'], ['unit.code'], name=op.f('fk_class_unit_code_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class')),
    sa.UniqueConstraint('code', name=op.f('uq_class_code'))
    )
    with op.batch_alter_table('class', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_class_unit_code'), ['unit_code'], unique=False)

    op.create_table('class_member',
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('joined_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['class.id'], name=op.f('fk_class_member_class_id_class'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learner_id'], ['learner.id'], name=op.f('fk_class_member_learner_id_learner')),
    sa.PrimaryKeyConstraint('class_id', 'learner_id', name=op.f('pk_class_member'))
    )
    with op.batch_alter_table('class_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_member_learner_id'), ['learner_id'], unique=False)

    op.create_table('class_module',
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['class.id'], name=op.f('fk_class_module_class_id_class'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('class_id', 'module_id', name=op.f('pk_class_module'))
    )


def downgrade() -> None:
    op.drop_table('class_module')
    with op.batch_alter_table('class_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_member_learner_id'))

    op.drop_table('class_member')
    with op.batch_alter_table('class', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_unit_code'))
        batch_op.drop_index(batch_op.f('ix_class_starts_at'))

    op.drop_table('class')
