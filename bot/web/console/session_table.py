"""Console sessions kept in the database (table `console_session`), so one can end before its cookie expires.

Why a table and not only a per-person epoch (a counter bumped to sign someone out): 退出 must end *this* session
and leave the person's phone signed in, and 全部退出 / an admin's 结束 need to see which sessions exist (device,
last seen); an epoch can only end all of a person's sessions at once and cannot list them. The signed cookie
(`auth.Sessions`) still proves we made it, so a forged one costs no query; its row decides whether it counts.

Checked on every request — one statement: the row by the hash of the cookie's nonce (unique index), joined to
the worker row the guard needs anyway:
- ended (退出, 全部退出, 结束 by an admin) or past its expiry → refused, saying which;
- its person is no longer staff (worker deactivated, admin removed from ADMIN_IDS) → ended as `left`;
- their role or area is not what the session was opened as (`staff.place_of`: 调岗, a dispatcher moved) → `moved`.
The last two compare with the database, so they hold however the change was made (the console, `griddesk
worker deactivate/move`, the chat) and a later change back does not revive the session.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, or_, select, update

from bot.cases.core import utc
from bot.cases.views import aware
from bot.web.console.auth import Session, Sessions
from bot.web.console.staff import Staff, place_of, staff_of
from storage.engine import Database
from storage.models import ConsoleSession, Worker

#: Why a session ended, as the refusal page says it (the key is kept in `console_session.revoked_why`).
WHY = {
    "logout": "您已在这台设备上退出登录。",
    "everywhere": "这个账号已在所有设备上退出登录。",
    "elsewhere": "这次登录已在您的另一台设备上被结束。",
    "admin": "管理员已结束这次登录。",
    "admin_all": "管理员已结束这个账号在所有设备上的登录。",
    "left": "您已不再是控制台的工作人员（账号已停用，或已不是管理员），这次登录随之结束。",
    "moved": "您的岗位或负责区域已调整，这次登录随之结束。",
    "expired": "这次登录已过期。",
    "unknown": "这次登录已不存在。",
}
#: How stale `last_seen_at` may get before a request writes it again (one write per session per few minutes).
SEEN_EVERY = timedelta(minutes=5)
#: Rows of sessions that ended are kept this long past their expiry (a replayed cookie is told why), then dropped.
KEEP_ENDED = timedelta(days=1)
MAX_AGENT = 120


@dataclass(frozen=True, slots=True)
class SessionView:
    """One live session, as the 登录设备 pages list it."""

    id: int
    staff_kind: str
    staff_id: int
    channel: str
    user_id: int | None
    place: str
    agent: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime

    @property
    def role(self) -> str:
        return self.place.split("|", 1)[0]


@dataclass(frozen=True, slots=True)
class Checked:
    """A cookie's session checked against the table: the staff member and the session, or why it is refused."""

    staff: Staff | None
    session: SessionView | None = None
    why: str = ""  # a key of WHY when refused


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode("utf-8", "replace")).hexdigest()


def _view(row: ConsoleSession) -> SessionView:
    return SessionView(row.id or 0, row.staff_kind, int(row.staff_id), row.channel, row.user_id, row.place, row.agent,
                       aware(row.created_at), aware(row.last_seen_at), aware(row.expires_at))  # type: ignore[arg-type]


def _person(staff_kind: str, staff_id: int, channel: str, user_id: int | None) -> ColumnElement[bool]:
    """Every session of one person: of this staff row, and of any other role bound to the same chat account."""
    own = and_(ConsoleSession.staff_kind == staff_kind, ConsoleSession.staff_id == staff_id)
    if user_id is None:
        return own
    return or_(own, and_(ConsoleSession.channel == channel, ConsoleSession.user_id == user_id))


class SessionTable:
    """Open, check, list and end console sessions (the table behind the signed cookie)."""

    def __init__(self, db: Database, signer: Sessions, admin_ids: frozenset[int]):
        self.db = db
        self.signer = signer
        self.admin_ids = admin_ids

    async def open(self, staff: Staff, agent: str = "", *, now: datetime | None = None) -> str:
        """A new session for `staff` (just signed in through a link): the cookie value to set."""
        at = utc(now)
        cookie = self.signer.make(staff.kind, staff.id, now=at)
        session = self.signer.read(cookie, now=at)
        assert session is not None, "a cookie just made reads back"
        async with self.db.transaction() as s:
            await s.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < at - KEEP_ENDED))
            s.add(ConsoleSession(key_hash=_digest(session.nonce), staff_kind=staff.kind, staff_id=staff.id,
                                 channel=staff.channel, user_id=staff.user_id, place=place_of(staff),
                                 agent=" ".join(agent.split())[:MAX_AGENT], created_at=at, last_seen_at=at,
                                 expires_at=datetime.fromtimestamp(session.expires_at, at.tzinfo)))
        return cookie

    async def check(self, session: Session, *, now: datetime | None = None) -> Checked:
        """Whether the session a valid cookie names still counts, and who it is now (see the module's rules)."""
        at = utc(now)
        query = (select(ConsoleSession, Worker).where(ConsoleSession.key_hash == _digest(session.nonce))
                 .outerjoin(Worker, and_(ConsoleSession.staff_kind == "worker", Worker.id == ConsoleSession.staff_id)))
        async with self.db.reader() as s:
            found = (await s.execute(query)).first()
        row, worker = found if found is not None else (None, None)
        if row is None or row.staff_kind != session.kind or int(row.staff_id) != session.staff_id:
            return Checked(None, why="unknown")
        view = _view(row)
        if row.revoked_at is not None:
            return Checked(None, view, row.revoked_why or "logout")
        if view.expires_at <= at:
            return Checked(None, view, "expired")
        staff = staff_of(session.kind, session.staff_id, self.admin_ids, worker)
        why = "left" if staff is None else "moved" if place_of(staff) != row.place else ""
        if why:
            await self._end(ConsoleSession.id == view.id, why, at)
            return Checked(None, view, why)
        if at - view.last_seen_at >= SEEN_EVERY:
            async with self.db.transaction() as s:
                await s.execute(update(ConsoleSession).where(ConsoleSession.id == view.id).values(last_seen_at=at))
        return Checked(staff, view)

    async def end(self, session_id: int, why: str, *, of: Staff | None = None, now: datetime | None = None) -> bool:
        """End one live session (`of`: only if it is this person's). False when there was no such live session."""
        cond = ConsoleSession.id == session_id
        if of is not None:
            cond = and_(cond, _person(of.kind, of.id, of.channel, of.user_id))
        return await self._end(cond, why, utc(now)) > 0

    async def end_person(self, staff_kind: str, staff_id: int, channel: str, user_id: int | None, why: str, *,
                         now: datetime | None = None) -> int:
        """全部退出: end every live session of this person (every role they hold). Returns how many ended."""
        return await self._end(_person(staff_kind, staff_id, channel, user_id), why, utc(now))

    async def of_person(self, staff: Staff, *, now: datetime | None = None) -> list[SessionView]:
        """This person's live sessions, newest first."""
        return await self._live(_person(staff.kind, staff.id, staff.channel, staff.user_id), utc(now))

    async def live(self, *, now: datetime | None = None) -> list[SessionView]:
        """Every live session on the desk (for admins), newest first."""
        return await self._live(None, utc(now))

    async def is_live(self, session_id: int, *, now: datetime | None = None) -> bool:
        return any(v.id == session_id for v in await self._live(ConsoleSession.id == session_id, utc(now)))

    async def _live(self, cond: ColumnElement[bool] | None, at: datetime) -> list[SessionView]:
        query = (select(ConsoleSession).where(ConsoleSession.revoked_at.is_(None), ConsoleSession.expires_at > at)
                 .order_by(ConsoleSession.last_seen_at.desc(), ConsoleSession.id.desc()))
        if cond is not None:
            query = query.where(cond)
        async with self.db.reader() as s:
            return [_view(r) for r in (await s.execute(query)).scalars()]

    async def _end(self, cond: ColumnElement[bool], why: str, at: datetime) -> int:
        if why not in WHY:
            raise ValueError(f"why a session ends must be one of {sorted(WHY)}, not {why!r}")
        async with self.db.transaction() as s:
            done = await s.execute(update(ConsoleSession).where(cond, ConsoleSession.revoked_at.is_(None))
                                   .values(revoked_at=at, revoked_why=why))
            return int(done.rowcount or 0)  # type: ignore[attr-defined]
