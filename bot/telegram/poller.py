"""Long polling owned by GridDesk, for both frameworks: updates are handled before they are confirmed, and
one update that cannot be read is logged and skipped instead of stalling everything behind it.

The libraries' own pollers confirm a batch (the next getUpdates' offset) before their handlers finish, so
a crash loses updates already confirmed; and aiogram re-fetches a batch it cannot parse forever (one
malformed update: 0 of 5 normal updates answered in 90 s). Here getUpdates returns raw JSON; each
update goes to the adapter's `process` (the library parses and dispatches it), the chats of a batch in
parallel and each chat's updates in order, and only then does the next request move the offset on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
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
                 poll_timeout: int = 25, max_backoff: float = 30.0):
        self.url = f"{api_url.rstrip('/')}/bot{token}/getUpdates"
        self.process = process
        self.allowed_updates = allowed_updates
        self.poll_timeout = poll_timeout
        self.max_backoff = max_backoff
        self.offset: int | None = None
        self.handled = 0
        self.skipped = 0

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
        async with aiohttp.ClientSession(timeout=timeout, trace_configs=traces or None) as http:
            while not stop.is_set():
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
                if updates:
                    await self._handle_batch(updates)

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

    async def _handle_batch(self, updates: list[dict[str, Any]]) -> None:
        """Every update of the batch handled (chats in parallel, each chat in order), then the offset moves on."""
        by_chat: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
        last = self.offset - 1 if self.offset is not None else -1
        for update in updates:
            update_id = update.get("update_id")
            if not isinstance(update_id, int):
                log.error("skipped an update without an update_id: %.200r", update)
                self.skipped += 1
                continue
            last = max(last, update_id)
            by_chat[chat_of(update)].append(update)
        await asyncio.gather(*(self._handle_chat(chat_updates) for chat_updates in by_chat.values()))
        if last >= 0:
            self.offset = last + 1

    async def _handle_chat(self, updates: list[dict[str, Any]]) -> None:
        for update in updates:
            try:
                await self.process(update)
                self.handled += 1
            except Exception:  # a poison update is named and skipped; the ones behind it still go
                self.skipped += 1
                log.exception("skipped update %s that could not be handled: %.300r", update.get("update_id"), update)
