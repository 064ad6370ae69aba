"""CLI: `griddesk api-key create --name CLIENT [--limit N] [--scope own|all]`, `griddesk api-key list [--all]
[--json]`, `griddesk api-key revoke ID|NAME` — the keys Open311 clients send as `api_key`.

The key is printed once, by `create`; only its SHA-256 is stored, so a lost key is revoked and replaced.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.web.open311.keys import ApiKeys, KeyView

T = TypeVar("T")
_MAX_LIMIT = 100_000


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of requests per hour (e.g. --limit 600)") from None
    if not 1 <= value <= _MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"{text!r}: give 1 to {_MAX_LIMIT} requests per hour")
    return value


def register(sub: Any) -> None:
    keys = sub.add_parser("api-key", help="API keys of Open311 clients (create prints the key once)")
    keys_sub = keys.add_subparsers(dest="api_key_command", metavar="ACTION")
    create = keys_sub.add_parser("create", help="a new key for a client; printed once, stored hashed")
    create.add_argument("--name", required=True, help="the client's name (unique), e.g. 12345-platform")
    create.add_argument("--limit", type=_limit, default=600, metavar="N",
                        help="requests per hour this key may make (default 600); more are refused with 429")
    create.add_argument("--scope", choices=["own", "all"], default="own",
                        help="own (default): reads only the requests it filed; all: reads every case (trusted systems)")
    create.set_defaults(handler=_create)
    listing = keys_sub.add_parser("list", help="the keys: id, name, prefix, scope, limit, used this hour, last use")
    listing.add_argument("--all", action="store_true", help="include revoked keys")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(handler=_list)
    revoke = keys_sub.add_parser("revoke", help="refuse a key from its next request on")
    revoke.add_argument("key", metavar="ID|NAME", help="the key's id or name (see griddesk api-key list)")
    revoke.set_defaults(handler=_revoke)
    keys.set_defaults(handler=lambda args, settings: (keys.print_help(), 2)[1])


def _with_keys(settings: Settings, action: Callable[[ApiKeys], Awaitable[T]]) -> T:
    from bot.web.open311.keys import ApiKeys
    from storage.engine import Database

    async def run() -> T:
        db = Database(settings.database_url)
        try:
            await db.prepare()
            return await action(ApiKeys(db))
        finally:
            await db.dispose()

    return asyncio.run(run())


def _create(args: argparse.Namespace, settings: Settings) -> int:
    key, view = _with_keys(settings, lambda keys: keys.create(args.name, rate_limit=args.limit, scope=args.scope))
    print(key)
    print(f"api key {view.id} for {view.name!r} (scope {view.scope}, {view.rate_limit} requests/hour): "
          "shown only now, store it with the client", file=sys.stderr)
    return 0


def _row(k: KeyView) -> dict[str, Any]:
    return {"id": k.id, "name": k.name, "prefix": k.prefix, "scope": k.scope, "limit_per_hour": k.rate_limit,
            "used_this_hour": k.used_this_hour, "created_at": k.created_at.isoformat(timespec="seconds"),
            "last_used_at": k.last_used_at.isoformat(timespec="seconds") if k.last_used_at else None,
            "revoked_at": k.revoked_at.isoformat(timespec="seconds") if k.revoked_at else None}


def _list(args: argparse.Namespace, settings: Settings) -> int:
    views = _with_keys(settings, lambda keys: keys.list(include_revoked=args.all))
    for k in views:
        if args.json:
            print(json.dumps(_row(k), ensure_ascii=False))
            continue
        state = f"revoked {k.revoked_at:%Y-%m-%d}" if k.revoked_at else "active"
        used = f"last used {k.last_used_at:%Y-%m-%d %H:%M}" if k.last_used_at else "never used"
        print(f"{k.id:<4} {k.name:<24} {k.prefix}…  {k.scope:<4} {k.used_this_hour}/{k.rate_limit} this hour  {used}  {state}")
    if not views and not args.json:
        print("no API keys (griddesk api-key create --name CLIENT)")
    return 0


def _revoke(args: argparse.Namespace, settings: Settings) -> int:
    view = _with_keys(settings, lambda keys: keys.revoke(args.key))
    print(f"revoked api key {view.id} ({view.name}); its next request is refused")
    return 0
