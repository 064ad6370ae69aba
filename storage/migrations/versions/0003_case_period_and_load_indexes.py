"""case indexes: figures for a period (created_at) and a worker's open load (assignee_id, state)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 10:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index('ix_case_created', ['created_at'], unique=False)
        batch_op.create_index('ix_case_assignee_state', ['assignee_id', 'state'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_assignee_state')
        batch_op.drop_index('ix_case_created')
