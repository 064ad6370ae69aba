"""A channel-free driver for the engine: personas send text, commands, locations and photos and press
buttons by their label — what tests, `griddesk chat` and demos use instead of Telegram.

The driver is a channel (`channel`, "telegram" unless told: tests stand in for Telegram users; the
console is "console"): pushes written to the outbox for that channel (worker pushes, resident notices)
are delivered to the personas by `deliver_pushes()` — the shared outbox loop with the driver as that
channel's registered sender — so their buttons can be pressed like a real chat's.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.channels import TELEGRAM, SenderRegistry
from bot.messages import OUTBOX_ID, Incoming, Reply, Sender
from bot.runtime.delivery import Delivery
from bot.runtime.loops import OutboxLoop, OutboxPort


class Outboxish(OutboxPort, Protocol):
    """`bot.cases.outbox.Outbox` as far as the driver needs it."""

    async def mark_sent_if_pending(self, item_id: int) -> bool: ...


class DriverSender:
    """The driver as its channel's sender: a push lands in its persona's inbox (the console prints it)."""

    def __init__(self, driver: ChatDriver):
        self.driver = driver
        self.received: list[Reply] = []

    async def deliver(self, reply: Reply, *, max_attempts: int | None = None, max_wait: float | None = None) -> Delivery:
        target = self.driver.by_chat(reply.chat_id)
        if target is not None:
            self.driver._receive(target, [reply], replace_buttons=False)
        self.received.append(reply)
        return Delivery("sent", attempts=1)


@dataclass(slots=True)
class Persona:
    """Someone chatting: in a private chat the chat id is the user id, as on Telegram."""

    name: str
    user_id: int
    role: str = "resident"  # resident | worker | admin (a label for the console; the engine decides rights)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # pressable (label, data), newest last
    inbox: list[Reply] = field(default_factory=list)  # everything this persona received, in order

    @property
    def chat_id(self) -> int:
        return self.user_id


class ChatDriver:
    def __init__(self, engine: Any, outbox: Outboxish | None = None, *, first_user_id: int = 10_001,
                 channel: str = TELEGRAM):
        self.engine = engine
        self.outbox = outbox
        self.channel = channel
        self.personas: dict[str, Persona] = {}
        self._ids = itertools.count(first_user_id)
        self._message_ids = itertools.count(1)

    # -- personas -----------------------------------------------------------------------------------

    def persona(self, name: str, role: str = "resident", user_id: int | None = None) -> Persona:
        """The persona called `name` (created on first use with a fresh user id)."""
        found = self.personas.get(name)
        if found is None:
            found = self.personas[name] = Persona(name, user_id if user_id is not None else next(self._ids), role)
        return found

    def by_chat(self, chat_id: int) -> Persona | None:
        return next((p for p in self.personas.values() if p.chat_id == chat_id), None)

    # -- sending ------------------------------------------------------------------------------------

    async def send(self, who: Persona | str, text: str) -> list[Reply]:
        """Text as typed: `/cmd args` becomes a command (Telegram's `/cmd@bot` form too), the rest is text."""
        p = self._p(who)
        stripped = text.strip()
        if stripped.startswith("/") and len(stripped) > 1 and not stripped[1].isspace():
            head, _, arg = stripped[1:].partition(" ")
            command = head.split("@", 1)[0].lower()
            return await self._deliver(p, self._event(p, "command", text=arg.strip(), command=command,
                                                   message_id=next(self._message_ids)))
        return await self._deliver(p, self._event(p, "text", text=text, message_id=next(self._message_ids)))

    async def press(self, who: Persona | str, label: str) -> list[Reply]:
        """Press the newest button with this label (or this exact data) that the persona was shown."""
        p = self._p(who)
        data = next((d for lbl, d in reversed(p.buttons) if lbl == label or d == label), None)
        if data is None:
            shown = ", ".join(lbl for lbl, _ in p.buttons) or "none"
            raise LookupError(f"{p.name} has no button {label!r} (shown: {shown})")
        return await self.press_data(p, data)

    async def press_data(self, who: Persona | str, data: str) -> list[Reply]:
        p = self._p(who)
        return await self._deliver(p, self._event(p, "button", payload=data,
                                               callback_id=f"cb{next(self._message_ids)}"))

    async def location(self, who: Persona | str, latitude: float, longitude: float) -> list[Reply]:
        p = self._p(who)
        return await self._deliver(p, self._event(p, "location", latitude=latitude, longitude=longitude))

    async def photo(self, who: Persona | str, file_id: str = "photo-1", caption: str | None = None) -> list[Reply]:
        p = self._p(who)
        return await self._deliver(p, self._event(p, "photo", text=caption, photo_file_id=file_id))

    async def content(self, who: Persona | str, kind: str, *, file_id: str | None = None,
                      text: str | None = None) -> list[Reply]:
        """Anything else a person can send: "voice", "file", "sticker", "forwarded", "edited", "foreign_contact"."""
        p = self._p(who)
        return await self._deliver(p, Incoming(p.chat_id, self._sender(p), kind, text=text, file_id=file_id,  # type: ignore[arg-type]
                                               message_id=next(self._message_ids)))

    async def contact(self, who: Persona | str, phone: str) -> list[Reply]:
        p = self._p(who)
        return await self._deliver(p, self._event(p, "contact", phone=phone))

    async def deliver_pushes(self) -> list[Reply]:
        """Deliver every due outbox message of this channel to its persona (marking it sent); returns them
        in the order they were delivered (per chat, the order they were queued)."""
        if self.outbox is None:
            return []
        sender = DriverSender(self)
        loop = OutboxLoop(self.outbox, SenderRegistry({self.channel: sender}), batch=100, per_chat=100)
        while await loop.run_once():
            pass
        return sender.received

    # -- internals ----------------------------------------------------------------------------------

    def _p(self, who: Persona | str) -> Persona:
        return who if isinstance(who, Persona) else self.persona(who)

    def _event(self, p: Persona, kind: Any, **fields: Any) -> Incoming:
        return Incoming(p.chat_id, self._sender(p), kind, channel=self.channel, **fields)

    @staticmethod
    def _sender(p: Persona) -> Sender:
        return Sender(user_id=p.user_id, first_name=p.name, language_code="zh-hans")

    async def _deliver(self, p: Persona, incoming: Incoming) -> list[Reply]:
        replies = await self.engine.handle(incoming)
        self._receive(p, replies, replace_buttons=True)
        await self.replies_sent(replies)
        return replies

    async def replies_sent(self, replies: list[Reply]) -> None:
        """What a channel does once replies are out: their outbox copies (receipts) need not go again."""
        if self.outbox is None:
            return
        for reply in replies:
            if OUTBOX_ID in reply.extra:
                await self.outbox.mark_sent_if_pending(int(reply.extra[OUTBOX_ID]))

    @staticmethod
    def _receive(p: Persona, replies: list[Reply], *, replace_buttons: bool) -> None:
        p.inbox.extend(replies)
        new = [(b.text, b.data) for r in replies for row in r.buttons for b in row]
        if new:
            p.buttons = [*([] if replace_buttons else p.buttons), *new][-60:]


def texts_of(replies: list[Reply]) -> str:
    """All reply texts joined: handy in assertions and printing."""
    return "\n".join(r.text for r in replies)
