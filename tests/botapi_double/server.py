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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

from .html_check import EntityError, plain_text

JSON_FIELDS = {
    "reply_markup", "commands", "scope", "allowed_updates", "entities", "caption_entities", "link_preview_options",
    "reply_parameters", "media",
}
INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "user_id", "max_connections", "cache_time"}
BOOL_FIELDS = {"drop_pending_updates", "disable_notification", "show_alert", "protect_content"}
MAX_POLL_SECONDS = 50.0

Update = dict[str, Any]


@dataclass
class FailRule:
    """Answer the next `times` calls of `method` ("*": any; optionally only for `chat_id`) with this error."""

    method: str
    status: int
    times: int = 1
    retry_after: int | None = None
    chat_id: int | None = None
    description: str | None = None


@dataclass
class Sent:
    """One thing the bot successfully did in a chat (a message, an edit, a callback answer)."""

    seq: int
    method: str
    chat_id: int | None
    message_id: int | None
    text: str | None  # visible text (HTML parsed), or the callback answer's text
    raw_text: str | None  # as the bot sent it
    reply_markup: dict[str, Any] | None
    photo: str | None
    at: float
    params: dict[str, Any] = field(default_factory=dict)

    def buttons(self) -> list[dict[str, Any]]:
        """All inline buttons of this message, flattened."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    def button(self, text: str) -> dict[str, Any]:
        for candidate in self.buttons():
            if candidate.get("text") == text or text in candidate.get("text", ""):
                return candidate
        raise KeyError(f"no button {text!r} in {[b.get('text') for b in self.buttons()]}")


class TelegramError(Exception):
    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


class BotApiDouble:
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

    # ----------------------------------------------------------------- test API: faults
    def fail(self, method: str, status: int, *, times: int = 1, retry_after: int | None = None,
             chat_id: int | None = None, description: str | None = None) -> FailRule:
        """Make the next `times` calls of `method` fail like Telegram does (429 needs `retry_after`)."""
        rule = FailRule(method, status, times, retry_after, chat_id, description)
        self.rules.append(rule)
        return rule

    def block(self, user_id: int) -> None:
        """The user blocks the bot: every send to them answers 403."""
        self.blocked.add(user_id)

    def failures(self, method: str | None = None) -> list[tuple[str, int, float]]:
        return [c for c in self.calls if c[1] >= 400 and (method is None or c[0] == method)]

    # ----------------------------------------------------------------- test API: what users do
    def user(self, user_id: int, first_name: str = "居民", username: str | None = None,
             language_code: str | None = "zh-hans") -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        chat = self.chats.setdefault(user_id, {"id": user_id, "type": "private", "first_name": first_name,
                                               "next_message_id": 1})
        chat["user"] = user
        return user

    def _message(self, user_id: int, chat: dict[str, Any] | None = None, **content: Any) -> dict[str, Any]:
        user = self.chats[user_id]["user"] if user_id in self.chats else self.user(user_id)
        chat = chat or self.chats[user_id]
        chat_state = self.chats.setdefault(chat["id"], {**chat, "next_message_id": 1})
        message_id = chat_state["next_message_id"]
        chat_state["next_message_id"] += 1
        public_chat = {k: v for k, v in chat_state.items() if k in {"id", "type", "first_name", "title", "username"}}
        message = {"message_id": message_id, "from": user, "chat": public_chat, "date": int(time.time()), **content}
        self.messages[(chat["id"], message_id)] = message
        return message

    def _push(self, update: Update) -> Update:
        update_id = next(self._update_ids)
        update = {"update_id": update_id, **update}
        self.pending.append(update)
        self.update_times[update_id] = time.monotonic()
        self._new_update.set()
        return update

    def send_text(self, user_id: int, text: str, **user_fields: Any) -> Update:
        """A user writes `text` in their private chat (commands get a bot_command entity)."""
        if user_fields or user_id not in self.chats:
            self.user(user_id, **user_fields)
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split()[0]) if text.split() else 1
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._push({"message": self._message(user_id, **content)})

    def send_location(self, user_id: int, latitude: float, longitude: float) -> Update:
        return self._push({"message": self._message(user_id, location={"latitude": latitude, "longitude": longitude})})

    def _register_file(self, data: bytes, folder: str, suffix: str) -> dict[str, Any]:
        number = next(self._file_ids)
        file_id = f"AgACAgIAAx{number:08d}double"
        self.files[file_id] = (f"{folder}/file_{number}.{suffix}", data)
        return {"file_id": file_id, "file_unique_id": f"uniq{number}", "file_size": len(data)}

    def send_photo(self, user_id: int, caption: str | None = None, data: bytes = b"\xff\xd8\xff\xe0fakejpeg") -> Update:
        small = self._register_file(data[:4], "photos", "jpg") | {"width": 90, "height": 90}
        large = self._register_file(data, "photos", "jpg") | {"width": 1280, "height": 960}
        content: dict[str, Any] = {"photo": [small, large]}
        if caption:
            content["caption"] = caption
        return self._push({"message": self._message(user_id, **content)})

    def send_contact(self, user_id: int, phone: str, *, own: bool = True) -> Update:
        contact = {"phone_number": phone, "first_name": "居民", "user_id": user_id if own else user_id + 1}
        return self._push({"message": self._message(user_id, contact=contact)})

    def send_sticker(self, user_id: int) -> Update:
        sticker = self._register_file(b"webp", "stickers", "webp") | {
            "width": 512, "height": 512, "is_animated": False, "is_video": False, "type": "regular", "emoji": "👍"}
        return self._push({"message": self._message(user_id, sticker=sticker)})

    def send_voice(self, user_id: int, seconds: int = 3) -> Update:
        voice = self._register_file(b"ogg", "voice", "oga") | {"duration": seconds, "mime_type": "audio/ogg"}
        return self._push({"message": self._message(user_id, voice=voice)})

    def send_document(self, user_id: int, file_name: str = "现场.pdf", caption: str | None = None) -> Update:
        document = self._register_file(b"%PDF-1.4", "documents", "pdf") | {"file_name": file_name,
                                                                             "mime_type": "application/pdf"}
        content: dict[str, Any] = {"document": document}
        if caption:
            content["caption"] = caption
        return self._push({"message": self._message(user_id, **content)})

    def send_forwarded(self, user_id: int, text: str) -> Update:
        """A message the user forwards from another chat (Bot API 7: `forward_origin`)."""
        origin = {"type": "hidden_user", "sender_user_name": "业主群群友", "date": int(time.time()) - 60}
        return self._push({"message": self._message(user_id, text=text, forward_origin=origin,
                                                    forward_date=origin["date"], forward_sender_name="业主群群友")})

    def edit_text(self, user_id: int, message_id: int, text: str) -> Update:
        original = self.messages[(user_id, message_id)]
        edited = {**original, "text": text, "edit_date": int(time.time())}
        self.messages[(user_id, message_id)] = edited
        return self._push({"edited_message": edited})

    def group_text(self, group_id: int, user_id: int, text: str) -> Update:
        """A message in a group the bot was added to (group ids are negative)."""
        chat = {"id": group_id, "type": "group", "title": "业主群"}
        if user_id not in self.chats:
            self.user(user_id)
        return self._push({"message": self._message(user_id, chat=chat, text=text)})

    def press(self, user_id: int, message: Sent | int, data: str | None = None, *, text: str | None = None) -> Update:
        """The user presses an inline button on a bot message (by callback `data` or by button `text`)."""
        sent = message if isinstance(message, Sent) else self.last_message(user_id, message_id=message)
        if data is None:
            if text is None:
                raise ValueError("press() needs the button's data or text")
            data = sent.button(text)["callback_data"]
        user = self.chats[user_id]["user"]
        stored = self.messages[(user_id, sent.message_id)] if sent.message_id else None
        callback_id = str(next(self._callback_ids))
        self.callbacks[callback_id] = user_id
        query = {"id": callback_id, "from": user, "chat_instance": f"ci{user_id}", "data": data, "message": stored}
        return self._push({"callback_query": query})

    # ----------------------------------------------------------------- test API: what the bot did
    def sent_to(self, chat_id: int, method: str | None = None) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == chat_id and (method is None or s.method == method)]

    def last_message(self, chat_id: int, *, message_id: int | None = None) -> Sent:
        for record in reversed(self.sent):
            if record.chat_id == chat_id and record.method in {"sendMessage", "sendPhoto"} and (
                    message_id is None or record.message_id == message_id):
                return record
        raise LookupError(f"the bot sent nothing to chat {chat_id}")

    async def wait_for(self, predicate: Callable[[Sent], bool], *, timeout: float = 10.0, after: int = 0) -> Sent:
        """The first record with seq > `after` matching `predicate`; TimeoutError names what was sent instead."""

        def found() -> Sent | None:
            return next((s for s in self.sent if s.seq > after and predicate(s)), None)

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: found() is not None), timeout)
            except TimeoutError:
                recent = [(s.method, s.chat_id, (s.text or "")[:60]) for s in self.sent if s.seq > after][-8:]
                raise TimeoutError(f"nothing matching within {timeout}s; sent since #{after}: {recent}") from None
        result = found()
        assert result is not None
        return result

    async def wait_text(self, chat_id: int, contains: str | tuple[str, ...], *, timeout: float = 10.0,
                        after: int = 0) -> Sent:
        """Wait until the bot sends (or edits into) a message to `chat_id` containing any of `contains`."""
        needles = (contains,) if isinstance(contains, str) else contains
        return await self.wait_for(
            lambda s: s.chat_id == chat_id and s.method != "answerCallbackQuery"
            and any(n in (s.text or "") for n in needles), timeout=timeout, after=after)

    async def wait_ready(self, *, timeout: float = 30.0, after: float = 0.0) -> None:
        """Wait until a bot is listening: it called getUpdates or setWebhook (after monotonic time `after`)."""
        deadline = time.monotonic() + timeout
        while not any(m in {"getUpdates", "setWebhook"} and t > after for m, t in self.arrivals):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no bot polled within {timeout}s; calls so far: {[c[:2] for c in self.calls][-5:]}")
            await asyncio.sleep(0.05)

    @property
    def mark(self) -> int:
        """The seq of the last record: pass as `after=` to wait only for what comes next."""
        return self.sent[-1].seq if self.sent else 0

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

    # ----------------------------------------------------------------- Bot API methods
    async def _m_getme(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    async def _m_logout(self, params: dict[str, Any]) -> bool:
        return True

    async def _m_close(self, params: dict[str, Any]) -> bool:
        return True

    async def _m_getupdates(self, params: dict[str, Any]) -> list[Update]:
        if self.webhook["url"]:
            raise TelegramError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                     "use deleteWebhook to delete the webhook first")
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = min(MAX_POLL_SECONDS, float(params.get("timeout") or 0))
        allowed = params.get("allowed_updates") or None
        if offset:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]  # confirmed by the offset
        deadline = time.monotonic() + timeout
        while True:
            ready = [u for u in self.pending if not allowed or any(k in allowed for k in u if k != "update_id")]
            if ready or time.monotonic() >= deadline or self._closing:
                return ready[:limit]
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), deadline - time.monotonic())

    def _chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        if chat_id not in self.chats:
            raise TelegramError(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            raise TelegramError(403, "Forbidden: bot was blocked by the user")
        return self.chats[chat_id]

    @staticmethod
    def _check_markup(markup: dict[str, Any] | None) -> None:
        if not markup:
            return
        for row in markup.get("inline_keyboard") or []:
            for button in row:
                if not button.get("text"):
                    raise TelegramError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode("utf-8")) <= 64:
                    raise TelegramError(400, "Bad Request: BUTTON_DATA_INVALID")
        for row in markup.get("keyboard") or []:
            for button in row:
                if not (button.get("text") if isinstance(button, dict) else button):
                    raise TelegramError(400, "Bad Request: keyboard button text is empty")

    @staticmethod
    def _visible(text: str | None, parse_mode: str | None) -> str:
        if text is None:
            return ""
        if parse_mode and parse_mode.upper() == "HTML":
            try:
                return plain_text(text)
            except EntityError as exc:
                raise TelegramError(400, str(exc)) from None
        return text

    def _record(self, method: str, chat_id: int | None, message_id: int | None, text: str | None, raw: str | None,
                markup: dict[str, Any] | None, photo: str | None, params: dict[str, Any]) -> Sent:
        record = Sent(next(self._seq), method, chat_id, message_id, text, raw, markup, photo, time.monotonic(),
                      {k: v for k, v in params.items() if not isinstance(v, tuple)})
        self.sent.append(record)
        asyncio.get_running_loop().create_task(self._notify())
        return record

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _bot_message(self, chat: dict[str, Any], **content: Any) -> dict[str, Any]:
        message_id = chat["next_message_id"]
        chat["next_message_id"] += 1
        public_chat = {k: v for k, v in chat.items() if k in {"id", "type", "first_name", "title", "username"}}
        message = {"message_id": message_id, "from": self.bot_user, "chat": public_chat, "date": int(time.time()),
                   **{k: v for k, v in content.items() if v is not None}}
        self.messages[(chat["id"], message_id)] = message
        return message

    async def _m_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        raw = params.get("text") or ""
        visible = self._visible(raw, params.get("parse_mode"))
        if not visible.strip():
            raise TelegramError(400, "Bad Request: message text is empty")
        if _utf16_len(visible) > 4096:  # Telegram counts UTF-16 code units, not characters
            raise TelegramError(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        self._check_markup(markup)
        message = self._bot_message(chat, text=visible, reply_markup=markup if markup and "inline_keyboard" in markup else None)
        self._record("sendMessage", chat["id"], message["message_id"], visible, raw, markup, None, params)
        return message

    async def _m_sendlocation(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        latitude, longitude = float(params["latitude"]), float(params["longitude"])
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise TelegramError(400, "Bad Request: wrong latitude or longitude")
        message = self._bot_message(chat, location={"latitude": latitude, "longitude": longitude})
        self._record("sendLocation", chat["id"], message["message_id"], None, None, None, None, params)
        return message

    async def _m_sendphoto(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        photo = params.get("photo")
        if isinstance(photo, tuple):  # uploaded bytes
            file_id = self._register_file(photo[1], "photos", "jpg")["file_id"]
        elif isinstance(photo, str) and photo in self.files:
            file_id = photo
        else:
            raise TelegramError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        raw = params.get("caption")
        visible = self._visible(raw, params.get("parse_mode"))
        if _utf16_len(visible) > 1024:
            raise TelegramError(400, "Bad Request: message caption is too long")
        markup = params.get("reply_markup")
        self._check_markup(markup)
        size = len(self.files[file_id][1])
        sizes = [{"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 1280, "height": 960, "file_size": size}]
        message = self._bot_message(chat, photo=sizes, caption=visible or None,
                                    reply_markup=markup if markup and "inline_keyboard" in markup else None)
        self._record("sendPhoto", chat["id"], message["message_id"], visible, raw, markup, file_id, params)
        return message

    def _own_message(self, params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        chat = self._chat(params)
        key = (chat["id"], int(params.get("message_id") or 0))
        message = self.messages.get(key)
        if message is None or message["from"]["id"] != self.bot_user["id"]:
            raise TelegramError(400, "Bad Request: message to edit not found")
        return chat, message

    async def _m_editmessagetext(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, message = self._own_message(params)
        if "text" not in message:
            raise TelegramError(400, "Bad Request: there is no text in the message to edit")
        raw = params.get("text") or ""
        visible = self._visible(raw, params.get("parse_mode"))
        if not visible.strip():
            raise TelegramError(400, "Bad Request: message text is empty")
        markup = params.get("reply_markup")
        self._check_markup(markup)
        if visible == message.get("text") and markup == message.get("reply_markup"):
            raise TelegramError(400, "Bad Request: message is not modified: specified new message content and reply "
                                     "markup are exactly the same as a current content and reply markup of the message")
        message.update(text=visible, edit_date=int(time.time()))
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        self._record("editMessageText", chat["id"], message["message_id"], visible, raw, markup, None, params)
        return message

    async def _m_editmessagereplymarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, message = self._own_message(params)
        markup = params.get("reply_markup")
        self._check_markup(markup)
        if markup == message.get("reply_markup") or (not markup and "reply_markup" not in message):
            raise TelegramError(400, "Bad Request: message is not modified: specified new message content and reply "
                                     "markup are exactly the same as a current content and reply markup of the message")
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        self._record("editMessageReplyMarkup", chat["id"], message["message_id"], message.get("text"), None, markup,
                     None, params)
        return message

    async def _m_answercallbackquery(self, params: dict[str, Any]) -> bool:
        callback_id = str(params.get("callback_query_id"))
        if callback_id not in self.callbacks:
            raise TelegramError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        chat_id = self.callbacks.pop(callback_id)
        text = params.get("text")
        if text and len(text) > 200:
            raise TelegramError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._record("answerCallbackQuery", chat_id, None, text, text, None, None, params)
        return True

    async def _m_sendchataction(self, params: dict[str, Any]) -> bool:
        self._chat(params)
        return True

    async def _m_getfile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = params.get("file_id")
        if file_id not in self.files:
            raise TelegramError(400, "Bad Request: invalid file_id")
        path, data = self.files[file_id]
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(data), "file_path": path}

    @staticmethod
    def _scope_key(params: dict[str, Any]) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True) + "|" + (params.get("language_code") or "")

    async def _m_setmycommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands") or []
        if len(commands) > 100:
            raise TelegramError(400, "Bad Request: too many commands")
        for command in commands:
            name = command.get("command", "")
            if not (1 <= len(name) <= 32 and name.replace("_", "").isalnum() and name.islower()):
                raise TelegramError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise TelegramError(400, "Bad Request: command description is empty or too long")
        self.commands[self._scope_key(params)] = commands
        return True

    async def _m_getmycommands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        return self.commands.get(self._scope_key(params), [])

    async def _m_deletemycommands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(self._scope_key(params), None)
        return True

    def commands_for(self, chat_id: int | None = None) -> list[str]:
        """The command names the bot set for one chat (or the default scope)."""
        scope = {"type": "default"} if chat_id is None else {"type": "chat", "chat_id": chat_id}
        return [c["command"] for c in self.commands.get(json.dumps(scope, sort_keys=True) + "|", [])]

    async def _m_setwebhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url") or ""
        secret = params.get("secret_token")
        if secret is not None and not (1 <= len(secret) <= 256 and all(c.isalnum() or c in "_-" for c in secret)):
            raise TelegramError(400, "Bad Request: secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self.pending.clear()
        self.webhook = {"url": url, "secret_token": secret, "allowed_updates": params.get("allowed_updates")}
        if url and self._webhook_task is None:
            self._webhook_task = asyncio.get_running_loop().create_task(self._deliver_webhook())
        return True

    async def _m_deletewebhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates"):
            self.pending.clear()
        self.webhook = {"url": "", "secret_token": None, "allowed_updates": None}
        return True

    async def _m_getwebhookinfo(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {"url": self.webhook["url"], "has_custom_certificate": False,
                                "pending_update_count": len(self.pending), "max_connections": 40}
        if self.webhook_errors:
            info["last_error_date"] = int(time.time())
            info["last_error_message"] = self.webhook_errors[-1]
        if self.webhook.get("allowed_updates"):
            info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    async def _deliver_webhook(self) -> None:
        """POST pending updates to the webhook in order, with the secret header; retry until answered 2xx."""
        self._http = self._http or ClientSession(timeout=ClientTimeout(total=10))
        while not self._closing:  # aiohttp may turn a cancellation into a connection error: check a flag too
            if not self.webhook["url"] or not self.pending:
                self._new_update.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._new_update.wait(), 0.5)
                continue
            update = self.pending[0]
            headers = {}
            if self.webhook["secret_token"]:
                headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
            try:
                async with self._http.post(self.webhook["url"], json=update, headers=headers) as response:
                    ok = 200 <= response.status < 300
                    if not ok:
                        self.webhook_errors.append(f"Wrong response from the webhook: {response.status}")
            except Exception as exc:  # the bot may be down; Telegram keeps retrying
                ok = False
                self.webhook_errors.append(f"Connection failed: {exc.__class__.__name__}")
            if ok and self.pending and self.pending[0] is update:
                self.pending.pop(0)
            elif not ok:
                await asyncio.sleep(0.2)

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


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
