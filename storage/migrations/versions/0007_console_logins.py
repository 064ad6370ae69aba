"""console: one-time login links (hashed), the web server's own secrets, the queue's indexes

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-01 12:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The console's queue: urgent first, then deadline — whole, and per community, street and grid.
QUEUE_INDEXES = (('ix_case_queue', []), ('ix_case_queue_community', ['community_id']),
                 ('ix_case_queue_street', ['street_id']), ('ix_case_queue_grid', ['grid_id']))


def upgrade() -> None:
    op.create_table('console_login',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('staff_kind', sa.String(length=8), nullable=False),
    sa.Column('staff_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('web_secret',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    with op.batch_alter_table('case', schema=None) as batch_op:
        for name, scope in QUEUE_INDEXES:
            batch_op.create_index(name, [*scope, 'urgent', 'deadline_at', 'id', 'state', 'assignee_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case', schema=None) as batch_op:
        for name, _ in QUEUE_INDEXES:
            batch_op.drop_index(name)
    op.drop_table('web_secret')
    op.drop_table('console_login')
