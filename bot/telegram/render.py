"""Engine `Reply` → framework-neutral Bot API calls (`Outgoing`), with every user-visible text HTML-escaped.

Both adapters render through here, so escaping, message splitting and keyboard choice are decided once;
an adapter only turns an `Outgoing` into its library's call.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Literal

from bot.messages import CONTACT_BUTTON, MAX_CALLBACK_BYTES, Reply
from bot.wording import LOCATION_BUTTON, LOCATION_HINT

#: Telegram's limits, counted on the visible text in UTF-16 code units (an emoji or a rare CJK character
#: outside the BMP counts two): a caption of 568 characters can be 1,030 units and be refused.
MAX_TEXT = 4096
MAX_CAPTION = 1024


@dataclass(frozen=True, slots=True)
class InlineKeyboard:
    rows: tuple[tuple[tuple[str, str], ...], ...]  # (text, callback data)


@dataclass(frozen=True, slots=True)
class LocationKeyboard:
    """A one-time reply keyboard whose single button shares the user's location."""

    button_text: str = LOCATION_BUTTON


@dataclass(frozen=True, slots=True)
class ContactKeyboard:
    """A one-time reply keyboard whose single button shares the user's own phone number (the consent)."""

    button_text: str


@dataclass(frozen=True, slots=True)
class RemoveKeyboard:
    pass


Markup = InlineKeyboard | LocationKeyboard | ContactKeyboard | RemoveKeyboard | None


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One Bot API call: sendMessage, sendPhoto, sendLocation or editMessageText, HTML parse mode."""

    kind: Literal["message", "photo", "edit", "location"]
    chat_id: int
    html: str
    markup: Markup = None
    photo: str | None = None
    message_id: int | None = None  # for edits
    location: tuple[float, float] | None = None  # (latitude, longitude) for a map pin

    def as_new_message(self, note: str = "") -> Outgoing:
        """The same content as a fresh text message (the message to edit is gone, or a photo was refused)."""
        text = self.html + ("\n" + escape(note) if note and self.html else escape(note))
        return Outgoing("message", self.chat_id, text, self.markup)


def escape(text: str) -> str:
    """User and engine text is plain; Telegram HTML needs only &, < and > escaped."""
    return html.escape(text, quote=False)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _fitting_prefix(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` UTF-16 units (whole characters only)."""
    units = 0
    for index, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut long plain text into message-sized parts (UTF-16 units), preferring line breaks, never inside a character."""
    parts: list[str] = []
    rest = text
    while utf16_len(rest) > limit:
        fits = _fitting_prefix(rest, limit)
        cut = rest.rfind("\n", fits // 2, fits)
        cut = fits if cut <= 0 else cut
        parts.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    if rest.strip():
        parts.append(rest)
    return parts


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` UTF-16 units, with an ellipsis when cut."""
    if utf16_len(text) <= limit:
        return text
    return text[: _fitting_prefix(text, limit - 1)] + "…"


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
    contact = ContactKeyboard(reply.extra[CONTACT_BUTTON]) if reply.extra.get(CONTACT_BUTTON) else None
    markup: Markup = inline or location or contact or (RemoveKeyboard() if reply.remove_keyboard else None)
    text = reply.text or ""
    chat = reply.chat_id

    if reply.edit_message_id is not None and not reply.photo_file_id:
        if not text.strip():
            return []
        return [Outgoing("edit", chat, escape(shorten(text, MAX_TEXT)), inline, message_id=reply.edit_message_id)]

    calls: list[Outgoing] = []
    if reply.photo_file_id:
        if utf16_len(text) <= MAX_CAPTION:
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
    pin = _pin(reply)
    if pin is not None:  # a place a worker can go to: the map pin follows the case
        calls.append(Outgoing("location", chat, "", location=pin))
    return calls


def _pin(reply: Reply) -> tuple[float, float] | None:
    """The (latitude, longitude) a reply carries in `extra`, when both are there and make sense."""
    try:
        lat, lon = float(reply.extra["latitude"]), float(reply.extra["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None
