"""Long polling owned by GridDesk, for both frameworks: updates are handled before they are confirmed, and
one update that cannot be read is logged and skipped instead of stalling everything behind it.

The libraries' own pollers confirm a batch (the next getUpdates' offset) before their handlers finish, so
a crash loses updates already confirmed; and aiogram re-fetches a batch it cannot parse forever (one
malformed update: 0 of 5 normal updates answered in 90 s). Here getUpdates returns raw JSON; each
update goes to the adapter's `process` (the library parses and dispatches it), chats in parallel and each
chat's updates in order, and a request's offset confirms only updates already handled: those below the
first one still in hand. The next request goes out once at most `window` updates are in hand unconfirmed,
before the whole batch is done (its answer repeats the ones in hand, which are not handled twice), so a
batch's last slow replies no longer hold back the next batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from bot.errors import ConfigError

log = logging.getLogger(__name__)

Process = Callable[[dict[str, Any]], Awaitable[None]]


def chat_of(update: dict[str, Any]) -> int | None:
    """The chat an update belongs to (for ordering), or None when it cannot be told."""
    for key in ("message", "edited_message"):
        chat = (update.get(key) or {}).get("chat") if isinstance(update.get(key), dict) else None
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return chat["id"]
    query = update.get("callback_query")
    if isinstance(query, dict):
        message = query.get("message")
        if isinstance(message, dict) and isinstance((message.get("chat") or {}).get("id"), int):
            return message["chat"]["id"]
        sender = query.get("from")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return sender["id"]
    return None


class Poller:
    """getUpdates → `process` each update → confirm by asking for the next offset."""

    def __init__(self, api_url: str, token: str, process: Process, *, allowed_updates: list[str],
                 poll_timeout: int = 25, max_backoff: float = 30.0, window: int = 50, recheck: float = 1.0):
        self.url = f"{api_url.rstrip('/')}/bot{token}/getUpdates"
        self.process = process
        self.allowed_updates = allowed_updates
        self.poll_timeout = poll_timeout
        self.max_backoff = max_backoff
        #: Updates in hand but not confirmed (running, waiting for their chat, or done above one still running) at
        #: most this many when the next getUpdates goes out; otherwise it waits for the oldest to be done.
        self.window = window
        #: While updates in hand are unconfirmed, getUpdates answers at once with them (no long poll): asked again
        #: when one is done, or after this many seconds, so a slow update holds back the ones after it ~1 s at most.
        self.recheck = recheck
        self.offset: int | None = None
        self.handled = 0
        self.skipped = 0
        self._in_hand: dict[int, asyncio.Task[None]] = {}  # update id → its task, until confirmed (in id order)
        self._woken = asyncio.Event()  # set when an update in hand is done (or the poller is stopped)
        self._chat_tail: dict[int | None, asyncio.Task[None]] = {}  # chat → the task of its latest update

    async def run(self, stop: asyncio.Event, *, requested: asyncio.Event | None = None) -> None:
        """Poll until `stop`; `requested` is set once a getUpdates request has been written to the Bot API (what
        the runner waits for before finishing its start-up beside the long poll)."""
        timeout = aiohttp.ClientTimeout(total=self.poll_timeout + 15)
        failures = 0
        traces = []
        if requested is not None:
            trace = aiohttp.TraceConfig()

            async def sent(*_: Any) -> None:  # called as aiohttp writes the body, in the same step as the write
                requested.set()

            trace.on_request_chunk_sent.append(sent)
            traces.append(trace)
        async def stopped() -> None:
            await stop.wait()
            self._woken.set()

        relay = asyncio.create_task(stopped())
        try:
            async with aiohttp.ClientSession(timeout=timeout, trace_configs=traces or None) as http:
                while not stop.is_set():
                    self._confirm()
                    if len(self._in_hand) > self.window:
                        await self._progress(stop)
                        continue
                    try:
                        updates = await self._fetch(http, stop)
                        failures = 0
                    except ConfigError:
                        raise
                    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                        failures += 1
                        wait = min(self.max_backoff, 0.5 * 2 ** min(failures, 8))
                        log.warning("getUpdates failed (%s); trying again in %.1fs", exc, wait)
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(stop.wait(), wait)
                        continue
                    if not self._take(updates) and self._in_hand:
                        await self._progress(stop)  # the answer held only updates in hand: wait for one to be done
        except asyncio.CancelledError:
            for task in self._in_hand.values():  # cancelled, as the batch being handled was
                task.cancel()
            raise
        finally:
            relay.cancel()
            if self._in_hand:  # what was taken is handled to the end, as a batch always was
                await asyncio.gather(*self._in_hand.values(), return_exceptions=True)
            self._confirm()

    async def _fetch(self, http: aiohttp.ClientSession, stop: asyncio.Event) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"timeout": self.poll_timeout, "allowed_updates": self.allowed_updates}
        if self.offset is not None:
            body["offset"] = self.offset
        request = asyncio.ensure_future(http.post(self.url, json=body))
        stopper = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait({request, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if request not in done:
            request.cancel()
            with contextlib.suppress(BaseException):
                await request
            return []
        stopper.cancel()
        async with request.result() as response:
            data = await response.json(content_type=None)
        if not isinstance(data, dict):
            raise ValueError("getUpdates answered something that is not a JSON object")
        if not data.get("ok"):
            code, text = data.get("error_code"), data.get("description", "")
            if code in (401, 404):
                raise ConfigError(f"TELEGRAM_BOT_TOKEN: Telegram refused the token ({code} {text})")
            raise ValueError(f"getUpdates: {code} {text}")
        result = data.get("result")
        return [u for u in result if isinstance(u, dict)] if isinstance(result, list) else []

    def _take(self, updates: list[dict[str, Any]]) -> int:
        """Start the updates not in hand yet (each chat's after its previous one); how many were new."""
        new = 0
        for update in updates:
            update_id = update.get("update_id")
            if not isinstance(update_id, int):
                log.error("skipped an update without an update_id: %.200r", update)
                self.skipped += 1
                continue
            if update_id in self._in_hand or (self.offset is not None and update_id < self.offset):
                continue  # in hand already (an answer repeats what is not confirmed yet), or confirmed
            chat = chat_of(update)
            task = asyncio.create_task(self._handle(update, self._chat_tail.get(chat)))
            self._in_hand[update_id] = self._chat_tail[chat] = task
            task.add_done_callback(lambda done, key=chat: self._chat_done(key, done))
            new += 1
        return new

    def _chat_done(self, chat: int | None, task: asyncio.Task[None]) -> None:
        if self._chat_tail.get(chat) is task:
            del self._chat_tail[chat]
        self._woken.set()

    async def _handle(self, update: dict[str, Any], after: asyncio.Task[None] | None) -> None:
        if after is not None:
            await asyncio.wait([after])  # the chat's previous update first: each chat in order
        try:
            await self.process(update)
            self.handled += 1
        except Exception:  # a poison update is named and skipped; the ones behind it still go
            self.skipped += 1
            log.exception("skipped update %s that could not be handled: %.300r", update.get("update_id"), update)

    def _confirm(self) -> None:
        """Move the offset past every update handled below the first one still in hand (the next getUpdates
        confirms them). Updates come in id order and are taken in it, so `_in_hand` is in id order."""
        while self._in_hand:
            update_id, task = next(iter(self._in_hand.items()))
            if not task.done():
                break
            del self._in_hand[update_id]
            self.offset = max(self.offset or 0, update_id + 1)

    async def _progress(self, stop: asyncio.Event) -> None:
        """Until one more update in hand is done, `stop`, or `recheck` seconds."""
        self._woken.clear()
        if stop.is_set() or all(task.done() for task in self._in_hand.values()):
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._woken.wait(), self.recheck)
