"""How alike two reports' words are (0..100), for 附议: same intent + same grid + similar words = same problem.

Chinese has no spaces, so word-level token ratios say little; we combine rapidfuzz's edit-distance
ratio with the overlap of character bigrams after dropping punctuation, digits' forms and filler
words, which catches "3栋楼上半夜装修" vs "三栋楼上天天晚上装修太吵".
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from bot.cases.routing import canonical

_NOISE = re.compile(r"[\W_]+", re.UNICODE)
_FILLERS = ("请问", "你好", "您好", "麻烦", "谢谢", "一下", "我们", "我家", "这个", "那个", "真的", "非常", "天天",
            "每天", "已经", "还是", "怎么", "什么", "一直", "实在", "严重", "希望", "尽快", "处理", "反映", "投诉",
            "了", "的", "啊", "吧", "呢")


def _clean(text: str) -> str:
    text = _NOISE.sub("", canonical(text))
    for filler in _FILLERS:
        text = text.replace(filler, "")
    return text


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} if len(text) > 1 else {text}


#: A report's words as `similarity` compares them: the cleaned text and its character bigrams.
Prepared = tuple[str, frozenset[str]]


def prepare(text: str) -> Prepared:
    """What `similarity` computes of one side; a caller comparing one report with many cases keeps these per case."""
    cleaned = _clean(text)
    return cleaned, frozenset(_bigrams(cleaned))


def similarity(a: str, b: str) -> float:
    """0..100; symmetric; empty text is never similar to anything."""
    return similarity_of(prepare(a), prepare(b))


def similarity_of(a: Prepared, b: Prepared) -> float:
    """`similarity` of two prepared texts."""
    (ca, ga), (cb, gb) = a, b
    if not ca or not cb:
        return 0.0
    ratio = fuzz.ratio(ca, cb)
    common = len(ga & gb)
    overlap = common / min(len(ga), len(gb))  # share of the shorter report found in the longer
    dice = 2 * common / (len(ga) + len(gb))
    return round(max(ratio, 100 * (0.6 * overlap + 0.4 * dice)), 1)
