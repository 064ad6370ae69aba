"""Handlers behind `griddesk classify`, `griddesk eval` and `griddesk intents check`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from bot import PROJECT_ROOT
from bot.errors import DataFileError
from bot.nlu.classifier import Classifier
from bot.nlu.evaluate import HEADLINE, OTHER, Report, calibration, format_table
from bot.nlu.intent_files import IntentSet, load_intents
from bot.nlu.normalize import Normalizer
from bot.settings import Settings

DEFAULT_DEV = PROJECT_ROOT.parent / "shared" / "data" / "dev_labeled.jsonl"


def _classifier(settings: Settings, directory: str | Path | None = None) -> Classifier:
    normalizer = Normalizer(settings.max_message_chars)
    return Classifier.from_intents(load_intents(directory or settings.intents_dir, normalizer), normalizer)


def classify_main(args: argparse.Namespace, settings: Settings) -> int:
    clf = _classifier(settings)
    lines = args.text if args.text else (line.rstrip("\n") for line in sys.stdin)
    for line in lines:
        result = clf.classify(line)
        print(json.dumps(result.to_json(), ensure_ascii=False), flush=not args.text)
    return 0


def eval_main(args: argparse.Namespace, settings: Settings) -> int:
    path = Path(args.file) if args.file else DEFAULT_DEV
    if not path.is_file():
        print(f"griddesk eval: no labelled file at {path} (give one as an argument)", file=sys.stderr)
        return 2
    clf = _classifier(settings)
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            rows.append((row["text"], row.get("cat") or OTHER, row.get("act"), row.get("sure")))
        except (ValueError, KeyError, TypeError):
            print(f"{path}:{number}: not a JSON object with 'text' and 'cat'", file=sys.stderr)
            return 2
    report, acts, points, errors = Report(), Report(), [], []
    by_sureness: dict[bool, Report] = {True: Report(), False: Report()}
    started = time.perf_counter()
    for text, gold, gold_act, sure in rows:
        result = clf.classify(text)
        report.add(gold, result.intent)
        if isinstance(sure, bool):
            by_sureness[sure].add(gold, result.intent)
        if gold_act:
            acts.add(gold_act, result.act)
        points.append((result.confidence, (result.intent or OTHER) == gold))
        if (result.intent or OTHER) != gold:
            errors.append((gold, result.intent or OTHER, result.matched, text))
    elapsed = time.perf_counter() - started
    categories = [i.id for i in clf.intents.categories]
    print(f"evaluated {len(rows)} messages from {path} in {elapsed:.2f}s")
    print("\n".join(format_table(report, [*categories, OTHER])))
    counted = report.defined(categories)
    skipped = sorted(set(categories) - set(counted))
    note = f" (not counted, no items and none predicted: {', '.join(skipped)})" if skipped else ""
    print(f"macro-F1 over {len(counted)} categories: {report.macro_f1(categories):.3f}{note}")
    print(f"headline F1 ({', '.join(HEADLINE)}): {report.macro_f1(HEADLINE):.3f}")
    print(f"other left unclassified: {report.other_kept_out():.1%}")
    print(f"accuracy: {report.accuracy:.3f}   act accuracy: {acts.accuracy:.3f}")
    print("confused (gold → predicted): " + ", ".join(f"{g}→{p} ×{n}" for (g, p), n in report.confusions()))
    for sure, part in by_sureness.items():
        if part.pairs:  # the labeller's own `sure` flag: one clear problem vs a judgement call between several
            print(f"items labelled sure={str(sure).lower()}: {len(part.pairs)}, accuracy {part.accuracy:.3f}, "
                  f"headline F1 {part.macro_f1(HEADLINE):.3f}, other left unclassified {part.other_kept_out():.1%}")
    print("\n".join(calibration(points)))
    if args.errors:
        for gold, predicted, matched, text in errors:
            print(f"- {gold} → {predicted} {matched}: {text[:120]}")
    return 0


def check_main(args: argparse.Namespace, settings: Settings) -> int:
    directory = Path(args.dir) if args.dir else settings.intents_dir
    normalizer = Normalizer(settings.max_message_chars)
    try:
        intents = load_intents(directory, normalizer)
    except DataFileError as exc:
        for problem in exc.problems:
            print(problem)
        print(f"{len(exc.problems)} problem(s) in {directory}", file=sys.stderr)
        return 1
    clf = Classifier.from_intents(intents, normalizer)
    failures = run_examples(intents, clf)
    for line in failures:
        print(line)
    n_examples = sum(len(i.examples) + len(i.not_examples) for i in intents.intents)
    print(f"{len(intents.intents)} intents, {clf.lexicon.size} terms, {n_examples} examples: "
          f"{'all pass' if not failures else f'{len(failures)} failing'}")
    return 1 if failures else 0


def run_examples(intents: IntentSet, clf: Classifier) -> list[str]:
    """Run every example/not_example; print precision/recall per intent; return failure lines."""
    topic, acts = Report(), Report()
    failures: list[str] = []
    for intent in intents.intents:
        for ex in intent.examples:
            result = clf.classify(ex.text)
            if intent.kind == "act":
                acts.add(intent.id, result.act)
                ok, got = result.act == intent.id, f"act {result.act}"
            else:
                want = intent.id if intent.kind == "category" else None
                topic.add(want, result.intent)
                ok = result.intent == want and (ex.subtype is None or result.subtype == ex.subtype)
                got = f"{result.intent or OTHER}/{result.subtype}" if ex.subtype else (result.intent or OTHER)
            if not ok:
                failures.append(f"{intent.path}:{ex.line}: example should be {intent.id}"
                                f"{'/' + ex.subtype if ex.subtype else ''}, got {got} {result.matched}")
        for ex in intent.not_examples:
            result = clf.classify(ex.text)
            got_id = result.act if intent.kind == "act" else (result.intent or OTHER)
            if got_id == (intent.id if intent.kind != "outside" else OTHER):
                failures.append(f"{intent.path}:{ex.line}: not_example was classified as {got_id} {result.matched}")
    labels = [i.id for i in intents.intents if i.kind == "category"] + [OTHER]
    print("\n".join(format_table(topic, [label for label in labels if any(label in p for p in topic.pairs)])))
    confused = topic.confusions()
    if confused:
        print("confused (expected → got): " + ", ".join(f"{g}→{p} ×{n}" for (g, p), n in confused))
    if acts.pairs:
        print("\n".join(format_table(acts, acts.labels())))
    return failures
