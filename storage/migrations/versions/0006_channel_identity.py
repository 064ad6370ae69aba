"""channel identity: a person is known by (channel, external id); chats and outbox rows name their channel

`resident.telegram_id` and `worker.telegram_id` become `external_id` beside a `channel` column
(String(16), NOT NULL, default 'telegram'); residents are unique per (channel, external_id); the dialog
state's key becomes (channel, chat_id); outbox rows get `channel`. Every existing row is Telegram's and
keeps its ids. On SQLite the tables that change a constraint are copied and swapped (batch mode); the
engine runs migrations there with foreign-key checks off and checks every reference once at the end
(`storage.migrate.upgrade_to_head`), since dropping a referenced table would fail or empty its children.

Revision ID: 0006
Revises: 0007 (after the branches merged before it: 0008, 0011, 0009, 0012, 0007)
Create Date: 2026-12-01 12:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Names SQLite's unnamed unique constraints when batch mode reflects them, so they can be dropped.
_SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _channel() -> sa.Column:
    return sa.Column('channel', sa.String(length=16), nullable=False, server_default='telegram')


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def upgrade() -> None:
    sqlite = _sqlite()
    with op.batch_alter_table('resident', naming_convention=_SQLITE_NAMES if sqlite else None) as batch_op:
        batch_op.drop_constraint('uq_resident_telegram_id' if sqlite else 'resident_telegram_id_key', type_='unique')
        batch_op.add_column(_channel())
        batch_op.alter_column('telegram_id', new_column_name='external_id', existing_type=sa.BigInteger(),
                              existing_nullable=False)
    with op.batch_alter_table('resident') as batch_op:  # a second pass: batch mode indexes by the old names
        batch_op.create_unique_constraint('uq_resident_channel_external_id', ['channel', 'external_id'])
    with op.batch_alter_table('worker') as batch_op:
        batch_op.drop_index('ix_worker_telegram_id')
        batch_op.add_column(_channel())
        batch_op.alter_column('telegram_id', new_column_name='external_id', existing_type=sa.BigInteger(),
                              existing_nullable=True)
    with op.batch_alter_table('worker') as batch_op:
        batch_op.create_index('ix_worker_channel_external_id', ['channel', 'external_id'], unique=False)
    with op.batch_alter_table('outbox') as batch_op:
        batch_op.add_column(_channel())
        batch_op.drop_index('ix_outbox_chat_id')
        batch_op.create_index('ix_outbox_chat', ['channel', 'chat_id'], unique=False)
    # A new primary key: build the new table, copy, swap (no other table points at dialog_state).
    op.create_table('dialog_state_0006',
    _channel(),
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('channel', 'chat_id', name=None if sqlite else 'dialog_state_0006_pkey')
    )
    op.execute("INSERT INTO dialog_state_0006 (channel, chat_id, data, updated_at) "
               "SELECT 'telegram', chat_id, data, updated_at FROM dialog_state")
    op.drop_table('dialog_state')
    op.rename_table('dialog_state_0006', 'dialog_state')
    if not sqlite:
        op.execute('ALTER TABLE dialog_state RENAME CONSTRAINT dialog_state_0006_pkey TO dialog_state_pkey')


def downgrade() -> None:
    """Back to Telegram-only ids: refused while people of another channel exist (their ids would collide)."""
    sqlite = _sqlite()
    bind = op.get_bind()
    others = bind.execute(sa.text("SELECT (SELECT count(*) FROM resident WHERE channel <> 'telegram') + "
                                  "(SELECT count(*) FROM worker WHERE channel <> 'telegram')")).scalar()
    if others:
        raise RuntimeError(f"{others} residents/workers of channels other than telegram: remove them before downgrading")
    op.execute("DELETE FROM dialog_state WHERE channel <> 'telegram'")
    op.execute("DELETE FROM outbox WHERE channel <> 'telegram'")
    op.create_table('dialog_state_0005',
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('chat_id', name=None if sqlite else 'dialog_state_0005_pkey')
    )
    op.execute("INSERT INTO dialog_state_0005 (chat_id, data, updated_at) SELECT chat_id, data, updated_at FROM dialog_state")
    op.drop_table('dialog_state')
    op.rename_table('dialog_state_0005', 'dialog_state')
    if not sqlite:
        op.execute('ALTER TABLE dialog_state RENAME CONSTRAINT dialog_state_0005_pkey TO dialog_state_pkey')
    with op.batch_alter_table('outbox') as batch_op:
        batch_op.drop_index('ix_outbox_chat')
        batch_op.create_index('ix_outbox_chat_id', ['chat_id'], unique=False)
        batch_op.drop_column('channel')
    with op.batch_alter_table('worker') as batch_op:
        batch_op.drop_index('ix_worker_channel_external_id')
        batch_op.alter_column('external_id', new_column_name='telegram_id', existing_type=sa.BigInteger(),
                              existing_nullable=True)
        batch_op.drop_column('channel')
    with op.batch_alter_table('worker') as batch_op:
        batch_op.create_index('ix_worker_telegram_id', ['telegram_id'], unique=False)
    with op.batch_alter_table('resident') as batch_op:
        batch_op.drop_constraint('uq_resident_channel_external_id', type_='unique')
        batch_op.alter_column('external_id', new_column_name='telegram_id', existing_type=sa.BigInteger(),
                              existing_nullable=False)
        batch_op.drop_column('channel')
    with op.batch_alter_table('resident') as batch_op:
        batch_op.create_unique_constraint('resident_telegram_id_key' if not sqlite else 'uq_resident_telegram_id',
                                          ['telegram_id'])
