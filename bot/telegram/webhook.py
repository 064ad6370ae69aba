"""The webhook endpoint both adapters share: check Telegram's secret header, then hand the update over.

Telegram sends `X-Telegram-Bot-Api-Secret-Token` with the secret given to setWebhook; anything else
posting to the URL is refused with 401 before it reaches the adapter. Updates are processed in the
background so Telegram gets its 200 at once (the runtime keeps each chat in order).

`GET /healthz` answers `{"ok": true, "accepted": N, "refused": M}` (updates taken and webhook calls
refused since start; nothing about residents or cases). It is for a local monitor: with HEALTHZ_TOKEN
set it needs `Authorization: Bearer <token>`; without, only a loopback caller that was not forwarded by
a proxy (no X-Forwarded-For / Forwarded / X-Real-IP header) gets an answer. Anyone else gets 403.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlparse

from aiohttp import web

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: A reverse proxy on the same host connects from loopback; these headers say the caller is really elsewhere.
_PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


def webhook_path(webhook_url: str) -> str:
    """The local path to serve: the path of WEBHOOK_URL (a reverse proxy usually maps it 1:1)."""
    return urlparse(webhook_url).path or "/"


class WebhookServer:
    def __init__(self, feed: Callable[[dict[str, Any]], Awaitable[None]], secret: str, path: str, host: str, port: int,
                 *, health_token: str | None = None):
        if not secret:
            raise ValueError("a webhook needs a secret")
        self.feed = feed
        self.secret = secret.encode()
        self.health_token = health_token.encode() if health_token else None
        self.path = path
        self.host = host
        self.port = port
        self.refused = 0
        self.accepted = 0
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        app = web.Application(client_max_size=2 * 1024 * 1024)
        app.router.add_post(self.path, self._handle)
        app.router.add_get("/healthz", self._health)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        log.info("webhook listening on http://%s:%s%s", self.host, self.port, self.path)

    async def stop(self) -> None:
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=10)
        if self._runner:
            await self._runner.cleanup()

    async def _health(self, request: web.Request) -> web.Response:
        if not self._may_see_health(request):
            return web.Response(status=403, text="Forbidden: /healthz needs HEALTHZ_TOKEN or a local caller")
        return web.json_response({"ok": True, "accepted": self.accepted, "refused": self.refused})

    def _may_see_health(self, request: web.Request) -> bool:
        """The token when one is set (compared in constant time); otherwise an unforwarded loopback caller."""
        if self.health_token is not None:
            given = request.headers.get("Authorization", "").encode()
            return hmac.compare_digest(given, b"Bearer " + self.health_token)
        if any(h in request.headers for h in _PROXY_HEADERS):
            return False
        try:
            peer = ipaddress.ip_address((request.remote or "").split("%", 1)[0])
        except ValueError:
            return False  # a unix socket or an unknown peer: not provably local
        if isinstance(peer, ipaddress.IPv6Address) and peer.ipv4_mapped is not None:
            peer = peer.ipv4_mapped  # ::ffff:127.0.0.1 on a dual-stack socket
        return peer.is_loopback

    async def _handle(self, request: web.Request) -> web.Response:
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
