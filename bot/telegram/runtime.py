"""What both adapters share once an update is translated: the engine call, then delivery.

An adapter hands each translated update to `BotRuntime.dispatch`; the runtime asks the engine, which keeps
the chat's order, catches what fails and logs the update's line (`bot.dialog.frame`), and delivers what the
engine returns while the chat is still locked: the button's callback answered, every reply sent through the
one `TelegramSender`. Every delivery's outcome goes to `on_delivered` (the outbox): a reply Telegram keeps
refusing for now is queued there so it is not lost, and a reply whose copy already waits there (a receipt)
settles that copy.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.dialog.frame import Deliver
from bot.messages import Incoming, Reply
from bot.telegram.sender import Delivery, TelegramSender
from bot.telegram.translate import Translated

log = logging.getLogger(__name__)


class Engine(Protocol):
    """`bot.dialog.frame.UpdateFrame` as the runtime uses it (the dialog engine, or a test's stand-in)."""

    async def handle(self, incoming: Incoming, then: Deliver | None = None) -> list[Reply]: ...


class BotRuntime:
    def __init__(self, engine: Engine, sender: TelegramSender, *,
                 on_delivered: Callable[[Reply, Delivery], Awaitable[None]] | None = None,
                 after_event: Callable[[Incoming, list[Reply]], Awaitable[None]] | None = None):
        self.engine = engine
        self.sender = sender
        self.on_delivered = on_delivered
        self.after_event = after_event
        self.handled = 0

    async def dispatch(self, item: Translated) -> None:
        """Handle one translated update; never raises (the engine's frame catches what fails)."""
        if item is None:
            return

        async def then(replies: list[Reply]) -> None:
            await self._send(item, replies)

        await self.engine.handle(item, then)

    async def _send(self, item: Incoming, replies: list[Reply]) -> None:
        if item.callback_id:
            toast = next((r.callback_answer for r in replies if r.callback_answer), None)
            await self.sender.answer_callback(item.callback_id, toast)
        await self._send_all(replies)
        self.handled += 1
        if self.after_event is not None:
            await self.after_event(item, replies)

    async def _send_all(self, replies: list[Reply]) -> None:
        for reply in replies:
            await self.deliver(reply)

    async def deliver(self, reply: Reply) -> Delivery:
        delivery = await self.sender.deliver(reply)
        if self.on_delivered is not None:
            try:
                await self.on_delivered(reply, delivery)
            except Exception:  # the outbox copy (if any) still goes out after its grace
                log.exception("recording the delivery to chat %s failed", reply.chat_id)
        return delivery
