"""Intent files: the admin-edited YAML under `intents/`, loaded with every problem reported at once.

The format is documented for admins in `intents/README.md`. Each problem carries `path:line` so an
admin can jump straight to it; nothing is half-loaded — a broken set raises `IntentFileError`
and the caller keeps the set it had.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from bot.admin_files import ProblemCollector, display_path, load_yaml, show, yaml_files
from bot.errors import IntentFileError, Problem
from bot.nlu.intent_model import ACTS, KINDS, Example, Intent, IntentSet, Kind, Subtype, Term
from bot.nlu.normalize import Normalizer, default_normalizer
from bot.nlu.questions import read_questions

__all__ = ["ACTS", "KINDS", "Example", "Intent", "IntentSet", "Kind", "Subtype", "Term", "load_intents"]

FORMAT_VERSION = 1
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_MAX_WEIGHT = 10.0
#: Limits that keep one typo in an admin file from taking the bot down (a 1M-character keyword crashed jieba).
MAX_TERM_CHARS = {"keywords": 30, "veto": 30, "phrases": 80}
MAX_FILE_BYTES = 1_000_000
#: Every other text field has a limit too: a name is read on a button, a department in a push, an example is one
#: resident message. A 100,000-character category name was once accepted and reached every case notice.
MAX_TEXT_CHARS = {"name": 20, "department": 60, "description": 300, "example": 500}

_TOP_KEYS = {
    "version", "id", "name", "kind", "department", "deadline_hours", "keywords", "phrases",
    "veto", "subtypes", "examples", "not_examples", "description", "questions",
    "urgent_ack_minutes", "urgent_deadline_hours",
}
#: Keys an older intent file may still carry, with what to write instead.
_RETIRED_KEYS = {
    "attributes": "'attributes' is no longer read: the Open311 service definition is derived from 'questions:' "
                  "(code = id, description = ask, values = choices); move what is needed there (intents/README.md)",
}
#: Bounds of an intent's own urgent clock (the same as the settings' URGENT_ACK_MINUTES / URGENT_DEADLINE_HOURS).
URGENT_LIMITS = {"urgent_ack_minutes": (24 * 60, "minutes"), "urgent_deadline_hours": (24 * 30, "hours")}
_SUBTYPE_KEYS = {"id", "name", "keywords", "phrases", "deadline_hours", "description"}
_EXAMPLE_KEYS = {"text", "subtype"}


class _FileReader(ProblemCollector):
    """Validates one intent file, collecting problems instead of stopping at the first."""

    def __init__(self, path: str, normalizer: Normalizer, problems: list[Problem]):
        super().__init__(path, problems)
        self.norm = normalizer

    def check_keys(self, node: CommentedMap, allowed: set[str], where: str, retired: dict[str, str] | None = None) -> None:
        for key in node:
            if retired and key in retired:
                self.problem(self.key_line(node, key), retired[key])
            elif key not in allowed:
                hint = ", ".join(sorted(allowed))
                self.problem(self.key_line(node, key), f"unknown key {show(key)} in {where} (allowed: {hint})")

    def string(self, node: CommentedMap, key: str, required: bool, where: str, max_chars: int) -> str | None:
        if key not in node or node[key] is None:
            if required:
                self.problem(node.lc.line + 1, f"missing required key {key!r} in {where}")
            return None
        value = node[key]
        if not isinstance(value, str) or not value.strip():
            self.problem(self.key_line(node, key), f"{key!r} must be a non-empty text, got {show(value)}")
            return None
        if not self.fits(self.key_line(node, key), repr(key), value.strip(), max_chars):
            return None
        return value.strip()

    def ident(self, node: CommentedMap, where: str) -> str | None:
        value = self.string(node, "id", True, where, 40)
        if value is not None and not _ID.match(value):
            self.problem(
                self.key_line(node, "id"),
                f"id {show(value)} must be lower-case ASCII letters, digits and _ (start with a letter, ≤40)",
            )
            return None
        return value

    def description(self, node: CommentedMap) -> None:  # for admins only, but still text with a limit
        self.string(node, "description", False, "", MAX_TEXT_CHARS["description"])

    def hours(self, node: CommentedMap, key: str) -> float | None:
        if key not in node:
            return None
        value = node[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 24 * 365:
            self.problem(self.key_line(node, key), f"{key!r} must be a number of hours > 0, got {show(value)}")
            return None
        return float(value)

    def urgent_limit(self, node: CommentedMap, key: str) -> float | None:
        """`urgent_ack_minutes` / `urgent_deadline_hours`: a number in (0, bound], the intent's own urgent clock."""
        if key not in node:
            return None
        bound, unit = URGENT_LIMITS[key]
        value = node[key]
        if (isinstance(value, bool) or not isinstance(value, int | float) or value != value
                or not 0 < value <= bound):
            self.problem(self.key_line(node, key), f"{key!r} must be a number of {unit} > 0 and at most {bound}, "
                                                   f"got {show(value)}")
            return None
        return float(value)

    def seq(self, node: CommentedMap, key: str) -> CommentedSeq | None:
        if key not in node or node[key] is None:
            return None
        value = node[key]
        if not isinstance(value, CommentedSeq):
            self.problem(self.key_line(node, key), f"{key!r} must be a list (one '- item' per line)")
            return None
        return value

    def terms(self, node: CommentedMap, key: str) -> tuple[Term, ...]:
        """Keywords/phrases/veto: `- 词` or `- 词: 权重`."""
        items = self.seq(node, key)
        if items is None:
            return ()
        out: list[Term] = []
        for idx, item in enumerate(items):
            line = self.item_line(items, idx)
            weight: Any = 1.0
            if isinstance(item, CommentedMap) and len(item) == 1:
                (raw, weight), = item.items()
            elif isinstance(item, str | int) and not isinstance(item, bool):
                raw = item
            else:
                self.problem(line, f"{key} entry must be a word or 'word: weight', got {show(item)}")
                continue
            raw = str(raw)
            if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= _MAX_WEIGHT:
                self.problem(line, f"weight of {show(raw)} must be a number in (0, {_MAX_WEIGHT:g}], got {show(weight)}")
                continue
            limit = MAX_TERM_CHARS.get(key, MAX_TERM_CHARS["phrases"])
            text = self.norm.simplify(raw).strip() if len(raw) <= limit else ""
            if len(raw) > limit:
                self.problem(line, f"{key} entry {show(raw)} is {len(raw)} characters; keep it under {limit} "
                                   f"(a keyword is a word, a phrase a short sentence)")
            elif not text:
                self.problem(line, f"{key} entry {raw!r} is empty after normalisation (emoji/spaces only?)")
            else:
                out.append(Term(text=text, weight=float(weight), line=line, raw=raw))
        return tuple(out)

    def examples(self, node: CommentedMap, key: str, subtypes: set[str]) -> tuple[Example, ...]:
        items = self.seq(node, key)
        if items is None:
            return ()
        out: list[Example] = []
        for idx, item in enumerate(items):
            line = self.item_line(items, idx)
            if isinstance(item, str):
                text, subtype = item, None
            elif isinstance(item, CommentedMap):
                self.check_keys(item, _EXAMPLE_KEYS, f"an entry of {key}")
                text, subtype = item.get("text"), item.get("subtype")
                if subtype is not None and (not isinstance(subtype, str) or subtype not in subtypes):
                    known = ", ".join(sorted(subtypes)) or "none defined"
                    self.problem(line, f"example names unknown subtype {show(subtype)} (known: {known})")
                    subtype = None
            else:
                self.problem(line, f"{key} entry must be a text or 'text: … / subtype: …', got {show(item)}")
                continue
            if not isinstance(text, str) or not text.strip():
                self.problem(line, f"{key} entry needs a non-empty 'text'")
                continue
            if not self.fits(line, f"{key} entry", text.strip(), MAX_TEXT_CHARS["example"], "one resident message"):
                continue
            out.append(Example(text=text.strip(), line=line, subtype=subtype))
        return tuple(out)

    def subtypes(self, node: CommentedMap) -> tuple[Subtype, ...]:
        items = self.seq(node, "subtypes")
        if items is None:
            return ()
        out: list[Subtype] = []
        seen: dict[str, int] = {}
        for idx, item in enumerate(items):
            line = self.item_line(items, idx)
            if not isinstance(item, CommentedMap):
                self.problem(line, "each subtype must be a mapping with id, name and keywords")
                continue
            self.check_keys(item, _SUBTYPE_KEYS, "a subtype")
            sid = self.ident(item, "a subtype")
            name = self.string(item, "name", True, "a subtype", MAX_TEXT_CHARS["name"])
            self.description(item)
            kws, phs = self.terms(item, "keywords"), self.terms(item, "phrases")
            if sid and sid in seen:
                self.problem(line, f"subtype id {sid!r} is used twice (first at line {seen[sid]})")
                continue
            if sid:
                seen[sid] = line
            if sid and not kws and not phs:
                self.problem(line, f"subtype {sid!r} has no keywords or phrases: it can never match")
            if sid and name:
                out.append(Subtype(sid, name, kws, phs, line, self.hours(item, "deadline_hours")))
        return tuple(out)

    def intent(self, doc: Any) -> Intent | None:
        if not isinstance(doc, CommentedMap):
            self.problem(1, "an intent file must be a mapping (version:, id:, name:, keywords: …)")
            return None
        self.check_keys(doc, _TOP_KEYS, "an intent", _RETIRED_KEYS)
        version = doc.get("version")
        if "version" not in doc:
            self.problem(1, f"missing required key 'version' (write 'version: {FORMAT_VERSION}')")
        elif version != FORMAT_VERSION:
            line = self.key_line(doc, "version")
            self.problem(line, f"unsupported version {show(version)}; this GridDesk reads version {FORMAT_VERSION}")
        iid = self.ident(doc, "an intent")
        name = self.string(doc, "name", True, "an intent", MAX_TEXT_CHARS["name"])
        self.description(doc)
        kind = doc.get("kind", "category")
        if kind not in KINDS:
            self.problem(self.key_line(doc, "kind"), f"kind must be one of {', '.join(KINDS)}, got {show(kind)}")
            kind = "category"
        if kind == "act" and iid and iid not in ACTS:
            self.problem(self.key_line(doc, "id"), f"an act intent's id must be one of {', '.join(ACTS)}, got {iid!r}")
        department = self.string(doc, "department", kind == "category", "a category intent", MAX_TEXT_CHARS["department"])
        deadline = self.hours(doc, "deadline_hours")
        ack, urgent_hours = self.urgent_limit(doc, "urgent_ack_minutes"), self.urgent_limit(doc, "urgent_deadline_hours")
        if kind == "category" and "deadline_hours" not in doc:
            self.problem(doc.lc.line + 1, "missing required key 'deadline_hours' in a category intent")
        subtypes = self.subtypes(doc)
        keywords, phrases, veto = self.terms(doc, "keywords"), self.terms(doc, "phrases"), self.terms(doc, "veto")
        if not keywords and not phrases and not any(s.keywords or s.phrases for s in subtypes):
            self.problem(doc.lc.line + 1, f"intent {iid or '?'!r} has no keywords or phrases: it can never match")
        sub_ids = {s.id for s in subtypes}
        examples = self.examples(doc, "examples", sub_ids)
        not_examples = self.examples(doc, "not_examples", sub_ids)
        questions = read_questions(self, doc, kind)
        if iid is None or name is None:
            return None
        return Intent(
            id=iid, name=name, kind=kind, path=self.path, line=doc.lc.line + 1, keywords=keywords,
            phrases=phrases, veto=veto, subtypes=subtypes, examples=examples, not_examples=not_examples,
            department=department, deadline_hours=deadline, questions=questions,
            urgent_ack_minutes=ack, urgent_deadline_hours=urgent_hours,
        )


def load_intents(directory: str | Path, normalizer: Normalizer | None = None, *, fast: bool = False) -> IntentSet:
    """Load every `*.yaml`/`*.yml` in `directory`; raise `IntentFileError` with all problems.

    `fast` (the bot's start and `/reload`): parsed through libyaml; a set with any problem is read again with
    ruamel, whose problems (`path:line`) are the ones reported, as `intents check` reports them."""
    if fast:
        try:
            return _load_intents(directory, normalizer, fast=True)
        except IntentFileError:
            pass
    return _load_intents(directory, normalizer, fast=False)


def _load_intents(directory: str | Path, normalizer: Normalizer | None, *, fast: bool) -> IntentSet:
    root = Path(directory)
    norm = normalizer or default_normalizer()
    problems: list[Problem] = []
    if not root.is_dir():
        raise IntentFileError([Problem(str(root), 0, "not a directory (set INTENTS_DIR to the intents folder)")])
    files = yaml_files(root)
    if not files:
        raise IntentFileError([Problem(str(root), 0, "no *.yaml intent files here")])
    intents: list[Intent] = []
    for file in files:
        intent = _load_file(file, display_path(file), norm, problems, fast)
        if intent is not None:
            intents.append(intent)
    problems.extend(_cross_file_problems(intents))
    if problems:
        raise IntentFileError(problems)
    return IntentSet(tuple(intents), source=str(root))


def _load_file(file: Path, shown: str, norm: Normalizer, problems: list[Problem], fast: bool) -> Intent | None:
    reader = _FileReader(shown, norm, problems)
    text = reader.read_text(file, MAX_FILE_BYTES, "intent files",
                            "split the vocabulary across intents, or look for a pasted-in blob")
    if text is None:
        return None
    try:
        doc = load_yaml(text, fast=fast)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        reader.problem(line, f"YAML syntax: {exc.problem or exc.context}")
        return None
    except YAMLError as exc:
        reader.problem(1, f"YAML syntax: {exc}")
        return None
    if doc is None:
        reader.problem(1, "empty file: an intent needs version, id, name and keywords")
        return None
    return reader.intent(doc)


def _cross_file_problems(intents: list[Intent]) -> list[Problem]:
    """Duplicate ids anywhere; the same term twice within one dimension (categories+outside, or acts)."""
    problems: list[Problem] = []
    first: dict[str, Intent] = {}
    for intent in intents:
        if intent.id in first:
            msg = f"duplicate intent id {intent.id!r} (also {first[intent.id].path}:{first[intent.id].line})"
            problems.append(Problem(intent.path, intent.line, msg))
        else:
            first[intent.id] = intent
    for dimension in (("category", "outside"), ("act",)):
        seen: dict[str, tuple[Intent, Term, str | None]] = {}
        for intent in (i for i in intents if i.kind in dimension):
            for term, sub, _ in intent.all_terms():
                prev = seen.get(term.text)
                if prev is None:
                    seen[term.text] = (intent, term, sub)
                    continue
                p_intent, p_term, p_sub = prev
                if p_intent.id == intent.id:
                    if p_sub == sub:
                        where = f"subtype {sub!r}" if sub else f"intent {intent.id!r}"
                        msg = f"{term.raw!r} is listed twice in {where} (first at line {p_term.line})"
                    else:
                        msg = f"{term.raw!r} is in two subtypes of {intent.id!r} (also line {p_term.line}); keep it in one"
                    problems.append(Problem(intent.path, term.line, msg))
                else:
                    problems.append(Problem(
                        intent.path, term.line,
                        f"keyword {term.raw!r} of {intent.id!r} is also a keyword of {p_intent.id!r} "
                        f"at {p_intent.path}:{p_term.line}; keep it in one intent (or give one a veto)",
                    ))
    return problems
