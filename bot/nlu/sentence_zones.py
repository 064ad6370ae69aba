"""Sentence zones: the opening sentence states the topic, a request sentence says what to handle, the rest is body.

A term counts where it stands most prominently; the zone's position weight (hand-set here, or fitted —
`fitted.ZONES`) scales it. Shared by the classifier and the fit so both read a letter the same way.
"""

from __future__ import annotations

import re
from bisect import bisect_right

#: Where a term stands: the opening sentence states the topic (residents lead with the problem or
#: write a title), a later sentence that asks for action names what they want handled, the rest is
#: context. Weights are relative to the opening, so thresholds read as "one keyword up front".
#: A date stamp after a space starts a sentence: normalising turns a work order's line breaks into spaces, and the
#: department's reply or the resident's follow-up it quotes ("… 2017-11-25 11:20 某局答复: …") is not the opening.
_SENTENCE_END = re.compile(r"[。!?！？\n]+|\s\d[、.．]|\s(?=(?:19|20)\d\d-\d{1,2}-\d{1,2})")
#: 请 also covers 请求/恳请/敬请, 望 covers 希望; one C-level search per sentence.
_REQUEST_MARKER = re.compile("请|望|要求|呼吁|建议|盼")
#: A question that asks the desk to act ("能不能管管", "有没有人管", "能不能处理一下"): when it names a category the
#: desk handles, it is a report dressed as a question ("我想问一下楼上天天半夜装修能不能管管"), filed, not answered
#: (the classifier's act decision; it was the dialog intake's until 2026-12-01).
ASKS_ACTION = re.compile(
    r"能不能(?:帮忙|帮我们|给)?(?:管|处理|解决|来|过来|派人|清理|清运|整治|修)|能否(?:管|处理|解决|派人)|管一?管|有没有人管"
    r"|有人管[吗么没]|谁来管|怎么没人管|(?:能|可以)管[吗么]|帮忙(?:处理|解决|管)")
BODY_WEIGHT = 0.5
REQUEST_WEIGHT = 0.8
#: Zone ranks (`fitted.ZONES`): a term counts where it stands most prominently.
OPENING, REQUEST, BODY = 0, 1, 2
HAND_POSITIONS = (1.0, REQUEST_WEIGHT, BODY_WEIGHT)


def zones(text: str) -> tuple[list[int], list[int]]:
    """Sentence starts and their zone rank: OPENING (the first), REQUEST (asks for action) or BODY."""
    starts: list[int] = []
    ranks: list[int] = []
    start = 0
    for match in [*_SENTENCE_END.finditer(text), None]:
        end = match.end() if match else len(text)
        if end > start:
            rank = OPENING if not starts else BODY
            if rank == BODY and _REQUEST_MARKER.search(text, start, end):
                rank = REQUEST
            starts.append(start)
            ranks.append(rank)
        start = end
    return starts, ranks


def rank_at(start: int, starts: list[int], ranks: list[int]) -> int:
    at = bisect_right(starts, start) - 1
    return ranks[at] if at >= 0 else BODY
