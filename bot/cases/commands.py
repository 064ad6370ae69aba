"""CLI: `griddesk grids [--json]`, `griddesk grids import FILE [--apply]`, `griddesk worker invite --grid ID
--name NAME`, `griddesk worker list / deactivate ID / move ID --grid ID`, `griddesk stats [--json] [--since DAY] [--until DAY]`.

Light at import: the database and service are imported inside the handlers. Each command prepares the
database first (migrate + seed an empty one), so it works on a fresh checkout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.errors import UsageError
from bot.wording import staff

if TYPE_CHECKING:
    from bot.cases.service import CaseService
    from bot.settings import Settings


#: An invite code is a password until it is used: it must expire. A month covers a worker on leave;
#: anything longer is a typo (hours for days) or a code meant never to expire.
MAX_INVITE_HOURS = 24 * 30


def _valid_hours(text: str) -> float:
    """`--valid-hours`: a number of hours in (0, MAX_INVITE_HOURS].

    0 used to mean "never expires" (the service treats a falsy value as no expiry), a negative number
    made a code that was dead on arrival, and `nan` raised in timedelta: all refused here, with the fix.
    """
    try:
        hours = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of hours (e.g. --valid-hours 72)") from None
    if not math.isfinite(hours) or hours <= 0 or hours > MAX_INVITE_HOURS:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give a number of hours greater than 0 and at most {MAX_INVITE_HOURS} ({MAX_INVITE_HOURS // 24} days); "
            "an invite code must expire")
    return hours


def register(sub: Any) -> None:
    grids = sub.add_parser("grids", help="list the grids (网格) with their community and areas")
    grids.add_argument("--json", action="store_true", help="one JSON object per line: id, name, community, areas")
    grids.set_defaults(handler=_grids)
    grids_sub = grids.add_subparsers(dest="grids_command", metavar="ACTION")
    load = grids_sub.add_parser("import", help="compare a grid file (the seed format) with the database, show the diff, "
                                               "apply it with --apply (or when you answer y)")
    load.add_argument("file", type=Path, metavar="FILE", help="a grid file: street, communities, grids, areas, buildings")
    load.add_argument("--apply", action="store_true", help="apply without asking (nothing is changed without it or a y)")
    load.set_defaults(handler=_grids_import)

    worker = sub.add_parser("worker", help="manage grid workers")
    worker_sub = worker.add_subparsers(dest="worker_command", metavar="ACTION")
    invite = worker_sub.add_parser("invite", help="print a one-time invite code for a grid worker (/bind CODE)")
    where = invite.add_mutually_exclusive_group(required=True)
    where.add_argument("--grid", metavar="ID", help="grid id (see `griddesk grids`)")
    where.add_argument("--community", metavar="ID", help="invite a community dispatcher instead")
    where.add_argument("--street", metavar="ID", help="invite a street supervisor instead")
    invite.add_argument("--name", required=True, help="the worker's name as residents will see it")
    invite.add_argument("--valid-hours", type=_valid_hours, default=72.0, metavar="HOURS",
                        help=f"code expires after this many hours (default 72, at most {MAX_INVITE_HOURS})")
    invite.set_defaults(handler=_invite)
    listing = worker_sub.add_parser("list", help="every worker: id, role, grid, bound, reachable, open cases")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.add_argument("--all", action="store_true", help="include deactivated workers")
    listing.set_defaults(handler=_worker_list)
    leave = worker_sub.add_parser("deactivate", help="a worker leaves: open cases go back to the queue")
    leave.add_argument("worker_id", type=_worker_id, metavar="ID", help="worker id (see `griddesk worker list`)")
    leave.add_argument("--reason", default="", help="why (shown to the dispatcher with each handed-back case)")
    leave.set_defaults(handler=_worker_deactivate)
    move = worker_sub.add_parser("move", help="a grid worker moves to another grid: open cases go back to the queue")
    move.add_argument("worker_id", type=_worker_id, metavar="ID", help="worker id (see `griddesk worker list`)")
    move.add_argument("--grid", required=True, metavar="ID", help="the new grid (see `griddesk grids`)")
    move.set_defaults(handler=_worker_move)
    worker.set_defaults(handler=lambda args, settings: (worker.print_help(), 2)[1])

    stats = sub.add_parser("stats", help="工作量, 办结率, 按时办结率, 平均处置时长, 满意率 per grid, category and worker")
    output = stats.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="one JSON object per line (by: total|grid|category|worker)")
    output.add_argument("--csv", action="store_true", help="CSV with a header row, for spreadsheets")
    stats.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="cases filed on or after this day (local time)")
    stats.add_argument("--until", type=_day, metavar="YYYY-MM-DD", help="cases filed on or before this day (local time)")
    stats.set_defaults(handler=_stats)

    cases = sub.add_parser("cases", help="cases as data")
    cases_sub = cases.add_subparsers(dest="cases_command", metavar="ACTION")
    export = cases_sub.add_parser("export", help="CSV of the cases filed in a period (stdout)")
    export.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="filed on or after this day (local time)")
    export.add_argument("--until", type=_day, metavar="YYYY-MM-DD", help="filed on or before this day (local time)")
    export.set_defaults(handler=_cases_export)
    cases.set_defaults(handler=lambda args, settings: (cases.print_help(), 2)[1])


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a day as YYYY-MM-DD, got {value!r}") from None


async def _open(settings: Settings, with_intents: bool = False) -> CaseService:
    from bot.cases.service import open_service

    intents = None
    if with_intents:
        from bot.errors import IntentFileError
        from bot.nlu.intent_files import load_intents

        try:
            intents = load_intents(settings.intents_dir)
        except IntentFileError:
            intents = None  # category ids still count; names fall back to the built-in taxonomy
    return await open_service(settings, intents=intents)


def _grids(args: argparse.Namespace, settings: Settings) -> int:
    async def run() -> None:
        service = await _open(settings)
        try:
            grids = await service.list_grids()
            gaps = await service.coverage()
        finally:
            await service.close()
        for gap in gaps:  # on stderr: stdout stays one JSON object per line with --json
            print(f"warning: {gap}", file=sys.stderr)
        for g in grids:
            if args.json:
                print(json.dumps({"id": g.id, "name": g.name, "community": g.community, "community_id": g.community_id,
                                  "street": g.street, "areas": list(g.areas), "workers": list(g.workers)}, ensure_ascii=False))
            else:
                workers = "、".join(g.workers) or staff.CLI_NO_WORKERS
                print(f"{g.id:<14} {g.community} {g.name}  {'；'.join(g.areas)}  {workers}")

    asyncio.run(run())
    return 0


def _grids_import(args: argparse.Namespace, settings: Settings, *, ask: Any = None) -> int:
    """Every problem of the file at once (`path:line`, exit 1, nothing changed); else the diff, then apply
    with --apply or a y on a terminal. A removed grid still holding open cases or workers is refused."""
    from bot.cases.grid_import import read_grid_file
    from bot.errors import SeedFileError

    try:
        data, lines = read_grid_file(args.file)
    except SeedFileError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) in {args.file}: nothing was changed", file=sys.stderr)
        return 1

    async def run() -> int:
        service = await _open(settings)
        try:
            plan = await service.plan_grid_import(data, str(args.file), lines)
            print(plan.summary())
            for line in plan.lines():
                print(f"  {line}")
            if plan.problems:
                for problem in plan.problems:
                    print(problem, file=sys.stderr)
                print(f"{len(plan.problems)} problem(s): nothing was changed", file=sys.stderr)
                return 1
            if plan.empty:
                print("the database already matches the file: nothing to do")
                return 0
            confirm = ask or (lambda: sys.stdin.isatty() and input("apply these changes? [y/N] ").strip().lower() == "y")
            if not args.apply and not confirm():
                print("nothing was changed (run again with --apply to apply)")
                return 0
            try:
                await service.import_grids(data, str(args.file), lines)
            except SeedFileError as exc:  # the work in hand changed between the diff and now
                for problem in exc.problems:
                    print(problem, file=sys.stderr)
                return 1
            print("applied; a running bot picks the grids up at /reload or its next start")
            for gap in await service.coverage():
                print(f"warning: {gap}", file=sys.stderr)
            return 0
        finally:
            await service.close()

    return asyncio.run(run())


def _invite(args: argparse.Namespace, settings: Settings) -> int:
    async def run() -> None:
        service = await _open(settings)
        try:
            invite = await service.create_invite(args.name, grid_id=args.grid, community_id=args.community,
                                                 street_id=args.street, valid_hours=args.valid_hours)
        finally:
            await service.close()
        print(invite.code)
        where = args.grid or args.community or args.street
        expires = staff.CLI_INVITE_EXPIRES.format(at=invite.expires_at) if invite.expires_at else ""
        print(staff.CLI_INVITE.format(name=invite.worker.name, where=where, expires=expires, code=invite.code), file=sys.stderr)

    asyncio.run(run())
    return 0


def _worker_id(value: str) -> int:
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        raise argparse.ArgumentTypeError(f"expected a worker id (digits, see `griddesk worker list`), got {value!r}")
    return int(text)


def _with_service(settings: Settings, work: Any) -> Any:
    async def run() -> Any:
        service = await _open(settings)
        try:
            return await work(service)
        finally:
            await service.close()

    return asyncio.run(run())


def _worker_list(args: argparse.Namespace, settings: Settings) -> int:
    workers = _with_service(settings, lambda service: service.list_workers(include_inactive=args.all))
    for w in workers:
        state = staff.CLI_WORKER_STATES["inactive" if not w.active else "unbound" if w.external_id is None
                                        else "unreachable" if w.unreachable else "active"]
        if args.json:
            print(json.dumps({"id": w.id, "name": w.name, "role": w.role, "grid": w.grid_id, "community": w.community_id,
                              "street": w.street_id, "state": state, "open_cases": w.open_cases}, ensure_ascii=False))
        else:
            where = w.grid_id or w.community_id or w.street_id or "—"
            print(staff.CLI_WORKER_LINE.format(id=w.id, name=w.name, role=w.role, where=where, state=state,
                                               open_cases=w.open_cases))
    if not workers:
        print("no workers yet: griddesk worker invite --grid ID --name NAME", file=sys.stderr)
    return 0


def _worker_deactivate(args: argparse.Namespace, settings: Settings) -> int:
    handed = _with_service(settings, lambda service: service.deactivate_worker(args.worker_id, reason=args.reason))
    print(f"worker {args.worker_id} deactivated; {len(handed)} open case(s) back to the queue: {', '.join(handed) or '—'}")
    return 0


def _worker_move(args: argparse.Namespace, settings: Settings) -> int:
    handed = _with_service(settings, lambda service: service.move_worker(args.worker_id, args.grid.strip()))
    print(f"worker {args.worker_id} moved to {args.grid.strip()}; {len(handed)} open case(s) back to the queue: "
          f"{', '.join(handed) or '—'}")
    return 0


def _period(args: argparse.Namespace, settings: Settings) -> tuple[datetime | None, datetime | None]:
    """--since/--until as local days → [since, until) in aware datetimes."""
    zone = ZoneInfo(settings.timezone)
    since = datetime.combine(args.since, time(), zone) if args.since else None
    until = datetime.combine(args.until + timedelta(days=1), time(), zone) if args.until else None
    if since and until and since >= until:
        raise UsageError("--since must be on or before --until")
    return since, until


def _cases_export(args: argparse.Namespace, settings: Settings) -> int:
    since, until = _period(args, settings)
    rows = _with_service(settings, lambda service: service.export_rows(since=since, until=until))
    from bot.cases.queries import write_export_csv

    write_export_csv(rows, sys.stdout)
    return 0


def _stats(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cases.stats import format_table, write_csv

    since, until = _period(args, settings)

    async def run() -> Any:
        service = await _open(settings, with_intents=True)
        try:
            return await service.stats(since=since, until=until)
        finally:
            await service.close()

    stats = asyncio.run(run())
    if args.json:
        for row in stats.rows():
            print(json.dumps(row.to_json(), ensure_ascii=False))
    elif args.csv:
        write_csv(stats, sys.stdout)
    else:
        print(format_table(stats))
    return 0
