"""Answer latency of the knowledge base: shipped entries, then 5,000 entries generated in memory.

Run: .venv/bin/python benchmarks/bench_kb.py [--entries 5000] [--queries 2000]
Generated entries mix the shipped entries' words with a large synthetic vocabulary drawn with a
Zipf-like skew, so common terms have long postings (the case that would make cost grow with size).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import PROJECT_ROOT
from bot.kb import KnowledgeBase
from bot.kb.base import outside_terms
from bot.kb.entries import Entry, Question, load_entries
from bot.nlu.cache import BuildCache
from bot.nlu.intent_files import load_intents
from bot.nlu.normalize import Normalizer

QUERIES = [
    "晚上几点以后不能装修", "樓上半夜還在裝修能投訴嗎", "小区车位该归谁", "群租房怎么举报", "推荐只股票",
    "被邻居的狗咬了谁赔", "消防通道被车堵了", "物业太差能换掉吗", "广场午太吵了", "楼下饭馆油烟大",
    "维修资金怎么用", "12345几点有人接", "今天天气怎么样", "高空抛物会坐牢吗", "一楼圈了公共绿地",
]


def synthetic_entries(shipped: list[Entry], count: int, seed: int = 7) -> list[Entry]:
    rng = random.Random(seed)
    pool = [chr(c) for c in range(0x4E00, 0x9FA5)]
    vocab = ["".join(rng.choice(pool) for _ in range(rng.choice((2, 2, 3, 4)))) for _ in range(30_000)]
    shipped_words = sorted({t for e in shipped for t in e.tags})
    weights = [1 / (rank + 1) for rank in range(len(vocab))]

    def words(k: int) -> list[str]:
        drawn = rng.choices(vocab, weights=weights, k=k)
        return drawn + rng.sample(shipped_words, 2)

    out = []
    for i in range(count):
        questions = tuple(Question("".join(words(4)) + "吗", 5 + j) for j in range(4))
        out.append(Entry(
            id=f"gen_{i:05d}", title="".join(words(3)), questions=questions, intents=("noise",),
            source="《生成法》第1条", checked=dt.date(2026, 1, 1), body="。".join("".join(words(6)) for _ in range(4)),
            path=f"<generated {i}>", tags=tuple(words(2)),
        ))
    return out


def measure(kb: KnowledgeBase, n: int) -> tuple[float, float, float]:
    for q in QUERIES:  # warm caches (pinyin, jieba) the way a running bot is warm
        kb.answer(q)
    times = []
    for i in range(n):
        q = QUERIES[i % len(QUERIES)]
        t0 = time.perf_counter()
        kb.answer(q)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.99 * (len(times) - 1))], statistics.fmean(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=3000)
    args = parser.parse_args()
    norm = Normalizer()
    shipped = load_entries(PROJECT_ROOT / "knowledge")
    outside = outside_terms(load_intents(PROJECT_ROOT / "intents", norm))  # as the bot loads it

    t0 = time.perf_counter()
    kb = KnowledgeBase(shipped, norm, outside=outside)
    build = time.perf_counter() - t0
    p50, p99, mean = measure(kb, args.queries)
    print(f"shipped  {len(shipped):5d} entries: build {build:.2f}s  p50 {p50:.3f} ms  p99 {p99:.3f} ms  mean {mean:.3f} ms")

    big = shipped + synthetic_entries(shipped, args.entries)
    t0 = time.perf_counter()
    kb = KnowledgeBase(big, norm, outside=outside)
    build = time.perf_counter() - t0
    p50, p99, mean = measure(kb, args.queries)
    print(f"large    {len(big):5d} entries: build {build:.2f}s  p50 {p50:.3f} ms  p99 {p99:.3f} ms  mean {mean:.3f} ms")
    still = sum(kb.answer(q).doc_id is not None and not kb.answer(q).doc_id.startswith("gen_") for q in QUERIES)
    print(f"large: {still}/{len(QUERIES)} sample questions still answered by a shipped entry")
    restart(big, norm, outside, args.queries)
    return 0


def restart(entries: list[Entry], norm: Normalizer, outside: tuple[str, ...], queries: int) -> None:
    """The large set as files, loaded as the bot does (partial, front matter through libyaml): a first start
    builds and caches, a restart reads the cache (this process has the jieba dictionary loaded already)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder, cache = Path(tmp) / "knowledge", Path(tmp) / "cache"
        folder.mkdir()
        for e in entries:
            body = e.body if "依据" in e.body else f"{e.body}\n依据:{e.source}"
            questions = "".join(f"\n  - {q.text}" for q in e.questions)
            (folder / f"{e.id}.md").write_text(
                f"---\nid: {e.id}\ntitle: {e.title}\nquestions:{questions}\nintents: [{', '.join(e.intents)}]\n"
                f"tags: [{', '.join(dict.fromkeys(e.tags))}]\nsource: {e.source}\nchecked: {e.checked.isoformat()}\n"
                f"---\n{body}\n",
                encoding="utf-8")
        for what in ("first start (parse, build, cache)", "restart (files unchanged)"):
            t0 = time.perf_counter()
            kb = KnowledgeBase.load(folder, norm, outside=outside, cache=BuildCache(cache), partial=True, fast=True)
            took = time.perf_counter() - t0
            p50, p99, _ = measure(kb, queries)
            print(f"files    {len(entries):5d} entries, {what}: {took:.2f}s  p50 {p50:.3f} ms  p99 {p99:.3f} ms "
                  f"(targets: restart ≤ 2 s, p50 ≤ 1 ms)")


if __name__ == "__main__":
    raise SystemExit(main())
