"""Dialog state in the database (`dialog_state` table): a restart mid-conversation loses nothing.

The dialog's own store, beside the case service rather than inside it: the cases never read it.
A chat is (channel, chat id): the console's chat 9100000001 is not Telegram's.
One trip per turn: `turn()` is the turn's one transaction; `load_turn` reads the state together with the
facts the turn needs to decide (whether the person was marked as refusing the bot, whether a worker's
question waits for them) in one statement, and `save` is one statement (an upsert, or a delete back to
no row). The statements are built and compiled once (`storage.engine.Prepared`) and run through `Database.rows`:
inside a turn on SQLite straight on the driver, elsewhere on the session's connection (SQLAlchemy Core).
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any

from sqlalchemy import bindparam, delete, select

from bot.channels import TELEGRAM
from bot.dialog.state import ChatState, Step
from storage.engine import Database, Prepared, upsert_statement
from storage.models import DialogState, utcnow

_T = DialogState.__table__
_THIS_CHAT = (_T.c.channel == bindparam("channel")) & (_T.c.chat_id == bindparam("chat_id"))
_DATA = select(_T.c.data).where(_THIS_CHAT)
_DELETE = Prepared(delete(_T).where(_THIS_CHAT))


class DatabaseStateStore:
    """`StateStore` over one `storage.engine.Database`; an idle, default state with no update id is no row at all."""

    def __init__(self, db: Database):
        self.db = db
        self._upsert = Prepared(upsert_statement(db.dialect, _T, ["channel", "chat_id"], ["data", "updated_at"]))
        self._loads: dict[int, tuple[Prepared, tuple[str, ...], dict[str, Any]]] = {}  # id(facts) → (stmt, names, facts)

    def turn(self) -> AbstractAsyncContextManager[Any]:
        """The turn's one transaction (load, work, save on one connection)."""
        return self.db.turn()

    async def load(self, chat_id: int, *, channel: str = TELEGRAM) -> ChatState:
        return (await self.load_turn(chat_id, channel=channel))[0]

    async def load_turn(self, chat_id: int, *, channel: str = TELEGRAM, facts: dict[str, Any] | None = None,
                        person: int | None = None) -> tuple[ChatState, dict[str, bool]]:
        """The chat's state and the value of each fact (a boolean SQL expression over `person_channel` and
        `person_id`) for `person` (default: the chat), in one statement."""
        stmt, names = self._load_statement(facts or {})
        params = {"channel": channel, "chat_id": chat_id, "person_channel": channel,
                  "person_id": chat_id if person is None else person}
        (row,) = await self.db.rows(stmt, params)
        data, values = row[0], row[1:]
        state = ChatState.from_dict(dict(data) if data is not None else None)
        return state, {name: bool(value) for name, value in zip(names, values, strict=True)}

    def _load_statement(self, facts: dict[str, Any]) -> tuple[Prepared, tuple[str, ...]]:
        cached = self._loads.get(id(facts))
        if cached is None or cached[2] is not facts:
            names = tuple(facts)
            stmt = Prepared(select(_DATA.scalar_subquery().label("data"), *(facts[n].label(n) for n in names)))
            cached = self._loads[id(facts)] = (stmt, names, facts)  # keeps `facts` alive: its id stays its own
        return cached[0], cached[1]

    async def save(self, chat_id: int, state: ChatState, *, channel: str = TELEGRAM) -> None:
        if (state.step is Step.IDLE and not state.offered and state.script == "simplified" and not state.script_known
                and state.last_update_id is None):
            await self.clear(chat_id, channel=channel)
        else:
            await self.save_data(chat_id, state.to_dict(), channel=channel)

    async def load_data(self, chat_id: int, *, channel: str = TELEGRAM) -> dict[str, Any] | None:
        """The saved JSON document for this chat, or None."""
        async with self.db.session() as s:
            data = (await s.execute(_DATA, {"channel": channel, "chat_id": chat_id})).scalar()
            return dict(data) if data is not None else None

    async def save_data(self, chat_id: int, data: dict[str, Any], *, channel: str = TELEGRAM) -> None:
        """Replace the chat's saved document (must be JSON-serialisable): one upsert."""
        await self.db.rows(self._upsert, {"channel": channel, "chat_id": chat_id, "data": dict(data),
                                          "updated_at": utcnow()})

    async def clear(self, chat_id: int, *, channel: str = TELEGRAM) -> None:
        await self.db.rows(_DELETE, {"channel": channel, "chat_id": chat_id})
