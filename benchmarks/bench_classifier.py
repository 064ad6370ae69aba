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

import jieba

from bot import PROJECT_ROOT
from bot.nlu.classifier import Classifier
from bot.nlu.intent_files import IntentSet, Term, load_intents
from bot.nlu.normalize import Normalizer

CORPUS = PROJECT_ROOT.parent / "shared" / "data" / "resident_messages.jsonl"


def load_texts(limit: int | None) -> list[str]:
    texts = [json.loads(line)["text"] for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts[:limit] if limit else texts


def grow(intents: IntentSet, factor: int, texts: list[str], seed: int = 7) -> IntentSet:
    """Add (factor-1)× as many generated keywords to every intent: 2–4 character runs of real text."""
    rng = random.Random(seed)
    existing = {t.text for i in intents.intents for t, _, _ in i.all_terms()}
    pool = "".join(texts[:2000])
    grown = []
    for intent in intents.intents:
        extra: list[Term] = []
        wanted = (factor - 1) * max(1, len(intent.keywords) + len(intent.phrases))
        while len(extra) < wanted:
            start = rng.randrange(len(pool) - 4)
            word = pool[start : start + rng.randint(2, 4)]
            if word in existing or not all("\u4e00" <= ch <= "\u9fff" for ch in word):
                continue
            existing.add(word)
            extra.append(Term(word, round(rng.uniform(0.3, 2.0), 2), 0, word))
        grown.append(dataclasses.replace(intent, keywords=intent.keywords + tuple(extra)))
    return IntentSet(tuple(grown), source=f"{intents.source} ×{factor}")


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
    grown = grow(shipped, args.factor, texts)

    reference = jieba.Tokenizer()
    reference.initialize()
    clf = Classifier.from_intents(shipped, normalizer)
    clf_big = Classifier.from_intents(grown, normalizer)
    for warm in texts[:50]:  # warm caches of all three
        reference.lcut(warm)
        clf.classify(warm)
        clf_big.classify(warm)

    chars = sum(len(t) for t in texts)
    print(f"{len(texts)} corpus messages, {chars / len(texts):.0f} characters on average")
    print(f"vocabulary: shipped {clf.lexicon.size} terms, grown {clf_big.lexicon.size} terms")
    ref_total, ref_per = timed(reference.lcut, texts)
    ship_total, ship_per = timed(clf.classify, texts)
    big_total, big_per = timed(clf_big.classify, texts)
    print(describe("jieba.lcut alone (reference)", ref_total, ref_per))
    print(describe("classify, shipped intents", ship_total, ship_per))
    print(describe(f"classify, intents grown {args.factor}×", big_total, big_per))
    print(f"ratio classify/jieba: {ship_total / ref_total:.2f} (acceptance ≤ 1.5)")
    print(f"ratio grown/shipped: {big_total / ship_total:.2f} (acceptance ≤ 1.3)")


if __name__ == "__main__":
    main()
