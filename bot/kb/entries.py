"""Knowledge entries: one Markdown file per answer under `knowledge/`, with YAML front matter.

The format is documented for admins in `knowledge/README.md`. Every problem carries `path:line`;
nothing is half-loaded — a broken set raises `KnowledgeFileError` and the caller keeps what it had.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from bot.admin_files import ProblemCollector, display_path, load_yaml, show
from bot.errors import KnowledgeFileError, Problem
from bot.nlu.cache import pickled_by_fields

#: The taxonomy's category ids (shared/taxonomy.md); an entry's `intents` must come from here
#: unless the caller passes the ids of the intent files it actually loaded.
TAXONOMY_IDS = frozenset({
    "noise", "illegal_construction", "parking", "sanitation", "greening", "group_rental",
    "falling_objects", "pets", "street_vending", "fumes_odor", "water_leak", "elevator",
    "public_facilities", "utilities", "property_service", "fire_hazard", "neighbor_dispute",
    "public_order",
})
#: What a resident should be able to read on a phone without scrolling much.
MAX_BODY_CHARS = 500
MAX_QUESTION_CHARS = 80
#: The body ends with this line so the resident sees the law behind the answer.
SOURCE_PREFIXES = ("依据:", "依据:")
README_NAME = "README.md"

_ID = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
_REQUIRED = ("id", "title", "questions", "intents", "source", "checked")
_OPTIONAL = ("tags", "supersedes")
#: A tag is a key term; a 20,000-character "tag" made `kb check` run for minutes.
MAX_TAG_CHARS = 30
#: The other texts of the front matter: a title is shown with the answer, the source is cited, `intents`
#: are ids. Without limits a 100,000-character title would be indexed and shown to residents.
MAX_TITLE_CHARS = 60
MAX_SOURCE_CHARS = 200
MAX_SUPERSEDES_CHARS = 200
MAX_INTENT_ID_CHARS = 40
MAX_FILE_BYTES = 200_000
_FENCE = "---"


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Question:
    """A question as the admin wrote it, with its line (for `kb check` reports)."""

    text: str
    line: int


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Entry:
    """One answer the bot can give, and everything needed to find and cite it."""

    id: str
    title: str
    questions: tuple[Question, ...]
    intents: tuple[str, ...]
    source: str
    checked: dt.date
    body: str
    path: str
    line: int = 1
    tags: tuple[str, ...] = ()
    supersedes: str | None = None

    @property
    def key_terms(self) -> tuple[str, ...]:
        """Words the segmenter must keep whole (tags, plus the law names cited)."""
        laws = tuple(re.findall(r"《([^《》]{2,30})》", self.source))
        return self.tags + laws


def load_entries(
    directory: str | Path, *, intent_ids: frozenset[str] | None = None, today: dt.date | None = None, fast: bool = False
) -> list[Entry]:
    """Load every `*.md` entry in `directory` (not README.md); raise `KnowledgeFileError` with all problems."""
    entries, problems = load_entries_partial(directory, intent_ids=intent_ids, today=today, fast=fast)
    if problems:
        raise KnowledgeFileError(problems)
    return entries


def load_entries_partial(
    directory: str | Path, *, intent_ids: frozenset[str] | None = None, today: dt.date | None = None, fast: bool = False
) -> tuple[list[Entry], list[Problem]]:
    """The entries that load cleanly, and every problem of the ones that do not (`path:line`).

    A running desk serves what it can: one broken entry must not switch policy answers off for every
    other question. An entry with any problem is left out whole; of two entries listing the same question
    the later one is. `KnowledgeFileError` only when the folder itself is missing or holds no entry.

    `fast` (the bot's start and `/reload`): front matter parsed through libyaml; when any problem turns up, the
    entries are read again with ruamel, whose problems (`path:line`) are the ones reported, as in `kb check`."""
    if fast:
        entries, problems = _load_entries_partial(directory, intent_ids, today, fast=True)
        if not problems:
            return entries, problems
    return _load_entries_partial(directory, intent_ids, today, fast=False)


def _load_entries_partial(directory: str | Path, intent_ids: frozenset[str] | None, today: dt.date | None, *,
                          fast: bool) -> tuple[list[Entry], list[Problem]]:
    root = Path(directory)
    if not root.is_dir():
        raise KnowledgeFileError([Problem(str(root), 0, "not a directory (set KNOWLEDGE_DIR to the knowledge folder)")])
    files = entry_files(root)
    if not files:
        raise KnowledgeFileError([Problem(str(root), 0, "no *.md knowledge entries here")])
    problems: list[Problem] = []
    entries: list[Entry] = []
    known = intent_ids if intent_ids is not None else TAXONOMY_IDS
    for file in files:
        before = len(problems)
        entry = _load_file(file, display_path(file), known, today or dt.date.today(), problems, fast)
        if entry is not None and len(problems) == before:
            entries.append(entry)
    cross = _cross_file_problems(entries)
    dropped = {p.path for p in cross}
    problems.extend(cross)
    return [e for e in entries if e.path not in dropped], problems


def entry_files(root: Path) -> list[Path]:
    """The files a knowledge base is read from (also what its build-cache key is made of)."""
    return sorted(p for p in root.glob("*.md") if p.name != README_NAME)


def _split(text: str, reader: _Reader) -> tuple[str, str, int] | None:
    """(front matter, body, line of the body's first line) or None after reporting why not."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != _FENCE:
        reader.problem(1, "an entry must start with a '---' line, then the front matter (id:, title: …), then '---'")
        return None
    for idx in range(1, len(lines)):
        if lines[idx].strip() == _FENCE:
            return "\n".join(lines[1:idx]), "\n".join(lines[idx + 1:]), idx + 2
    reader.problem(1, "front matter is not closed: add a '---' line after it")
    return None


class _Reader(ProblemCollector):
    """Validates one entry; front matter starts on file line 2, hence the line offset."""

    def __init__(self, path: str, problems: list[Problem]):
        super().__init__(path, problems, line_offset=2)

    def text(self, doc: CommentedMap, key: str, max_chars: int) -> str | None:
        value = doc.get(key)
        if not isinstance(value, str) or not value.strip():
            self.problem(self.key_line(doc, key), f"{key!r} must be a non-empty text, got {show(value)}")
            return None
        text = " ".join(value.split())
        return text if self.fits(self.key_line(doc, key), repr(key), text, max_chars) else None

    def texts(self, doc: CommentedMap, key: str, max_chars: int) -> list[tuple[str, int]]:
        value = doc.get(key)
        if not isinstance(value, CommentedSeq) or not value:
            self.problem(self.key_line(doc, key), f"{key!r} must be a non-empty list (one '- item' per line)")
            return []
        out: list[tuple[str, int]] = []
        seen: dict[str, int] = {}
        for idx, item in enumerate(value):
            line = self.item_line(value, idx)
            if isinstance(item, bool) or not isinstance(item, str | int) or not str(item).strip():
                self.problem(line, f"each {key} item must be a non-empty text, got {show(item)}")
                continue
            text = " ".join(str(item).split())
            hint = {"questions": "one question", "tags": "a tag is a key term", "intents": "an intent id"}.get(key, "")
            if not self.fits(line, f"{key} item", text, max_chars, hint):
                continue
            if text in seen:
                self.problem(line, f"{show(text)} is listed twice in {key} (first at line {seen[text]})")
                continue
            seen[text] = line
            out.append((text, line))
        return out

    def entry(self, doc: Any, body: str, body_line: int, file_stem: str, known: frozenset[str], today: dt.date) -> Entry | None:
        if not isinstance(doc, CommentedMap):
            self.problem(2, "front matter must be 'key: value' lines (id:, title:, questions: …)")
            return None
        for key in doc:
            if key not in _REQUIRED and key not in _OPTIONAL:
                allowed = ", ".join((*_REQUIRED, *_OPTIONAL))
                self.problem(self.key_line(doc, key), f"unknown key {show(key)} (allowed: {allowed})")
        for key in _REQUIRED:
            if key not in doc:
                self.problem(1, f"missing required key {key!r} in the front matter")
        eid = self.ident(doc, file_stem)
        title = self.text(doc, "title", MAX_TITLE_CHARS) if "title" in doc else None
        questions = self.texts(doc, "questions", MAX_QUESTION_CHARS) if "questions" in doc else []
        intents = self.intents(doc, known) if "intents" in doc else []
        tags = [t for t, _ in self.texts(doc, "tags", MAX_TAG_CHARS)] if "tags" in doc else []
        source = self.source(doc) if "source" in doc else None
        checked = self.checked(doc, today) if "checked" in doc else None
        supersedes = self.text(doc, "supersedes", MAX_SUPERSEDES_CHARS) if "supersedes" in doc else None
        text = self.body(body, body_line)
        if None in (eid, title, source, checked, text) or not questions or not intents:
            return None
        return Entry(
            id=eid, title=title, questions=tuple(Question(q, ln) for q, ln in questions),  # type: ignore[arg-type]
            intents=tuple(intents), source=source, checked=checked, body=text, path=self.path,  # type: ignore[arg-type]
            tags=tuple(tags), supersedes=supersedes,
        )

    def ident(self, doc: CommentedMap, file_stem: str) -> str | None:
        if "id" not in doc:
            return None
        value = doc["id"]
        line = self.key_line(doc, "id")
        if not isinstance(value, str) or not _ID.match(value):
            self.problem(line, f"id must be lower-case ASCII letters, digits and _ (start with a letter), got {show(value)}")
            return None
        if value != file_stem:
            self.problem(line, f"id {value!r} must match the file name ({file_stem}.md → id: {file_stem})")
            return None
        return value

    def intents(self, doc: CommentedMap, known: frozenset[str]) -> list[str]:
        out: list[str] = []
        for text, line in self.texts(doc, "intents", MAX_INTENT_ID_CHARS):
            if text not in known:
                self.problem(line, f"unknown intent {show(text)} (known: {', '.join(sorted(known))})")
                continue
            out.append(text)
        return out

    def source(self, doc: CommentedMap) -> str | None:
        value = self.text(doc, "source", MAX_SOURCE_CHARS)
        if value is not None and not re.search(r"《[^《》]+》", value):
            self.problem(self.key_line(doc, "source"), f"source must name the law in 《》 and its article, got {show(value)}")
            return None
        return value

    def checked(self, doc: CommentedMap, today: dt.date) -> dt.date | None:
        value = doc["checked"]
        line = self.key_line(doc, "checked")
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = dt.date.fromisoformat(value.strip())
        if isinstance(value, dt.datetime):
            value = value.date()
        if not isinstance(value, dt.date):
            self.problem(line, f"checked must be a date written YYYY-MM-DD, got {show(value)}")
            return None
        if value > today:
            self.problem(line, f"checked date {value.isoformat()} is in the future (today is {today.isoformat()})")
            return None
        return value

    def body(self, body: str, body_line: int) -> str | None:
        lines = body.split("\n")
        filled = [(i, ln.strip()) for i, ln in enumerate(lines) if ln.strip()]
        if not filled:
            self.problem(body_line, "the answer text after the front matter is empty")
            return None
        last_idx, last = filled[-1]
        ok = True
        if not last.startswith(SOURCE_PREFIXES):
            self.problem(body_line + last_idx, "the answer must end with a source line starting with '依据:'")
            ok = False
        if len(filled) < 2:
            self.problem(body_line + last_idx, "the answer needs a few sentences before the '依据:' line")
            ok = False
        text = "\n".join(ln for _, ln in filled)
        if len(text) > MAX_BODY_CHARS:
            self.problem(body_line, f"the answer is {len(text)} characters; keep it under {MAX_BODY_CHARS} (read on a phone)")
            ok = False
        return text if ok else None


def _load_file(file: Path, shown: str, known: frozenset[str], today: dt.date, problems: list[Problem],
               fast: bool) -> Entry | None:
    reader = _Reader(shown, problems)
    text = reader.read_text(file, MAX_FILE_BYTES, "knowledge entries", "one short answer per file")
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = _split(text, reader)
    if parts is None:
        return None
    front, body, body_line = parts
    try:
        doc = load_yaml(front, fast=fast)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reader.problem(mark.line + 2 if mark is not None else 1, f"YAML syntax in the front matter: {exc.problem or exc.context}")
        return None
    except YAMLError as exc:
        reader.problem(1, f"YAML syntax in the front matter: {exc}")
        return None
    if doc is None:
        reader.problem(1, "empty front matter: an entry needs id, title, questions, intents, source and checked")
        return None
    return reader.entry(doc, body, body_line, file.stem, known, today)


def _cross_file_problems(entries: list[Entry]) -> list[Problem]:
    """The same question listed by two entries would make one of them unreachable."""
    problems: list[Problem] = []
    owner: dict[str, tuple[Entry, Question]] = {}
    for entry in entries:
        for q in entry.questions:
            key = re.sub(r"[\s\W_]+", "", q.text).lower()
            prev = owner.get(key)
            if prev is not None and prev[0].id != entry.id:
                where = f"{prev[0].path}:{prev[1].line}"
                problems.append(Problem(entry.path, q.line, f"question {q.text!r} is also listed by {where}"))
            else:
                owner.setdefault(key, (entry, q))
    return problems
