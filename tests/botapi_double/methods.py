"""The Bot API methods the double implements, validating what Telegram validates."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

from aiohttp import ClientSession, ClientTimeout

from .html_check import EntityError, plain_text
from .records import Sent, TelegramError, Update, utf16_len

MAX_POLL_SECONDS = 50.0  # Telegram holds a long poll at most this long


class BotApiMethods:
    """Mixed into `BotApiDouble`: one `_m_<method>` per Bot API method, called with the request's parameters."""

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
        if utf16_len(visible) > 4096:  # Telegram counts UTF-16 code units, not characters
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
        if utf16_len(visible) > 1024:
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
