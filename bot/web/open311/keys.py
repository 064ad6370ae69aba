"""API keys of outside systems: created once (the key is shown once, only its SHA-256 is kept), listed, revoked,
and checked on every request against the key's limit of requests per hour.

How the limit is enforced: a fixed one-hour window counted in the key's own row (`window_start`,
`window_count`), read and raised under a row lock in the same transaction as the check, so every bot
instance on one database shares one count and a restart forgets nothing. A request over the limit is
refused (429, with the seconds until the window ends) and not counted.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select

from bot.cases.core import clean_text, utc
from bot.cases.views import aware
from bot.errors import UsageError
from storage.engine import Database, lock_row
from storage.models import ApiKey

WINDOW = timedelta(hours=1)
MAX_RATE_LIMIT = 100_000
DEFAULT_RATE_LIMIT = 600
Scope = Literal["own", "all"]
#: A key is `gd_` and 43 URL-safe characters (32 random bytes): guessing one is hopeless, so a fast hash is enough.
KEY_PREFIX = "gd_"
MAX_KEY_CHARS = 100


@dataclass(frozen=True, slots=True)
class KeyView:
    """An API client as the API and `griddesk api-key list` see it (never the key itself)."""

    id: int
    name: str
    prefix: str
    scope: Scope
    rate_limit: int
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    used_this_hour: int = 0


@dataclass(frozen=True, slots=True)
class Verdict:
    """What checking a key found: the client, or why it is refused (403 no/unknown/revoked key, 429 over limit)."""

    key: KeyView | None
    status: int = 200
    reason: str = ""
    retry_after: int = 0


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def _view(row: ApiKey, at: datetime | None = None) -> KeyView:
    current = row.window_count if at is not None and row.window_start and aware(row.window_start) + WINDOW > at else 0
    return KeyView(row.id or 0, row.name, row.prefix, row.scope, row.rate_limit,  # type: ignore[arg-type]
                   aware(row.created_at), aware(row.last_used_at), aware(row.revoked_at), current)  # type: ignore[arg-type]


class ApiKeys:
    """The `api_key` table behind one small API (the CLI and the Open311 app share it)."""

    def __init__(self, db: Database):
        self.db = db

    async def create(self, name: str, *, rate_limit: int = DEFAULT_RATE_LIMIT, scope: Scope = "own",
                     now: datetime | None = None) -> tuple[str, KeyView]:
        """A new key for client `name`: (the key, shown this once, its view). Names are unique."""
        name = clean_text(name)
        if not name or len(name) > 60:
            raise UsageError("--name: give the client's name, 1-60 characters (e.g. --name 12345-platform)")
        if not 1 <= rate_limit <= MAX_RATE_LIMIT:
            raise UsageError(f"--limit: requests per hour between 1 and {MAX_RATE_LIMIT}, got {rate_limit}")
        if scope not in ("own", "all"):
            raise UsageError(f"--scope must be own or all, got {scope!r}")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        async with self.db.transaction() as s:
            if (await s.execute(select(ApiKey.id).where(ApiKey.name == name))).first() is not None:
                raise UsageError(f"an API key named {name!r} exists already (griddesk api-key list); pick another "
                                 "name (a revoked key keeps its name, so old log lines stay unambiguous)")
            row = ApiKey(name=name, key_hash=digest(key), prefix=key[:10], scope=scope, rate_limit=rate_limit,
                         created_at=utc(now))
            s.add(row)
            await s.flush()
            return key, _view(row)

    async def list(self, *, include_revoked: bool = False, now: datetime | None = None) -> list[KeyView]:
        query = select(ApiKey).order_by(ApiKey.id)
        if not include_revoked:
            query = query.where(ApiKey.revoked_at.is_(None))
        async with self.db.session() as s:
            return [_view(r, utc(now)) for r in (await s.execute(query)).scalars()]

    async def revoke(self, which: str, *, now: datetime | None = None) -> KeyView:
        """Revoke by id or by name; its next request is refused. Revoking twice is an error that says so."""
        async with self.db.transaction() as s:
            cond = ApiKey.id == int(which) if which.isascii() and which.isdigit() else ApiKey.name == which
            row = (await s.execute(lock_row(select(ApiKey).where(cond), s))).scalar_one_or_none()
            if row is None:
                raise UsageError(f"no API key {which!r} (see griddesk api-key list)")
            if row.revoked_at is not None:
                raise UsageError(f"API key {row.name!r} was revoked already, at {aware(row.revoked_at):%Y-%m-%d %H:%M} UTC")
            row.revoked_at = utc(now)
            s.add(row)
            return _view(row)

    async def check(self, key: str | None, *, now: datetime | None = None) -> Verdict:
        """Is `key` a live key with requests left this hour? Counts this request when it is."""
        if not key:
            return Verdict(None, 403, "api_key is required: send the key griddesk api-key create printed")
        if len(key) > MAX_KEY_CHARS or not key.startswith(KEY_PREFIX):
            return Verdict(None, 403, "Invalid api_key received")
        at = utc(now)
        async with self.db.transaction() as s:
            row = (await s.execute(lock_row(select(ApiKey).where(ApiKey.key_hash == digest(key)), s))).scalar_one_or_none()
            if row is None:
                return Verdict(None, 403, "Invalid api_key received")
            if row.revoked_at is not None:
                return Verdict(None, 403, "This api_key has been revoked")
            start = aware(row.window_start)
            if start is None or start + WINDOW <= at:
                row.window_start, row.window_count = at, 0
                start = at
            if row.window_count >= row.rate_limit:
                wait = max(1, int((start + WINDOW - at).total_seconds() + 0.999))
                return Verdict(_view(row, at), 429, f"Request limit of {row.rate_limit} per hour reached for this "
                                                    f"api_key; retry in {wait} seconds", wait)
            row.window_count += 1
            row.last_used_at = at
            s.add(row)
            await s.flush()
            return Verdict(_view(row, at))
