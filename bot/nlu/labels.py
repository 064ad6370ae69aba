"""Labelled examples for fitting and measuring: (text, label, source) from any source.

The fit (`bot.nlu.fit`) only ever sees an iterable of `LabelledExample`, so a new source (the desk's
own confirmed cases, say) plugs in without touching it. Two file sources live here:

- a *label file* committed under `intents/labels/`: ids and labels only (the project never holds
  corpus text). Its first line is a header naming the labeller and where the texts are; each later
  line is `{"id": ..., "cat": ..., "split": "fit" | "held"}`. Texts are joined from `../shared/data`.
- a *text file* such as `../shared/data/dev_labeled.jsonl`, whose lines carry `text` and `cat`.

Every problem (bad JSON, unknown intent id, empty text, an id the data does not have) is reported
as `path:line: what`; a caller gets all of them at once and nothing half-read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bot import PROJECT_ROOT
from bot.admin_files import display_path
from bot.errors import DataFileError, Problem

OTHER = "other"
SPLITS = ("fit", "held")
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
LABELS_DIR = PROJECT_ROOT / "intents" / "labels"
DEV_FILE = SHARED_DATA / "dev_labeled.jsonl"


class LabelFileError(DataFileError):
    """A labelled file has bad lines; nothing of it is used."""


@dataclass(frozen=True, slots=True)
class LabelledExample:
    """One labelled text. `source` says where it came from (`path:line`, or a case number later)."""

    text: str
    label: str  # a category id or "other"
    source: str
    id: str = ""
    act: str | None = None
    sure: bool | None = None


@dataclass(frozen=True, slots=True)
class LabelledSet:
    """A named set of examples, one split of one file, as `griddesk eval` reports it."""

    name: str
    split: str  # "fit" (may be fitted on) or "held" (never fitted on)
    examples: tuple[LabelledExample, ...]
    labeller: str = ""


def held_out_by_hash(item_id: str, parts: int = 3) -> bool:
    """Deterministic split by id: the same id lands on the same side on every machine and every run."""
    return int(hashlib.sha1(item_id.encode("utf-8")).hexdigest(), 16) % parts == 0


def _text_index(path: Path, field: str) -> dict[str, str]:
    texts: dict[str, str] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                texts[str(row["id"])] = str(row.get(field) or "")
    return texts


_INDEX_CACHE: dict[tuple[str, str], dict[str, str]] = {}


def texts_for(source: str, field: str) -> dict[str, str]:
    """id → text of a `../shared/data` file (cached: fit and eval read the same corpus several times)."""
    key = (source, field)
    if key not in _INDEX_CACHE:
        _INDEX_CACHE[key] = _text_index(SHARED_DATA / source, field)
    return _INDEX_CACHE[key]


def read_label_file(path: Path, known: set[str]) -> tuple[dict[str, object], list[LabelledSet]]:
    """A committed label file → its header and one `LabelledSet` per split; raises `LabelFileError`."""
    shown = display_path(path)
    problems: list[Problem] = []
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelFileError([Problem(shown, 0, f"cannot read: {exc}")]) from exc
    header: dict[str, object] = {}
    try:
        header = json.loads(lines[0]) if lines else {}
    except ValueError:
        header = {}
    if not isinstance(header, dict) or "labeller" not in header or "source" not in header:
        raise LabelFileError([Problem(shown, 1, "first line must be a header: {\"labeller\": ..., \"source\": ...}")])
    source, field = str(header["source"]), str(header.get("text_field", "text"))
    if not (SHARED_DATA / source).is_file():
        raise LabelFileError([Problem(shown, 1, f"source {source!r} is not in {SHARED_DATA}")])
    texts = texts_for(source, field)
    by_split: dict[str, list[LabelledExample]] = {s: [] for s in SPLITS}
    for number, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            item_id, cat, split = str(row["id"]), row["cat"], row.get("split", "fit")
        except (ValueError, KeyError, TypeError):
            problems.append(Problem(shown, number, "not a JSON object with 'id' and 'cat'"))
            continue
        if cat not in known:
            problems.append(Problem(shown, number, f"unknown intent id {cat!r}"))
            continue
        if split not in SPLITS:
            problems.append(Problem(shown, number, f"split must be 'fit' or 'held', got {split!r}"))
            continue
        text = texts.get(item_id)
        if text is None:
            problems.append(Problem(shown, number, f"id {item_id!r} is not in {source}"))
            continue
        if not text.strip():
            problems.append(Problem(shown, number, f"empty text for id {item_id!r}"))
            continue
        by_split[split].append(LabelledExample(text, cat, f"{shown}:{number}", item_id, row.get("act"), row.get("sure")))
    if problems:
        raise LabelFileError(problems)
    name = path.stem
    labeller = str(header["labeller"])
    return header, [LabelledSet(f"{name} ({split})", split, tuple(ex), labeller) for split, ex in by_split.items() if ex]


def read_text_file(path: Path, known: set[str], split: str = "held") -> LabelledSet:
    """A JSONL whose lines carry `text` and `cat` (dev): one set; raises `LabelFileError`."""
    shown = display_path(path)
    problems: list[Problem] = []
    out: list[LabelledExample] = []
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelFileError([Problem(shown, 0, f"cannot read: {exc}")]) from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text, cat = row["text"], row.get("cat") or OTHER
        except (ValueError, KeyError, TypeError):
            problems.append(Problem(shown, number, "not a JSON object with 'text' and 'cat'"))
            continue
        if cat not in known:
            problems.append(Problem(shown, number, f"unknown intent id {cat!r}"))
        elif not isinstance(text, str) or not text.strip():
            problems.append(Problem(shown, number, "empty text"))
        else:
            out.append(LabelledExample(text, cat, f"{shown}:{number}", str(row.get("id", number)),
                                       row.get("act"), row.get("sure")))
    if problems:
        raise LabelFileError(problems)
    return LabelledSet(path.stem, split, tuple(out))


def label_files(directory: Path = LABELS_DIR) -> list[Path]:
    return sorted(directory.glob("*.jsonl")) if directory.is_dir() else []


def all_sets(known: set[str], files: Iterable[Path] | None = None, dev: Path | None = DEV_FILE) -> list[LabelledSet]:
    """Every labelled set the project has: dev (held out) first, then each split of each label file."""
    problems: list[Problem] = []
    sets: list[LabelledSet] = []
    if dev is not None and dev.is_file():
        try:
            sets.append(read_text_file(dev, known, "held"))
        except LabelFileError as exc:
            problems.extend(exc.problems)
    for path in label_files() if files is None else files:
        try:
            if _has_text(path):
                sets.append(read_text_file(path, known, "fit"))
            else:
                sets.extend(read_label_file(path, known)[1])
        except LabelFileError as exc:
            problems.extend(exc.problems)
    if problems:
        raise LabelFileError(problems)
    return sets


def _has_text(path: Path) -> bool:
    """A file whose first line has `text` carries its own texts (dev-style), otherwise it is a label file."""
    try:
        with path.open(encoding="utf-8-sig") as handle:
            first = json.loads(handle.readline() or "{}")
    except (OSError, ValueError):
        return False
    return isinstance(first, dict) and "text" in first


def fit_examples(sets: Iterable[LabelledSet]) -> Iterator[LabelledExample]:
    """Only the examples that may be fitted on: held-out splits never reach the fit."""
    for labelled in sets:
        if labelled.split == "fit":
            yield from labelled.examples
