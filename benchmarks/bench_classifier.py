"""Classifier speed on real messages: shipped intents vs intents grown 10×, against jieba alone.

Prints messages/s, p50/p99 per message, and the ratios the acceptance reads:
classify-all / jieba-segment-all (≤ 1.5) and grown / shipped (≤ 1.3).
Run: `.venv/bin/python benchmarks/bench_classifier.py [--limit N]`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import statistics
import time
from itertools import islice

import jieba

from bot import PROJECT_ROOT
from bot.nlu.classifier import Classifier
from bot.nlu.intent_files import IntentSet, Term, load_intents
from bot.nlu.normalize import Normalizer

CORPUS = PROJECT_ROOT.parent / "shared" / "data" / "resident_messages.jsonl"


def load_texts(limit: int | None) -> list[str]:
    texts = [json.loads(line)["text"] for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts[:limit] if limit else texts


def grow(intents: IntentSet, factor: int, texts: list[str], *, words: bool = True, seed: int = 7) -> IntentSet:
    """Add (factor-1)× as many generated keywords to every intent, drawn from real messages.

    `words=True` (the acceptance run): distinct 2–4 character words as jieba segments the corpus,
    i.e. words residents really use, which is what an admin adds. `words=False` (a stress run):
    arbitrary 2–4 character runs of text ("区的问"), which match far more often than any keyword.
    """
    rng = random.Random(seed)
    existing = {t.text for i in intents.intents for t, _, _ in i.all_terms()}
    sample = texts[:2000]
    if words:
        segmenter = jieba.Tokenizer()
        pool = sorted({w for text in sample for w in segmenter.lcut(text) if 2 <= len(w) <= 4 and _han(w)} - existing)
        rng.shuffle(pool)
    else:
        joined = "".join(sample)
        pool = []
        while len(pool) < factor * 3000:
            start = rng.randrange(len(joined) - 4)
            word = joined[start : start + rng.randint(2, 4)]
            if word not in existing and _han(word):
                existing.add(word)
                pool.append(word)
    supply = iter(pool)
    grown = []
    for intent in intents.intents:
        wanted = (factor - 1) * max(1, len(intent.keywords) + len(intent.phrases))
        extra = tuple(Term(word, round(rng.uniform(0.3, 2.0), 2), 0, word) for word in islice(supply, wanted))
        grown.append(dataclasses.replace(intent, keywords=intent.keywords + extra))
    return IntentSet(tuple(grown), source=f"{intents.source} ×{factor}")


def _han(word: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in word)


def timed(fn, texts: list[str]) -> tuple[float, list[float]]:
    per: list[float] = []
    started = time.perf_counter()
    for text in texts:
        t0 = time.perf_counter()
        fn(text)
        per.append(time.perf_counter() - t0)
    return time.perf_counter() - started, per


def describe(name: str, total: float, per: list[float]) -> str:
    q = statistics.quantiles(per, n=100)
    return (f"{name:<34} {len(per) / total:>9.0f} msg/s   p50 {q[49] * 1e3:6.3f} ms   "
            f"p99 {q[98] * 1e3:6.3f} ms   total {total:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=None, help="only the first N corpus messages")
    parser.add_argument("--factor", type=int, default=10, help="how many times to grow the vocabulary")
    args = parser.parse_args()
    texts = load_texts(args.limit)
    normalizer = Normalizer(max_chars=2000)
    shipped = load_intents(PROJECT_ROOT / "intents", normalizer)

    reference = jieba.Tokenizer()
    reference.initialize()
    clf = Classifier.from_intents(shipped, normalizer)
    clf_big = Classifier.from_intents(grow(shipped, args.factor, texts), normalizer)
    clf_stress = Classifier.from_intents(grow(shipped, args.factor, texts, words=False), normalizer)
    for warm in texts[:50]:  # warm caches of all of them
        reference.lcut(warm)
        clf.classify(warm)
        clf_big.classify(warm)
        clf_stress.classify(warm)

    chars = sum(len(t) for t in texts)
    print(f"{len(texts)} corpus messages, {chars / len(texts):.0f} characters on average")
    print(f"vocabulary: shipped {clf.lexicon.size} terms, grown {clf_big.lexicon.size}, stress {clf_stress.lexicon.size}")
    ref_total, ref_per = timed(reference.lcut, texts)
    ship_total, ship_per = timed(clf.classify, texts)
    big_total, big_per = timed(clf_big.classify, texts)
    stress_total, stress_per = timed(clf_stress.classify, texts)
    print(describe("jieba.lcut alone (reference)", ref_total, ref_per))
    print(describe("classify, shipped intents", ship_total, ship_per))
    print(describe(f"classify, grown {args.factor}× (corpus words)", big_total, big_per))
    print(describe(f"classify, stress {args.factor}× (text runs)", stress_total, stress_per))
    print(f"ratio classify/jieba: {ship_total / ref_total:.2f} (acceptance ≤ 1.5)")
    print(f"ratio grown/shipped: {big_total / ship_total:.2f} (acceptance ≤ 1.3)")
    print(f"ratio stress/shipped: {stress_total / ship_total:.2f} (no target: runs of text match far more than words)")


if __name__ == "__main__":
    main()
