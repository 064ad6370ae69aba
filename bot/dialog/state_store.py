"""Dialog state in the database (`dialog_state` table): a restart mid-conversation loses nothing.

The dialog's own store, beside the case service rather than inside it: the cases never read it.
A chat is (channel, chat id): the console's chat 9100000001 is not Telegram's.
"""

from __future__ import annotations

from typing import Any

from bot.channels import TELEGRAM
from bot.dialog.state import ChatState, Step
from storage.engine import Database
from storage.models import DialogState, utcnow


class DatabaseStateStore:
    """`StateStore` over one `storage.engine.Database`; an idle, default state with no update id is no row at all."""

    def __init__(self, db: Database):
        self.db = db

    async def load(self, chat_id: int, *, channel: str = TELEGRAM) -> ChatState:
        return ChatState.from_dict(await self.load_data(chat_id, channel=channel))

    async def save(self, chat_id: int, state: ChatState, *, channel: str = TELEGRAM) -> None:
        if (state.step is Step.IDLE and not state.offered and state.script == "simplified"
                and state.last_update_id is None):
            await self.clear(chat_id, channel=channel)
        else:
            await self.save_data(chat_id, state.to_dict(), channel=channel)

    async def load_data(self, chat_id: int, *, channel: str = TELEGRAM) -> dict[str, Any] | None:
        """The saved JSON document for this chat, or None."""
        async with self.db.session() as s:
            row = await s.get(DialogState, (channel, chat_id))
            return dict(row.data) if row is not None else None

    async def save_data(self, chat_id: int, data: dict[str, Any], *, channel: str = TELEGRAM) -> None:
        """Replace the chat's saved document (must be JSON-serialisable)."""
        async with self.db.transaction() as s:
            row = await s.get(DialogState, (channel, chat_id))
            if row is None:
                s.add(DialogState(channel=channel, chat_id=chat_id, data=dict(data), updated_at=utcnow()))
            else:
                row.data, row.updated_at = dict(data), utcnow()
                s.add(row)

    async def clear(self, chat_id: int, *, channel: str = TELEGRAM) -> None:
        async with self.db.transaction() as s:
            row = await s.get(DialogState, (channel, chat_id))
            if row is not None:
                await s.delete(row)
