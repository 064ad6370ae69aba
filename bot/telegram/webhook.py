"""The webhook endpoint both adapters share, mounted on the bot's one web server (`bot.web`): check
Telegram's secret header, then hand the update over.

Telegram sends `X-Telegram-Bot-Api-Secret-Token` with the secret given to setWebhook; anything else
posting to the URL is refused with 401 before it reaches the adapter. Updates are processed in the
background so Telegram gets its 200 at once (the runtime keeps each chat in order); the server's cleanup
waits for the ones still running. Its counters are what `GET /healthz` reports (`bot.web.health`).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlparse

from aiohttp import web

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_path(webhook_url: str) -> str:
    """The local path to serve: the path of WEBHOOK_URL (a reverse proxy usually maps it 1:1)."""
    return urlparse(webhook_url).path or "/"


class TelegramWebhook:
    """The POST route for Telegram's updates; `mount` adds it to the web server's root application."""

    def __init__(self, feed: Callable[[dict[str, Any]], Awaitable[None]], secret: str, path: str):
        if not secret:
            raise ValueError("a webhook needs a secret")
        self.feed = feed
        self.secret = secret.encode()
        self.path = path
        self.refused = 0
        self.accepted = 0
        self._tasks: set[asyncio.Task[None]] = set()

    def mount(self, app: web.Application) -> None:
        app.router.add_post(self.path, self.handle)
        app.on_cleanup.append(self._drain)

    def counters(self) -> dict[str, int]:
        return {"accepted": self.accepted, "refused": self.refused}

    async def _drain(self, _app: web.Application) -> None:
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=10)

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            self.refused += 1
            log.warning("webhook call from %s refused: wrong or missing secret token", request.remote)
            return web.Response(status=401, text="Unauthorized")
        try:
            update = json.loads(await request.text())
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400, text="Bad Request: body is not JSON")
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            return web.Response(status=400, text="Bad Request: not a Telegram update")
        self.accepted += 1
        task = asyncio.get_running_loop().create_task(self._feed(update))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return web.Response(text="ok")

    async def _feed(self, update: dict[str, Any]) -> None:
        try:
            await self.feed(update)
        except Exception:
            log.exception("webhook update %s failed", update.get("update_id"))
