"""case labels: the categories people confirmed for cases (the resident's pick, the category resolved under)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 11:25:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('case_label',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('intent', sa.String(length=40), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'source', name='uq_case_label')
    )
    with op.batch_alter_table('case_label', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_label_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_label', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_label_case_id'))
    op.drop_table('case_label')
