"""Handlers behind `griddesk classify`, `griddesk eval` and `griddesk intents check|fit|suggest`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bot.errors import DataFileError
from bot.nlu import labels
from bot.nlu.classifier import Classifier
from bot.nlu.evaluate import HEADLINE, OTHER, Report, calibration, format_table
from bot.nlu.fitted import default_path, terms_hash, write_fitted
from bot.nlu.intent_files import IntentSet, load_intents
from bot.nlu.loading import load_classifier
from bot.nlu.normalize import Normalizer
from bot.settings import Settings

DEFAULT_DEV = labels.DEV_FILE


def _classifier(settings: Settings, directory: str | Path | None = None, use_fitted: bool = True) -> Classifier:
    normalizer = Normalizer(settings.max_message_chars)
    return load_classifier(directory or settings.intents_dir, normalizer, use_fitted=use_fitted)[1]


def _known(intents: IntentSet) -> set[str]:
    return {i.id for i in intents.categories} | {OTHER}


def classify_main(args: argparse.Namespace, settings: Settings) -> int:
    clf = _classifier(settings)
    lines = args.text if args.text else (line.rstrip("\n") for line in sys.stdin)
    for line in lines:
        result = clf.classify(line)
        print(json.dumps(result.to_json(), ensure_ascii=False), flush=not args.text)
    return 0


def eval_main(args: argparse.Namespace, settings: Settings) -> int:
    clf = _classifier(settings, use_fitted=not args.yaml)
    known = _known(clf.intents)
    try:
        if args.file:
            path = Path(args.file)
            if not path.is_file():
                print(f"griddesk eval: no labelled file at {path}", file=sys.stderr)
                return 2
            sets = labels.all_sets(known, files=[path], dev=None)
        else:
            sets = labels.all_sets(known)
    except DataFileError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    if clf.fitted is not None:
        weights = "fitted numbers (fitted on " + ", ".join(str(s.get("set")) for s in clf.fitted.fitted_on) + ")"
    else:
        weights = "YAML weights (no fitted file)"
    print(f"scoring with {weights}; held-out sets first")
    summary: list[str] = []
    for labelled in sorted(sets, key=lambda s: s.split != "held"):
        # A `fit` split counts as fitted-on even without a weights file: vocabulary is mined on it.
        mark = "held-out" if labelled.split == "held" else "FITTED-ON"
        figures = _eval_set(clf, labelled, mark, args)
        summary.append(f"{mark:<9} {labelled.name:<34} {len(labelled.examples):>5}  " + figures)
    print("\nsummary (macro-F1 / headline F1 / other left unclassified / act accuracy):")
    print("\n".join(summary))
    return 0


def _eval_set(clf: Classifier, labelled: labels.LabelledSet, mark: str, args: argparse.Namespace) -> str:
    report, acts, points, errors = Report(), Report(), [], []
    by_sureness: dict[bool, Report] = {True: Report(), False: Report()}
    started = time.perf_counter()
    for ex in labelled.examples:
        result = clf.classify(ex.text)
        report.add(ex.label, result.intent)
        if isinstance(ex.sure, bool):
            by_sureness[ex.sure].add(ex.label, result.intent)
        if ex.act:
            acts.add(ex.act, result.act)
        points.append((result.confidence, (result.intent or OTHER) == ex.label))
        if (result.intent or OTHER) != ex.label:
            errors.append((ex.label, result.intent or OTHER, result.matched, ex.id, ex.text))
    elapsed = time.perf_counter() - started
    categories = [i.id for i in clf.intents.categories]
    macro, headline, kept = report.macro_f1(categories), report.macro_f1(HEADLINE), report.other_kept_out()
    act_text = f"{acts.accuracy:.3f}" if acts.pairs else "-"
    figures = f"{macro:.3f} / {headline:.3f} / {kept:.1%} / {act_text}"
    if args.brief:
        return figures
    labeller = f", labelled by {labelled.labeller}" if labelled.labeller else ""
    print(f"\n=== {labelled.name} [{mark}]: {len(labelled.examples)} messages in {elapsed:.2f}s{labeller}")
    print("\n".join(format_table(report, [*categories, OTHER])))
    counted = report.defined(categories)
    skipped = sorted(set(categories) - set(counted))
    note = f" (not counted, no items and none predicted: {', '.join(skipped)})" if skipped else ""
    print(f"macro-F1 over {len(counted)} categories: {macro:.3f}{note}")
    print(f"headline F1 ({', '.join(HEADLINE)}): {headline:.3f}")
    print(f"other left unclassified: {kept:.1%}")
    print(f"accuracy: {report.accuracy:.3f}   act accuracy: {act_text}")
    print("confused (gold → predicted): " + ", ".join(f"{g}→{p} ×{n}" for (g, p), n in report.confusions()))
    for sure, part in by_sureness.items():
        if part.pairs:  # the labeller's own `sure` flag: one clear problem vs a judgement call between several
            print(f"items labelled sure={str(sure).lower()}: {len(part.pairs)}, accuracy {part.accuracy:.3f}, "
                  f"headline F1 {part.macro_f1(HEADLINE):.3f}, other left unclassified {part.other_kept_out():.1%}")
    print("\n".join(calibration(points)))
    if args.errors:
        for gold, predicted, matched, item_id, text in errors:
            shown = text[:120] if mark == "held-out" and labelled.name.startswith("dev") else item_id
            print(f"- {gold} → {predicted} {matched}: {shown}")
    return figures


def fit_main(args: argparse.Namespace, settings: Settings) -> int:
    from bot.nlu.fit import fit

    directory = Path(settings.intents_dir)
    normalizer = Normalizer(settings.max_message_chars)
    try:
        intents = load_intents(directory, normalizer)
    except DataFileError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    files = [Path(f) for f in args.labels] if args.labels else labels.label_files()
    if any(f.resolve() == labels.DEV_FILE.resolve() for f in files):
        print(f"griddesk intents fit: {labels.DEV_FILE} is the held-out dev set; it is never fitted on", file=sys.stderr)
        return 2
    try:
        sets = labels.all_sets(_known(intents), files=files, dev=None)
    except DataFileError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("nothing written", file=sys.stderr)
        return 1
    usable = [s for s in sets if s.split == "fit"]
    from_cases = _case_examples(settings, _known(intents)) if args.from_cases else []
    if not usable and not from_cases:
        print("griddesk intents fit: no examples that may be fitted on (split 'fit'); nothing written", file=sys.stderr)
        return 1
    sources = tuple({"set": s.name, "items": len(s.examples), "labeller": s.labeller} for s in usable)
    if from_cases:
        sources += ({"set": "cases", "items": len(from_cases), "labeller": "confirmed on the desk (residents' picks, "
                                                                          "categories resolved under)"},)
    started = time.perf_counter()
    try:
        result = fit(intents, [*labels.fit_examples(usable), *from_cases],
                     classifier=Classifier.from_intents(intents, normalizer), sources=sources,
                     models=tuple(args.models), lambdas=tuple(args.lambdas), min_gain=args.min_gain)
    except ValueError as exc:
        print(f"griddesk intents fit: {exc}; nothing written", file=sys.stderr)
        return 2
    print(f"fitted on {result.items} examples ({', '.join(s.name for s in usable)}) in {time.perf_counter() - started:.1f}s")
    print("out of fold on the fit data (macro-F1 / headline F1 / other left unclassified, averaged over sources):")
    for name, (macro, headline, kept) in result.out_of_fold.items():
        mark = "  ← best fitted" if name == result.chosen else ("  (incumbent)" if name == "yaml" else "")
        print(f"  {name:<14} {macro:.3f} / {headline:.3f} / {kept:.1%}  (mean {(macro + headline + kept) / 3:.3f}){mark}")
    n = result.fitted.numbers
    print(f"{result.chosen}: positions " + ", ".join(f"{k} {v:.2f}" for k, v in n.positions.items())
          + f"; outside pull {n.outside_pull:.2f}; thresholds topic {n.topic:.2f}, long letter one term {n.long_single:.2f}, "
          f"in passing {n.passing:.2f}; calibration a={n.calibration[0]:.2f} b={n.calibration[1]:.2f}")
    out = Path(args.out) if args.out else default_path(directory)
    if not result.beats_yaml and not args.force:
        print(f"the YAML weights stay: no fitted model beats them by {result.min_gain:g} out of fold; nothing written "
              "(--force writes the best fitted one anyway)")
        if out.exists():
            print(f"note: {out} is from an earlier fit and still decides; delete it for the YAML weights to decide")
        return 0
    write_fitted(out, result.fitted, intents, {"model_name": result.chosen,
                                               "command": _fit_command(args), "out_of_fold": {
        k: [round(x, 4) for x in v] for k, v in result.out_of_fold.items()}})
    # The admins' own examples are the first check of a fit: say how many it breaks.
    broken = run_examples(intents, Classifier.from_intents(intents, normalizer, result.fitted), report=lambda _line: None)
    print(f"wrote {out} ({result.chosen}, {len(result.fitted.weights)} term weights, terms hash {terms_hash(intents)}); "
          "run `griddesk eval` for the held-out figures")
    if broken:
        print(f"warning: with these numbers {len(broken)} intent-file example(s) fail (`griddesk intents check` lists them); "
              "ship the file only if the held-out figures go up")
    return 0


def _fit_command(args: argparse.Namespace) -> str:
    """The flags that change what the fit writes, so the file says how to make it again."""
    parts = ["griddesk intents fit", "--models", *args.models, "--lambdas", *(f"{x:g}" for x in args.lambdas),
             "--min-gain", f"{args.min_gain:g}"]
    if args.labels:
        parts += ["--labels", *args.labels]
    if args.from_cases:
        parts.append("--from-cases")
    if args.force:
        parts.append("--force")
    return " ".join(parts)


def _case_examples(settings: Settings, known: set[str]) -> list[labels.LabelledExample]:
    """The desk's own labelled examples: each case's words with the category people confirmed for it."""
    import asyncio

    from bot.cases.service import open_service

    async def read() -> list[tuple[str, str, str, str]]:
        service = await open_service(settings)
        try:
            return await service.confirmed_examples()
        finally:
            await service.close()

    rows = asyncio.run(read())
    from bot.nlu.fit_design import CASE_SOURCE

    examples = [labels.LabelledExample(text=text, label=intent, source=f"{CASE_SOURCE}{number} ({source})", id=number)
                for text, intent, source, number in rows if intent in known and text.strip()]
    print(f"{len(examples)} confirmed cases from the database ({len(rows) - len(examples)} with an unknown category or "
          "no words left out)", file=sys.stderr)
    return examples


def suggest_main(args: argparse.Namespace, settings: Settings) -> int:
    from bot.nlu.suggest import format_suggestions, suggest

    clf = _classifier(settings)
    known = _known(clf.intents)
    if args.intent and args.intent not in known:
        print(f"griddesk intents suggest: unknown intent id {args.intent!r}", file=sys.stderr)
        return 2
    files = [Path(f) for f in args.labels] if args.labels else labels.label_files()
    try:
        sets = labels.all_sets(known, files=files, dev=None)
    except DataFileError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    examples = [*labels.fit_examples(sets), *(_case_examples(settings, known) if args.from_cases else [])]
    found = suggest(clf, examples, args.intent, args.top)
    print("\n".join(format_suggestions(found)))
    return 0


def check_main(args: argparse.Namespace, settings: Settings) -> int:
    from bot.admin_checks import check_intents

    directory = Path(args.dir) if args.dir else settings.intents_dir
    result = check_intents(directory, settings.max_message_chars, report=print)
    for line in result.problems:
        print(line)
    if not result.loaded:
        print(result.summary, file=sys.stderr)
        return 1
    for line in result.notes:
        print(line)
    print(result.summary)
    return 0 if result.ok else 1


def run_examples(intents: IntentSet, clf: Classifier, report: Callable[[str], None] = print) -> list[str]:
    """Run every example/not_example; `report` the precision/recall per intent; return failure lines."""
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
    report("\n".join(format_table(topic, [label for label in labels if any(label in p for p in topic.pairs)])))
    confused = topic.confusions()
    if confused:
        report("confused (expected → got): " + ", ".join(f"{g}→{p} ×{n}" for (g, p), n in confused))
    if acts.pairs:
        report("\n".join(format_table(acts, acts.labels())))
    return failures
