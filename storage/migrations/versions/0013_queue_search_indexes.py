"""the console queue at 100k cases: the word index of cases (case_word) and indexes for its filters

`case_word` holds each case's character pairs (storage/words.py) so a word search reads a few index ranges
instead of every text; existing cases are indexed here. The case indexes serve a category or a period filter
and the queue's counts from the index alone; the event and rating ones give the figures' per-case look-ups
(first 接单, 催办, ratings) without reading those tables.

Revision ID: 0013
Revises: 0014
Create Date: 2026-12-01 15:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Fixed here, not imported: a migration must keep creating what it created when models.py moves on.
PERIOD_COLUMNS = ("created_at", "state", "deadline_at", "urgent", "assignee_id", "resolved_at", "resolved_on_time",
                  "intent", "grid_id", "level", "community_id", "street_id", "id")

revision: str = '0013'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'case_word',
        sa.Column('first_char', sa.String(length=1), nullable=False),
        sa.Column('next_char', sa.String(length=1), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id']),
        sa.PrimaryKeyConstraint('first_char', 'next_char', 'case_id'),
        sqlite_with_rowid=False,
    )
    from storage.words import index_missing

    index_missing(op.get_bind(), as_typed=True)  # the index of this revision: pairs as typed (0016 simplifies them)
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_created')
        batch_op.create_index('ix_case_created', list(PERIOD_COLUMNS), unique=False)
        batch_op.create_index('ix_case_queue_intent', ['intent', 'urgent', 'deadline_at', 'id', 'state', 'assignee_id',
                                                       'created_at', 'community_id', 'street_id', 'grid_id'], unique=False)
        batch_op.drop_index('ix_case_queue_grid')
        batch_op.create_index('ix_case_queue_grid', ['grid_id', 'urgent', 'deadline_at', 'id', 'state', 'assignee_id',
                                                     'community_id', 'street_id'], unique=False)
        for scope in ('community', 'street'):
            batch_op.create_index(f'ix_case_{scope}_state', [f'{scope}_id', 'state', 'deadline_at', 'urgent', 'assignee_id'],
                                  unique=False)
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.create_index('ix_case_event_case_action', ['case_id', 'action', 'at'], unique=False)
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.create_index('ix_rating_case_score', ['case_id', 'score'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.drop_index('ix_rating_case_score')
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_index('ix_case_event_case_action')
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_queue_intent')
        batch_op.drop_index('ix_case_street_state')
        batch_op.drop_index('ix_case_community_state')
        batch_op.drop_index('ix_case_queue_grid')
        batch_op.create_index('ix_case_queue_grid', ['grid_id', 'urgent', 'deadline_at', 'id', 'state', 'assignee_id'],
                              unique=False)
        batch_op.drop_index('ix_case_created')
        batch_op.create_index('ix_case_created', ['created_at'], unique=False)
    op.drop_table('case_word')
