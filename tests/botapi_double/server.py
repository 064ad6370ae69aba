"""A Telegram Bot API double: an aiohttp server on 127.0.0.1 that speaks the public protocol.

It implements the methods aiogram 3 and python-telegram-bot call (getMe, getUpdates long polling with
offsets, sendMessage, sendPhoto, editMessageText/ReplyMarkup, answerCallbackQuery, getFile and file
download, set/get/deleteMyCommands, setWebhook/deleteWebhook/getWebhookInfo, sendChatAction…), validates
what Telegram validates (HTML entities, 4096/1024 limits, callback data ≤ 64 bytes, unknown chats),
answers Telegram-shaped JSON errors on demand (429 with `parameters.retry_after`, 5xx, 403, 400), and
offers a test API: inject user updates, read what the bot sent, wait for it with a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from typing import Any

from aiohttp import ClientSession, web

from .methods import BotApiMethods
from .people import PeopleSide
from .records import FailRule, Sent, TelegramError, Update

JSON_FIELDS = {
    "reply_markup", "commands", "scope", "allowed_updates", "entities", "caption_entities", "link_preview_options",
    "reply_parameters", "media",
}
INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "user_id", "max_connections", "cache_time"}
BOOL_FIELDS = {"drop_pending_updates", "disable_notification", "show_alert", "protect_content"}

__all__ = ["BotApiDouble", "FailRule", "Sent", "TelegramError", "Update"]


class BotApiDouble(PeopleSide, BotApiMethods):
    """The fake Telegram. `async with BotApiDouble() as tg:` starts it; `tg.url` is TELEGRAM_API_URL."""

    def __init__(self, token: str = "123456:TEST-double-token", *, host: str = "127.0.0.1", port: int = 0):
        self.token = token
        self.host = host
        self.port = port
        self.bot_user = {"id": int(token.split(":")[0]), "is_bot": True, "first_name": "网格服务台",
                         "username": "griddesk_test_bot", "can_join_groups": False,
                         "can_read_all_group_messages": False, "supports_inline_queries": False}
        self.pending: list[Update] = []
        self._update_ids = itertools.count(1000)
        self._seq = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self.chats: dict[int, dict[str, Any]] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.blocked: set[int] = set()
        self.sent: list[Sent] = []
        self.calls: list[tuple[str, int, float]] = []  # (method, http status, time answered)
        self.arrivals: list[tuple[str, float]] = []  # (method, time asked): a long poll counts when it starts
        self.rules: list[FailRule] = []
        self.commands: dict[str, list[dict[str, str]]] = {}
        self.files: dict[str, tuple[str, bytes]] = {}
        self.callbacks: dict[str, int] = {}
        self.webhook: dict[str, Any] = {"url": "", "secret_token": None, "allowed_updates": None}
        self.webhook_errors: list[str] = []
        self.update_times: dict[int, float] = {}  # update_id → when it was injected
        self._new_update = asyncio.Event()
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._http: ClientSession | None = None
        self._closing = False

    # ----------------------------------------------------------------- lifecycle
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> BotApiDouble:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        app.router.add_post("/_double/{action}", self._test_api)
        app.router.add_get("/_double/{action}", self._test_api)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        sockets = site._server.sockets  # type: ignore[union-attr]
        self.port = sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        self._closing = True  # long polls return at once instead of holding the shutdown
        self._new_update.set()
        if self._webhook_task:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._webhook_task, 15)
        if self._http:
            await self._http.close()
        if self._runner:
            await self._runner.cleanup()

    async def __aenter__(self) -> BotApiDouble:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ----------------------------------------------------------------- HTTP: Bot API
    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                params.update(await request.json())
            elif ctype == "multipart/form-data":
                reader = await request.multipart()
                async for part in reader:
                    if part.filename:  # type: ignore[union-attr]
                        params[part.name] = ("upload", await part.read())  # type: ignore[union-attr]
                    else:
                        params[part.name] = await part.text()  # type: ignore[union-attr]
            else:
                params.update(dict(await request.post()))
        for key, value in list(params.items()):
            if key in JSON_FIELDS and isinstance(value, str):
                params[key] = json.loads(value)
            elif key in INT_FIELDS and isinstance(value, str) and value.lstrip("-").isdigit():
                params[key] = int(value)
            elif key in BOOL_FIELDS and isinstance(value, str):
                params[key] = value.lower() in {"true", "1"}
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return self._error_response(method, TelegramError(401, "Unauthorized"))
        self.arrivals.append((method, time.monotonic()))
        try:
            params = await self._params(request)
            self._maybe_fail(method, params)
            handler = getattr(self, f"_m_{method.lower()}", None)
            if handler is None:
                raise TelegramError(404, "Not Found: method not found")
            result = await handler(params)
        except TelegramError as exc:
            return self._error_response(method, exc)
        except (ValueError, KeyError, TypeError) as exc:
            return self._error_response(method, TelegramError(400, f"Bad Request: {exc}"))
        self.calls.append((method, 200, time.monotonic()))
        return web.json_response({"ok": True, "result": result})

    def _error_response(self, method: str, exc: TelegramError) -> web.Response:
        self.calls.append((method, exc.status, time.monotonic()))
        body: dict[str, Any] = {"ok": False, "error_code": exc.status, "description": exc.description}
        if exc.parameters:
            body["parameters"] = exc.parameters
        return web.json_response(body, status=exc.status)

    def _maybe_fail(self, method: str, params: dict[str, Any]) -> None:
        for rule in self.rules:
            if rule.times <= 0 or rule.method.lower() not in {method.lower(), "*"}:
                continue
            if rule.chat_id is not None and params.get("chat_id") != rule.chat_id:
                continue
            rule.times -= 1
            if rule.status == 429:
                after = rule.retry_after or 1
                raise TelegramError(429, rule.description or f"Too Many Requests: retry after {after}",
                                    {"retry_after": after})
            defaults = {400: "Bad Request: injected failure", 403: "Forbidden: bot was blocked by the user",
                        500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
            raise TelegramError(rule.status, rule.description or defaults.get(rule.status, "Injected error"))

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401, text="Unauthorized")
        path = request.match_info["path"]
        for stored_path, data in self.files.values():
            if stored_path == path:
                return web.Response(body=data, content_type="application/octet-stream")
        return web.Response(status=404, text="Not Found")

    # ----------------------------------------------------------------- HTTP: test API (for out-of-process drivers)
    async def _test_api(self, request: web.Request) -> web.Response:
        action = request.match_info["action"]
        body: dict[str, Any] = await request.json() if request.method == "POST" and request.can_read_body else {}
        if action == "text":
            return web.json_response(self.send_text(int(body["user_id"]), body["text"]))
        if action == "press":
            return web.json_response(self.press(int(body["user_id"]), int(body["message_id"]), body.get("data"),
                                                text=body.get("text")))
        if action == "fail":
            rule = self.fail(body["method"], int(body["status"]), times=int(body.get("times", 1)),
                             retry_after=body.get("retry_after"), chat_id=body.get("chat_id"))
            return web.json_response({"method": rule.method, "status": rule.status, "times": rule.times})
        if action == "sent":
            since = int(request.query.get("since", 0))
            return web.json_response([{"seq": s.seq, "method": s.method, "chat_id": s.chat_id, "message_id": s.message_id,
                                       "text": s.text, "reply_markup": s.reply_markup} for s in self.sent if s.seq > since])
        return web.json_response({"error": f"unknown action {action}"}, status=404)
