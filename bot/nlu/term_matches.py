"""Where the terms of a message stand: the longest term wins, negated mentions drop out.

The classifier's matching keeps one `Mention` per term (every start, how exact); this module holds the
pure span rules it applies to the automaton's hits, so they can be read and tested apart from scoring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.nlu.lexicon import TermRef

#: A term that says who failed to handle a problem ("物业也不管", "向物业反映", "物业置之不理"), not what it is: it
#: counts for its category only when another term names that category too, or no other category is named
#: ("电梯坏了一个月，物业也不管" is an elevator case). Matched on the term's own text, so an admin's new
#: "物业不干活" is one too.
HANDLING_TERM = re.compile(r"(?:向|联系|找|打)物业|物业(?:也|都|还|就|根本|一直|并)?(?:不|未|没|置之不理|推诿|失职|电话)")

#: Words that, right before a term, deny it ("不是噪音", "并非违建").
NEGATORS = ("不是", "并非", "并不是", "不属于", "不算")
NEGATION_WINDOW = 4
#: Right before a negator, these make it a rhetorical question that asserts the term ("难道不是违建?").
RHETORICAL = ("难道", "岂")
#: Clause boundaries stop a negator from reaching a later term.
_CLAUSE_BREAK = re.compile(r"[,.;!?,。;!?、\n]")
#: A landmark right before one of these names where the problem is, not what it is: "红绿灯处的井盖",
#: "公交站旁边的垃圾", "隧道口有人摆摊". 处 only when it is not the verb (处理, 处罚…).
_PLACE_AFTER = re.compile(
    r"(?:总站|车站|站台|站|台|的)?(?:处(?![理罚分置于在])|旁|边|附近|路口|门口|对面|前面|后面|前方|对过|那里|那边|这里"
    r"|这边|一带|周边|周围|底下|下面|口|出口|入口|交界|交汇|路段)"
)
#: …and after one of these: "靠近信号灯的那段人行道", "距离红绿灯十米".
_PLACE_BEFORE = ("靠近", "距离", "临近", "紧邻", "挨着", "紧挨")


@dataclass(slots=True)
class Mention:
    """Every occurrence of one term in one dimension: where it appears and how exactly."""

    refs: tuple[TermRef, ...]
    starts: list[int]
    fuzzy: float = 1.0


def longest(spans: list[tuple[int, int, str, tuple[TermRef, ...]]], text: str) -> dict[str, Mention]:
    """Keep the longest term: "停车位" wins over "车位" inside it, and of two terms that overlap the longer one
    counts ("楼道灯坏了" is not also a 楼道 term); then drop negated mentions."""
    spans.sort(key=_span_order)
    kept: list[tuple[int, int, str, tuple[TermRef, ...]]] = []
    cover_end = -1
    for span in spans:
        start, end = span[0], span[1]
        if end <= cover_end:
            continue  # inside a longer term of the same dimension
        if start < cover_end:  # overlaps the last kept term: the longer of the two stays (the first on a tie)
            last = kept[-1]
            if end - start <= last[1] - last[0]:
                continue
            kept.pop()
        kept.append(span)
        cover_end = end
    mentions: dict[str, Mention] = {}
    lo_window = NEGATION_WINDOW
    for start, _end, word, refs in kept:
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


def as_place(text: str, start: int, end: int) -> bool:
    """The term at [start, end) stands as a place ("红绿灯处", "靠近公交站"), not as the topic."""
    return _PLACE_AFTER.match(text, end) is not None or text.endswith(_PLACE_BEFORE, 0, start)


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
