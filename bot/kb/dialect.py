"""Cantonese and colloquial words residents type, in the Mandarin the entries are written in.

The entries say 家, 被人, 监控, 没有; a resident writing Cantonese says 屋企, 畀人, 闭路电视, 冇. Stopwords drop the
Cantonese function words, but content words such as 屋企 or 爆格 are words no entry has, so they sank the
answer as unknown words. The table is applied to the normalised (Simplified) question only, never to entries,
longest form first, so 有冇 becomes 有没有 before 冇 alone is looked at.
"""

from __future__ import annotations

import re

#: Resident's form → the Mandarin word entries use. Only forms that are not also common Mandarin words.
COLLOQUIAL = {
    "屋企": "家",
    "屋企人": "家人",
    "畀人": "被人",
    "俾人": "被人",
    "爆格": "入室盗窃",
    "闭路电视": "监控",
    "天眼": "监控",
    "坏咗": "坏了",
    "有冇": "有没有",
    "冇人": "没人",
    "冇": "没有",
    "唔该": "请",
    "要唔要": "要不要",
    "使唔使": "需不需要",
    "边个": "谁",
    "边度": "哪里",
    "揾": "找",
    "睇": "看",
    "嘈": "吵",
    "好嘈": "很吵",
    "返工": "上班",
    "楼上嗰家": "楼上",
    "差佬": "警察",
    "搞掂": "搞定",
}
_FORMS = re.compile("|".join(sorted(map(re.escape, COLLOQUIAL), key=len, reverse=True)))


def to_mandarin(text: str) -> str:
    """`text` with Cantonese/colloquial content words replaced by the Mandarin ones entries use."""
    return _FORMS.sub(lambda m: COLLOQUIAL[m.group()], text)
