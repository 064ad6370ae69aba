"""The compiled form of the intent files: what the classifier looks terms up in.

Built once per intent set (at start and on `/reload`). Lookups must not slow down as admins add
keywords, so exact terms, one-character ones included, live in one Aho-Corasick automaton (one pass
over the text whatever the vocabulary size), and fuzzy phrases behind a character
bigram index so rapidfuzz only ever sees the few phrases that share text with the message.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import ahocorasick

from bot.nlu.cache import pickled_by_fields
from bot.nlu.intent_files import IntentSet
from bot.nlu.segment import Dictionary, Segmenter

#: Topic terms (keywords and phrases) at least this long are also matched with typos.
FUZZY_MIN_CHARS = 4


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class TermRef:
    """One place a term is used: which intent (and subtype), how strongly, in which dimension."""

    intent: str
    subtype: str | None
    weight: float
    dimension: str  # "topic" (categories + outside) or "act"
    term: str


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class FuzzyTerm:
    text: str
    bigrams: frozenset[str]
    refs: tuple[TermRef, ...]


def bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


class Lexicon:
    """Every term of an intent set, indexed for constant-time-per-character lookup."""

    def __init__(self, intents: IntentSet, weight: Callable[[str, str, float], float] | None = None,
                 dictionary: Dictionary | None = None):
        """`weight(intent, term, yaml weight)` gives the weight to score with (fitted numbers), else the YAML one;
        `dictionary` is the shared jieba dictionary (the process's own when None)."""
        self.intents = intents
        refs: dict[str, list[TermRef]] = defaultdict(list)
        fuzzy_refs: dict[str, list[TermRef]] = defaultdict(list)
        self.vetoes: dict[str, set[str]] = defaultdict(set)
        for intent in intents.intents:
            dimension = "act" if intent.kind == "act" else "topic"
            for term, subtype, _ in intent.all_terms():
                value = weight(intent.id, term.text, term.weight) if weight is not None else term.weight
                ref = TermRef(intent.id, subtype, value, dimension, term.text)
                refs[term.text].append(ref)
                if len(term.text) >= FUZZY_MIN_CHARS and dimension == "topic":
                    fuzzy_refs[term.text].append(ref)
            for term in intent.veto:
                self.vetoes[term.text].add(intent.id)

        # One automaton for every term (one-character terms too: the classifier then requires them
        # to be a whole jieba word) and every veto. Values are split by dimension up front so the
        # per-hit work in the classifier is a tuple unpack, whatever the vocabulary size.
        self.automaton = ahocorasick.Automaton()
        for text in refs.keys() | self.vetoes.keys():
            term_refs = refs.get(text, [])
            topic = tuple(r for r in term_refs if r.dimension == "topic")
            act = tuple(r for r in term_refs if r.dimension == "act")
            self.automaton.add_word(text, (text, topic, act, text in self.vetoes))
        if len(self.automaton):
            self.automaton.make_automaton()

        self.fuzzy: list[FuzzyTerm] = [
            FuzzyTerm(text, frozenset(bigrams(text)), tuple(term_refs)) for text, term_refs in fuzzy_refs.items()
        ]
        #: How many of a phrase's bigrams a message must share before rapidfuzz looks at it.
        self.fuzzy_needed: list[int] = [(len(fz.bigrams) + 1) // 2 for fz in self.fuzzy]
        self.bigram_index: dict[str, list[int]] = defaultdict(list)
        for idx, fz in enumerate(self.fuzzy):
            for bg in fz.bigrams:
                self.bigram_index[bg].append(idx)

        self.tokenizer = self._build_tokenizer(refs, dictionary)

    @staticmethod
    def _build_tokenizer(refs: dict[str, list[TermRef]], dictionary: Dictionary | None) -> Segmenter:
        """A jieba tokenizer over the shared dictionary that also knows every term, so terms stay whole words."""
        tokenizer = Segmenter(dictionary)
        for text in refs:
            if 1 < len(text) <= 12 and " " not in text:
                # High enough frequency that jieba prefers the admin's term over splitting it.
                tokenizer.add_word(text, freq=max(tokenizer.suggest_freq(text), 2000))
        return tokenizer

    def __getstate__(self) -> dict[str, object]:
        """What the on-disk cache keeps: everything but the dictionary (the tokenizer's own words instead)."""
        state = dict(self.__dict__)
        state["tokenizer"] = self.tokenizer.added
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        added = state.pop("tokenizer")
        self.__dict__.update(state)
        self.tokenizer = Segmenter(None, added)  # type: ignore[arg-type]

    @property
    def size(self) -> int:
        """Number of distinct exact terms (for benchmarks and `intents check`)."""
        return len(self.automaton)
