"""The fitted-numbers file (`intents/fitted/weights.json`): what `griddesk intents fit` writes.

Admins write the terms; this file holds only numbers attached to them (one term per line, so a
problem is reported as `path:line`), plus the global numbers of the decision (`Numbers`: position
weights, the pull of `other`, the thresholds, the confidence calibration). Nothing of the labelled
texts is in it.

Loading never takes the bot down: a missing file means YAML weights; a broken one raises
`IntentFileError` (the caller keeps the set it had, or starts on YAML weights); a stale one (terms
that no intent file has any more, or whose YAML weight changed since the fit) loads what still
applies and lists the rest in `stale`, which `griddesk intents check` prints.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bot.admin_files import display_path
from bot.errors import IntentFileError, Problem
from bot.nlu.intent_files import IntentSet

FORMAT_VERSION = 1
FILE_NAME = Path("fitted") / "weights.json"
#: Position zones of a term's best occurrence, in rank order (see `sentence_zones.zones`).
ZONES = ("opening", "request", "body")
_MAX_BYTES = 5_000_000

# What `griddesk intents fit` tries (`bot.nlu.fit`); here so the CLI shows them without importing numpy.
#: The candidate models, fewest free numbers first (a tie goes to the earlier one).
FIT_MODELS = ("numbers", "scales", "terms")
#: L2 strengths of the `terms` model (per unit of YAML weight², against the summed log-loss). Weaker ones
#: (1, 3, 10) lost out of fold and on every held-out set in the 2026-11 and 2026-12 rounds.
FIT_LAMBDAS = (30.0, 100.0, 300.0)
FIT_FOLDS = 4
#: A fitted model replaces the YAML weights only for this much out of fold (mean of the three figures):
#: the fold-to-fold spread of that figure on the 2.6k fit items is about 0.01–0.02.
FIT_MIN_GAIN = 0.01


@dataclass(frozen=True)
class Numbers:
    """The numbers of the classifier's decision; the defaults are the hand-set ones (no fitted file).

    Scores are sums of term weight × position × strength in YAML-weight units, so the thresholds
    read as "one ordinary keyword up front" whether fitted or not.
    """

    positions: dict[str, float] = field(default_factory=lambda: {"opening": 1.0, "request": 0.8, "body": 0.5})
    #: `other`'s strongest terms are multiplied by this before they compete with the categories.
    outside_pull: float = 1.0
    #: A category needs this score; in a long letter with one term, `long_single`; named only in passing, `passing`.
    topic: float = 1.0
    long_single: float = 1.25
    passing: float = 2.0
    #: Confidence calibration: sigmoid(a · logit(c) + b) of the rule-of-thumb confidence c.
    calibration: tuple[float, float] = (1.0, 0.0)

    def calibrate(self, confidence: float) -> float:
        a, b = self.calibration
        if (a, b) == (1.0, 0.0):
            return confidence
        c = min(max(confidence, 1e-4), 1 - 1e-4)
        return 1 / (1 + math.exp(-(a * math.log(c / (1 - c)) + b)))


@dataclass(frozen=True)
class Fitted:
    """The numbers the classifier decides with when a fit is present."""

    #: (intent id, normalised term) → weight, in the YAML weights' units.
    weights: dict[tuple[str, str], float]
    #: The YAML weight each term had when fitted (a changed one means the admin overrides the fit).
    priors: dict[tuple[str, str], float]
    numbers: Numbers
    terms_hash: str = ""
    fitted_on: tuple[dict[str, object], ...] = ()
    lines: dict[tuple[str, str], int] = field(default_factory=dict, compare=False)
    path: str = ""
    #: Problems that do not stop loading (a stale term), as `path:line: what`.
    stale: tuple[Problem, ...] = ()

    def weight(self, intent: str, term: str, yaml_weight: float) -> float:
        """The fitted weight when the term was fitted with this prior, else the admin's YAML weight."""
        key = (intent, term)
        if key in self.weights and math.isclose(self.priors.get(key, yaml_weight), yaml_weight):
            return self.weights[key]
        return yaml_weight


def term_keys(intents: IntentSet) -> dict[tuple[str, str], float]:
    """(intent, term) → YAML weight for every keyword and phrase (subtype terms count for their intent)."""
    return {(intent.id, term.text): term.weight for intent in intents.intents for term, _, _ in intent.all_terms()}


def terms_hash(intents: IntentSet) -> str:
    """A hash of the terms and their YAML weights: equal hashes mean the fit is for exactly these files."""
    lines = sorted(f"{i}\t{t}\t{w:g}" for (i, t), w in term_keys(intents).items())
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]


def default_path(intents_dir: str | Path) -> Path:
    return Path(intents_dir) / FILE_NAME


def load_fitted(intents_dir: str | Path, intents: IntentSet, path: Path | None = None) -> Fitted | None:
    """The fitted numbers for `intents`, None when there is no file; raises `IntentFileError` when broken."""
    file = path or default_path(intents_dir)
    if not file.is_file():
        return None
    shown = display_path(file)
    try:
        if file.stat().st_size > _MAX_BYTES:
            raise IntentFileError([Problem(shown, 1, f"file is over {_MAX_BYTES:,} bytes: not a weights file")])
        text = file.read_text(encoding="utf-8-sig")
        doc = json.loads(text)
    except UnicodeDecodeError as exc:
        raise IntentFileError([Problem(shown, 1, "not UTF-8 text")]) from exc
    except OSError as exc:
        raise IntentFileError([Problem(shown, 0, f"cannot read: {exc.strerror}")]) from exc
    except ValueError as exc:
        line = getattr(exc, "lineno", 1)
        what = f"not valid JSON: {getattr(exc, 'msg', exc)} (run griddesk intents fit)"
        raise IntentFileError([Problem(shown, line, what)]) from exc
    return _parse(doc, text, shown, intents)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _parse(doc: object, text: str, shown: str, intents: IntentSet) -> Fitted:
    lines = text.splitlines()

    def line_of(needle: str) -> int:
        return next((n for n, line in enumerate(lines, 1) if needle in line), 1)

    if not isinstance(doc, dict):
        raise IntentFileError([Problem(shown, 1, "must be a JSON object (run griddesk intents fit)")])
    problems: list[Problem] = []
    if doc.get("version") != FORMAT_VERSION:
        problems.append(Problem(shown, line_of('"version"'),
                                f"unsupported version {doc.get('version')!r}; this GridDesk reads version {FORMAT_VERSION}"))
    model = doc.get("model")
    if not isinstance(model, dict):
        problems.append(Problem(shown, line_of('"model"'), "missing 'model' object"))
        model = {}
    for key in ("outside_pull", "topic", "long_single", "passing"):
        if not _number(model.get(key)) or not 0 < model[key] <= 50:
            what = f"model.{key} must be a number in (0, 50], got {model.get(key)!r}"
            problems.append(Problem(shown, line_of(f'"{key}"'), what))
    positions, calibration = model.get("positions"), model.get("calibration")
    if not isinstance(positions, dict) or set(positions) != set(ZONES) or not all(map(_number, positions.values())):
        what = f"model.positions must give a number for each of {', '.join(ZONES)}"
        problems.append(Problem(shown, line_of('"positions"'), what))
        positions = {}
    if not isinstance(calibration, list) or len(calibration) != 2 or not all(map(_number, calibration)):
        problems.append(Problem(shown, line_of('"calibration"'), "model.calibration must be [a, b]"))
        calibration = [1.0, 0.0]
    rows = doc.get("weights")
    if not isinstance(rows, list):
        problems.append(Problem(shown, line_of('"weights"'), "missing 'weights' list"))
        rows = []
    current = term_keys(intents)
    weights: dict[tuple[str, str], float] = {}
    priors: dict[tuple[str, str], float] = {}
    where: dict[tuple[str, str], int] = {}
    stale: list[Problem] = []
    cursor = line_of('"weights"')
    for row in rows:
        # One row per line as the fit writes it; find the line for path:line messages.
        ok = isinstance(row, list) and len(row) == 4 and all(isinstance(x, str) for x in row[:2]) and all(map(_number, row[2:]))
        needle = json.dumps(row[:2], ensure_ascii=False)[1:-1] if isinstance(row, list) else ""
        for n in range(cursor, len(lines) + 1):
            if needle and needle in lines[n - 1]:
                cursor = n
                break
        if not ok:
            what = f"a weight must be [intent, term, yaml weight, fitted weight], got {str(row)[:60]}"
            problems.append(Problem(shown, cursor, what))
            continue
        intent_id, term, prior, value = row
        key = (intent_id, term)
        if value < 0 or value > 50:
            problems.append(Problem(shown, cursor, f"weight of {term!r} is {value}: outside [0, 50]"))
            continue
        if key not in current:
            stale.append(Problem(shown, cursor, f"weight for {term!r} of {intent_id!r}: no intent file has this term any more "
                                                "(run griddesk intents fit)"))
            continue
        if not math.isclose(current[key], prior):
            stale.append(Problem(shown, cursor, f"{term!r} of {intent_id!r} now weighs {current[key]:g} in its intent file "
                                                f"(fitted from {prior:g}): the YAML weight is used until the next fit"))
        weights[key], priors[key], where[key] = float(value), float(prior), cursor
    if problems:
        raise IntentFileError(problems)
    return Fitted(
        weights=weights, priors=priors,
        numbers=Numbers(positions={k: float(v) for k, v in positions.items()}, outside_pull=float(model["outside_pull"]),
                        topic=float(model["topic"]), long_single=float(model["long_single"]),
                        passing=float(model["passing"]), calibration=(float(calibration[0]), float(calibration[1]))),
        terms_hash=str(doc.get("terms_hash", "")),
        fitted_on=tuple(x for x in doc.get("fitted_on", []) if isinstance(x, dict)), lines=where, path=shown,
        stale=tuple(stale),
    )


def write_fitted(path: Path, fitted: Fitted, intents: IntentSet, extra: dict[str, object] | None = None) -> None:
    """Write atomically (temp file in the same folder, then rename): never a half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = fitted.numbers
    head = {
        "version": FORMAT_VERSION,
        "about": "numbers fitted by `griddesk intents fit` for the terms of the intent files; do not edit by hand",
        "terms_hash": terms_hash(intents),
        "fitted_on": list(fitted.fitted_on),
        **(extra or {}),
        "model": {
            "positions": {k: round(v, 5) for k, v in n.positions.items()}, "outside_pull": round(n.outside_pull, 5),
            "topic": round(n.topic, 5), "long_single": round(n.long_single, 5), "passing": round(n.passing, 5),
            "calibration": [round(n.calibration[0], 5), round(n.calibration[1], 5)],
        },
    }
    body = json.dumps(head, ensure_ascii=False, indent=1)[:-2]  # reopen the object to add one weight per line
    rows = [json.dumps([i, t, fitted.priors[(i, t)], round(w, 4)], ensure_ascii=False)
            for (i, t), w in sorted(fitted.weights.items())]
    text = body + ',\n "weights": [\n  ' + ",\n  ".join(rows) + "\n ]\n}\n"
    json.loads(text)  # what we write must read back
    fd, tmp = tempfile.mkstemp(prefix=".weights-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
