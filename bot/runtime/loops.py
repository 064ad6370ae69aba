"""The background loops every runner starts, whatever the channel: deliver the outbox, run case deadlines.

Outbox: claim the due rows of the channels registered here (a short lease; SKIP LOCKED on PostgreSQL),
send each once through its channel's sender (`bot.channels.SenderRegistry`), and mark it: sent, blocked
(403), failed (400, or retried for too long), or due again later (429 after `retry_after`, 5xx/network
after exponential backoff). One attempt per claim keeps the lease window short, so a crash re-sends at
most the message that was in flight (at least once).
Deadlines: every `deadline_check_seconds`, remind at the configured fraction and escalate when late.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from typing import Any, Protocol

from bot.channels import TELEGRAM, SenderRegistry
from bot.messages import Reply
from bot.runtime.delivery import Backoff, Delivery

log = logging.getLogger(__name__)


class Sender(Protocol):
    """A channel's sender (`bot.telegram.sender.TelegramSender`): the loop asks for one try per call."""

    async def deliver(self, reply: Reply, *, max_attempts: int | None = None, max_wait: float | None = None) -> Delivery: ...


class OutboxPort(Protocol):
    """What the loop needs from `bot.cases.outbox.Outbox`."""

    wakeup: asyncio.Event

    async def claim_due(self, now: datetime | None = None, *, limit: int = 50, lease_seconds: float = 60,
                        exclude_chats: Collection[tuple[str, int]] = (),
                        channels: Collection[str] | None = None) -> list[Any]: ...
    async def mark_sent(self, item_id: int, now: datetime | None = None) -> None: ...
    async def retry_later(self, item_id: int, delay_seconds: float, error: str = "") -> None: ...
    async def mark_failed(self, item_id: int, error: str) -> None: ...
    async def mark_blocked(self, item_id: int, error: str = "blocked by the user") -> None: ...
    async def next_due_at(self, exclude_chats: Collection[tuple[str, int]] = (),
                          channels: Collection[str] | None = None) -> datetime | None: ...


class OutboxLoop:
    """`sender`: one channel's sender (taken as Telegram's) or a registry of one sender per channel."""

    def __init__(self, outbox: OutboxPort, sender: Sender | SenderRegistry, *, batch: int = 50, per_chat: int = 5,
                 lease_seconds: float | None = None, idle_seconds: float = 1.0, max_attempts: int = 100,
                 backoff: Backoff | None = None, send_timeout: float = 20.0):
        self.outbox = outbox
        self.senders = sender if isinstance(sender, SenderRegistry) else SenderRegistry({TELEGRAM: sender})
        self.batch = batch
        self.per_chat = per_chat
        #: A claimed row must stay ours while it may still be in flight: a chat's rows go one after the
        #: other, each call bounded by `send_timeout` plus the chat's ~1/s pace; another instance may
        #: only take it once all of that has passed, or a slow push would be sent twice.
        self.lease_seconds = lease_seconds if lease_seconds is not None else per_chat * (send_timeout + 1.0) + 10.0
        self.idle_seconds = idle_seconds
        self.max_attempts = max_attempts
        self.backoff = backoff or Backoff(base=1.0, cap=300.0)
        self.delivered = 0
        self._busy: dict[tuple[str, int], asyncio.Task[None]] = {}  # (channel, chat id) → the task delivering its rows

    async def run(self, stop: asyncio.Event) -> None:
        """Claim and hand each chat's rows to its own task without waiting for them: a chat whose send
        hangs holds back only itself, never another chat's push (no head-of-line blocking)."""
        try:
            while not stop.is_set():
                try:
                    started = self._start(await self._claim())
                except Exception:
                    log.exception("outbox pass failed; trying again shortly")
                    started = 0
                if started:
                    continue
                await self._idle(stop)
        finally:
            if self._busy:
                await asyncio.wait(list(self._busy.values()), timeout=self.lease_seconds)

    async def _claim(self) -> list[Any]:
        self.outbox.wakeup.clear()
        return await self.outbox.claim_due(limit=self.batch, lease_seconds=self.lease_seconds,
                                           exclude_chats=set(self._busy), channels=self.senders.names())

    def _start(self, items: list[Any]) -> int:
        by_chat: dict[tuple[str, int], list[Any]] = defaultdict(list)
        for item in items:
            by_chat[item.chat].append(item)
        for chat, chat_items in by_chat.items():
            task = asyncio.create_task(self._deliver_chat(chat_items), name=f"outbox-{chat[0]}-{chat[1]}")
            self._busy[chat] = task
            task.add_done_callback(lambda _t, key=chat: self._done(key))
        return len(items)

    def _done(self, chat: tuple[str, int]) -> None:
        self._busy.pop(chat, None)
        self.outbox.wakeup.set()  # the chat's next rows (or rows left for later) may go now

    async def _idle(self, stop: asyncio.Event) -> None:
        """Sleep until new rows are committed, the next row is due, or `idle_seconds` pass."""
        wait = self.idle_seconds
        with contextlib.suppress(Exception):
            due = await self.outbox.next_due_at(exclude_chats=set(self._busy), channels=self.senders.names())
            if due is not None:
                wait = max(0.05, min(wait, (due - datetime.now(UTC)).total_seconds()))
        waiters = [asyncio.ensure_future(self.outbox.wakeup.wait()), asyncio.ensure_future(stop.wait())]
        await asyncio.wait(waiters, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()
        self.outbox.wakeup.clear()

    async def run_once(self) -> int:
        """Claim and deliver one batch, waiting for it (tests and one-shot tools); returns how many rows were claimed."""
        count = self._start(await self._claim())
        if self._busy:
            await asyncio.gather(*self._busy.values())
        return count

    async def _deliver_chat(self, items: list[Any]) -> None:
        """One chat's rows in order; beyond `per_chat` they go back at once (the chat's rate is ~1/s)."""
        for index, item in enumerate(items):
            if index >= self.per_chat:
                await self.outbox.retry_later(item.id, 0.0)
                continue
            await self._deliver(item)

    async def _deliver(self, item: Any) -> None:
        sender = self.senders.get(item.channel)
        if sender is None:  # claimed by channel, so only if the registry changed: leave it for its own runner
            await self.outbox.retry_later(item.id, self.backoff.delay(item.attempts), f"no sender for {item.channel}")
            return
        try:
            result = await sender.deliver(item.reply, max_attempts=1, max_wait=0.0)
        except Exception as exc:  # a bug must not lose the row: try again later
            log.exception("outbox row %s crashed the sender", item.id)
            await self.outbox.retry_later(item.id, self.backoff.delay(item.attempts), f"crash: {exc}")
            return
        if result.status == "sent":
            await self.outbox.mark_sent(item.id)
            self.delivered += 1
        elif result.status == "blocked":
            await self.outbox.mark_blocked(item.id, result.reason or "blocked by the user")
        elif result.status == "rejected":
            await self.outbox.mark_failed(item.id, f"{item.channel} refused: {result.reason}")
        elif item.attempts >= self.max_attempts:
            await self.outbox.mark_failed(item.id, f"gave up after {item.attempts} attempts: {result.reason}")
        else:
            delay = result.retry_in if result.failure == "retry_after" else self.backoff.delay(item.attempts)
            await self.outbox.retry_later(item.id, float(delay or 1.0), result.reason)


class DeadlinePort(Protocol):
    async def run_deadlines(self, now: datetime | None = None) -> tuple[int, int]: ...


class DeadlineLoop:
    """Reminders and escalations by themselves; the case service makes each step safe across instances.

    `clock` says what time it is (tests and demos move it; by default the real one).
    """

    def __init__(self, cases: DeadlinePort, every_seconds: float, *, clock: Callable[[], datetime] | None = None):
        self.cases = cases
        self.every_seconds = every_seconds
        self.clock = clock
        self.passes = 0

    async def run_once(self) -> tuple[int, int]:
        """One pass: (reminded, escalated); a failure is logged, never raised (the loop must go on)."""
        try:
            reminded, escalated = await self.cases.run_deadlines(self.clock() if self.clock else None)
        except Exception:
            log.exception("deadline pass failed; next pass in %.0fs", self.every_seconds)
            reminded = escalated = 0
        if reminded or escalated:
            log.info("deadlines: %d reminded, %d escalated", reminded, escalated)
        self.passes += 1
        return reminded, escalated

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.run_once()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.every_seconds)
