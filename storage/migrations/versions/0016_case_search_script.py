"""the word search finds a case whatever script it was typed in: `case.search_text` and a Simplified word index

`case_word` held the pairs of the text as typed, so 梨园小区3栋 missed a case typed 梨園小區3棟. It now holds the
pairs of the Simplified form (`storage.words.case_pairs`), and `case.search_text` the Simplified text and address
of a case whose form differs (NULL for the rest). Existing cases are indexed again here; the downgrade puts back
the index as typed.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=True))
    op.execute(sa.table('case_word').delete())
    from storage.words import index_missing

    index_missing(op.get_bind())


def downgrade() -> None:
    op.execute(sa.table('case_word').delete())
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_column('search_text')
    from storage.words import index_missing

    index_missing(op.get_bind(), as_typed=True)
