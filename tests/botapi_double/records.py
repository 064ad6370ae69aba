"""What the double records and answers: an update, a fault rule, one thing the bot sent, a Telegram error."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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


def utf16_len(text: str) -> int:
    """Telegram counts text lengths in UTF-16 code units, not characters."""
    return len(text.encode("utf-16-le")) // 2
