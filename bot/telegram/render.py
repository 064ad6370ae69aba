"""Engine `Reply` → framework-neutral Bot API calls (`Outgoing`), with every user-visible text HTML-escaped.

Both adapters render through here, so escaping, message splitting and keyboard choice are decided once;
an adapter only turns an `Outgoing` into its library's call.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Literal

from bot.dialog.events import MAX_CALLBACK_BYTES, Reply

MAX_TEXT = 4096  # Telegram's limit for a message, counted on the visible text
MAX_CAPTION = 1024
LOCATION_BUTTON = "📍 发送我的位置"
LOCATION_HINT = "也可以点下方按钮直接发送位置。"


@dataclass(frozen=True, slots=True)
class InlineKeyboard:
    rows: tuple[tuple[tuple[str, str], ...], ...]  # (text, callback data)


@dataclass(frozen=True, slots=True)
class LocationKeyboard:
    """A one-time reply keyboard whose single button shares the user's location."""

    button_text: str = LOCATION_BUTTON


@dataclass(frozen=True, slots=True)
class RemoveKeyboard:
    pass


Markup = InlineKeyboard | LocationKeyboard | RemoveKeyboard | None


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One Bot API call: sendMessage, sendPhoto or editMessageText, HTML parse mode."""

    kind: Literal["message", "photo", "edit"]
    chat_id: int
    html: str
    markup: Markup = None
    photo: str | None = None
    message_id: int | None = None  # for edits

    def as_new_message(self) -> Outgoing:
        """The same content as a fresh message (when the message to edit is gone)."""
        return Outgoing("message", self.chat_id, self.html, self.markup)


def escape(text: str) -> str:
    """User and engine text is plain; Telegram HTML needs only &, < and > escaped."""
    return html.escape(text, quote=False)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut long plain text into message-sized parts, preferring line breaks, never splitting a surrogate pair."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", limit // 2, limit)
        cut = limit if cut <= 0 else cut
        parts.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    if rest.strip():
        parts.append(rest)
    return parts


def inline_keyboard(reply: Reply) -> InlineKeyboard | None:
    rows = tuple(
        tuple((button.text[:64] or "·", button.data) for button in row
              if 0 < len(button.data.encode("utf-8")) <= MAX_CALLBACK_BYTES)
        for row in reply.buttons
    )
    rows = tuple(row for row in rows if row)
    return InlineKeyboard(rows) if rows else None


def render(reply: Reply) -> list[Outgoing]:
    """The Bot API calls that show `reply`; empty when the reply is only a callback toast."""
    inline = inline_keyboard(reply)
    location = LocationKeyboard(reply.extra.get("location_button", LOCATION_BUTTON)) if reply.request_location else None
    markup: Markup = inline or location or (RemoveKeyboard() if reply.remove_keyboard else None)
    text = reply.text or ""
    chat = reply.chat_id

    if reply.edit_message_id is not None and not reply.photo_file_id:
        if not text.strip():
            return []
        visible = text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
        return [Outgoing("edit", chat, escape(visible), inline, message_id=reply.edit_message_id)]

    calls: list[Outgoing] = []
    if reply.photo_file_id:
        if len(text) <= MAX_CAPTION:
            calls.append(Outgoing("photo", chat, escape(text), markup, photo=reply.photo_file_id))
            markup, text = None, ""
        else:
            calls.append(Outgoing("photo", chat, "", None, photo=reply.photo_file_id))
    parts = split_text(text)
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        calls.append(Outgoing("message", chat, escape(part), markup if last else None))
    if inline and location:  # one message carries one keyboard: the location button rides on a short hint
        calls.append(Outgoing("message", chat, escape(reply.extra.get("location_hint", LOCATION_HINT)), location))
    return calls
