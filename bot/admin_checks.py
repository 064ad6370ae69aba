"""The checks of admin-edited files — `griddesk intents check` and `griddesk kb check` — as results, not prints:
the CLI prints them, the console's admin page shows them. Every problem reads `path:line: what is wrong`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class CheckResult:
    what: str  # intents | knowledge
    directory: Path
    loaded: bool  # False: the files could not be read at all (the problems say where)
    problems: list[str]  # "path:line: what is wrong"
    summary: str
    notes: list[str] = field(default_factory=list)  # informational lines (fitted weights, warnings)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_intents(directory: Path, max_chars: int, report: Callable[[str], None] | None = None) -> CheckResult:
    """Validate the intent files, run every example and not_example, look at the fitted weights.

    `report` receives the precision/recall tables (the CLI prints them; the console does not need them)."""
    from bot.errors import DataFileError
    from bot.nlu.classifier import Classifier
    from bot.nlu.cli_impl import run_examples
    from bot.nlu.fitted import default_path, load_fitted, terms_hash
    from bot.nlu.intent_files import load_intents
    from bot.nlu.normalize import Normalizer

    directory = Path(directory)
    normalizer = Normalizer(max_chars)
    try:
        intents = load_intents(directory, normalizer)
    except DataFileError as exc:
        return CheckResult("intents", directory, False, [str(p) for p in exc.problems],
                           f"{len(exc.problems)} problem(s) in {directory}")
    fitted_problems: list[str] = []
    try:
        fitted = load_fitted(directory, intents)
    except DataFileError as exc:
        fitted, fitted_problems = None, [str(p) for p in exc.problems]
    clf = Classifier.from_intents(intents, normalizer, fitted)
    failures = run_examples(intents, clf, report=report or (lambda _line: None))
    notes: list[str] = []
    if fitted is None and not fitted_problems:
        notes.append(f"no fitted weights at {default_path(directory)}: the YAML weights decide")
    elif fitted is not None:
        notes.extend(f"{problem} (warning)" for problem in fitted.stale)
        same = "matches" if fitted.terms_hash == terms_hash(intents) else "does not match (refit after editing terms)"
        notes.append(f"fitted weights {fitted.path}: {len(fitted.weights)} terms; terms hash {same}")
    n_examples = sum(len(i.examples) + len(i.not_examples) for i in intents.intents)
    summary = (f"{len(intents.intents)} intents, {clf.lexicon.size} terms, {n_examples} examples: "
               f"{'all pass' if not failures else f'{len(failures)} failing'}")
    return CheckResult("intents", directory, True, failures + fitted_problems, summary, notes)


def check_knowledge(directory: Path, intents_dir: Path | None, max_chars: int) -> CheckResult:
    """Validate every knowledge entry (all problems at once), then ask each entry's listed questions."""
    from bot.errors import KnowledgeFileError
    from bot.kb.base import KnowledgeBase
    from bot.kb.cli_impl import outside_of
    from bot.nlu.normalize import Normalizer

    directory = Path(directory)
    try:
        norm = Normalizer(max_chars)
        kb = KnowledgeBase.load(directory, norm, outside=outside_of(intents_dir, norm))
    except KnowledgeFileError as exc:
        return CheckResult("knowledge", directory, False, [str(p) for p in exc.problems],
                           f"kb check: {len(exc.problems)} problem(s) in {directory}")
    problems = [str(p) for p in kb.check()]
    asked = sum(len(e.questions) for e in kb.entries)
    summary = (f"kb check: {len(problems)} of {asked} listed questions not answered by their own entry" if problems
               else f"kb check: {len(kb.entries)} entries OK, {asked} listed questions answered by their own entry")
    return CheckResult("knowledge", directory, True, problems, summary)
