"""Telegram update objects → engine `Incoming` events (or a notice, or nothing), for both libraries.

aiogram and python-telegram-bot both mirror the Bot API's field names on their objects (`message.chat.type`,
`message.from_user`, `photo[-1].file_id`, `callback_query.data` …), so one duck-typed translator serves
both adapters and the two behave identically. No Telegram library is imported here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.dialog.events import Incoming, Sender

try:  # the dialog's own wording when it is there; a fallback keeps the adapter usable alone
    from bot.dialog.texts import UNSUPPORTED_EVENT
except ImportError:  # pragma: no cover - only while the dialog package is being written
    UNSUPPORTED_EVENT = "这类消息我暂时处理不了，请用文字描述，或发送位置、照片。"

EDITED_NOTICE = "修改后的消息不会重新处理。如需补充或更正，请直接再发一条消息。"
FOREIGN_CONTACT_NOTICE = "为保护隐私，只能登记您本人的电话。请用输入框旁的📎→联系人发送您自己的号码，或直接打字告诉我。"
DOCUMENT_NOTICE = "文件我暂时处理不了。如果是现场照片，请以“照片”方式发送（不要选“文件”）。"

_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?:\s+(.*))?$", re.DOTALL)
DEEP_LINK_BIND = re.compile(r"^bind[_-]([A-Za-z0-9_-]{1,40})$")


@dataclass(frozen=True, slots=True)
class Notice:
    """Not for the engine: a fixed, clear answer from the adapter (unsupported content, edits)."""

    chat_id: int
    text: str
    update_id: int | None = None


Translated = Incoming | Notice | None


def _sender(user: Any) -> Sender:
    return Sender(user_id=int(user.id), first_name=user.first_name or "", username=user.username,
                  language_code=user.language_code)


def parse_command(text: str, bot_username: str | None) -> tuple[str, str] | None:
    """`/cmd@bot args` → ("cmd", "args"); None when it is not a command for this bot."""
    match = _COMMAND.match(text.strip())
    if not match:
        return None
    name, addressed_to, args = match.group(1).lower(), match.group(2), (match.group(3) or "").strip()
    if addressed_to and bot_username and addressed_to.lower() != bot_username.lower():
        return None
    if name == "start":
        bind = DEEP_LINK_BIND.match(args)
        if bind:  # t.me/<bot>?start=bind_CODE opens the chat with "/start bind_CODE"
            return "bind", bind.group(1)
    return name, args


def translate_message(message: Any, *, bot_username: str | None = None, edited: bool = False,
                      update_id: int | None = None) -> Translated:
    """A Message (either library) → Incoming, Notice or None (quietly ignored)."""
    chat = getattr(message, "chat", None)
    user = getattr(message, "from_user", None)
    if chat is None or user is None or getattr(user, "is_bot", False):
        return None
    if chat.type != "private":
        return None  # groups and channels: the desk works in private chats only; stay quiet there
    chat_id = int(chat.id)
    if edited:
        return Notice(chat_id, EDITED_NOTICE, update_id)
    base = {"chat_id": chat_id, "sender": _sender(user), "message_id": message.message_id, "update_id": update_id}
    text = getattr(message, "text", None)
    if text is not None:
        command = parse_command(text, bot_username) if text.startswith("/") else None
        if command is not None:
            return Incoming(kind="command", command=command[0], text=command[1], **base)
        if text.startswith("/") and _COMMAND.match(text.strip()):
            return None  # a command addressed to another bot
        return Incoming(kind="text", text=text, **base)
    photo = getattr(message, "photo", None)
    if photo:
        return Incoming(kind="photo", photo_file_id=photo[-1].file_id, text=getattr(message, "caption", None), **base)
    location = getattr(message, "location", None)
    venue = getattr(message, "venue", None)
    if location is None and venue is not None:
        location = venue.location
    if location is not None:
        return Incoming(kind="location", latitude=float(location.latitude), longitude=float(location.longitude), **base)
    contact = getattr(message, "contact", None)
    if contact is not None:
        if contact.user_id is not None and int(contact.user_id) == int(user.id):
            return Incoming(kind="contact", phone=contact.phone_number, **base)
        return Notice(chat_id, FOREIGN_CONTACT_NOTICE, update_id)
    if getattr(message, "document", None) is not None:
        return Notice(chat_id, DOCUMENT_NOTICE, update_id)
    content = ("sticker", "voice", "audio", "video", "video_note", "animation", "dice", "poll", "game", "story")
    if any(getattr(message, name, None) is not None for name in content):
        return Notice(chat_id, UNSUPPORTED_EVENT, update_id)
    return None  # service messages (pins, joins…) need no answer


def translate_callback(query: Any, *, update_id: int | None = None) -> Translated:
    """A CallbackQuery (either library) → a `button` Incoming carrying the pressed button's data."""
    user = getattr(query, "from_user", None)
    if user is None:
        return None
    message = getattr(query, "message", None)
    chat = getattr(message, "chat", None) if message is not None else None
    if chat is not None and chat.type != "private":
        return None
    chat_id = int(chat.id) if chat is not None else int(user.id)
    return Incoming(chat_id=chat_id, sender=_sender(user), kind="button", payload=getattr(query, "data", None),
                    message_id=getattr(message, "message_id", None), callback_id=str(query.id), update_id=update_id)
