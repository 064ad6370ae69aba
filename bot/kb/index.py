"""Retrieval over knowledge entries: BM25 on an inverted index, re-ranked by fuzzy similarity.

Why this shape:
- Terms are jieba words (a `Segmenter` over the process's one jieba dictionary with the entries' key
  terms in its own overlay, so the classifier's words are not touched)
  plus CJK character bigrams at a lower weight; bigrams keep recall when the resident's wording is
  segmented differently from the entry's ("车位" vs "停车位") or one character is a typo.
- Postings hold precomputed BM25 impacts, sorted best first and cut at `posting_cap`, so a query costs
  at most terms × cap whatever the number of entries (common, low-idf terms are the only ones cut).
- rapidfuzz compares the question with the listed questions of the BM25 shortlist only.
- The confidence is how much of the question (idf-weighted) the entry covers, blended with fuzzy
  similarity: words the knowledge base has never seen ("股票") pull it down, so an off-topic
  question falls under the threshold instead of getting the nearest entry.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz import fuzz

from bot.nlu.cache import pickled_by_fields
from bot.nlu.segment import Dictionary, Segmenter

#: Function words and question chatter (Mandarin, and Cantonese as OpenCC leaves it): they say nothing about which
#: rule is asked about.
STOPWORDS = frozenset(
    """的 了 吗 呢 吧 啊 呀 嘛 么 哦 哈 啦 喔 哎 诶 呗 咧 嗯 噢 我 你 您 他 她 它 我们 你们 他们 咱们 大家 自己 人家
    这 那 这个 那个 这种 那种 这样 那样 这些 那些 这里 那里 这儿 那儿 是 在 有 和 与 及 或 或者 就 都 也 还 又 再 才
    被 把 给 让 对 从 到 向 往 跟 同 会 能 能否 可以 可 要 想 得 地 着 过 请问 请 问 问下 问一下 一下 下吧 怎么 怎么办
    怎样 怎么样 如何 什么 啥 为什么 为啥 咋 咋办 咋整 哪 哪里 哪儿 哪个 谁 多少 几 没 没有 有没有 不 不是 吗的 呢的 个 一个
    些 一些 很 太 挺 真 真的 好 还是 但是 但 可是 因为 所以 如果 而且 然后 就是 只是 已经 现在 应该 需要 算 算是 属于
    知道 告诉 帮 帮忙 麻烦 谢谢 你好 您好 老师 师傅 同志 小哥 亲 啊啊 哈哈 嘿 喂 ?
    咩 做咩 乜 乜嘢 嘅 咗 点样 边个 边度 唔 冇 佢 佢哋 啲 俾 嘢 喺 俺 俺们 俺家 咱 咱家 里""".split()  # noqa: SIM905
)
#: A same-sounding chunk that jieba's dictionary counts at least this often is a word the resident meant, not
#: a typo of a tag: 可以 (70,958) is not 可疑, 大家 is not 打架, 听说 is not 停水. Typos the dev sets fix
#: (群组房, 磁砖, 燥音) count 0-5; in `benchmarks/kb_typo_words.py` the wrong fixes start at a few hundred.
COMMON_WORD_FREQ = 100
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_WORD_CHAR = re.compile(r"[\w\u3400-\u9fff]")
_NOT_TEXT = re.compile(r"[\W_]+")
BIGRAM_MARK = "~"


class Analyzer:
    """Text → index terms. Segments with the shared dictionary plus the knowledge base's key terms."""

    def __init__(self, key_terms: Iterable[str] = (), bigram_weight: float = 0.5, dictionary: Dictionary | None = None):
        self._tok = Segmenter(dictionary)
        self.bigram_weight = bigram_weight
        for term in sorted(set(key_terms)):
            if len(term) >= 2 and not term.isspace():
                self._tok.add_word(term)

    def words(self, text: str) -> list[str]:
        """jieba words (search mode: long words also yield their parts), without stopwords/punctuation."""
        out = []
        for word in self._tok.cut_for_search(text):
            word = word.strip()
            if word and word not in STOPWORDS and _WORD_CHAR.search(word):
                out.append(word)
        return out

    def terms(self, text: str) -> Counter[str]:
        """Term counts: words plus marked CJK bigrams."""
        counts: Counter[str] = Counter(self.words(text))
        for run in _CJK_RUN.findall(text):
            for i in range(len(run) - 1):
                counts[BIGRAM_MARK + run[i: i + 2]] += 1
        return counts

    def base_frequency(self, word: str) -> int:
        """How often jieba's own dictionary counts `word` (0 when it is not a word there; entry tags excluded)."""
        return self._tok._base[word] or 0

    def weight(self, term: str) -> float:
        return self.bigram_weight if term.startswith(BIGRAM_MARK) else 1.0

    def __getstate__(self) -> dict[str, object]:
        """The on-disk cache keeps the added words, not the dictionary."""
        return {"added": self._tok.added, "bigram_weight": self.bigram_weight}

    def __setstate__(self, state: dict[str, object]) -> None:
        self._tok = Segmenter(None, state["added"])  # type: ignore[arg-type]
        self.bigram_weight = state["bigram_weight"]  # type: ignore[assignment]


def fuzzy_key(text: str) -> str:
    """What rapidfuzz compares: the normalised text without punctuation or spaces."""
    return _NOT_TEXT.sub("", text)


@dataclass(frozen=True, slots=True)
class Hit:
    """A scored candidate: entry position, confidence 0..1 and its parts (for tuning and `kb check`)."""

    doc: int
    score: float
    coverage: float
    fuzzy: float
    bm25: float
    #: Share of the question (idf-weighted) found in the entry's title/questions/tags, not only its text.
    head_coverage: float = 0.0
    #: Share of the question (idf-weighted) made of words no entry has.
    unknown: float = 0.0
    #: Whether a word of the question is one of the entry's key terms (tags, title).
    on_topic: bool = True
    #: How far ahead of the runner-up this hit's ranking score is.
    margin: float = 0.0


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Document:
    """What the index needs from an entry, already normalised.

    `head` (title, questions, tags) says what the entry is about; `body` only supports it, so a
    question matching body words alone earns less. `topics` are the entry's key terms (tags).
    """

    head: str
    body: str
    questions: tuple[str, ...]
    topics: tuple[str, ...] = ()


class Index:
    """Inverted BM25 index with impact-ordered, capped postings and a fuzzy re-rank of the shortlist."""

    def __init__(
        self,
        documents: Sequence[Document],
        analyzer: Analyzer,
        *,
        k1: float = 1.2,
        b: float = 0.5,
        posting_cap: int = 64,
        shortlist: int = 8,
        # Tuned on the dev sets by benchmarks/tune_kb.py (the kb_heldout*.yaml sets are never used for it).
        coverage_weight: float = 0.6,
        unknown_factor: float = 0.7,
        off_topic_factor: float = 0.4,
        bm25_tiebreak: float = 0.1,
        coverage_mass: float = 22.0,
    ):
        self.off_topic_factor = off_topic_factor
        self.bm25_tiebreak = bm25_tiebreak
        self.coverage_mass = coverage_mass
        self.analyzer = analyzer
        self.shortlist = shortlist
        self.coverage_weight = coverage_weight
        self.size = len(documents)
        self._questions = [tuple("".join(analyzer.words(q)) or fuzzy_key(q) for q in d.questions) for d in documents]
        heads = [analyzer.terms(d.head) for d in documents]
        doc_terms = [h + analyzer.terms(d.body) for h, d in zip(heads, documents, strict=True)]
        self._pinyin = Pinyin()
        # Homophone typos of key terms ("广场午" → "广场舞", "燥音" → "噪音"): the commonest IME slip.
        self._sounds: dict[tuple[str, ...], str] = {}
        for topic in sorted({t for d in documents for t in d.topics}):
            if 2 <= len(topic) <= 6 and _CJK_RUN.fullmatch(topic):
                self._sounds.setdefault(self._pinyin.of_term(topic), topic)
        lengths = [sum(c.values()) for c in doc_terms]
        avg = (sum(lengths) / len(lengths)) if lengths else 1.0
        df: Counter[str] = Counter()
        for counts in doc_terms:
            df.update(counts.keys())
        n = max(self.size, 1)
        idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        # An unseen word tells nearly as much as the rarest seen one: it is why off-topic questions score low.
        self._unknown_idf = unknown_factor * math.log(1 + (n - 0.5) / 1.5)
        postings: dict[str, list[tuple[float, int]]] = {}
        for doc, (counts, length) in enumerate(zip(doc_terms, lengths, strict=True)):
            norm = k1 * (1 - b + b * length / avg)
            for term, tf in counts.items():
                impact = idf[term] * tf * (k1 + 1) / (tf + norm)
                postings.setdefault(term, []).append((impact, doc))
        topics = [_topic_terms(d.topics, analyzer) for d in documents]
        self._store(idf, {t: heapq.nlargest(posting_cap, plist) for t, plist in postings.items()}, heads, doc_terms, topics)

    # -- storage: flat arrays, so 5,000 entries load from the build cache in a fraction of a second ------------

    def _store(self, idf: dict[str, float], postings: dict[str, list[tuple[float, int]]], heads: Sequence[Iterable[str]],
               docs: Sequence[Iterable[str]], topics: Sequence[Iterable[str]]) -> None:
        """Every term gets an id; idf, postings and each entry's term sets become arrays indexed by it.

        Millions of small tuples and frozensets made a cached 5,000-entry index take 7 s to unpickle and
        hundreds of MiB; arrays pickle as bytes. Terms with an idf (those of some entry's text) come first."""
        vocabulary = list(idf)
        ids = {t: i for i, t in enumerate(vocabulary)}
        for group in (heads, topics):
            for terms in group:
                for t in terms:
                    if t not in ids:
                        ids[t] = len(vocabulary)
                        vocabulary.append(t)
        self._vocabulary = vocabulary
        self._ids = ids
        self._known = len(idf)  # ids below this have an idf
        self._idf = array("d", idf.values())
        self._post_at, self._post_docs, self._post_impacts = array("l", [0]), array("l"), array("d")
        for term in vocabulary[: self._known]:
            for impact, doc in postings.get(term, ()):
                self._post_docs.append(doc)
                self._post_impacts.append(impact)
            self._post_at.append(len(self._post_docs))
        self._sets = {name: _id_sets(group, ids) for name, group in (("head", heads), ("doc", docs), ("topic", topics))}

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        del state["_ids"]
        state["_vocabulary"] = "\0".join(self._vocabulary)  # one string: loads in milliseconds
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._vocabulary = self._vocabulary.split("\0") if self._vocabulary else []  # type: ignore[attr-defined]
        self._ids = {t: i for i, t in enumerate(self._vocabulary)}

    def _idf_of(self, term: str) -> float | None:
        tid = self._ids.get(term)
        return self._idf[tid] if tid is not None and tid < self._known else None

    def _has(self, term: str, which: str, doc: int) -> bool:
        """Whether entry `doc`'s term set `which` (head, doc, topic) holds `term`."""
        tid = self._ids.get(term)
        if tid is None:
            return False
        starts, values = self._sets[which]
        lo, hi = starts[doc], starts[doc + 1]
        at = bisect_left(values, tid, lo, hi)
        return at < hi and values[at] == tid

    def _credit(self, word: str, which: str, doc: int) -> float:
        """1 when the entry has the word; else the share of its character bigrams it has (typos, other cuts)."""
        if self._has(word, which, doc):
            return 1.0
        if len(word) < 2:
            return 0.0
        grams = [BIGRAM_MARK + word[i: i + 2] for i in range(len(word) - 1)]
        return sum(self._has(g, which, doc) for g in grams) / len(grams) * 0.8

    def search(self, text: str, limit: int = 1) -> list[Hit]:
        """Best hits for normalised `text`, highest confidence first (empty when no term is known)."""
        counts = self.analyzer.terms(text)
        if not counts:
            return []
        slips = self._typo_slips(text, counts)
        for fixed in slips.values():
            counts[fixed] += 1
        for term in [t for t in counts if t[0] != BIGRAM_MARK and self._idf_of(t) is None]:
            # The slip itself ("投素" for 投诉) is not a word the resident meant: left in, it weighs as an unknown word.
            if any(term in chunk for chunk in slips):
                del counts[term]
                continue
            # jieba glues a function word to a content word (要罚, 打有, 事要): unknown as a whole, it is its known core.
            core = _unglued(term)
            if core != term and (not core or self._idf_of(core) is not None):
                n = counts.pop(term)
                if core:
                    counts[core] += n
        if not counts:
            return []
        bm: dict[int, float] = {}
        at, docs, impacts = self._post_at, self._post_docs, self._post_impacts
        for term in counts:
            tid = self._ids.get(term)
            if tid is None or tid >= self._known:
                continue
            w = self.analyzer.weight(term)
            for k in range(at[tid], at[tid + 1]):
                doc = docs[k]
                bm[doc] = bm.get(doc, 0.0) + w * impacts[k]
        if not bm:
            return []
        shortlist = heapq.nlargest(self.shortlist, bm, key=bm.__getitem__)
        best_bm = bm[shortlist[0]]
        words = [t for t in counts if not t.startswith(BIGRAM_MARK)]
        known = [self._idf_of(w) for w in words]
        weights = [self._unknown_idf if v is None else v for v in known]
        total = sum(weights)
        key = "".join(words) or fuzzy_key(text)
        unknown = sum(wt for v, wt in zip(known, weights, strict=True) if v is None) / total if total else 0.0
        hits = []
        for doc in shortlist:
            head_got = got = 0.0
            for w, wt in zip(words, weights, strict=True):
                in_head = self._credit(w, "head", doc)
                head_got += wt * in_head
                got += wt * max(in_head, 0.6 * self._credit(w, "doc", doc))
            # A long message's story ("上个月刚搬进来…") is not what it asks: past `coverage_mass` of idf, the
            # question is judged on how much of that mass the entry covers, not on the share of every word.
            coverage = min(1.0, got / min(total, self.coverage_mass)) if total else 0.0
            fz = max((fuzz.ratio(key, q) for q in self._questions[doc]), default=0.0) / 100.0
            score = self.coverage_weight * coverage + (1 - self.coverage_weight) * fz
            on_topic = any(self._credit(w, "topic", doc) >= 0.4 for w in words)
            if not on_topic:
                # Nothing the entry is about was asked (only generic words matched): likely off-topic.
                score *= self.off_topic_factor
            hits.append(Hit(doc, score, coverage, fz, bm[doc] / best_bm,
                            head_got / total if total else 0.0, unknown, on_topic))
        # BM25 breaks ties between entries that cover the question equally well.
        hits.sort(key=lambda h: h.score + self.bm25_tiebreak * h.bm25, reverse=True)
        if len(hits) > 1:
            hits[0] = replace(hits[0], margin=hits[0].score - hits[1].score)
        return hits[:limit]

    def _typo_fixes(self, text: str) -> set[str]:
        """Key terms the text writes with a same-sounding wrong character (first 200 characters only)."""
        return set(self._typo_slips(text, self.analyzer.words(text)).values())

    def _typo_slips(self, text: str, cut: Iterable[str] = ()) -> dict[str, str]:
        """Each mistyped chunk of the text → the same-sounding key term it stands for (`cut`: the text's words)."""
        seen = {w for w in cut if w[0] != BIGRAM_MARK and self._idf_of(w) is not None}
        fixes: dict[str, str] = {}
        for run in _CJK_RUN.findall(text[:200]):
            sounds = [self._pinyin.of_char(ch) for ch in run]
            for size in (2, 3, 4):
                for start in range(len(run) - size + 1):
                    chunk = run[start: start + size]
                    if self._idf_of(chunk) is not None or self._straddled(run, start, start + size, seen):
                        continue
                    for key in itertools.islice(itertools.product(*sounds[start: start + size]), 8):
                        hit = self._sounds.get(key)
                        if hit is not None and hit != chunk and self._maybe_typo(chunk, hit):
                            fixes[chunk] = hit
        return fixes

    def _straddled(self, run: str, start: int, end: int, seen: set[str]) -> bool:
        """Whether a known word the text was cut into (`seen`) crosses an edge of run[start:end]: in 被投诉 the
        chunk 被投 cuts 投诉 in half, so it is not a slip for 被偷 (a real slip, 广场午, holds its known 广场 whole)."""
        for size in (2, 3, 4):
            for at in range(max(0, start - size + 1), min(end, len(run) - size + 1)):
                stop = at + size
                crosses = (at < start < stop) or (at < end < stop)
                if crosses and (run[at:stop] in seen or run[at:stop] in STOPWORDS):  # 可以打 is not 私搭
                    return True
        return False

    def _maybe_typo(self, chunk: str, tag: str) -> bool:
        """Whether `chunk` can be a slip for the same-sounding `tag`: not when it is a common word itself
        (可以 for 可疑), nor when a character it changes is a function word (归谁管 is not 水管, 的水 not 滴水)."""
        if chunk in STOPWORDS or self.analyzer.base_frequency(chunk) >= COMMON_WORD_FREQ:
            return False
        return not any(a != b and a in STOPWORDS for a, b in zip(chunk, tag, strict=True))


class Pinyin:
    """Toneless pinyin of characters (all readings) and of terms (in context), cached per instance.

    The characters' readings are a 1 MiB table taken from pypinyin once, when an index is built: the
    table travels with the cached index, so a start from the cache never imports pypinyin (56 MiB).
    """

    def __init__(self) -> None:
        self._table = _char_table()
        self._chars: dict[str, tuple[str, ...]] = {}

    def of_char(self, ch: str) -> tuple[str, ...]:
        got = self._chars.get(ch)
        if got is None:
            raw = self._table.get(ch)
            got = tuple(raw.split(",")) if raw else (ch,)
            self._chars[ch] = got
        return got

    @staticmethod
    def of_term(term: str) -> tuple[str, ...]:
        from pypinyin import Style, lazy_pinyin

        return tuple(lazy_pinyin(term, style=Style.NORMAL, v_to_u=False))


@lru_cache(maxsize=1)
def _char_table() -> dict[str, str]:
    """Every character `_CJK_RUN` matches → its distinct toneless readings joined by commas."""
    from pypinyin.pinyin_dict import pinyin_dict

    table = {}
    for code in range(0x3400, 0xA000):
        raw = pinyin_dict.get(code, "")
        readings = ",".join(dict.fromkeys(_toneless(r) for r in raw.split(",") if r))
        if readings:
            table[chr(code)] = readings
    return table


def _toneless(syllable: str) -> str:
    decomposed = unicodedata.normalize("NFD", syllable).replace("u\u0308", "v")
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _unglued(word: str) -> str:
    """`word` without the function-word characters (STOPWORDS of one character) at either end."""
    start, end = 0, len(word)
    while start < end and word[start] in STOPWORDS:
        start += 1
    while end > start and word[end - 1] in STOPWORDS:
        end -= 1
    return word[start:end]


def _topic_terms(topics: Iterable[str], analyzer: Analyzer) -> frozenset[str]:
    """Key terms as words, their parts and bigrams, so a partial or mistyped mention still counts."""
    out: set[str] = set()
    for topic in topics:
        out.add(topic)
        out.update(analyzer.terms(topic))
    return frozenset(out)


def _id_sets(groups: Sequence[Iterable[str]], ids: dict[str, int]) -> tuple[array[int], array[int]]:
    """Per entry, the sorted ids of its terms, all in one array: (where each entry starts, the ids)."""
    starts, values = array("l", [0]), array("l")
    for terms in groups:
        values.extend(sorted({ids[t] for t in terms}))
        starts.append(len(values))
    return starts, values
