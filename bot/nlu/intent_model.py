"""What an intent file says, once read: terms, subtypes, examples and questions of one intent, and the set of them.

Plain frozen values the classifier, the dialog and the Open311 API read; reading and checking the YAML
is `intent_files.py`'s job, so code that only uses intents never needs the reader.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from bot.nlu.cache import pickled_by_fields
from bot.nlu.questions import Question
from bot.wording.names import OTHER_NAME

Kind = Literal["category", "act", "outside"]
KINDS: tuple[Kind, ...] = ("category", "act", "outside")
#: The acts of the taxonomy; `report` is what a category message is when no other act wins.
ACTS = ("report", "ask", "emergency", "status", "chat")


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Term:
    """A keyword or phrase as matched (normalised) plus where the admin wrote it."""

    text: str
    weight: float
    line: int
    raw: str


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Example:
    text: str
    line: int
    subtype: str | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Subtype:
    id: str
    name: str
    keywords: tuple[Term, ...]
    phrases: tuple[Term, ...]
    line: int
    deadline_hours: float | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Intent:
    """One intent: a taxonomy category, an act (ask/emergency/status/chat/report) or `outside`."""

    id: str
    name: str
    kind: Kind
    path: str
    line: int
    keywords: tuple[Term, ...] = ()
    phrases: tuple[Term, ...] = ()
    veto: tuple[Term, ...] = ()
    subtypes: tuple[Subtype, ...] = ()
    examples: tuple[Example, ...] = ()
    not_examples: tuple[Example, ...] = ()
    department: str | None = None
    deadline_hours: float | None = None
    #: Asked when the report does not say it (bot/nlu/questions.py); also the Open311 `services/{code}` attributes.
    questions: tuple[Question, ...] = ()
    #: An urgent case of this intent: 接单 within this many minutes, handled within these hours (None = settings).
    urgent_ack_minutes: float | None = None
    urgent_deadline_hours: float | None = None

    def all_terms(self) -> Iterable[tuple[Term, str | None, bool]]:
        """(term, subtype id or None, is_phrase) for every matchable term of this intent."""
        for t in self.keywords:
            yield t, None, False
        for t in self.phrases:
            yield t, None, True
        for st in self.subtypes:
            for t in st.keywords:
                yield t, st.id, False
            for t in st.phrases:
                yield t, st.id, True

    def subtype(self, subtype_id: str | None) -> Subtype | None:
        return next((s for s in self.subtypes if s.id == subtype_id), None)

    def deadline_for(self, subtype_id: str | None = None) -> float:
        """Deadline in hours for a case of this intent (a subtype may set its own)."""
        st = self.subtype(subtype_id)
        if st is not None and st.deadline_hours is not None:
            return st.deadline_hours
        return self.deadline_hours if self.deadline_hours is not None else 72.0


@dataclass(frozen=True)
class IntentSet:
    """Every intent loaded from one directory."""

    intents: tuple[Intent, ...]
    source: str = ""
    by_id: dict[str, Intent] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {i.id: i for i in self.intents})

    @property
    def categories(self) -> tuple[Intent, ...]:
        return tuple(i for i in self.intents if i.kind == "category")

    @property
    def acts(self) -> tuple[Intent, ...]:
        return tuple(i for i in self.intents if i.kind == "act")

    def get(self, intent_id: str | None) -> Intent | None:
        return self.by_id.get(intent_id) if intent_id else None

    def display_name(self, intent_id: str | None) -> str:
        intent = self.get(intent_id)
        return intent.name if intent else OTHER_NAME
