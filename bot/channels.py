"""The channels people reach us through, declared once: a person is known by (channel, external id).

A channel is an adapter (Telegram, the console chat, an HTTP API…) with its own ids. This table says
what the core must know of each: whether it can push a message unprompted (an HTTP API whose clients
poll for status cannot: its notices are never queued, so no row waits forever), and whether the
configured `ADMIN_IDS` are ids of this channel (they are Telegram ids; the console's own admin persona
is local). Adding a channel is its adapter file plus one line in `CHANNELS`; a runner that delivers
registers the channel's sender in a `SenderRegistry` (`bot.runtime.loops.OutboxLoop` takes one).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bot.errors import UsageError

#: The channel of Telegram, and of every row written before channels existed (migration 0006).
TELEGRAM = "telegram"
#: `griddesk chat`: console personas have their own ids, in their own namespace.
CONSOLE = "console"
#: An Open311 API client (its id: the API key's); it polls, so nothing is pushed to it.
OPEN311 = "open311"


@dataclass(frozen=True, slots=True)
class Channel:
    name: str  # ≤ 16 characters: the `channel` column of people, chats and outbox rows
    push: bool  # can deliver a message nobody asked for (worker pushes, resident notices)
    admin_ids: bool  # `ADMIN_IDS` are ids of this channel
    adapter: str  # the module that translates it (for readers; imported by its runner only)


CHANNELS: Mapping[str, Channel] = {c.name: c for c in (
    Channel(TELEGRAM, push=True, admin_ids=True, adapter="bot.telegram"),
    Channel(CONSOLE, push=True, admin_ids=True, adapter="bot.console"),
    Channel(OPEN311, push=False, admin_ids=False, adapter="(an HTTP API: clients poll GET /requests/{id})"),
)}


def channel(name: str) -> Channel:
    """The declared channel `name`; UsageError names the known ones (a typo must not create a namespace)."""
    found = CHANNELS.get(name)
    if found is None:
        raise UsageError(f"unknown channel {name!r}; declared in bot/channels.py: {', '.join(CHANNELS)}")
    return found


def pushes(name: str) -> bool:
    """Whether notices to people of this channel are queued in the outbox at all."""
    return channel(name).push


def is_admin(name: str, external_id: int | None, admin_ids: Any) -> bool:
    """`ADMIN_IDS` grant admin rights only on the channels whose ids they are."""
    return external_id is not None and channel(name).admin_ids and external_id in admin_ids


class SenderRegistry:
    """Channel name → the sender that delivers its outbox rows, in one process.

    The outbox loop claims only rows of registered channels, so an instance never takes (and fails)
    another channel's messages; registering a channel that cannot push is refused.
    """

    def __init__(self, senders: Mapping[str, Any] | None = None):
        self._senders: dict[str, Any] = {}
        for name, sender in (senders or {}).items():
            self.register(name, sender)

    def register(self, name: str, sender: Any) -> None:
        if not channel(name).push:
            raise UsageError(f"channel {name!r} cannot push (bot/channels.py): its notices are never queued")
        self._senders[name] = sender

    def get(self, name: str) -> Any | None:
        return self._senders.get(name)

    def names(self) -> tuple[str, ...]:
        return tuple(self._senders)

    def __iter__(self) -> Iterator[str]:
        return iter(self._senders)

    def __len__(self) -> int:
        return len(self._senders)
