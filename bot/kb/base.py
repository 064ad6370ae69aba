"""The knowledge base the dialog and `griddesk ask` use: load entries, answer one question."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.errors import KnowledgeFileError, Problem
from bot.kb.asks import asks_elsewhere
from bot.kb.dialect import to_mandarin
from bot.kb.entries import MAX_FILE_BYTES, Entry, entry_files, load_entries, load_entries_partial
from bot.kb.index import Analyzer, Document, Index
from bot.nlu.cache import BuildCache
from bot.nlu.normalize import Normalizer

#: Below this confidence the knowledge base says it has no answer rather than guess (tuned on the dev
#: questions with benchmarks/tune_kb.py: the best sum of on-topic right and off-topic unanswered).
DEFAULT_THRESHOLD = 0.34
#: A question naming a topic outside the desk (school, wages, insurance, a greeting…) that the entry's
#: key terms do not share keeps this share of its confidence: "邻居家孩子考上了哪个大学" is not a
#: question about neighbours.
OUTSIDE_FACTOR = 0.3


#: An `outside` keyword weighing less than this is a setting (村委会, 学生, 家长: who or where), not a topic the
#: desk leaves to others: "村里没批就盖房子，村委会不管" is still a question about rural building.
OUTSIDE_MIN_WEIGHT = 1.0


def outside_terms(intents: object) -> tuple[str, ...]:
    """Keywords of the `outside` and `chat` intents of an intent set: topics no entry answers."""
    out: list[str] = []
    for intent in getattr(intents, "intents", ()):
        if intent.kind == "outside" or intent.id == "chat":
            out.extend(t.text for t, _, _ in intent.all_terms()
                       if len(t.text) >= 2 and (intent.kind != "outside" or t.weight >= OUTSIDE_MIN_WEIGHT))
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True, slots=True)
class Answer:
    """The result of one question; `answer` is None when nothing fits well enough.

    `answer` is the entry's text in the resident's script and already ends with its "依据:" line;
    `intents` are the taxonomy ids the entry relates to, so the dialog can offer to file a case.
    """

    question: str
    answer: str | None
    doc_id: str | None
    title: str | None
    score: float
    source: str | None
    intents: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        """The `griddesk ask` contract (design.md)."""
        return {
            "question": self.question,
            "answer": self.answer,
            "doc_id": self.doc_id,
            "score": round(self.score, 3),
            "source": self.source,
        }


class KnowledgeBase:
    """Entries plus their index; immutable once built, so `/reload` swaps in a whole new one."""

    def __init__(self, entries: Sequence[Entry], normalizer: Normalizer, threshold: float = DEFAULT_THRESHOLD,
                 outside: Iterable[str] = ()):
        self.entries = tuple(entries)
        self.normalizer = normalizer
        self.threshold = threshold
        terms = sorted({normalizer.simplify(t) for t in outside if t.strip()}, key=len, reverse=True)
        self._outside = re.compile("|".join(map(re.escape, terms))) if terms else None
        self.outside_factor = OUTSIDE_FACTOR
        key_terms = [t for e in self.entries for t in e.key_terms]
        analyzer = Analyzer(normalizer.simplify(t) for t in key_terms)
        self.index_documents = [
            Document(
                head=normalizer.simplify("\n".join([e.title, *(q.text for q in e.questions), *e.tags, *e.tags])),
                body=normalizer.simplify(e.body),
                questions=tuple(normalizer.simplify(q.text) for q in e.questions),
                topics=tuple(normalizer.simplify(t) for t in (*e.tags, e.title)),
            )
            for e in self.entries
        ]
        self.index = Index(self.index_documents, analyzer)
        self.by_id = {e.id: e for e in self.entries}
        #: Entries left out because they are broken (`load(partial=True)`), as `path:line: message`.
        self.problems: tuple[Problem, ...] = ()

    @classmethod
    def load(cls, directory: str | Path, normalizer: Normalizer, threshold: float = DEFAULT_THRESHOLD,
             outside: Iterable[str] = (), *, partial: bool = False, cache: BuildCache | None = None,
             fast: bool = False) -> KnowledgeBase:
        """Load and index `directory`; raises `KnowledgeFileError` listing every problem — or, `partial`, serves
        the entries that load and keeps the others' problems in `problems` (raising only when none loads).

        `outside` are words of topics outside the desk (see `outside_terms`); without them the
        knowledge base still works, it only abstains less on such questions. With a `cache`, unchanged
        entries (and outside words) give the stored index instead of a new build. `fast`: front matter parsed
        through libyaml, as the bot does (problems are still reported with their lines).
        """
        outside = tuple(outside)
        store = cache or BuildCache(None)
        key = store.key("knowledge", entry_files(Path(directory)), MAX_FILE_BYTES, [repr((threshold, outside, partial))])
        kb = store.get_or_build("knowledge", key, lambda: cls._build(directory, normalizer, threshold, outside, partial, fast))
        kb.normalizer = normalizer
        return kb

    @classmethod
    def _build(cls, directory: str | Path, normalizer: Normalizer, threshold: float, outside: tuple[str, ...],
               partial: bool, fast: bool = False) -> KnowledgeBase:
        if not partial:
            return cls(load_entries(directory, fast=fast), normalizer, threshold, outside)
        entries, problems = load_entries_partial(directory, fast=fast)
        if not entries:
            raise KnowledgeFileError(problems or [Problem(str(directory), 0, "no knowledge entry loads")])
        kb = cls(entries, normalizer, threshold, outside)
        kb.problems = tuple(problems)  # kept in the cached form too: a skipped entry is named at every start
        return kb

    def __getstate__(self) -> dict[str, object]:
        """The cached form: everything but the normaliser (OpenCC), which `load` gives back."""
        state = dict(self.__dict__)
        state["normalizer"] = None
        return state

    def answer(self, question: str | bytes | None) -> Answer:
        """Answer one question in the script it was written in; never raises on odd input."""
        norm = self.normalizer.normalize(question)
        shown = norm.original if isinstance(norm.original, str) else ""
        if norm.empty:
            return Answer(shown, None, None, None, 0.0, None)
        text = to_mandarin(norm.text)  # 屋企/畀人/冇 are words no entry has: asked in the entries' words
        hits = self.index.search(text)
        if not hits:
            return Answer(shown, None, None, None, 0.0, None)
        hit = hits[0]
        score = max(0.0, min(1.0, hit.score))
        if self._outside is not None:
            doc = self.index_documents[hit.doc]
            if any(m.group() not in doc.head for m in self._outside.finditer(text)):
                score *= self.outside_factor
        cue = asks_elsewhere(text)
        if cue is not None and cue not in self.index_documents[hit.doc].head:
            score *= self.outside_factor  # a shop, a price, an event: the entry shares words, not the question
        if score < self.threshold:
            return Answer(shown, None, None, None, score, None)
        entry = self.entries[hit.doc]
        return Answer(
            question=shown,
            answer=self.normalizer.to_script(entry.body, norm.script),
            doc_id=entry.id,
            title=self.normalizer.to_script(entry.title, norm.script),
            score=score,
            source=entry.source,
            intents=entry.intents,
        )

    def check(self) -> list[Problem]:
        """Every listed question must be answered by its own entry (else admins have a clash to fix)."""
        problems = []
        for entry in self.entries:
            for q in entry.questions:
                got = self.answer(q.text)
                if got.doc_id is None:
                    msg = f"question {q.text!r} gets no answer (score {got.score:.2f} < {self.threshold}); reword it or add tags"
                    problems.append(Problem(entry.path, q.line, msg))
                elif got.doc_id != entry.id:
                    other = self.by_id[got.doc_id]
                    msg = f"question {q.text!r} is answered by {other.path} ({other.id}, score {got.score:.2f}), not this entry"
                    problems.append(Problem(entry.path, q.line, msg))
        return problems
