"""case_supporter index: /my finds the cases a resident supports without reading the whole table

Revision ID: 0012
Revises: 0005
Create Date: 2026-12-01 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0012'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('case_supporter', schema=None) as batch_op:
        batch_op.create_index('ix_case_supporter_resident', ['resident_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_supporter', schema=None) as batch_op:
        batch_op.drop_index('ix_case_supporter_resident')
