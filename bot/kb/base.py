"""The knowledge base the dialog and `griddesk ask` use: load entries, answer one question."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.errors import Problem
from bot.kb.entries import Entry, load_entries
from bot.kb.index import Analyzer, Document, Index
from bot.nlu.normalize import Normalizer

#: Below this confidence the knowledge base says it has no answer rather than guess.
DEFAULT_THRESHOLD = 0.22


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

    def __init__(self, entries: Sequence[Entry], normalizer: Normalizer, threshold: float = DEFAULT_THRESHOLD):
        self.entries = tuple(entries)
        self.normalizer = normalizer
        self.threshold = threshold
        key_terms = [t for e in self.entries for t in e.key_terms]
        analyzer = Analyzer(normalizer.simplify(t) for t in key_terms)
        docs = [
            Document(
                head=normalizer.simplify("\n".join([e.title, *(q.text for q in e.questions), *e.tags, *e.tags])),
                body=normalizer.simplify(e.body),
                questions=tuple(normalizer.simplify(q.text) for q in e.questions),
                topics=tuple(normalizer.simplify(t) for t in (*e.tags, e.title)),
            )
            for e in self.entries
        ]
        self.index = Index(docs, analyzer)
        self.by_id = {e.id: e for e in self.entries}

    @classmethod
    def load(cls, directory: str | Path, normalizer: Normalizer, threshold: float = DEFAULT_THRESHOLD) -> KnowledgeBase:
        """Load and index `directory`; raises `KnowledgeFileError` listing every problem."""
        return cls(load_entries(directory), normalizer, threshold)

    def answer(self, question: str | bytes | None) -> Answer:
        """Answer one question in the script it was written in; never raises on odd input."""
        norm = self.normalizer.normalize(question)
        shown = norm.original if isinstance(norm.original, str) else ""
        if norm.empty:
            return Answer(shown, None, None, None, 0.0, None)
        hits = self.index.search(norm.text)
        if not hits:
            return Answer(shown, None, None, None, 0.0, None)
        hit = hits[0]
        score = max(0.0, min(1.0, hit.score))
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
