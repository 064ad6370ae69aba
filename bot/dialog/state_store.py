"""Dialog state in the database (`dialog_state` table): a restart mid-conversation loses nothing.

The dialog's own store, beside the case service rather than inside it: the cases never read it.
A chat is (channel, chat id): the console's chat 9100000001 is not Telegram's.
One trip per turn: `turn()` is the turn's one transaction; `load_turn` reads the state together with the
facts the turn needs to decide (whether the person was marked as refusing the bot, whether a worker's
question waits for them) in one statement, and `save` is one statement (an upsert, or a delete back to
no row).
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any

from sqlalchemy import delete, select

from bot.channels import TELEGRAM
from bot.dialog.state import ChatState, Step
from storage.engine import Database, upsert
from storage.models import DialogState, utcnow

_T = DialogState.__table__


class DatabaseStateStore:
    """`StateStore` over one `storage.engine.Database`; an idle, default state with no update id is no row at all."""

    def __init__(self, db: Database):
        self.db = db

    def turn(self) -> AbstractAsyncContextManager[Any]:
        """The turn's one transaction (load, work, save on one connection)."""
        return self.db.turn()

    async def load(self, chat_id: int, *, channel: str = TELEGRAM) -> ChatState:
        return (await self.load_turn(chat_id, channel=channel))[0]

    async def load_turn(self, chat_id: int, *, channel: str = TELEGRAM,
                        facts: dict[str, Any] | None = None) -> tuple[ChatState, dict[str, bool]]:
        """The chat's state and the value of each fact (a boolean SQL expression), in one statement."""
        data_col = (select(_T.c.data).where(_T.c.channel == channel, _T.c.chat_id == chat_id)
                    .scalar_subquery().label("data"))
        named = dict(facts or {})
        async with self.db.session() as s:
            row = (await s.execute(select(data_col, *(expr.label(name) for name, expr in named.items())))).one()
        data, values = row[0], row[1:]
        state = ChatState.from_dict(dict(data) if data is not None else None)
        return state, {name: bool(value) for name, value in zip(named, values, strict=True)}

    async def save(self, chat_id: int, state: ChatState, *, channel: str = TELEGRAM) -> None:
        if (state.step is Step.IDLE and not state.offered and state.script == "simplified"
                and state.last_update_id is None):
            await self.clear(chat_id, channel=channel)
        else:
            await self.save_data(chat_id, state.to_dict(), channel=channel)

    async def load_data(self, chat_id: int, *, channel: str = TELEGRAM) -> dict[str, Any] | None:
        """The saved JSON document for this chat, or None."""
        async with self.db.reader() as s:
            data = (await s.execute(select(_T.c.data).where(_T.c.channel == channel, _T.c.chat_id == chat_id))).scalar()
            return dict(data) if data is not None else None

    async def save_data(self, chat_id: int, data: dict[str, Any], *, channel: str = TELEGRAM) -> None:
        """Replace the chat's saved document (must be JSON-serialisable): one upsert."""
        async with self.db.transaction(savepoint=False) as s:
            await upsert(s, _T, {"channel": channel, "chat_id": chat_id, "data": dict(data), "updated_at": utcnow()},
                         ["channel", "chat_id"])

    async def clear(self, chat_id: int, *, channel: str = TELEGRAM) -> None:
        async with self.db.transaction(savepoint=False) as s:
            await s.execute(delete(_T).where(_T.c.channel == channel, _T.c.chat_id == chat_id))
