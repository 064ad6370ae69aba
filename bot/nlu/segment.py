"""One jieba dictionary for the whole process, shared by the classifier and the knowledge base.

jieba's dictionary is ~500,000 words and prefixes: about 65 MiB and a second or more to load per
`jieba.Tokenizer`. The classifier and the knowledge base each need it plus a few thousand words of
their own (intent terms, entry tags), with their own frequencies. A `Segmenter` is a jieba tokenizer
whose dictionary is the shared base (never written to) under a small overlay of its own words, so
each segments exactly as a private `jieba.Tokenizer` with the same `add_word` calls would, at the
memory and load time of one dictionary.

Only the hot paths (`get_DAG`, `calc`, `cut_for_search`) are rewritten to look in the overlay, then
the base; everything else reads the pair through a `ChainMap` (correct, slower, used at build time).
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import sys
import tempfile
import threading
from collections import ChainMap
from collections.abc import Iterable, Iterator
from functools import lru_cache
from math import log
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.nlu.cache import BuildCache


def _import_jieba():  # type: ignore[no-untyped-def]
    """jieba 0.42 imports the deprecated `pkg_resources` (12 MiB, 0.3 s at start) only to open its own files
    and opens them by path when that import fails: make it fail, for that one import."""
    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba
        return jieba
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # an import of it raises ImportError
    try:
        import jieba
    finally:
        del sys.modules["pkg_resources"]
    return jieba


jieba = _import_jieba()

# jieba logs its dictionary loading at INFO/DEBUG on its own logger; keep it out of chat output.
jieba.setLogLevel(logging.WARNING)


#: Fragments remembered by an automaton-backed `Words` before it forgets them all and starts again (memory bound).
MEMO_LIMIT = 400_000


class Words(dict):  # type: ignore[type-arg]
    """The base dictionary as a `Segmenter` reads it: `words[fragment]` is a frequency (0: only the start of
    longer words) or None (neither), never a KeyError.

    `find` looks fragments up (in a compact automaton read from the build cache, or in the dict of jieba's
    cache) and the answers (None too) are remembered here: the hot paths then cost one dict lookup, as with
    the full dict, without building 500,000 entries at every start.
    """

    __slots__ = ("_find",)

    def __init__(self, find: Any):
        super().__init__()
        self._find = find

    def __missing__(self, key: str) -> int | None:
        value: int | None = self._find(key, None)
        if len(self) >= MEMO_LIMIT:
            self.clear()
        self[key] = value
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self[key] is not None

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        value = self[key]
        return default if value is None else value


class Dictionary:
    """jieba's base dictionary (word → frequency, prefixes → 0), loaded on first use, then read-only."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._freq: Words | None = None
        self._total = 0

    def load(self, cache: BuildCache | None = None) -> tuple[Words, int]:
        """(words, total), loading them once.

        With a `cache` (the bot's start): an automaton of the dictionary kept in the build cache, read in
        ~0.1 s into ~20 MiB, against ~0.5 s and ~65 MiB for the dict (built once, from the dict, when it is
        not there). Without: the dict, from jieba's own marshal cache (read whole, see `_read_jieba_cache`),
        else as jieba loads it (which also writes that cache)."""
        with self._lock:
            if self._freq is None:
                if cache is not None and cache.directory is not None:
                    key = hashlib.sha256(f"jieba={jieba.__version__};{_dictionary_stamp()}".encode()).hexdigest()
                    automaton, total = cache.get_or_build("words", key, lambda: _automaton(_freq_dict()))
                    self._freq, self._total = Words(find=automaton.get), total
                else:
                    freq, self._total = _freq_dict()
                    self._freq = Words(find=freq.get)  # remembered in front of the dict: no copy of it
            return self._freq, self._total

    @property
    def loaded(self) -> bool:
        return self._freq is not None


def _freq_dict() -> tuple[dict[str, int], int]:
    cached = _read_jieba_cache()
    if cached is None:
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        cached = _valid((tokenizer.FREQ, tokenizer.total))
        if cached is None:  # jieba took a broken cache file as it was: build from its dictionary file
            cached = tokenizer.gen_pfdict(tokenizer.get_dict_file())
    return cached


def _dictionary_stamp() -> str:
    """What identifies jieba's dictionary file (its path, size and modification time)."""
    path = os.path.join(os.path.dirname(jieba.__file__), getattr(jieba, "DEFAULT_DICT_NAME", "dict.txt"))
    try:
        info = os.stat(path)
    except OSError:
        return path
    return f"{path};{info.st_size};{info.st_mtime_ns}"


def _automaton(freq_total: tuple[dict[str, int], int]) -> tuple[Any, int]:
    """The dictionary as a pyahocorasick trie of ints (looked up with `.get`; pickled by the build cache)."""
    import ahocorasick

    freq, total = freq_total
    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    for word, count in freq.items():
        automaton.add_word(word, count)
    return automaton, total


def _read_jieba_cache() -> tuple[dict[str, int], int] | None:
    """jieba's cache of its default dictionary (the file `jieba.Tokenizer.initialize` reads), or None.

    jieba reads it with `marshal.load(file)`, which reads the 9 MB file a few bytes at a time: 0.9-1.8 s
    on this machine, against 0.3-0.6 s for `marshal.loads` of the whole file read at once, with the
    same result. Anything unexpected (missing, unreadable, not the pair jieba writes) is None: jieba
    then loads, and rebuilds the cache, its own way."""
    path = os.path.join(tempfile.gettempdir(), "jieba.cache")
    try:
        with open(path, "rb") as cache:
            return _valid(marshal.loads(cache.read()))
    except (OSError, EOFError, ValueError, TypeError):
        return None


def _valid(value: object) -> tuple[dict[str, int], int] | None:
    """`value` when it is the (frequencies, total) pair jieba keeps, else None."""
    if not isinstance(value, tuple) or len(value) != 2:
        return None
    freq, total = value
    if not isinstance(freq, dict) or not freq or isinstance(total, bool) or not isinstance(total, int):
        return None
    return freq, total


@lru_cache(maxsize=1)
def shared_dictionary() -> Dictionary:
    """The process's one base dictionary (what every `Segmenter` built without an explicit one reads)."""
    return Dictionary()


class Segmenter(jieba.Tokenizer):
    """A jieba tokenizer over a shared `Dictionary` plus its own added words.

    `added` lists every (word, frequency) added, in order: replaying it on a new `Segmenter` gives the
    same segmentation, which is what the on-disk cache stores instead of a dictionary.
    """

    def __init__(self, dictionary: Dictionary | None = None, added: Iterable[tuple[str, int]] = ()):
        super().__init__()
        base, total = (dictionary or shared_dictionary()).load()
        self._base = base
        self._extra: dict[str, int] = {}
        self.FREQ = ChainMap(self._extra, base)  # type: ignore[assignment]  # writes go to the overlay
        self.total = total
        self.initialized = True
        self.added: list[tuple[str, int]] = []
        for word, freq in added:
            self.add_word(word, freq)

    def add_word(self, word: str, freq: int | None = None, tag: str | None = None) -> None:
        super().add_word(word, freq, tag)
        self.added.append((word, self._extra[word]))

    def _freq(self, word: str) -> int | None:
        got = self._extra.get(word)
        return self._base[word] if got is None else got

    def get_DAG(self, sentence: str) -> dict[int, list[int]]:
        base, extra = self._base, self._extra
        dag: dict[int, list[int]] = {}
        n = len(sentence)
        for k in range(n):
            ends = []
            i = k
            frag = sentence[k]
            while i < n:
                freq = extra.get(frag)
                if freq is None:
                    freq = base[frag]
                    if freq is None:
                        break
                if freq:
                    ends.append(i)
                i += 1
                frag = sentence[k:i + 1]
            dag[k] = ends or [k]
        return dag

    def calc(self, sentence: str, DAG: dict[int, list[int]], route: dict[int, tuple[float, int]]) -> None:
        base, extra = self._base, self._extra
        n = len(sentence)
        route[n] = (0, 0)
        logtotal = log(self.total)
        for idx in range(n - 1, -1, -1):
            best: tuple[float, int] | None = None
            for x in DAG[idx]:
                word = sentence[idx:x + 1]
                candidate = (log(extra.get(word) or base[word] or 1) - logtotal + route[x + 1][0], x)
                if best is None or candidate > best:
                    best = candidate
            route[idx] = best  # type: ignore[assignment]

    def cut_for_search(self, sentence: str, HMM: bool = True) -> Iterator[str]:
        freq = self._freq
        for word in self.cut(sentence, HMM=HMM):
            if len(word) > 2:
                for i in range(len(word) - 1):
                    if freq(word[i:i + 2]):
                        yield word[i:i + 2]
            if len(word) > 3:
                for i in range(len(word) - 2):
                    if freq(word[i:i + 3]):
                        yield word[i:i + 3]
            yield word
