"""The durable outbox: messages written in the same transaction as the change that causes them.

Every row names its channel (`bot.channels`); a sender loop claims the due rows of the channels it
delivers (Telegram, the console), delivers them and marks them. A channel that cannot push gets no rows.
Delivery is at least once: a claimed row gets a lease (`next_attempt_at` moves into the future), so a
crash between claim and send makes it due again after the lease. Claims use `FOR UPDATE SKIP LOCKED`
on PostgreSQL, so several bot instances share one outbox without sending a message twice.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import channels
from bot.messages import Button, Reply
from storage.engine import Database, claim_rows
from storage.models import OutboxMessage, utcnow

OUTBOX_HINT = "outbox_dirty"  # session.info key: this transaction wrote outbox rows


def reply_to_json(reply: Reply) -> dict[str, Any]:
    """A `Reply` as a JSON-safe dict (buttons as [[{"text","data"}]])."""
    data = asdict(reply)
    data["buttons"] = [[{"text": b.text, "data": b.data} for b in row] for row in reply.buttons]
    json.dumps(data, ensure_ascii=False)  # fail here, not in the sender, if something is not serialisable
    return data


def reply_from_json(data: dict[str, Any]) -> Reply:
    """Inverse of `reply_to_json`; unknown keys are ignored so old rows survive a newer Reply."""
    buttons = tuple(tuple(Button(b["text"], b["data"]) for b in row) for row in data.get("buttons") or ())
    known = {"chat_id", "text", "request_location", "remove_keyboard", "photo_file_id", "edit_message_id",
             "callback_answer", "extra"}
    kwargs = {k: v for k, v in data.items() if k in known}
    kwargs["extra"] = dict(kwargs.get("extra") or {})
    return Reply(buttons=buttons, **kwargs)


def enqueue(session: AsyncSession, reply: Reply, dedupe_key: str | None = None, case_id: int | None = None,
            *, channel: str = channels.TELEGRAM, now: datetime | None = None, held: bool = False) -> OutboxMessage | None:
    """Add a message to `reply.chat_id` of `channel` inside the caller's transaction (commits with the change,
    or not at all). None, and nothing queued, when the channel cannot push (its clients ask for status).

    `held`: the chat refuses the bot right now; the row waits (status `blocked`) until `release` — when
    the person writes again — instead of being dropped, so what they missed still reaches them.
    """
    values = outbox_values(reply, dedupe_key, case_id, channel=channel, now=now, held=held)
    if values is None:
        return None
    row = OutboxMessage(**values)
    session.add(row)
    session.info[OUTBOX_HINT] = True
    return row


def outbox_values(reply: Reply, dedupe_key: str | None = None, case_id: int | None = None, *,
                  channel: str = channels.TELEGRAM, now: datetime | None = None,
                  held: bool = False) -> dict[str, Any] | None:
    """The outbox row `enqueue` adds, as column values, for a caller that inserts its rows with Core in one
    statement (`insert_outbox`); None when the channel cannot push."""
    if not channels.pushes(channel):
        return None
    at = utcnow()
    return {"channel": channel, "chat_id": reply.chat_id, "payload": reply_to_json(reply), "dedupe_key": dedupe_key,
            "case_id": case_id, "status": "blocked" if held else "pending", "attempts": 0,
            "next_attempt_at": _as_utc(now) if now else at, "last_error": None, "created_at": at, "sent_at": None}


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A claimed message: deliver `reply`, then call `mark_sent` / `retry_later` / `mark_failed` / `mark_blocked`."""

    id: int
    chat_id: int
    reply: Reply
    attempts: int  # including this one
    dedupe_key: str | None
    case_id: int | None
    created_at: datetime
    channel: str = channels.TELEGRAM

    @property
    def chat(self) -> tuple[str, int]:
        """(channel, chat id): chat ids are only unique within a channel."""
        return self.channel, self.chat_id


class Outbox:
    """Claiming and marking outbox rows; `wakeup` is set whenever a committed transaction added rows."""

    def __init__(self, db: Database):
        self.db = db
        self.wakeup = asyncio.Event()
        db.after_commit.append(self._after_commit)

    def _after_commit(self, session: AsyncSession) -> None:
        if session.info.pop(OUTBOX_HINT, False):
            self.wakeup.set()

    async def add(self, reply: Reply, *, dedupe_key: str | None = None, case_id: int | None = None,
                  channel: str = channels.TELEGRAM) -> bool:
        """Queue one message on its own; False when `dedupe_key` was already queued (nothing added)."""
        try:
            async with self.db.transaction() as s:
                enqueue(s, reply, dedupe_key, case_id, channel=channel)
        except IntegrityError:
            return False
        return True

    async def claim_due(self, now: datetime | None = None, *, limit: int = 50, lease_seconds: float = 60,
                        exclude_chats: Collection[tuple[str, int]] = (),
                        channels: Collection[str] | None = None) -> list[OutboxItem]:
        """Take up to `limit` due messages, oldest first, leasing them for `lease_seconds`.

        `exclude_chats`: (channel, chat id) a sender is still busy with; their rows wait so that order per
        chat holds. `channels`: only rows of these channels (those this process can deliver); None = all.
        """
        at = _as_utc(now) if now else utcnow()
        table = OutboxMessage.__table__
        async with self.db.transaction() as s:
            # Plain rows and one UPDATE for the lease, not an ORM object and an UPDATE per message claimed.
            stmt = _pending(select(*(table.c[c] for c in _CLAIMED)), exclude_chats, channels)
            stmt = stmt.where(OutboxMessage.next_attempt_at <= at)
            stmt = stmt.order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)
            conn = await s.connection()
            rows = (await conn.execute(claim_rows(stmt, s))).all()
            if not rows:
                return []
            lease = at + timedelta(seconds=lease_seconds)
            await conn.execute(update(table).where(table.c.id.in_([r.id for r in rows]))
                               .values(attempts=table.c.attempts + 1, next_attempt_at=lease))
            items, unreadable = [], []
            for row in rows:
                try:
                    reply = reply_from_json(row.payload)
                except (KeyError, TypeError, ValueError) as exc:
                    unreadable.append((row.id, f"unreadable payload: {exc}"[:500]))
                    continue
                items.append(OutboxItem(row.id or 0, row.chat_id, reply, row.attempts + 1, row.dedupe_key, row.case_id,
                                        row.created_at, row.channel))
            for row_id, error in unreadable:  # kept for inspection, never retried
                await conn.execute(update(table).where(table.c.id == row_id).values(status="failed", last_error=error))
            return items

    async def mark_sent(self, item_id: int, now: datetime | None = None) -> None:
        await self._set(item_id, status="sent", sent_at=_as_utc(now) if now else utcnow(), last_error=None)

    async def mark_sent_if_pending(self, item_id: int, now: datetime | None = None) -> bool:
        """The message went out another way (the direct reply it copies): mark it sent unless a sender has it.

        False when the row is no longer pending-and-unclaimed: the outbox loop already claimed or sent it.
        """
        at = _as_utc(now) if now else utcnow()
        async with self.db.transaction() as s:
            result = await s.execute(update(OutboxMessage).where(OutboxMessage.id == item_id,
                                                                 OutboxMessage.status == "pending",
                                                                 OutboxMessage.attempts == 0)
                                     .values(status="sent", sent_at=at, last_error=None))
            return bool(result.rowcount)

    async def due_now(self, item_id: int, error: str = "") -> None:
        """Make a pending row due at once (its direct copy could not be delivered)."""
        await self._set_pending(item_id, next_attempt_at=utcnow(), last_error=error[:500] or None)
        self.wakeup.set()

    async def retry_later(self, item_id: int, delay_seconds: float, error: str = "") -> None:
        """A temporary failure (429 retry_after, 5xx, network): due again after `delay_seconds`."""
        await self._set(item_id, next_attempt_at=utcnow() + timedelta(seconds=max(0.0, delay_seconds)),
                        last_error=error[:500] or None)

    async def mark_failed(self, item_id: int, error: str) -> None:
        """A permanent failure (400 Bad Request, too many attempts): kept for inspection, never retried."""
        await self._set(item_id, status="failed", last_error=error[:500])

    async def mark_blocked(self, item_id: int, error: str = "blocked by the user") -> None:
        """403: this row waits with the chat's other held rows (`CaseService.chat_refused` holds the rest).

        Only a row still pending is touched: `chat_refused` may already have dropped it (its case went
        to someone else), and that must stand.
        """
        await self._set_pending(item_id, status="blocked", last_error=error[:500])

    async def counts(self) -> dict[str, int]:
        """Rows per status, for health checks and tests."""
        async with self.db.session() as s:
            rows = await s.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
            return {status: int(n) for status, n in rows}

    async def next_due_at(self, exclude_chats: Collection[tuple[str, int]] = (),
                          channels: Collection[str] | None = None) -> datetime | None:
        """When the earliest pending message becomes due (aware UTC), so a sender can sleep until then."""
        stmt = _pending(select(func.min(OutboxMessage.next_attempt_at)), exclude_chats, channels)
        async with self.db.session() as s:
            value = (await s.execute(stmt)).scalar_one_or_none()
            return value.replace(tzinfo=UTC) if value else None

    async def _set_pending(self, item_id: int, **values: Any) -> None:
        async with self.db.transaction() as s:
            await s.execute(update(OutboxMessage).where(OutboxMessage.id == item_id, OutboxMessage.status == "pending")
                            .values(**values))

    async def _set(self, item_id: int, **values: Any) -> None:
        async with self.db.transaction() as s:
            await s.execute(update(OutboxMessage).where(OutboxMessage.id == item_id).values(**values))


#: What a claim reads of each row.
_CLAIMED = ("id", "chat_id", "payload", "attempts", "dedupe_key", "case_id", "created_at", "channel")


def _pending(stmt: Any, exclude_chats: Collection[tuple[str, int]], only: Collection[str] | None) -> Any:
    stmt = stmt.where(OutboxMessage.status == "pending")
    if only is not None:
        stmt = stmt.where(OutboxMessage.channel.in_(list(only)))
    if exclude_chats:
        stmt = stmt.where(tuple_(OutboxMessage.channel, OutboxMessage.chat_id).not_in(list(exclude_chats)))
    return stmt


def to_chat(channel: str, chat_id: int) -> Any:
    """The SQL condition for rows to one chat of one channel."""
    return (OutboxMessage.channel == channel) & (OutboxMessage.chat_id == chat_id)


async def hold_chat(session: AsyncSession, chat_id: int, error: str, *, channel: str = channels.TELEGRAM) -> None:
    """Every pending row to `chat_id` waits: the chat refuses the bot (inside the caller's transaction)."""
    await session.execute(update(OutboxMessage).where(to_chat(channel, chat_id), OutboxMessage.status == "pending")
                          .values(status="blocked", last_error=error[:500]))


async def release_chat(session: AsyncSession, chat_id: int, at: datetime, *, channel: str = channels.TELEGRAM) -> int:
    """The chat talks to us again: its held rows are due now, in their original order. Returns how many."""
    result = await session.execute(update(OutboxMessage).where(to_chat(channel, chat_id),
                                                               OutboxMessage.status == "blocked")
                                   .values(status="pending", next_attempt_at=at, last_error=None))
    if result.rowcount:
        session.info[OUTBOX_HINT] = True
    return int(result.rowcount or 0)


def _as_utc(dt: datetime) -> datetime:
    """Aware UTC (the name is historical: naive input is taken as UTC)."""
    return dt.astimezone(UTC) if dt.tzinfo else dt.replace(tzinfo=UTC)
