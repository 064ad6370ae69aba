"""Category questions: the few things a worker needs to know about a report of one category (noise: when
and how often; parking: a blocked fire lane, the plate), declared in the intent file under `questions:`.

The dialog asks them only when the report's words do not already say it (`Question.answered_in`), keeps
the answers on the case (`Case.answers`, label → words) and the worker reads them in the push and /tasks.
The same questions are the category's Open311 service definition (`bot/web/open311/attributes.py`).
Validated with the rest of the intent file (`path:line: what`); the format is in `intents/README.md`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ruamel.yaml.comments import CommentedMap

from bot.admin_files import show
from bot.nlu.cache import pickled_by_fields

if TYPE_CHECKING:
    from bot.nlu.intent_files import _FileReader

#: A few questions per category, short enough for a phone: more would feel like a form.
MAX_QUESTIONS = 3
MAX_CHOICES = 4
#: How much of a typed answer is kept (the chat cuts the rest and says so; the Open311 API refuses it).
MAX_ANSWER = 200
LIMITS = {"label": 10, "ask": 80, "choice": 12, "word": 20, "pattern": 200}
_KEYS = {"id", "label", "ask", "answered_if", "answered_pattern", "choices"}


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Question:
    """One question: `label` names the answer for the worker ("发生时间"), `ask` is what the resident reads."""

    id: str
    label: str
    ask: str
    line: int
    words: tuple[str, ...] = ()  # any of these in the report (Simplified, lower case) = already said
    pattern: re.Pattern[str] | None = None  # or this matches
    choices: tuple[str, ...] = ()  # answer buttons (the resident may also type)

    def answered_in(self, simplified: str) -> bool:
        """Does the report (Simplified, as the normaliser gives it) already answer this?"""
        text = simplified.lower()
        return any(w in text for w in self.words) or (self.pattern is not None and self.pattern.search(text) is not None)


def read_questions(reader: _FileReader, doc: CommentedMap, kind: str) -> tuple[Question, ...]:
    """The `questions:` of one intent file, every problem reported with its line."""
    items = reader.seq(doc, "questions")
    if items is None:
        return ()
    if kind != "category":
        reader.problem(reader.key_line(doc, "questions"), "only a category intent may declare questions")
        return ()
    if len(items) > MAX_QUESTIONS:
        reader.problem(reader.key_line(doc, "questions"),
                       f"{len(items)} questions; keep it to {MAX_QUESTIONS} (residents answer on a phone)")
    out: list[Question] = []
    seen: dict[str, int] = {}
    labels: dict[str, int] = {}
    for idx, item in enumerate(items):
        line = reader.item_line(items, idx)
        if not isinstance(item, CommentedMap):
            reader.problem(line, "each question must be a mapping with id, label and ask")
            continue
        reader.check_keys(item, _KEYS, "a question")
        qid = reader.ident(item, "a question")
        label = reader.string(item, "label", True, "a question", LIMITS["label"])
        ask = reader.string(item, "ask", True, "a question", LIMITS["ask"])
        words = _texts(reader, item, "answered_if", LIMITS["word"])
        choices = _texts(reader, item, "choices", LIMITS["choice"])
        if len(choices) > MAX_CHOICES:
            reader.problem(reader.key_line(item, "choices"), f"{len(choices)} choices; at most {MAX_CHOICES} buttons")
        pattern = _pattern(reader, item)
        if qid and qid in seen:
            reader.problem(line, f"question id {qid!r} is used twice (first at line {seen[qid]})")
            continue
        if qid:
            seen[qid] = line
        if label and label in labels:  # the answers are kept under the label: two would overwrite each other
            reader.problem(line, f"question label {label!r} is used twice (first at line {labels[label]})")
            continue
        if label:
            labels[label] = line
        if qid and not words and pattern is None:
            reader.problem(line, f"question {qid!r} needs answered_if (words) or answered_pattern: how else would "
                                 "the bot know the resident already said it?")
        if qid and label and ask:
            simplified = tuple(reader.norm.simplify(w).lower() for w in words)
            out.append(Question(qid, label, ask, line, simplified, pattern, choices[:MAX_CHOICES]))
    return tuple(out)


def _texts(reader: _FileReader, node: CommentedMap, key: str, max_chars: int) -> tuple[str, ...]:
    items = reader.seq(node, key)
    if items is None:
        return ()
    out = []
    for idx, value in enumerate(items):
        line = reader.item_line(items, idx)
        if not isinstance(value, str) or not value.strip():
            reader.problem(line, f"each item of {key!r} must be a non-empty text, got {show(value)}")
        elif reader.fits(line, repr(key), value.strip(), max_chars):
            out.append(value.strip())
    return tuple(out)


def _pattern(reader: _FileReader, node: CommentedMap) -> re.Pattern[str] | None:
    raw: Any = node.get("answered_pattern")
    if raw is None:
        return None
    line = reader.key_line(node, "answered_pattern")
    if not isinstance(raw, str) or not raw.strip() or not reader.fits(line, "'answered_pattern'", raw, LIMITS["pattern"]):
        if not isinstance(raw, str) or not raw.strip():
            reader.problem(line, f"'answered_pattern' must be a regular expression, got {show(raw)}")
        return None
    try:
        return re.compile(raw, re.IGNORECASE)
    except re.error as exc:
        reader.problem(line, f"'answered_pattern' is not a valid regular expression: {exc}")
        return None
