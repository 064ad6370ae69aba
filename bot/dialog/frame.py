"""What wraps every update once, whichever channel it came from: the chat's lock, the catch-all, the log line.

Per chat one update at a time — its replies delivered (`then`, the channel's sending) before the chat's
next update starts — and chats in parallel. Whatever fails inside is logged once, in the update's own
line with its update id and the exception, and the person gets the short apology instead of silence.
Each update leaves exactly one structured line (`event=update`) with its latency (`duration_ms`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import structlog

from bot.dialog import texts
from bot.dialog.events import Incoming, Reply

log = structlog.get_logger("griddesk.dialog")

#: What a channel does with an update's replies (send them), run while the chat is still locked.
Deliver = Callable[[list[Reply]], Awaitable[None]]


class ChatLocks:
    """One lock per chat, dropped when nobody holds or waits for it: a chat's updates run one at a time."""

    def __init__(self) -> None:
        self._locks: dict[int, list[Any]] = {}  # chat id → [lock, holders + waiters]

    @asynccontextmanager
    async def hold(self, chat_id: int) -> AsyncIterator[None]:
        entry = self._locks.get(chat_id)
        if entry is None:
            entry = self._locks[chat_id] = [asyncio.Lock(), 0]
        entry[1] += 1
        try:
            async with entry[0]:
                yield
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                self._locks.pop(chat_id, None)

    def __len__(self) -> int:
        return len(self._locks)


class UpdateFrame:
    """The base of an engine: `handle` frames `answer`, which subclasses write (the dialog engine; test doubles)."""

    def __init__(self) -> None:
        self.locks = ChatLocks()

    async def answer(self, incoming: Incoming) -> tuple[list[Reply], dict[str, Any]]:
        """The replies to one update, and what the log line should say about it (intent, step…)."""
        raise NotImplementedError

    async def handle(self, incoming: Incoming, then: Deliver | None = None) -> list[Reply]:
        """Answer one update (never raises); `then` delivers the replies before the chat's next update runs."""
        async def work() -> tuple[list[Reply], dict[str, Any]]:
            return await self.answer(incoming)

        fallback = [Reply(chat_id=incoming.chat_id, text=texts.ERROR_REPLY, callback_answer=_toast(incoming))]
        return await self._framed(incoming.chat_id, work, fallback, then, update_id=incoming.update_id,
                                  kind=incoming.kind, command=incoming.command)

    async def _framed(self, chat_id: int, work: Callable[[], Awaitable[tuple[list[Reply], dict[str, Any]]]],
                      fallback: list[Reply], then: Deliver | None, **line: Any) -> list[Reply]:
        started = time.perf_counter()
        failure: BaseException | None = None
        outcome = "ok"
        async with self.locks.hold(chat_id):
            try:
                replies, said = await work()
            except Exception as exc:  # the one catch-all: log it below, apologise
                failure, outcome, replies, said = exc, "error", fallback, {}
            if then is not None:
                try:
                    await then(replies)
                except Exception as exc:  # the channel could not deliver: nothing more to tell the person
                    failure = failure or exc
                    outcome = "error" if outcome == "error" else "delivery_failed"
        fields = {"chat": chat_id, **line, **said, "replies": len(replies), "outcome": outcome,
                  "duration_ms": round((time.perf_counter() - started) * 1000, 1)}
        if failure is None:
            log.info("update", **fields)
        else:
            log.error("update", **fields, exc_info=failure)
        return replies


def _toast(incoming: Incoming) -> str | None:
    return texts.ERROR_REPLY[:60] if incoming.kind == "button" else None
