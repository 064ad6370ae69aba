"""Where the terms of a message stand: the longest term wins, negated mentions drop out.

The classifier's matching keeps one `Mention` per term (every start, how exact); this module holds the
pure span rules it applies to the automaton's hits, so they can be read and tested apart from scoring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.nlu.lexicon import TermRef

#: Words that, right before a term, deny it ("不是噪音", "并非违建").
NEGATORS = ("不是", "并非", "并不是", "不属于", "不算")
NEGATION_WINDOW = 4
#: Right before a negator, these make it a rhetorical question that asserts the term ("难道不是违建?").
RHETORICAL = ("难道", "岂")
#: Clause boundaries stop a negator from reaching a later term.
_CLAUSE_BREAK = re.compile(r"[,.;!?,。;!?、\n]")


@dataclass(slots=True)
class Mention:
    """Every occurrence of one term in one dimension: where it appears and how exactly."""

    refs: tuple[TermRef, ...]
    starts: list[int]
    fuzzy: float = 1.0


def longest(spans: list[tuple[int, int, str, tuple[TermRef, ...]]], text: str) -> dict[str, Mention]:
    """Keep the longest term: "停车位" wins over "车位" inside it; then drop negated mentions."""
    spans.sort(key=_span_order)
    mentions: dict[str, Mention] = {}
    cover_end = -1
    lo_window = NEGATION_WINDOW
    for start, end, word, refs in spans:
        if end <= cover_end:
            continue  # inside a longer term of the same dimension
        cover_end = end
        lo = start - lo_window if start > lo_window else 0
        # Every negator contains 不 or 非: two C-level scans spare the full check for most mentions.
        if (text.find("不", lo, start) >= 0 or text.find("非", lo, start) >= 0) and negated(text, start):
            continue
        mention = mentions.get(word)
        if mention is None:
            mentions[word] = Mention(refs, [start])
        else:
            mention.starts.append(start)
    return mentions


def explained(exact: dict[str, Mention], intent: str | None, lo: int, hi: int) -> int:
    """How many characters of [lo, hi) exact terms of `intent` (None: of any intent) already cover
    (overlaps count twice)."""
    total = 0
    for term, mention in exact.items():
        if intent is None or any(ref.intent == intent for ref in mention.refs):
            size = len(term)
            total += sum(max(0, min(hi, s + size) - max(lo, s)) for s in mention.starts)
    return total


def _span_order(span: tuple[int, int, str, tuple[TermRef, ...]]) -> tuple[int, int]:
    return span[0], -span[1]


def negated(text: str, start: int) -> bool:
    """A negator just before the term, in the same clause, and not an A-not-A question (算不算, 是不是)."""
    window = _CLAUSE_BREAK.split(text[max(0, start - NEGATION_WINDOW) : start])[-1]
    offset = start - len(window)
    for neg in NEGATORS:
        at = window.rfind(neg)
        if at < 0 or (len(neg) == 1 and at + 1 != len(window)):
            continue
        before = offset + at - 1
        if neg.startswith("不") and before >= 0 and text[before] == neg[1:2]:
            continue  # 算不算 / 是不是: a question, not a denial
        if text.endswith(RHETORICAL, 0, offset + at):
            continue  # 难道不是违章建筑: a rhetorical question asserts it
        return True
    return False
