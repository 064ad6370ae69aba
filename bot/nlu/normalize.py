"""Text normalisation shared by the classifier and the knowledge base.

Residents write full-width digits, Traditional characters, emoji and stray control characters;
matching runs on one canonical form (NFKC, Simplified, lower-case Latin, single spaces) while the
resident's script is remembered so replies go back in the script they wrote in.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import opencc

Script = Literal["simplified", "traditional"]

# Categories dropped outright: controls, format chars (ZWJ, BOM), surrogates, private use, unassigned.
_DROP = {"Cc", "Cf", "Cs", "Co", "Cn"}
# Symbols kept because residents use them with meaning (temperature, money, time, dB).
_KEEP_SYMBOLS = set("℃°￥¥$%+-=<>~#@&*/:")


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """The canonical form of one message, plus what the dialog needs to answer well."""

    original: str
    text: str
    script: Script
    truncated: bool

    @property
    def empty(self) -> bool:
        """True when nothing readable is left (emoji-only, binary, whitespace)."""
        return not self.text


class Normalizer:
    """Holds the OpenCC converters (costly to build) and caps message length.

    Simplified → Traditional (26 MiB of phrase tables, against 3 MiB the other way) is built on the
    first message that needs it: most desks never see Traditional text.
    """

    def __init__(self, max_chars: int = 2000):
        self.max_chars = max_chars
        self._t2s = opencc.OpenCC("t2s")
        self._s2t_converter: opencc.OpenCC | None = None

    @property
    def _s2t(self) -> opencc.OpenCC:
        if self._s2t_converter is None:
            self._s2t_converter = opencc.OpenCC("s2t")  # two threads may both build it: harmless
        return self._s2t_converter

    def normalize(self, raw: str | bytes | None) -> NormalizedText:
        """Canonicalise `raw`; never raises on empty, binary-looking or huge input."""
        if raw is None:
            raw = ""
        if isinstance(raw, bytes | bytearray):
            raw = bytes(raw).decode("utf-8", errors="replace")
        # Cap early so a megabyte of text costs no more than the cap.
        truncated = len(raw) > self.max_chars
        head = raw[: self.max_chars]
        cleaned = clean(head)
        simplified = self._t2s.convert(cleaned) if cleaned else cleaned
        return NormalizedText(
            original=head,
            text=simplified.lower(),
            script=self._detect(cleaned, simplified),
            truncated=truncated,
        )

    def simplify(self, text: str) -> str:
        """Traditional → Simplified after cleaning (what admins' files go through too)."""
        return self._t2s.convert(clean(text)).lower()

    def to_script(self, text: str, script: Script) -> str:
        """Render a reply in the resident's script."""
        return self._s2t.convert(text) if script == "traditional" else text

    def _detect(self, cleaned: str, simplified: str) -> Script:
        """Traditional when more characters change going to Simplified than going to Traditional."""
        if cleaned == simplified:
            return "simplified"
        trad_only = sum(1 for a, b in zip(cleaned, simplified, strict=False) if a != b)
        traditional = self._s2t.convert(cleaned)
        simp_only = sum(1 for a, b in zip(cleaned, traditional, strict=False) if a != b)
        return "traditional" if trad_only > simp_only else "simplified"


class _CharFilter(dict):
    """`str.translate` table filled on first sight of each character: drop, space or keep."""

    def __missing__(self, code: int) -> str | None:
        ch = chr(code)
        if ch.isspace():
            value: str | None = " "
        else:
            cat = unicodedata.category(ch)
            drop = cat in _DROP or ch == "\ufffd" or (cat in ("So", "Sk", "Mn", "Me") and ch not in _KEEP_SYMBOLS)
            value = None if drop else ch
        self[code] = value
        return value


_FILTER = _CharFilter()
_SPACES = re.compile(r" {2,}")


def clean(text: str) -> str:
    """NFKC (full-width → half-width), drop emoji/controls/replacement chars, fold whitespace.

    Emoji, variation selectors, combining marks and dingbats carry no meaning for matching.
    """
    text = unicodedata.normalize("NFKC", text).translate(_FILTER)
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=4)
def default_normalizer(max_chars: int = 2000) -> Normalizer:
    """A shared normaliser for callers that have no injected one (CLI one-shots, tests)."""
    return Normalizer(max_chars)
