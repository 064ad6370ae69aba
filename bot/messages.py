"""The plain events and replies that adapters exchange with the dialog engine and the case service.

Adapters translate, the core decides: an adapter turns an update into an `Incoming`, calls the
engine, and renders each `Reply`. It sits below both `bot.dialog` and `bot.cases` (case notices are
`Reply`s too), so neither imports the other for them. Nothing here knows about any Telegram library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

#: What a person did. Besides text, commands, places, photos, contacts and buttons: a voice note (`voice`, also
#: audio and video notes), a file (`file`: documents and videos), a sticker or other content the desk cannot
#: read (`sticker`), a message forwarded from elsewhere (`forwarded`, its text in `text`), an edit of an earlier
#: message (`edited`) and someone else's contact card (`foreign_contact`): the engine answers each in the chat's
#: script, and keeps voice notes and files as evidence of a report being drafted.
EventKind = Literal["text", "command", "location", "photo", "contact", "button", "voice", "file", "sticker",
                    "forwarded", "edited", "foreign_contact"]

#: `Reply.extra` key: the outbox row that holds a copy of this reply (sending the reply marks the row sent).
OUTBOX_ID = "outbox_id"
#: `Reply.extra` key: show a one-time keyboard whose button (this label) shares the person's own phone number.
CONTACT_BUTTON = "contact_button"
#: Telegram limits callback data to 64 bytes; the engine keeps every payload under it.
MAX_CALLBACK_BYTES = 64


@dataclass(frozen=True, slots=True)
class Sender:
    """Who wrote: the Telegram user (or a console persona)."""

    user_id: int
    first_name: str = ""
    username: str | None = None
    language_code: str | None = None


@dataclass(frozen=True, slots=True)
class Incoming:
    """One thing a person did in a private chat with the bot."""

    chat_id: int
    sender: Sender
    kind: EventKind
    text: str | None = None  # message text, caption, or a command's argument string
    command: str | None = None  # "start", "my", "bind" … without the slash, lower-case
    payload: str | None = None  # callback data of a pressed inline button
    latitude: float | None = None
    longitude: float | None = None
    photo_file_id: str | None = None
    file_id: str | None = None  # a voice note's or a file's Telegram file id
    phone: str | None = None
    message_id: int | None = None  # the message the event came from (the button's message)
    callback_id: str | None = None  # to answer a callback query
    update_id: int | None = None  # the channel's id of the update (Telegram's update_id), for the log line
    channel: str = "telegram"  # which channel (`bot.channels`): `chat_id` and `sender.user_id` are its ids


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button; `data` comes back as `Incoming.payload` (≤ 64 bytes)."""

    text: str
    data: str

    def __post_init__(self) -> None:
        if len(self.data.encode("utf-8")) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {self.data!r}")


@dataclass(frozen=True, slots=True)
class Reply:
    """One message for the adapter to send (plain text: adapters escape it for HTML)."""

    chat_id: int
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()  # inline keyboard rows
    request_location: bool = False  # show a reply keyboard with a "send my location" button
    remove_keyboard: bool = False  # take a reply keyboard away
    photo_file_id: str | None = None  # send this photo with `text` as caption
    edit_message_id: int | None = None  # edit this message instead of sending a new one
    callback_answer: str | None = None  # short toast for the pressed button
    extra: dict[str, str] = field(default_factory=dict)  # adapter hints, e.g. parse notes
