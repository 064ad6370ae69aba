"""What wraps every update once, whichever channel it came from: the chat's lock, the catch-all, the log line.

Per chat — (channel, chat id) — one update at a time, its replies delivered (`then`, the channel's sending)
before the chat's next update starts, and chats in parallel. In one process an asyncio lock per chat does
it; several instances on one PostgreSQL also take `shared_lock` (a lock in the database, held for the
turn: `storage.engine.Database.chat_lock`), so a chat's updates shared between instances still run
one after the other, and the second copy of a re-delivered update sees the first's saved state.
Whatever fails inside is logged once, in the update's own line with its update id and the exception, and
the person gets the short apology instead of silence.
Each update leaves exactly one structured line (`event=update`) with its latency (`duration_ms`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import structlog

from bot import wording as texts
from bot.messages import Incoming, Reply

log = structlog.get_logger("griddesk.dialog")

#: What a channel does with an update's replies (send them), run while the chat is still locked.
Deliver = Callable[[list[Reply]], Awaitable[None]]
#: A chat lock shared by every instance: (channel, chat id) → held for the turn (`Database.chat_lock`).
SharedLock = Callable[[str, int], AbstractAsyncContextManager[Any]]
Chat = tuple[str, int]  # (channel, chat id)


class ChatLocks:
    """One lock per chat, dropped when nobody holds or waits for it: a chat's updates run one at a time."""

    def __init__(self) -> None:
        self._locks: dict[Chat, list[Any]] = {}  # (channel, chat id) → [lock, holders + waiters]

    def hold(self, chat_id: Chat) -> _Held:
        """`async with locks.hold(chat):` — the chat's lock for the block (a plain object: an
        `asynccontextmanager` generator per update cost more than the lock)."""
        return _Held(self._locks, chat_id)

    def __len__(self) -> int:
        return len(self._locks)


class _Held:
    __slots__ = ("_chat", "_entry", "_locks")

    def __init__(self, locks: dict[Chat, list[Any]], chat: Chat) -> None:
        self._locks, self._chat = locks, chat
        self._entry: list[Any] | None = None

    async def __aenter__(self) -> None:
        entry = self._locks.get(self._chat)
        if entry is None:
            entry = self._locks[self._chat] = [asyncio.Lock(), 0]
        entry[1] += 1
        self._entry = entry
        try:
            await entry[0].acquire()
        except BaseException:  # cancelled while waiting: not a holder any more
            self._leave()
            raise

    async def __aexit__(self, *_: object) -> None:
        assert self._entry is not None
        self._entry[0].release()
        self._leave()

    def _leave(self) -> None:
        assert self._entry is not None
        self._entry[1] -= 1
        if self._entry[1] == 0:
            self._locks.pop(self._chat, None)


class UpdateFrame:
    """The base of an engine: `handle` frames `answer`, which subclasses write (the dialog engine; test doubles)."""

    def __init__(self, shared_lock: SharedLock | None = None) -> None:
        self.locks = ChatLocks()
        self.shared_lock = shared_lock

    async def answer(self, incoming: Incoming) -> tuple[list[Reply], dict[str, Any]]:
        """The replies to one update, and what the log line should say about it (intent, step…)."""
        raise NotImplementedError

    async def handle(self, incoming: Incoming, then: Deliver | None = None) -> list[Reply]:
        """Answer one update (never raises); `then` delivers the replies before the chat's next update runs."""
        async def work() -> tuple[list[Reply], dict[str, Any]]:
            return await self.answer(incoming)

        fallback = [Reply(chat_id=incoming.chat_id, text=texts.ERROR_REPLY, callback_answer=_toast(incoming))]
        return await self._framed((incoming.channel, incoming.chat_id), work, fallback, then,
                                  update_id=incoming.update_id, kind=incoming.kind, command=incoming.command)

    async def relay(self, reply: Reply, then: Deliver, *, update_id: int | None = None,
                    channel: str = "telegram") -> None:
        """A channel's own fixed answer to an update the dialog does not read (an edit, a sticker): it keeps
        the chat's order and gets its line like any other update."""
        async def work() -> tuple[list[Reply], dict[str, Any]]:
            return [reply], {}

        await self._framed((channel, reply.chat_id), work, [], then, update_id=update_id, kind="notice", command=None)

    async def _framed(self, chat: Chat, work: Callable[[], Awaitable[tuple[list[Reply], dict[str, Any]]]],
                      fallback: list[Reply], then: Deliver | None, **line: Any) -> list[Reply]:
        started = time.perf_counter()
        failure: BaseException | None = None
        outcome = "ok"
        replies: list[Reply] = fallback
        said: dict[str, Any] = {}
        delivered = False
        async with self.locks.hold(chat):
            try:
                async with self._shared(chat):
                    try:
                        replies, said = await work()
                    except Exception as exc:  # the one catch-all: log it below, apologise
                        failure, outcome, replies, said = exc, "error", fallback, {}
                    if then is not None:
                        delivered = True
                        try:
                            await then(replies)
                        except Exception as exc:  # the channel could not deliver: nothing more to tell the person
                            failure = failure or exc
                            outcome = "error" if outcome == "error" else "delivery_failed"
            except Exception as exc:  # the shared lock failed (the database went away): logged, apologised once
                failure, outcome = failure or exc, "error"
                if not delivered:
                    replies, said = fallback, {}
                    if then is not None:
                        with contextlib.suppress(Exception):
                            await then(replies)
        channel, chat_id = chat
        fields = {"chat": chat_id, "channel": channel, **line, **said, "replies": len(replies), "outcome": outcome,
                  "duration_ms": round((time.perf_counter() - started) * 1000, 1)}
        if failure is None:
            log.info("update", **fields)
        else:
            log.error("update", **fields, exc_info=failure)
        return replies

    def _shared(self, chat: Chat) -> AbstractAsyncContextManager[Any]:
        return self.shared_lock(*chat) if self.shared_lock is not None else contextlib.nullcontext()


def _toast(incoming: Incoming) -> str | None:
    return texts.ERROR_REPLY[:60] if incoming.kind == "button" else None
