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
_SENTENCE_END = re.compile(r"[。!?！？\n]+|\s\d[、.．]")
#: 请 also covers 请求/恳请/敬请, 望 covers 希望; one C-level search per sentence.
_REQUEST_MARKER = re.compile("请|望|要求|呼吁|建议|盼")
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
