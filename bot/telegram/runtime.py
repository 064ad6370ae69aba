"""What both adapters share once an update is translated: per-chat order, the engine call, delivery.

An adapter hands each translated update to `BotRuntime.dispatch`; the runtime runs the engine, answers
the button's callback, and sends every reply through the one `TelegramSender`. Every delivery's outcome
goes to `on_delivered` (the outbox): a reply Telegram keeps refusing for now is queued there so it is
not lost, and a reply whose copy already waits there (a receipt) settles that copy.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.dialog.events import Incoming, Reply
from bot.telegram.sender import Delivery, TelegramSender
from bot.telegram.translate import Notice, Translated

log = logging.getLogger(__name__)

try:
    from bot.dialog.texts import ERROR_REPLY
except ImportError:  # pragma: no cover - only while the dialog package is being written
    ERROR_REPLY = "抱歉，系统刚才出了点问题，您的内容没有丢失，请稍后再试一次。"


class Engine(Protocol):
    async def handle(self, incoming: Incoming) -> list[Reply]: ...


class ChatLocks:
    """One lock per chat, dropped when nobody waits: a chat's updates run one at a time, chats in parallel."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def run(self, chat_id: int, work: Callable[[], Awaitable[None]]) -> None:
        lock, users = self._locks.get(chat_id, (asyncio.Lock(), 0))
        self._locks[chat_id] = (lock, users + 1)
        try:
            async with lock:
                await work()
        finally:
            lock, users = self._locks[chat_id]
            if users <= 1:
                del self._locks[chat_id]
            else:
                self._locks[chat_id] = (lock, users - 1)


class BotRuntime:
    def __init__(self, engine: Engine, sender: TelegramSender, *,
                 on_delivered: Callable[[Reply, Delivery], Awaitable[None]] | None = None,
                 after_event: Callable[[Incoming, list[Reply]], Awaitable[None]] | None = None):
        self.engine = engine
        self.sender = sender
        self.on_delivered = on_delivered
        self.after_event = after_event
        self.locks = ChatLocks()
        self.handled = 0

    async def dispatch(self, item: Translated) -> None:
        """Handle one translated update; never raises (a crash here would kill the polling loop)."""
        if item is None:
            return
        try:
            await self.locks.run(item.chat_id, lambda: self._handle(item))
        except Exception:
            log.exception("update for chat %s failed", item.chat_id)

    async def _handle(self, item: Incoming | Notice) -> None:
        if isinstance(item, Notice):
            await self.deliver(Reply(item.chat_id, item.text))
            return
        try:
            replies = await self.engine.handle(item)
        except Exception:
            log.exception("the engine failed on %s from chat %s", item.kind, item.chat_id)
            replies = [Reply(item.chat_id, ERROR_REPLY)]
        if item.callback_id:
            toast = next((r.callback_answer for r in replies if r.callback_answer), None)
            await self.sender.answer_callback(item.callback_id, toast)
        for reply in replies:
            await self.deliver(reply)
        self.handled += 1
        if self.after_event is not None:
            try:
                await self.after_event(item, replies)
            except Exception:
                log.exception("after-event hook failed for chat %s", item.chat_id)

    async def deliver(self, reply: Reply) -> Delivery:
        delivery = await self.sender.deliver(reply)
        if self.on_delivered is not None:
            try:
                await self.on_delivered(reply, delivery)
            except Exception:  # the outbox copy (if any) still goes out after its grace
                log.exception("recording the delivery to chat %s failed", reply.chat_id)
        return delivery
