"""Telegram update objects → engine `Incoming` events (or nothing), for both libraries.

aiogram and python-telegram-bot both mirror the Bot API's field names on their objects (`message.chat.type`,
`message.from_user`, `photo[-1].file_id`, `callback_query.data` …), so one duck-typed translator serves
both adapters and the two behave identically. No Telegram library is imported here.
"""

from __future__ import annotations

import re
from typing import Any

from bot.messages import Incoming, Sender
from bot.wording import EDITED_NOTICE, FOREIGN_CONTACT_NOTICE, UNSUPPORTED_EVENT

__all__ = ["EDITED_NOTICE", "FOREIGN_CONTACT_NOTICE", "UNSUPPORTED_EVENT", "Translated",
           "parse_command", "translate_callback", "translate_message"]
#: Content that carries sound (a voice note: evidence of a report, though the desk cannot transcribe it).
_VOICE = ("voice", "audio", "video_note")
#: Content that is a file of some kind (evidence of a report).
_FILES = ("document", "video")
#: Content the desk cannot use at all.
_OTHER_CONTENT = ("sticker", "animation", "dice", "poll", "game", "story")

_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?:\s+(.*))?$", re.DOTALL)
DEEP_LINK_BIND = re.compile(r"^bind[_-]([A-Za-z0-9_-]{1,40})$")


#: Every update the desk reads becomes an `Incoming` (stickers, voice notes, edits too: the engine answers them
#: in the chat's script); None = stay quiet (groups, service messages, another bot's command).
Translated = Incoming | None


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
    """A Message (either library) → Incoming, or None (quietly ignored)."""
    chat = getattr(message, "chat", None)
    user = getattr(message, "from_user", None)
    if chat is None or user is None or getattr(user, "is_bot", False):
        return None
    if chat.type != "private":
        return None  # groups and channels: the desk works in private chats only; stay quiet there
    chat_id = int(chat.id)
    base = {"chat_id": chat_id, "sender": _sender(user), "message_id": message.message_id, "update_id": update_id}
    if edited:
        return Incoming(kind="edited", **base)
    text = getattr(message, "text", None)
    forwarded = getattr(message, "forward_origin", None) is not None or getattr(message, "forward_date", None) is not None
    if forwarded:  # someone else's words: never an answer to what the bot asked
        return Incoming(kind="forwarded", text=text or getattr(message, "caption", None), **base)
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
        return Incoming(kind="foreign_contact", **base)
    for name in _VOICE:
        if (voice := getattr(message, name, None)) is not None:
            return Incoming(kind="voice", file_id=getattr(voice, "file_id", None), **base)
    for name in _FILES:
        if (found := getattr(message, name, None)) is not None:
            return Incoming(kind="file", file_id=getattr(found, "file_id", None), text=getattr(message, "caption", None),
                            **base)
    if any(getattr(message, name, None) is not None for name in _OTHER_CONTENT):
        return Incoming(kind="sticker", **base)
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
