"""console sessions kept server-side: 退出 / 全部退出 end them, a worker who leaves or moves loses them at once

Revision ID: 0014
Revises: 0006
Create Date: 2026-12-01 15:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('console_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('staff_kind', sa.String(length=8), nullable=False),
    sa.Column('staff_id', sa.BigInteger(), nullable=False),
    sa.Column('channel', sa.String(length=16), server_default='telegram', nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('place', sa.String(length=160), nullable=False),
    sa.Column('agent', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_why', sa.String(length=12), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key_hash')
    )
    with op.batch_alter_table('console_session', schema=None) as batch_op:
        batch_op.create_index('ix_console_session_staff', ['staff_kind', 'staff_id'], unique=False)
        batch_op.create_index('ix_console_session_person', ['channel', 'user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('console_session', schema=None) as batch_op:
        batch_op.drop_index('ix_console_session_person')
        batch_op.drop_index('ix_console_session_staff')
    op.drop_table('console_session')
