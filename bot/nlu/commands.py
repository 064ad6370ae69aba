"""CLI for understanding: `griddesk classify`, `griddesk eval`, `griddesk intents check|fit|suggest`."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("classify", help="classify messages: one per stdin line → one JSON object per line")
    p.add_argument("text", nargs="*", help="messages to classify (default: read stdin)")
    p.set_defaults(handler=_classify)

    p = sub.add_parser("eval", help="precision/recall/F1 per category on every labelled set (or one file)")
    p.add_argument("file", nargs="?", help="one labelled JSONL (default: dev and every set in intents/labels/)")
    p.add_argument("--yaml", action="store_true", help="score the YAML weights, ignoring the fitted file")
    p.add_argument("--brief", action="store_true", help="one line of figures per set")
    p.add_argument("--errors", action="store_true", help="also print every misclassified message")
    p.set_defaults(handler=_eval)

    p = sub.add_parser("intents", help="admin tools for intent files")
    isub = p.add_subparsers(dest="intents_command", metavar="ACTION", required=True)
    c = isub.add_parser("check", help="validate intent files and run their examples")
    c.add_argument("dir", nargs="?", help="intents directory (default INTENTS_DIR)")
    c.set_defaults(handler=_check)
    f = isub.add_parser("fit", help="fit term weights, positions, thresholds and calibration from labelled data")
    f.add_argument("--labels", nargs="+", metavar="FILE", help="label files (default: every file in intents/labels/)")
    f.add_argument("--out", help="where to write (default INTENTS_DIR/fitted/weights.json)")
    f.add_argument("--from-cases", action="store_true",
                   help="also learn from the desk's own cases: the categories residents picked and cases were resolved under")
    from bot.nlu.fitted import FIT_LAMBDAS as LAMBDAS
    from bot.nlu.fitted import FIT_MIN_GAIN as MIN_GAIN
    from bot.nlu.fitted import FIT_MODELS as MODELS

    f.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS),
                   help="candidate models, fewest free numbers first (default: all)")
    f.add_argument("--lambdas", nargs="+", type=float, default=list(LAMBDAS), metavar="L2",
                   help="L2 strengths towards the YAML weights for the 'terms' model (default "
                   + " ".join(f"{x:g}" for x in LAMBDAS) + ")")
    f.add_argument("--min-gain", type=float, default=MIN_GAIN,
                   help=f"out-of-fold gain over the YAML weights needed to write the file (default {MIN_GAIN:g})")
    f.add_argument("--force", action="store_true", help="write the best fitted model even when it does not beat the YAML")
    f.set_defaults(handler=_fit)
    g = isub.add_parser("suggest", help="candidate terms per category mined from labelled data, for review")
    g.add_argument("--intent", help="only this category (or other)")
    g.add_argument("--labels", nargs="+", metavar="FILE", help="label files (default: every file in intents/labels/)")
    g.add_argument("--top", type=int, default=15, help="candidates per category (default 15)")
    g.add_argument("--from-cases", action="store_true", help="also mine the desk's own confirmed cases")
    g.set_defaults(handler=_suggest)


def _classify(args: argparse.Namespace, settings: Any) -> int:
    from bot.nlu.cli_impl import classify_main

    return classify_main(args, settings)


def _eval(args: argparse.Namespace, settings: Any) -> int:
    from bot.nlu.cli_impl import eval_main

    return eval_main(args, settings)


def _check(args: argparse.Namespace, settings: Any) -> int:
    from bot.nlu.cli_impl import check_main

    return check_main(args, settings)


def _fit(args: argparse.Namespace, settings: Any) -> int:
    from bot.nlu.cli_impl import fit_main

    return fit_main(args, settings)


def _suggest(args: argparse.Namespace, settings: Any) -> int:
    from bot.nlu.cli_impl import suggest_main

    return suggest_main(args, settings)
