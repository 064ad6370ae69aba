"""People and places: residents, phones, invites and binding, routing, and who can be reached.

A chat that refuses the bot (Telegram 403) is recorded here: its messages wait, a worker stops getting
work and his open cases go back to the queue; writing again ends all of that.
"""

from __future__ import annotations

import secrets
import unicodedata
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import channels
from bot.cases.core import (
    INVITE_ALPHABET,
    PLACE_CONFIDENCE,
    REACHABLE,
    CaseCore,
    clean_text,
    open_loads,
    resident_view,
    state_in,
    utc,
    worker_view,
)
from bot.cases.outbox import hold_chat, release_chat
from bot.cases.routing import Router, building_numbers, canonical, flat_after_building, without_denied_buildings
from bot.cases.views import GridView, Invite, ResidentView, Route, WorkerView, aware
from bot.errors import BadInput, NotFound, NotNow, UsageError
from bot.wording import notices, refusals
from bot.wording.names import BUILDING
from storage.engine import lock_row
from storage.models import OPEN_STATES, Case, Community, Grid, GridArea, Resident, Street, Worker, utcnow


class PeopleRoom(CaseCore):
    """People and places: residents, phones, invites and binding, routing, and who can be reached"""

    async def reload_grids(self) -> None:
        """Re-read streets/communities/grids/areas into the in-memory router (after seeding or edits)."""
        async with self.db.session() as s:
            communities = list((await s.execute(select(Community))).scalars())
            grids = list((await s.execute(select(Grid))).scalars())
            areas = list((await s.execute(select(GridArea))).scalars())
            streets = list((await s.execute(select(Street))).scalars())
        self.router = Router(communities, grids, areas, streets, simplify=self._simplify if self._normalizer else None)
        if self._normalizer is not None:  # place names neither flip a chat's script nor change spelling in replies
            self._normalizer.set_place_names(self.router.place_names())

    def route(self, address: str | None = None, latitude: float | None = None, longitude: float | None = None) -> Route:
        """Address text → grid (fuzzy, on 小区/楼栋 names and aliases); else a location → containing/nearest grid.

        Never fails: when nothing matches or the match is ambiguous, `grid_id` is None and the case
        will go to the community (or street) dispatcher.
        """
        return self.router.route(address, latitude, longitude)

    def place_in(self, text: str, *, min_confidence: float = PLACE_CONFIDENCE) -> str | None:
        """The place a message names in its own words ("梨园小区3栋", "梨园小区2栋502" with the flat), when routing
        is sure of its grid.

        Lets the dialog skip asking "where?" only when the answer is already certain; a vague or
        ambiguous mention returns None and the resident is asked.
        """
        route = self.router.route_address(text)
        if not route.grid_id or route.ambiguous or route.confidence < min_confidence or not route.matched:
            return None
        area = route.matched.split()[0]
        said = canonical(text, self._simplify)
        numbers = building_numbers(said)  # the building the grid covers, then the unit and flat as written
        return BUILDING.format(area=area, number=numbers[0]) + flat_after_building(said) if numbers else area

    def building_corrected(self, address: str, text: str) -> str | None:
        """"不是3栋是5栋" after "梨园小区3栋" (or "梨园小区30栋"): the estate `address` names with the building `text`
        gives instead (the last one it names that it does not deny), when routing is sure of it. None when `text`
        names no building, or a place of its own (that place is `place_in`'s), or `address` names no estate."""
        if self.place_in(text) is not None:
            return None
        said = without_denied_buildings(canonical(text, self._simplify))
        numbers = building_numbers(said)
        estate = self.router.estate_named(address)
        if not numbers or not estate:
            return None
        return self.place_in(BUILDING.format(area=estate, number=numbers[-1]))

    def estate_named(self, text: str) -> str | None:
        """The estate `text` names, whatever its building (`Router.estate_named`)."""
        return self.router.estate_named(text)

    async def list_grids(self) -> list[GridView]:
        """Every grid with its community, street, areas and bound workers' names."""
        async with self.db.session() as s:
            workers = (await s.execute(select(Worker).where(Worker.active, Worker.grid_id.is_not(None)))).scalars()
            names: dict[str, list[str]] = {}
            for w in workers:
                names.setdefault(w.grid_id or "", []).append(w.name)
        return [self.router.grid_view(gid, tuple(names.get(gid, ()))) for gid in self.router.grid_ids()]

    async def coverage(self) -> list[str]:
        """Who covers what, as warnings for admins: grids with no bound reachable worker, communities with
        no dispatcher, and whether anyone (admins, the on-call chat) catches what falls through."""
        async with self.db.session() as s:
            rows = (await s.execute(select(Worker.role, Worker.grid_id, Worker.community_id).where(*REACHABLE))).all()
        grids = {g for role, g, _ in rows if role == "grid" and g}
        communities = {c for role, _, c in rows if role == "community" and c}
        fallback = "admins (ADMIN_IDS)" if self.admin_ids else "the on-call chat" if self.oncall_chat_id else None
        warnings = []
        for gid in self.router.grid_ids():
            if gid not in grids:
                warnings.append(f"grid {gid} ({self.router.grid_name(gid)}): no bound grid worker — its cases go to "
                                "the community dispatcher (griddesk worker invite --grid " + gid + ")")
        for cid in sorted({self.router.grid_view(g, ()).community_id for g in self.router.grid_ids()}):
            if cid not in communities:
                to = fallback or "NOBODY: set ADMIN_IDS or ONCALL_CHAT_ID"
                warnings.append(f"community {cid} ({self.router.community_name(cid)}): no bound dispatcher — "
                                f"returned and unplaced cases go to {to} (griddesk worker invite --community {cid})")
        return warnings

    async def ensure_resident(
        self, external_id: int, *, chat_id: int | None = None, name: str = "", script: str | None = None,
        channel: str = channels.TELEGRAM,
    ) -> ResidentView:
        """Find or create the resident; updates name/script when given (the script of their latest message)."""
        async with self.db.transaction() as s:
            r = await self._resident(s, external_id, chat_id=chat_id, name=name, script=script, channel=channel)
            return resident_view(r)

    async def set_phone(self, external_id: int, phone: str | None, *, consent: bool,
                        channel: str = channels.TELEGRAM) -> ResidentView:
        """Store the resident's phone only with consent; `consent=False` or `phone=None` erases it."""
        async with self.db.transaction() as s:
            r = await self._resident(s, external_id, channel=channel)
            if consent and phone:
                cleaned = "".join(ch for ch in unicodedata.normalize("NFKC", phone) if ch in "0123456789+")[:32]
                if len(cleaned.lstrip("+")) < 5:
                    raise BadInput(refusals.BAD_PHONE)
                r.phone, r.phone_consent_at = cleaned, utcnow()
            else:
                r.phone, r.phone_consent_at = None, None
            s.add(r)
            return resident_view(r)

    async def create_invite(
        self,
        name: str,
        *,
        grid_id: str | None = None,
        community_id: str | None = None,
        street_id: str | None = None,
        valid_hours: float | None = 72.0,
    ) -> Invite:
        """A one-time invite code for a new grid worker (`grid_id`), community dispatcher or street supervisor.

        `valid_hours`: (0, 720]; None makes a code that never expires (deliberately, never by a 0 or a nan).
        """
        name = clean_text(name)[:60]
        if not name:
            raise UsageError("worker name must not be empty")
        if valid_hours is not None and not (0 < valid_hours <= 720):  # nan and inf fail this too
            raise UsageError(f"valid_hours must be more than 0 and at most 720, got {valid_hours!r}")
        if sum(x is not None for x in (grid_id, community_id, street_id)) != 1:
            raise UsageError("give exactly one of --grid, --community, --street")
        async with self.db.transaction() as s:
            if grid_id is not None:
                grid = await s.get(Grid, grid_id)
                if grid is None or grid_id not in self.router.grid_ids():  # a retired grid takes no one
                    raise UsageError(f"unknown grid {grid_id!r} (see `griddesk grids`)")
                community = await s.get(Community, grid.community_id)
                worker = Worker(name=name, role="grid", grid_id=grid.id, community_id=grid.community_id,
                                street_id=community.street_id if community else None)
            elif community_id is not None:
                community = await s.get(Community, community_id)
                if community is None:
                    raise UsageError(f"unknown community {community_id!r} (see `griddesk grids`)")
                worker = Worker(name=name, role="community", community_id=community.id, street_id=community.street_id)
            else:
                if await s.get(Street, street_id) is None:
                    raise UsageError(f"unknown street {street_id!r} (see `griddesk grids`)")
                worker = Worker(name=name, role="street", street_id=street_id)
            worker.invite_code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(10))
            if valid_hours is not None:
                worker.invite_expires_at = utcnow() + timedelta(hours=valid_hours)
            s.add(worker)
            await s.flush()
            return Invite(worker.invite_code, worker_view(worker), aware(worker.invite_expires_at))

    async def bind_worker(self, code: str, external_id: int, *, now: datetime | None = None,
                          channel: str = channels.TELEGRAM) -> WorkerView:
        """`/bind CODE`: link an account of `channel` to the invited worker. Codes work once; CaseError otherwise."""
        channels.channel(channel)
        code = (code or "").strip().upper().removeprefix("BIND_")
        if not code or len(code) > 20 or not code.isalnum():
            raise BadInput(refusals.BAD_INVITE)
        async with self.db.transaction() as s:
            w = (await s.execute(lock_row(select(Worker).where(Worker.invite_code == code), s))).scalar_one_or_none()
            if w is None:
                raise NotFound(refusals.UNKNOWN_INVITE)
            if w.bound_at is not None:
                raise NotNow(refusals.USED_INVITE)
            if w.invite_expires_at is not None and w.invite_expires_at < utc(now):
                raise NotNow(refusals.EXPIRED_INVITE)
            w.channel, w.external_id, w.bound_at = channel, external_id, utc(now)
            s.add(w)
            return worker_view(w)

    async def workers_of(self, external_id: int, *, channel: str = channels.TELEGRAM) -> list[WorkerView]:
        """The worker roles bound to this account of `channel` (empty for residents)."""
        async with self.db.session() as s:
            rows = (await s.execute(select(Worker).where(Worker.channel == channel, Worker.external_id == external_id,
                                                         Worker.active))).scalars()
            return [worker_view(w) for w in rows]

    async def workers_in_community(self, community_id: str) -> list[WorkerView]:
        """Bound grid workers of a community with their open-case counts (for a dispatcher's 派给 buttons)."""
        async with self.db.session() as s:
            rows = (
                await s.execute(
                    select(Worker).where(Worker.community_id == community_id, Worker.role == "grid", *REACHABLE)
                    .order_by(Worker.id)
                )
            ).scalars().all()
            loads = await open_loads(s, [w.id for w in rows if w.id is not None])
            return [worker_view(w, loads.get(w.id or 0, 0)) for w in rows]

    async def chat_refused(self, chat_id: int, error: str = "blocked by the user", *,
                           now: datetime | None = None, channel: str = channels.TELEGRAM) -> list[str]:
        """The chat refuses the bot (Telegram 403). Returns the numbers of the cases handed back.

        Everything queued to it waits (held) instead of being lost. A resident is marked; a worker
        is marked unreachable, gets no new work, and his open cases go back to the dispatcher's queue
        with the reason — a case must not sit with someone who cannot hear about it.
        """
        at = utc(now)
        handed: list[str] = []
        async with self.db.transaction() as s:
            await hold_chat(s, chat_id, error, channel=channel)
            await s.execute(update(Resident).where(Resident.channel == channel, Resident.chat_id == chat_id,
                                                   Resident.blocked_at.is_(None)).values(blocked_at=at))
            workers = (await s.execute(lock_row(select(Worker).where(Worker.channel == channel, Worker.external_id == chat_id,
                                                                     Worker.active), s))).scalars().all()
            for worker in workers:
                if worker.unreachable_at is None:
                    worker.unreachable_at = at
                    s.add(worker)
                handed += await self._hand_back_all(s, worker, at, ("system", None),
                                                    notices.NOTE_UNREACHABLE.format(name=worker.name))
        return handed

    async def _hand_back_all(self, s: AsyncSession, worker: Worker, at: datetime, actor: tuple[str, int | None],
                             reason: str) -> list[str]:
        """Every open case of `worker` back to the queue with `reason`; his held pushes about them are dropped
        (they are somebody else's now). Returns the case numbers."""
        cases = (await s.execute(lock_row(select(Case).where(Case.assignee_id == worker.id,
                                                             Case.state.in_(("assigned", "accepted")))
                                          .order_by(Case.id), s))).scalars().all()
        for case in cases:
            await self._hand_back(s, case, worker, at, actor=actor, reason=reason)
            await self._drop_pushes(s, worker, case.id, f"case handed back: {reason}")
        return [c.number for c in cases]

    # ------------------------------------------------------------------ workers (admin operations)

    async def list_workers(self, *, include_inactive: bool = False) -> list[WorkerView]:
        """Every worker (invited, bound, unreachable), with their open load; the active ones only by default."""
        async with self.db.session() as s:
            query = select(Worker).order_by(Worker.role, Worker.grid_id, Worker.community_id, Worker.id)
            if not include_inactive:
                query = query.where(Worker.active)
            rows = (await s.execute(query)).scalars().all()
            loads = await open_loads(s, [w.id for w in rows if w.id is not None])
            return [worker_view(w, loads.get(w.id or 0, 0)) for w in rows]

    async def deactivate_worker(self, worker_id: int, *, reason: str = "", now: datetime | None = None) -> list[str]:
        """A worker leaves: no more work or pushes, and his open cases go back to the queue. Returns their numbers."""
        at = utc(now)
        async with self.db.transaction() as s:
            worker = await self._worker_row(s, worker_id)
            worker.active = False
            worker.invite_code = None if worker.bound_at is None else worker.invite_code  # an unused code dies too
            s.add(worker)
            why = clean_text(reason)[:100]
            note = (notices.NOTE_DEACTIVATED_WHY.format(name=worker.name, reason=why) if why
                    else notices.NOTE_DEACTIVATED.format(name=worker.name))
            return await self._hand_back_all(s, worker, at, ("admin", None), notices.NOTE_HANDED_BACK.format(note=note))

    async def move_worker(self, worker_id: int, grid_id: str, *, now: datetime | None = None) -> list[str]:
        """A grid worker moves to another grid: his open cases stay with the old grid's queue. Returns their numbers."""
        at = utc(now)
        async with self.db.transaction() as s:
            worker = await self._worker_row(s, worker_id)
            grid = await s.get(Grid, grid_id)
            if grid is None or grid_id not in self.router.grid_ids():  # retired grids keep only their name
                raise UsageError(f"unknown grid {grid_id!r} (see `griddesk grids`)")
            if worker.role != "grid":
                raise UsageError(f"worker {worker_id} is a {worker.role} dispatcher, not a grid worker")
            handed = await self._hand_back_all(s, worker, at, ("admin", None),
                                               notices.NOTE_MOVED.format(name=worker.name, grid=grid.name))
            community = await s.get(Community, grid.community_id)
            worker.grid_id, worker.community_id = grid.id, grid.community_id
            worker.street_id = community.street_id if community else worker.street_id
            s.add(worker)
            return handed

    async def _worker_row(self, s: AsyncSession, worker_id: int) -> Worker:
        worker = (await s.execute(lock_row(select(Worker).where(Worker.id == worker_id), s))).scalar_one_or_none()
        if worker is None or not worker.active:
            raise UsageError(f"no active worker {worker_id} (see `griddesk worker list`)")
        return worker

    def turn_facts(self) -> dict[str, Any]:
        """What a turn needs to know about the person writing before it decides, as boolean SQL expressions over
        the bound parameters `person_channel` and `person_id` (their external id), read with the chat's state in
        one statement: `refused` — marked as refusing the bot (`chat_reachable` has work to do); `asked` — a
        worker's 需要补充 waits for their answer (`open_question`); `works` — an active worker is writing.
        Built once: building SQL costs more than running it."""
        if self._turn_facts is None:
            channel, person = bindparam("person_channel"), bindparam("person_id")
            resident = select(Resident.id).where(Resident.channel == channel, Resident.external_id == person)
            refused = (exists(resident.where(Resident.blocked_at.is_not(None)))
                       | exists(select(Worker.id).where(Worker.channel == channel, Worker.external_id == person,
                                                        Worker.unreachable_at.is_not(None))))
            asked = exists(select(Case.id).where(Case.resident_id == resident.scalar_subquery(),
                                                 Case.question_at.is_not(None), state_in(OPEN_STATES)))
            # `works`: an active worker writes (a resident's turn need not look the worker up)
            works = exists(select(Worker.id).where(Worker.channel == channel, Worker.external_id == person, Worker.active))
            self._turn_facts = {"refused": refused, "asked": asked, "works": works}
        return self._turn_facts

    async def chat_reachable(self, external_id: int, *, now: datetime | None = None,
                             channel: str = channels.TELEGRAM) -> bool:
        """Someone wrote to us: whatever marked them unreachable is over, and what waited for them goes out.

        Called on every update, so it is two guarded UPDATEs that change nothing in the common case.
        """
        at = utc(now)
        async with self.db.transaction() as s:
            residents = await s.execute(update(Resident).where(Resident.channel == channel, Resident.external_id == external_id,
                                                               Resident.blocked_at.is_not(None)).values(blocked_at=None))
            workers = await s.execute(update(Worker).where(Worker.channel == channel, Worker.external_id == external_id,
                                                           Worker.unreachable_at.is_not(None)).values(unreachable_at=None))
            if not (residents.rowcount or workers.rowcount):
                return False
            await release_chat(s, external_id, at, channel=channel)
            return True
