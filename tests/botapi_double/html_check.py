"""Telegram's HTML parse mode, checked the way the real server does: unknown tags, stray `<` or `&` fail.

The double uses it so that a bot which forgets to escape a resident's `<3` or `A&B` gets the same
"can't parse entities" 400 it would get from Telegram.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre",
    "blockquote", "tg-emoji",
}
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


class EntityError(ValueError):
    """The text is not valid Telegram HTML; the message mimics Telegram's description."""


class _Walker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.plain: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise EntityError(f"Bad Request: can't parse entities: Unsupported start tag \"{tag}\"")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise EntityError(f"Bad Request: can't parse entities: Unmatched end tag \"{tag}\"")
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.plain.append(data)


def plain_text(text: str) -> str:
    """Return the visible text of an HTML-mode message or raise `EntityError` like Telegram would."""
    # Telegram accepts only the four named entities and numeric ones; a bare `&` or `<` is an error.
    for match in re.finditer(r"&", text):
        if not _ENTITY.match(text, match.start()):
            raise EntityError("Bad Request: can't parse entities: Character '&' is reserved and must be escaped")
    for match in re.finditer(r"<", text):
        rest = text[match.start() + 1 : match.start() + 2]
        if not (rest.isalpha() or rest == "/"):
            raise EntityError("Bad Request: can't parse entities: Character '<' is reserved and must be escaped")
    walker = _Walker()
    walker.feed(text)
    walker.close()
    if walker.stack:
        tag = walker.stack[-1]
        raise EntityError(f"Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"{tag}\"")
    return html.unescape("".join(walker.plain))
