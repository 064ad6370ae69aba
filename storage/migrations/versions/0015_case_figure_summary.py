"""the figures' per-case summary on the case row: first 接单, 催办 count, ratings, the resident's pick

The console's 统计 and `griddesk stats` looked these up per case in case_event, rating and case_label (four
correlated sub-queries a case); kept on the case row on write, the figures are one GROUP BY over the period's
covering index (`ix_case_created`, widened here by the new columns). Existing cases are summarised here from
their events, ratings and labels, in one UPDATE of plain SQL (the same on SQLite and PostgreSQL).

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-01 18:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Fixed here, not imported: a migration must keep creating what it created when models.py moves on.
OLD_PERIOD_COLUMNS = ("created_at", "state", "deadline_at", "urgent", "assignee_id", "resolved_at", "resolved_on_time",
                      "intent", "grid_id", "level", "community_id", "street_id", "id")
FIGURE_COLUMNS = ("first_accepted_at", "urge_count", "rating_count", "satisfied_count", "basic_count", "picked")

revision: str = '0015'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _backfill() -> None:
    case = sa.table('case', sa.column('id', sa.Integer()), *[sa.column(c) for c in FIGURE_COLUMNS])
    event = sa.table('case_event', sa.column('case_id'), sa.column('action'), sa.column('at'))
    rating = sa.table('rating', sa.column('case_id'), sa.column('score'))
    label = sa.table('case_label', sa.column('case_id'), sa.column('source'))

    def per_case(term: sa.ColumnElement, table: sa.TableClause, *where: sa.ColumnElement) -> sa.ScalarSelect:
        return sa.select(term).select_from(table).where(table.c.case_id == case.c.id, *where).scalar_subquery()

    count = sa.func.count()
    op.execute(case.update().values(
        first_accepted_at=per_case(sa.func.min(event.c.at), event, event.c.action == 'accept'),
        urge_count=per_case(count, event, event.c.action == 'urge'),
        rating_count=per_case(count, rating),
        satisfied_count=per_case(count, rating, rating.c.score == 'satisfied'),
        basic_count=per_case(count, rating, rating.c.score == 'basic'),
        picked=sa.exists().where(label.c.case_id == case.c.id, label.c.source == 'resident_pick'),
    ))


def upgrade() -> None:
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_accepted_at', sa.DateTime(), nullable=True))
        for name in ('urge_count', 'rating_count', 'satisfied_count', 'basic_count'):
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('picked', sa.Boolean(), nullable=False, server_default=sa.false()))
    _backfill()
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_created')
        batch_op.create_index('ix_case_created', [*OLD_PERIOD_COLUMNS, *FIGURE_COLUMNS], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_created')
        batch_op.create_index('ix_case_created', list(OLD_PERIOD_COLUMNS), unique=False)
        for name in reversed(FIGURE_COLUMNS):
            batch_op.drop_column(name)
