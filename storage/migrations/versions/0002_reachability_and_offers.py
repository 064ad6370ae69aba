"""reachability and support offers: workers whose chat refuses the bot, and the 附议 choices actually shown

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unreachable_at', sa.DateTime(), nullable=True))
    op.create_table('support_offer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('offered_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'resident_id', name='uq_support_offer')
    )
    with op.batch_alter_table('support_offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_offer_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('support_offer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_offer_case_id'))
    op.drop_table('support_offer')
    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.drop_column('unreachable_at')
