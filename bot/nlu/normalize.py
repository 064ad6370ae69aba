"""Text normalisation shared by the classifier and the knowledge base.

Residents write full-width digits, Traditional characters, emoji and stray control characters;
matching runs on one canonical form (NFKC, Simplified, lower-case Latin, single spaces) while the
resident's script is remembered so replies go back in the script they wrote in.

The script is judged on characters that belong to one script only (CC-CEDICT's lists, from `zhon`):
里, 台, 后 are written in both, so "丹桂里3棟" is Traditional, and place names count for neither.
Replies go out in the standard Traditional forms (OpenCC `s2tw`: 群, 裡, 為 — never 羣, 衆, 爲), and a
place name keeps its shared characters (丹桂里 → 丹桂里, 梨园小区 → 梨園小區).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import opencc
from zhon import cedict

Script = Literal["simplified", "traditional"]

# Categories dropped outright: controls, format chars (ZWJ, BOM), surrogates, private use, unassigned.
_DROP = {"Cc", "Cf", "Cs", "Co", "Cn"}
# Symbols kept because residents use them with meaning (temperature, money, time, dB).
_KEEP_SYMBOLS = set("℃°￥¥$%+-=<>~#@&*/:")
#: Characters of one script only: evidence of how someone writes. Everything else (里, 台, 后, 群…) is shared.
SIMPLIFIED_ONLY = frozenset(cedict.simplified) - frozenset(cedict.traditional)
TRADITIONAL_ONLY = frozenset(cedict.traditional) - frozenset(cedict.simplified)
#: How the OpenCC converters are configured: Traditional replies in the standard (Taiwan) character forms.
TO_TRADITIONAL = "s2tw"


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
        self._t2s = t2s_converter()
        self._s2t_converter: opencc.OpenCC | None = None
        self._places: re.Pattern[str] | None = None
        self._place_names: list[str] = []
        self._place_forms: dict[str, str] | None = None

    @property
    def _s2t(self) -> opencc.OpenCC:
        if self._s2t_converter is None:
            self._s2t_converter = opencc.OpenCC(TO_TRADITIONAL)  # two threads may both build it: harmless
        return self._s2t_converter

    def set_place_names(self, names: tuple[str, ...] | list[str]) -> None:
        """The place names of the desk (Simplified, as seeded): they count for no script when judging one,
        and keep their shared characters in Traditional replies (丹桂里 stays 丹桂里, not 丹桂裡)."""
        usable = sorted({n for n in names if len(n) >= 2}, key=len, reverse=True)
        self._places = re.compile("|".join(map(re.escape, usable))) if usable else None
        self._place_names, self._place_forms = usable, None  # their Traditional forms: at the first Traditional reply

    def _forms(self) -> dict[str, str]:
        if self._place_forms is None:
            self._place_forms = {n: "".join(ch if ch not in SIMPLIFIED_ONLY else self._s2t.convert(ch) for ch in n)
                                 for n in self._place_names}
        return self._place_forms

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
        simplified = to_simplified(self._t2s, cleaned) if cleaned else cleaned
        return NormalizedText(
            original=head,
            text=simplified.lower(),
            script=self._detect(cleaned, simplified),
            truncated=truncated,
        )

    def simplify(self, text: str) -> str:
        """Traditional → Simplified after cleaning (what admins' files go through too)."""
        return to_simplified(self._t2s, clean(text)).lower()

    def to_script(self, text: str, script: Script) -> str:
        """Render a reply in the resident's script (a Traditional text asked for in Simplified is simplified)."""
        if script != "traditional":
            return to_simplified(self._t2s, text) if any(ch in TRADITIONAL_ONLY for ch in text) else text
        converted = self._s2t.convert(text)
        if self._places is None or len(converted) != len(text):
            return converted
        out = list(converted)
        for m in self._places.finditer(text):
            out[m.start():m.end()] = self._forms()[m.group()]
        return "".join(out)

    def script_evidence(self, text: str) -> tuple[int, int]:
        """(Traditional-only, Simplified-only) characters in `text`, not counting place names: the evidence
        a chat's script is judged on. Shared characters (里, 台, 后) are no evidence either way."""
        cleaned = clean(text)
        if self._places is not None:
            simplified = to_simplified(self._t2s, cleaned)
            if len(simplified) == len(cleaned):
                keep = [True] * len(cleaned)
                for m in self._places.finditer(simplified):
                    keep[m.start():m.end()] = [False] * (m.end() - m.start())
                cleaned = "".join(ch for ch, k in zip(cleaned, keep, strict=True) if k)
        trad = sum(1 for ch in cleaned if ch in TRADITIONAL_ONLY)
        simp = sum(1 for ch in cleaned if ch in SIMPLIFIED_ONLY)
        return trad, simp

    def judge_script(self, text: str, current: Script) -> Script:
        """The script a chat writes in after this message: only clear evidence changes it (one script's
        characters and none of the other's, or twice as many), else the chat keeps the script it had."""
        return self.clear_script(text) or current

    def clear_script(self, text: str) -> Script | None:
        """The script this message clearly writes in (see `judge_script`), or None without clear evidence."""
        trad, simp = self.script_evidence(text)
        if trad > 0 and (simp == 0 or trad >= 2 * simp):
            return "traditional"
        if simp > 0 and (trad == 0 or simp >= 2 * trad):
            return "simplified"
        return None

    def _detect(self, cleaned: str, simplified: str) -> Script:
        """Traditional when the text has more Traditional-only than Simplified-only characters (one message
        alone; a chat follows `judge_script`)."""
        if cleaned == simplified:
            return "simplified"
        trad, simp = self.script_evidence(cleaned)
        return "traditional" if trad > simp else "simplified"


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


def to_simplified(t2s: opencc.OpenCC, text: str) -> str:
    """OpenCC's Traditional → Simplified, keeping every character that is Simplified already.

    OpenCC converts by phrase and some phrases read a Simplified character as a Traditional one: 打坏 comes out
    as 打坯, so "门被打坏了" would no longer say 坏了. A Simplified-only character is never a Traditional form,
    so it stays; Traditional and shared characters (乾 in 乾淨) keep OpenCC's phrase-aware conversion.
    """
    converted = t2s.convert(text)
    if converted == text or len(converted) != len(text):
        return converted
    return "".join(a if a in SIMPLIFIED_ONLY else b for a, b in zip(text, converted, strict=True))


@lru_cache(maxsize=1)
def t2s_converter() -> opencc.OpenCC:
    """The one Traditional → Simplified converter of the process: every `Normalizer` and the case word search
    (`simplify_chars`) share it rather than each loading its tables."""
    return opencc.OpenCC("t2s")


class _SimplifiedChars(dict):
    """`str.translate` table: a Traditional-only character → its Simplified form (OpenCC's, one character
    converted alone), filled on first sight; every other character is kept."""

    def __missing__(self, code: int) -> str | None:
        ch = chr(code)
        value = t2s_converter().convert(ch) if ch in TRADITIONAL_ONLY else ch
        self[code] = value
        return value


_SIMPLIFIED_CHARS = _SimplifiedChars()


def simplify_chars(text: str) -> str:
    """`text` with its Traditional-only characters simplified one by one, nothing else touched (no cleaning, no
    case folding): the form the case word search compares (`storage.words`). Character by character, because a
    word's form must stay a substring of its text's form (OpenCC's phrases turn a Simplified 打坏 into 打坯, a
    search for 坏 would miss it), and shared characters (里, 后, 乾) are kept, so a Simplified text is unchanged."""
    return text.translate(_SIMPLIFIED_CHARS)


@lru_cache(maxsize=4)
def default_normalizer(max_chars: int = 2000) -> Normalizer:
    """A shared normaliser for callers that have no injected one (CLI one-shots, tests)."""
    return Normalizer(max_chars)
