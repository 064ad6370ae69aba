"""What the engine understands with: intents, the classifier built on them, and the knowledge base.

Held together so `/reload` swaps all of it at once; a broken file leaves the old set in place and
the admin gets the `path:line` problems.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from bot.errors import DataFileError, Problem
from bot.nlu.normalize import NormalizedText, Normalizer

if TYPE_CHECKING:
    from bot.nlu.cache import BuildCache

#: The message of the turn being handled (in this task): its text, and how to get its one normalised form.
log = logging.getLogger(__name__)
_TURN_TEXT: ContextVar[tuple[str, Callable[[], NormalizedText]] | None] = ContextVar("griddesk_turn_text", default=None)


class Answerer(Protocol):
    """The knowledge base as the dialog uses it (`bot.kb.KnowledgeBase`)."""

    def answer(self, question: str) -> Any: ...


@dataclass(frozen=True, slots=True)
class ReloadResult:
    ok: bool
    intents: int
    knowledge: int
    problems: tuple[str, ...] = ()
    #: Knowledge entries left out because they are broken (the rest serves), as `path:line: message`.
    skipped: tuple[str, ...] = ()
    #: Fitted weights that no longer apply (a term removed or re-weighted since the fit): the YAML weight
    #: decides for those terms until the next `griddesk intents fit`.
    stale: tuple[str, ...] = ()


class Understanding:
    """Loads and holds the intent set, the classifier and (when available) the knowledge base."""

    def __init__(self, intents: Any, classifier: Any, kb: Answerer | None, *,
                 normalizer: Normalizer, intents_dir: Path | None = None, knowledge_dir: Path | None = None,
                 cache: BuildCache | None = None):
        self.intents = intents
        self.classifier = classifier
        self.kb = kb
        self.normalizer = normalizer
        self.intents_dir = intents_dir
        self.knowledge_dir = knowledge_dir
        #: Where builds from unchanged files are kept, so a start or `/reload` costs milliseconds.
        self.cache = cache
        #: Called with this object after a successful reload (e.g. the case service takes the new names).
        self.listeners: list[Callable[[Understanding], None]] = []

    @classmethod
    def load(cls, intents_dir: Path, knowledge_dir: Path, normalizer: Normalizer,
             cache: BuildCache | None = None) -> Understanding:
        """Load both; a missing knowledge base (not built yet, or an empty folder) leaves `kb` None."""
        if cache is not None:  # the shared jieba dictionary, from the build cache (see `Dictionary.load`)
            from bot.nlu.segment import shared_dictionary

            shared_dictionary().load(cache)
        intents, classifier = _load_intents(intents_dir, normalizer, strict=False, cache=cache)
        kb = _load_kb(knowledge_dir, normalizer, strict=False, intents=intents, cache=cache)
        _log_skipped(kb)
        return cls(intents, classifier, kb, normalizer=normalizer, intents_dir=intents_dir, knowledge_dir=knowledge_dir,
                   cache=cache)

    def category_name(self, intent_id: str | None) -> str:
        from bot import wording as texts

        intent = self.intents.get(intent_id) if intent_id else None
        return intent.name if intent is not None else texts.OTHER_NAME

    def categories(self) -> list[tuple[str, str]]:
        """(id, 名称) of every category, in file order: the picker's buttons."""
        return [(i.id, i.name) for i in self.intents.categories]

    def deadline_hours(self, intent_id: str | None, subtype: str | None) -> float:
        intent = self.intents.get(intent_id) if intent_id else None
        return intent.deadline_for(subtype) if intent is not None else 72.0

    def reload(self) -> ReloadResult:
        """Re-read intents and knowledge; all-or-nothing, problems listed as `path:line: message`."""
        problems: list[Problem] = []
        new_intents = new_classifier = new_kb = None
        if self.intents_dir is not None:
            try:
                new_intents, new_classifier = _load_intents(self.intents_dir, self.normalizer, strict=True,
                                                            cache=self.cache)
            except DataFileError as exc:
                problems.extend(exc.problems)
        if self.knowledge_dir is not None:
            try:
                new_kb = _load_kb(self.knowledge_dir, self.normalizer, strict=True,
                                  intents=new_intents if new_intents is not None else self.intents, cache=self.cache)
            except DataFileError as exc:
                problems.extend(exc.problems)
        if problems:
            return ReloadResult(False, _count_intents(self.intents), _count_kb(self.kb), tuple(str(p) for p in problems))
        if new_intents is not None:
            self.intents, self.classifier = new_intents, new_classifier
        if new_kb is not None:
            self.kb = new_kb
            _log_skipped(new_kb)
        for listener in self.listeners:
            listener(self)
        skipped = tuple(str(p) for p in getattr(new_kb, "problems", ()))
        stale = tuple(str(p) for p in getattr(getattr(new_classifier, "fitted", None), "stale", ()))
        return ReloadResult(True, _count_intents(self.intents), _count_kb(self.kb), skipped=skipped, stale=stale)


@contextmanager
def reading(text: str | None, norm: Callable[[], NormalizedText]) -> Iterator[None]:
    """While a turn is handled: the classifier and the knowledge base take the turn's normalised message
    (`norm()`, computed once) instead of normalising the same text again. They take raw text, so the
    hand-over happens in the normalizer they were built with (`TurnNormalizer`)."""
    token = _TURN_TEXT.set((text, norm) if text is not None else None)
    try:
        yield
    finally:
        _TURN_TEXT.reset(token)


class TurnNormalizer:
    """The shared `Normalizer`, as the classifier and the knowledge base hold it: asked for the text of the
    turn being handled, it answers with that turn's form; anything else it normalises as usual."""

    def __init__(self, base: Normalizer):
        self.base = base

    def normalize(self, raw: str | bytes | None) -> NormalizedText:
        current = _TURN_TEXT.get()
        if current is not None and isinstance(raw, str) and raw == current[0]:
            return current[1]()
        return self.base.normalize(raw)

    def __getattr__(self, name: str) -> Any:  # simplify, to_script, max_chars…: the base's own
        return getattr(self.base, name)


def _load_intents(directory: Path, normalizer: Normalizer, *, strict: bool,
                  cache: BuildCache | None = None) -> tuple[Any, Any]:
    """Intents and their classifier (reading the turn's normalised text); a broken fitted-weights file fails
    only a reload (`strict`)."""
    from bot.nlu.loading import load_classifier

    return load_classifier(directory, TurnNormalizer(normalizer), strict=strict, cache=cache,  # type: ignore[arg-type]
                           fast=True)


def _load_kb(directory: Path, normalizer: Normalizer, *, strict: bool, intents: Any = None,
             cache: BuildCache | None = None) -> Answerer | None:
    """The knowledge base, or None when the `bot.kb` package or the folder is not there yet.

    The intents' outside/chat words tell the knowledge base which questions are not its to answer.
    """
    try:
        from bot.kb import KnowledgeBase  # type: ignore[attr-defined]
    except ImportError:
        try:
            from bot.kb.base import KnowledgeBase
        except ImportError:
            return None
    if not Path(directory).is_dir():
        return None
    try:
        from bot.kb.base import outside_terms

        # Partial: a broken entry is left out (and named), the rest serves; only a folder with nothing that
        # loads fails (a reload then keeps the knowledge base it had).
        return KnowledgeBase.load(directory, TurnNormalizer(normalizer), outside=outside_terms(intents),  # type: ignore[arg-type]
                                  partial=True, cache=cache, fast=True)
    except DataFileError as exc:
        if strict:
            raise
        for problem in exc.problems:
            log.warning("knowledge base not loaded: %s", problem)
        return None


def _log_skipped(kb: Any) -> None:
    for problem in getattr(kb, "problems", ()):
        log.warning("knowledge entry left out (the rest serves): %s", problem)


def _count_intents(intents: Any) -> int:
    return len(getattr(intents, "intents", ()) or ())


def _count_kb(kb: Any) -> int:
    return len(getattr(kb, "entries", ()) or ()) if kb is not None else 0
