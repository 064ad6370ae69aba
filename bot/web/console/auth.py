"""Login without passwords: one-time links, signed session cookies, CSRF tokens.

- A link (`/console` in the chat, `griddesk console link`) carries a random token; only its SHA-256 is stored
  (table `console_login`), with an expiry of minutes. Redeeming it is one UPDATE … WHERE used_at IS NULL AND
  not expired, so a second use — a replay, a forwarded link, a double click — finds nothing to update.
- The session is a cookie `kind.id.expires.nonce.signature` (HMAC-SHA256 with the console secret: CONSOLE_SECRET,
  else one made once and kept in table `web_secret`, so a restart signs nobody out). It says who, not what they
  may do: the staff member's role and area are read from the database on every request, and the session itself
  must still be live in table `console_session` (`session_table`: 退出, 全部退出, left or moved staff).
- The CSRF token of a session is HMAC(secret, "csrf" + nonce): every form carries it, every POST is checked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from bot import channels
from bot.cases.core import utc
from storage.engine import Database, insert_if_absent
from storage.models import ConsoleLogin, WebSecret, Worker, utcnow

if TYPE_CHECKING:
    from bot.settings import Settings

STAFF_KINDS = ("admin", "worker")
SECRET_NAME = "console_session"
#: Which of a person's bound worker rows a login link stands for, when they hold several (highest first).
ROLE_RANK = {"street": 0, "community": 1, "grid": 2}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True, slots=True)
class Session:
    """Who a verified cookie names: `kind` admin (id = their user id) or worker (id = worker.id)."""

    kind: str
    staff_id: int
    expires_at: int  # unix seconds
    nonce: str


class LoginLinks:
    """Issue and redeem one-time login links to `{base_url}/console/login/{token}`."""

    def __init__(self, db: Database, base_url: str, *, minutes: float = 10.0):
        self.db = db
        self.base_url = base_url.rstrip("/")
        self.lifetime = timedelta(minutes=minutes)

    async def issue(self, kind: str, staff_id: int, *, now: datetime | None = None) -> str:
        """A new link for this staff member (admin user id, or worker id); the token is shown once, here."""
        if kind not in STAFF_KINDS:
            raise ValueError(f"staff kind must be one of {STAFF_KINDS}, not {kind!r}")
        token = secrets.token_urlsafe(32)
        at = utc(now)
        async with self.db.transaction() as s:
            s.add(ConsoleLogin(token_hash=token_hash(token), staff_kind=kind, staff_id=int(staff_id), created_at=at,
                               expires_at=at + self.lifetime))
        return f"{self.base_url}/console/login/{token}"

    async def for_user(self, user_id: int, admin_ids: frozenset[int], *, now: datetime | None = None,
                       channel: str = channels.TELEGRAM) -> str | None:
        """A link for whoever this chat user (`user_id` on `channel`) is on the desk: an admin, else their bound
        active worker role (the highest, when they hold several); None for anyone else."""
        if channels.is_admin(channel, user_id, admin_ids):
            return await self.issue("admin", user_id, now=now)
        async with self.db.session() as s:
            rows = (await s.execute(select(Worker).where(Worker.channel == channel, Worker.external_id == user_id,
                                                         Worker.active))).scalars().all()
        if not rows:
            return None
        chosen = min(rows, key=lambda w: (ROLE_RANK.get(w.role, 9), w.id or 0))
        return await self.issue("worker", chosen.id or 0, now=now)

    async def redeem(self, token: str, *, now: datetime | None = None) -> tuple[str, int] | None:
        """(kind, staff id) for an unused, unexpired token, which is used up by this call; else None."""
        if not token or len(token) > 200:
            return None
        at, digest = utc(now), token_hash(token)
        async with self.db.transaction() as s:
            done = await s.execute(update(ConsoleLogin)
                                   .where(ConsoleLogin.token_hash == digest, ConsoleLogin.used_at.is_(None),
                                          ConsoleLogin.expires_at > at)
                                   .values(used_at=at))
            if done.rowcount != 1:  # type: ignore[attr-defined]
                return None
            row = (await s.execute(select(ConsoleLogin).where(ConsoleLogin.token_hash == digest))).scalar_one()
            return row.staff_kind, int(row.staff_id)

    async def is_waiting(self, token: str, *, now: datetime | None = None) -> bool:
        """Whether the token could still be redeemed (for the page a link opens; it does not use it up)."""
        if not token or len(token) > 200:
            return False
        async with self.db.session() as s:
            row = (await s.execute(select(ConsoleLogin).where(ConsoleLogin.token_hash == token_hash(token)))).scalar_one_or_none()
        return row is not None and row.used_at is None and row.expires_at > utc(now)


def links_for(db: Database, settings: Settings) -> LoginLinks:
    """The desk's login links as the settings say (PUBLIC_URL or the local address; CONSOLE_LINK_MINUTES)."""
    return LoginLinks(db, settings.web_url, minutes=settings.console_link_minutes)


async def session_secret(db: Database, configured: str | None) -> bytes:
    """CONSOLE_SECRET, else the one kept in the database (made on first use; two starts at once agree)."""
    if configured:
        return configured.encode()
    async with db.transaction() as s:
        await insert_if_absent(s, WebSecret.__table__, {"name": SECRET_NAME, "value": secrets.token_urlsafe(48),
                                                        "created_at": utcnow()}, ["name"])
        value = (await s.execute(select(WebSecret.value).where(WebSecret.name == SECRET_NAME))).scalar_one()
    return value.encode()


class Sessions:
    """Sign and verify session cookies and derive their CSRF tokens."""

    def __init__(self, secret: bytes, *, hours: float = 12.0):
        if len(secret) < 32:
            raise ValueError("the console's session secret must be at least 32 bytes")
        self.secret = secret
        self.lifetime = timedelta(hours=hours)

    def _sign(self, text: str) -> str:
        mac = hmac.new(self.secret, text.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def make(self, kind: str, staff_id: int, *, now: datetime | None = None) -> str:
        expires = int((utc(now) + self.lifetime).timestamp())
        body = f"{kind}.{int(staff_id)}.{expires}.{secrets.token_urlsafe(16)}"
        return f"{body}.{self._sign(body)}"

    def read(self, value: str | None, *, now: datetime | None = None) -> Session | None:
        """The session a cookie proves, or None (missing, tampered, malformed or expired)."""
        if not value or len(value) > 300:
            return None
        body, _, signature = value.rpartition(".")
        if not body or not hmac.compare_digest(signature.encode(), self._sign(body).encode()):
            return None
        parts = body.split(".")
        if len(parts) != 4 or parts[0] not in STAFF_KINDS:
            return None
        kind, raw_id, raw_expires, nonce = parts
        if not (raw_id.isascii() and raw_id.isdigit() and raw_expires.isascii() and raw_expires.isdigit()):
            return None
        if int(raw_expires) <= utc(now).timestamp():
            return None
        return Session(kind, int(raw_id), int(raw_expires), nonce)

    def csrf(self, session: Session) -> str:
        return self._sign(f"csrf.{session.nonce}")

    def anonymous_csrf(self, nonce: str) -> str:
        """The login form's token, bound to a pre-session cookie (double submit) before anyone is signed in."""
        return self._sign(f"pre.{nonce}")
