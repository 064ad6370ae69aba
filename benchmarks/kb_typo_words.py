"""Which real words the typo matcher would take for a same-sounding tag, and whether it now lets them count.

Run: PYTHONPATH=. .venv/bin/python benchmarks/kb_typo_words.py [--top 40]
Every jieba dictionary word of 2-4 characters is tried against every tag exactly as `Index._typo_fixes`
tries a chunk of a question; the list shows the most frequent ones (可以 → 可疑 was such a case).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import PROJECT_ROOT
from bot.kb import KnowledgeBase
from bot.kb.index import _CJK_RUN, COMMON_WORD_FREQ
from bot.nlu.normalize import Normalizer
from bot.nlu.segment import _freq_dict


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    index = KnowledgeBase.load(PROJECT_ROOT / "knowledge", Normalizer()).index
    freq, _ = _freq_dict()
    rows = []
    for word, count in freq.items():
        if not count or not 2 <= len(word) <= 4 or not _CJK_RUN.fullmatch(word) or index._idf_of(word) is not None:
            continue
        sounds = [index._pinyin.of_char(ch) for ch in word]
        for key in itertools.islice(itertools.product(*sounds), 8):
            tag = index._sounds.get(key)
            if tag is not None and tag != word:
                rows.append((count, word, tag, index._maybe_typo(word, tag)))
    rows.sort(reverse=True)
    common = [r for r in rows if r[0] >= COMMON_WORD_FREQ]
    print(f"dictionary words sounding like a tag: {len(rows)}; at least {COMMON_WORD_FREQ} in jieba: {len(common)}; "
          f"of those still taken as typos: {sum(r[3] for r in common)}")
    for count, word, tag, taken in rows[: args.top]:
        print(f"{count:>7} {word} → {tag}  {'TAKEN' if taken else 'stopped'}")


if __name__ == "__main__":
    main()
