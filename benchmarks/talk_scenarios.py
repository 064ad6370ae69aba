"""How many of the residents' conversations in tests/data/talk_scenarios.yaml end right on this checkout.

    .venv/bin/python benchmarks/talk_scenarios.py [-v] [--root CHECKOUT]

`--root` plays the same conversations against another checkout's code (say, main before this work): its
`bot` package is imported instead of this one's; the conversations and the judge are this checkout's.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="print the transcript of each failure")
    parser.add_argument("--root", type=Path, default=HERE, help="the checkout whose bot package plays")
    args = parser.parse_args()
    sys.path[:0] = [str(args.root.resolve()), str(HERE / "tests")]
    import structlog

    structlog.configure(logger_factory=structlog.ReturnLoggerFactory())  # no log line per update
    import talk_scenarios
    from dialog_helpers import make_app

    scenarios = talk_scenarios.load()
    ok = 0
    for scenario in scenarios:
        outcome = await talk_scenarios.play(scenario, make_app)
        ok += outcome.ok
        mark = "ok  " if outcome.ok else "FAIL"
        print(f"{mark} {outcome.id}" + ("" if outcome.ok else f": {'; '.join(outcome.problems)}"))
        if args.verbose and not outcome.ok:
            print("\n".join(outcome.transcript))
    print(f"{ok} of {len(scenarios)} conversations end right ({args.root})")


if __name__ == "__main__":
    asyncio.run(main())
