"""The double's test side: make people write, press and fail, then read and wait for what the bot sent."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from .records import FailRule, Sent, Update


class PeopleSide:
    """Mixed into `BotApiDouble`: what a test does as the people on Telegram, and how it reads the bot's answers."""

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
