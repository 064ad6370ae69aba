"""CLI: `griddesk grids [--json]`, `griddesk worker invite --grid ID --name NAME`, `griddesk stats [--json]`.

Light at import: the database and service are imported inside the handlers. Each command prepares the
database first (migrate + seed an empty one), so it works on a fresh checkout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
from typing import TYPE_CHECKING, Any

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
    worker.set_defaults(handler=lambda args, settings: (worker.print_help(), 2)[1])

    stats = sub.add_parser("stats", help="工作量, 办结率, 按时办结率, 平均处置时长, 满意率 per grid, category and worker")
    stats.add_argument("--json", action="store_true", help="one JSON object per line (by: total|grid|category|worker)")
    stats.set_defaults(handler=_stats)


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
        finally:
            await service.close()
        for g in grids:
            if args.json:
                print(json.dumps({"id": g.id, "name": g.name, "community": g.community, "community_id": g.community_id,
                                  "street": g.street, "areas": list(g.areas), "workers": list(g.workers)}, ensure_ascii=False))
            else:
                workers = "、".join(g.workers) or "（未绑定网格员）"
                print(f"{g.id:<14} {g.community} {g.name}  {'；'.join(g.areas)}  {workers}")

    asyncio.run(run())
    return 0


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
        expires = f"，{invite.expires_at:%Y-%m-%d %H:%M} UTC 前有效" if invite.expires_at else ""
        print(f"已为 {invite.worker.name}（{where}）生成一次性邀请码{expires}。\n"
              f"请其在机器人对话中发送：/bind {invite.code}\n或打开链接：https://t.me/<机器人用户名>?start=bind_{invite.code}",
              file=sys.stderr)

    asyncio.run(run())
    return 0


def _stats(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cases.stats import format_table

    async def run() -> Any:
        service = await _open(settings, with_intents=True)
        try:
            return await service.stats()
        finally:
            await service.close()

    stats = asyncio.run(run())
    if args.json:
        for row in stats.rows():
            print(json.dumps(row.to_json(), ensure_ascii=False))
    else:
        print(format_table(stats))
    return 0
