"""What every room of the case service shares: the database, the router, events, views and notices.

The rooms (people, filing, dispatch, handling, deadlines, queries) are mixins over `CaseCore`;
`bot.cases.service.CaseService` puts them together behind one facade.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, bindparam, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import channels
from bot.cases import lifecycle, notify
from bot.cases.outbox import Outbox, enqueue
from bot.cases.routing import Router
from bot.cases.views import CaseView, ResidentView, WorkerView, aware
from bot.errors import NotFound, NotYours
from bot.wording import refusals
from bot.wording.names import CATEGORY_FALLBACK
from storage.engine import Database, Prepared, insert_if_absent, lock_row, upsert_row
from storage.models import OPEN_STATES, Case, CaseEvent, CaseLabel, CaseSupporter, OutboxMessage, Resident, Worker, utcnow
from storage.statements import json_row, prepared_upsert, qualified, sequence_upsert

if TYPE_CHECKING:
    from bot.nlu.intent_files import IntentSet
    from bot.nlu.normalize import Normalizer

#: Similarity (0..100) of two reports' words above which a same-intent, same-grid case counts as a duplicate.
DUPLICATE_THRESHOLD = 40.0
INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O/1/I: read aloud over the phone
MAX_TEXT = 4000
#: A place in a message's own words counts as given only when routing is this sure of the grid.
PLACE_CONFIDENCE = 0.9
#: Who may be given work: active, bound to a chat, and that chat not refusing the bot.
REACHABLE = (Worker.active, Worker.external_id.is_not(None), Worker.unreachable_at.is_(None))


def clean_text(text: str | None) -> str:
    """Free text as stored: NUL and other control characters removed (PostgreSQL refuses NUL), trimmed."""
    if not text:
        return ""
    return "".join(ch for ch in text if ch in "\n\t" or (ord(ch) >= 32 and ord(ch) != 127)).strip()


def utc(dt: datetime | None) -> datetime:
    """Any datetime (or None = now) as aware UTC; a naive one is taken as UTC."""
    if dt is None:
        return utcnow()
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def state_in(states: tuple[str, ...]) -> ColumnElement[bool]:
    """`Case.state IN (…)` for a fixed tuple of states, one bound value each: `in_` of a Python list is an
    "expanding" parameter, rendered into the SQL again at every execution (~4% of a turn's CPU, the turn facts)."""
    return Case.state.in_([literal(state, Case.state.type) for state in states])


class CaseCore:
    """State and helpers every room uses; no case action lives here."""

    def __init__(
        self,
        db: Database,
        *,
        intents: IntentSet | None = None,
        normalizer: Normalizer | None = None,
        duplicate_window_hours: float = 72.0,
        reminder_fraction: float = 0.8,
        timezone: str = "Asia/Shanghai",
        admin_ids: Sequence[int] = (),
        receipt_grace_seconds: float = 20.0,
        oncall_chat_id: int | None = None,
        urgent_ack_minutes: float = 10.0,
        urgent_deadline_hours: float = 4.0,
        rate_reminder_hours: float = 24.0,
    ):
        self.db = db
        self.receipt_grace = timedelta(seconds=receipt_grace_seconds)
        self.oncall_chat_id = oncall_chat_id
        self.urgent_ack = timedelta(minutes=urgent_ack_minutes)
        self.urgent_deadline_hours = urgent_deadline_hours
        self.rate_reminder = timedelta(hours=rate_reminder_hours)
        self.intents = intents
        self._normalizer = normalizer
        self.duplicate_window = timedelta(hours=duplicate_window_hours)
        self.reminder_fraction = reminder_fraction
        self.tz = ZoneInfo(timezone)
        self.admin_ids = tuple(admin_ids)
        self.router = Router([], [], [])
        self.outbox = Outbox(db)
        self._turn_facts: dict[str, Any] | None = None  # `PeopleRoom.turn_facts`, built once
        self._dup_words: dict[str, tuple[str, frozenset[str]]] = {}  # `FilingRoom._prepared_words`

    async def close(self) -> None:
        await self.db.dispose()

    def _simplify(self, text: str) -> str:
        return self._normalizer.simplify(text) if self._normalizer else text

    def _to_script(self, text: str, script: str) -> str:
        if self._normalizer is None or script != "traditional":
            return text
        return self._normalizer.to_script(text, "traditional")

    def _label(self, case: Case) -> str:
        name = self.intents.display_name(case.intent) if self.intents else CATEGORY_FALLBACK.get(case.intent, case.intent)
        if self.intents and case.subtype:
            intent = self.intents.get(case.intent)
            st = intent.subtype(case.subtype) if intent else None
            if st is not None:
                name = f"{name}·{st.name}"
        return name

    def _urgent_ack_for(self, intent: str | None) -> timedelta:
        """How soon 接单 is expected on an urgent case of `intent`: the intent file's own limit, else the setting."""
        found = self.intents.get(intent) if self.intents and intent else None
        minutes = getattr(found, "urgent_ack_minutes", None)
        return timedelta(minutes=minutes) if minutes else self.urgent_ack

    def _urgent_hours_for(self, intent: str | None) -> float:
        """The handling limit of an urgent case of `intent`: the intent file's own, else the setting."""
        found = self.intents.get(intent) if self.intents and intent else None
        return getattr(found, "urgent_deadline_hours", None) or self.urgent_deadline_hours

    def _local(self, dt: datetime) -> str:
        return dt.astimezone(self.tz).strftime("%m-%d %H:%M")

    def _reminder_due(self, case: Case, at: datetime) -> bool:
        """Past `reminder_fraction` of the current time limit (which restarts on escalation and 重办)."""
        span = timedelta(hours=case.deadline_hours)
        return at >= case.deadline_at - span + span * self.reminder_fraction

    async def _resident(self, s: AsyncSession, external_id: int, *, chat_id: int | None = None, name: str = "",
                        script: str | None = None, channel: str = channels.TELEGRAM) -> Resident:
        """The resident (channel, external id), created on first sight, in one statement (an upsert: two first
        messages of one person may race, the loser's insert updates instead). What is given (name, script, chat)
        is kept; writing to us ends a "blocked the bot" mark. A channel without push (an API client) never gets
        notices queued (`bot.channels.pushes`), whatever its chat id."""
        name = clean_text(name)[:100]
        channels.channel(channel)  # an undeclared channel is a bug, not a new namespace
        script = script if script in ("simplified", "traditional") else None
        values = {"channel": channel, "external_id": external_id, "chat_id": chat_id or external_id, "name": name,
                  "script": script or "simplified", "created_at": utcnow()}
        new = tuple(c for c, given in (("name", name), ("script", script), ("chat_id", chat_id)) if given)
        return await upsert_row(s, Resident, values, ("channel", "external_id"), new, (("blocked_at", None),))

    async def _resident_row(self, s: AsyncSession, external_id: int, *, chat_id: int | None = None, name: str = "",
                            script: str | None = None, channel: str = channels.TELEGRAM) -> ResidentFacts:
        """`_resident` for the hot path (filing, a 附议 offer): the same one upsert, returning a plain row of what
        those need (`RESIDENT_FACTS`: id, channel, external id, phone and its consent) instead of an ORM object."""
        name = clean_text(name)[:100]
        channels.channel(channel)
        script = script if script in ("simplified", "traditional") else None
        values = {"channel": channel, "external_id": external_id, "chat_id": chat_id or external_id, "name": name,
                  "script": script or "simplified", "created_at": utcnow()}
        new = tuple(c for c, given in (("name", name), ("script", script), ("chat_id", chat_id)) if given)
        stmt = prepared_upsert(self.db.dialect, Resident.__table__, _RESIDENT_VALUES, ("channel", "external_id"), new,
                               (("blocked_at", None),), RESIDENT_FACTS)
        (row,) = await self.db.rows(stmt, values)  # `s`'s transaction: `rows` runs in it
        return ResidentFacts(*row)

    async def _lock_case(self, s: AsyncSession, case_id: int) -> Case:
        case = (await s.execute(lock_row(select(Case).where(Case.id == case_id), s))).scalar_one_or_none()
        if case is None:
            raise NotFound(refusals.NO_CASE_ID.format(case_id=case_id))
        return case

    async def _assignee(self, s: AsyncSession, case: Case) -> Worker | None:
        return await s.get(Worker, case.assignee_id) if case.assignee_id else None

    async def _require_assignee(self, s: AsyncSession, case: Case, external_id: int, *,
                                channel: str = channels.TELEGRAM) -> Worker:
        worker = await self._assignee(s, case)
        if worker is None or worker.external_id != external_id or worker.channel != channel:
            raise NotYours(refusals.NOT_ASSIGNED_TO_YOU.format(number=case.number))
        return worker

    async def _drop_pushes(self, s: AsyncSession, worker: Worker, case_id: int | None, why: str) -> None:
        """Pushes still waiting for `worker` about a case that is no longer his are dropped, not sent."""
        if worker.external_id is None or case_id is None:
            return
        await s.execute(update(OutboxMessage).where(OutboxMessage.channel == worker.channel,
                                                    OutboxMessage.chat_id == worker.external_id,
                                                    OutboxMessage.case_id == case_id,
                                                    OutboxMessage.status.in_(("blocked", "pending")))
                        .values(status="dropped", last_error=why[:500]))

    async def _notify_residents(self, s: AsyncSession, case: Case, ev: CaseEvent, build: Any) -> None:
        """State notice to the filer and every supporter, each in their own script."""
        ids = [case.resident_id]
        ids += [r[0] for r in await s.execute(select(CaseSupporter.resident_id).where(CaseSupporter.case_id == case.id))]
        rows = (await s.execute(select(Resident).where(Resident.id.in_(ids)))).scalars().all()
        for r in rows:
            chat = r.chat_id or r.external_id
            reply = build(chat, r.script, r.id)
            if case.state in OPEN_STATES and not reply.buttons:  # 进度 (补充 / 催办 / 撤销 for the filer) under the notice
                reply = replace(reply, buttons=notify.self_service_buttons(case.id, own=r.id == case.resident_id,
                                                                           script=r.script, to_script=self._to_script))
            # A channel without push (an Open311 client reads the state through the API) queues nothing.
            enqueue(s, reply, dedupe_key(f"ev{ev.id}:r{chat}", r.channel), case.id, channel=r.channel,
                    held=r.blocked_at is not None)

    async def _filer_phone(self, s: AsyncSession, case: Case) -> str | None:
        """The filer's phone for the assignee's push: only a number given with consent (withdrawn = None)."""
        r = await s.get(Resident, case.resident_id)
        return r.phone if r is not None and r.phone and r.phone_consent_at is not None else None

    async def _notify_supporters(self, s: AsyncSession, case: Case, ev: CaseEvent, action: str) -> None:
        rows = (await s.execute(select(Resident).join(CaseSupporter, CaseSupporter.resident_id == Resident.id)
                                .where(CaseSupporter.case_id == case.id))).scalars().all()
        for r in rows:
            chat = r.chat_id or r.external_id
            enqueue(s, notify.resident_state(chat, case, action, r.script, self._to_script),
                    dedupe_key(f"ev{ev.id}:r{chat}", r.channel), case.id, channel=r.channel, held=r.blocked_at is not None)

    async def _move(self, s: AsyncSession, case: Case, action: str, actor: tuple[str, int | None], at: datetime, *,
                    to_state: str | None = None, to_level: str | None = None, note: str | None = None) -> CaseEvent:
        """Apply one transition of the lifecycle table: new state (and level), the event that records it.

        The room has checked who may act and `lifecycle.require`d the current state; this refuses a
        target the table does not list, so the table stays the truth about where cases can go.
        """
        state = lifecycle.target(action, to_state, current=case.state)
        from_state, from_level = case.state, case.level
        case.state, case.updated_at = state, at
        if action == "accept":  # the figures' summary (storage.models.FIGURE_COLUMNS): the earliest 接单 event
            case.first_accepted_at = at if case.first_accepted_at is None else min(case.first_accepted_at, at)
        elif action == "urge":
            case.urge_count = (case.urge_count or 0) + 1
        if to_level is not None:
            case.level = to_level
        s.add(case)
        return await self._event(s, case, action, actor[0], actor[1], from_state, state, from_level, case.level, note, at)

    async def _event(self, s: AsyncSession, case: Case, action: str, actor_kind: str, actor_id: int | None,
                     from_state: str | None, to_state: str | None, from_level: str | None, to_level: str | None,
                     note: str | None, at: datetime, *, flush: bool = True) -> CaseEvent:
        """Record one event; `flush=False` leaves its INSERT for the next flush (several events in one statement),
        when nothing needs its id before then."""
        ev = CaseEvent(**event_values(case.id, action, actor_kind, actor_id, from_state, to_state, from_level,
                                      to_level, note, at))
        s.add(ev)
        if flush:
            await s.flush()
        return ev

    async def _view(self, s: AsyncSession, case: Case) -> CaseView:
        assignee = await self._assignee(s, case)
        resident = await s.get(Resident, case.resident_id)
        supporters = (await s.execute(select(Resident.channel, Resident.external_id)
                                      .join(CaseSupporter, CaseSupporter.resident_id == Resident.id)
                                      .where(CaseSupporter.case_id == case.id).order_by(CaseSupporter.id))).all()
        who = (resident.channel, resident.external_id) if resident else None
        return self._make_view(case, assignee, who, [(str(c), int(i)) for c, i in supporters])

    async def _views(self, s: AsyncSession, cases: Sequence[Case]) -> list[CaseView]:
        """Views of a list of cases in three statements whatever its length (`_view` per row was 3 per case)."""
        if not cases:
            return []
        worker_ids = {c.assignee_id for c in cases if c.assignee_id}
        workers = {w.id: w for w in (await s.execute(select(Worker).where(Worker.id.in_(worker_ids)))).scalars()} \
            if worker_ids else {}
        conn = await s.connection()  # plain rows: Core, past the ORM layer
        residents = {rid: (str(ch), int(ext)) for rid, ch, ext in await conn.execute(
            select(Resident.id, Resident.channel, Resident.external_id)
            .where(Resident.id.in_({c.resident_id for c in cases})))}
        supporters: dict[int, list[tuple[str, int]]] = defaultdict(list)
        rows = await conn.execute(select(CaseSupporter.case_id, Resident.channel, Resident.external_id)
                               .join(Resident, CaseSupporter.resident_id == Resident.id)
                               .where(CaseSupporter.case_id.in_([c.id for c in cases])).order_by(CaseSupporter.id))
        for case_id, channel, external_id in rows:
            supporters[case_id].append((str(channel), int(external_id)))
        return [self._make_view(c, workers.get(c.assignee_id), residents.get(c.resident_id), supporters.get(c.id or 0, []))
                for c in cases]

    def _make_view(self, case: Case, assignee: Worker | None, resident: tuple[str, int] | None,
                   supporters: Sequence[tuple[str, int]]) -> CaseView:
        """`resident` is the filer's (channel, external id); `supporters` the same pairs in joining order."""
        return CaseView(
            id=case.id or 0, number=case.number, intent=case.intent, subtype=case.subtype, text=case.text,
            address=case.address, latitude=case.latitude, longitude=case.longitude, photos=tuple(case.photos or ()),
            state=case.state, level=case.level,  # type: ignore[arg-type]
            grid_id=case.grid_id, grid_name=self.router.grid_name(case.grid_id), community_id=case.community_id,
            community_name=self.router.community_name(case.community_id), assignee_id=case.assignee_id,
            assignee_name=assignee.name if assignee else None, assignee_external_id=assignee.external_id if assignee else None,
            resident_external_id=resident[1] if resident else 0, urgent=case.urgent,
            resident_channel=resident[0] if resident else channels.TELEGRAM,
            assignee_channel=assignee.channel if assignee else None,
            deadline_at=aware(case.deadline_at), created_at=aware(case.created_at),  # type: ignore[arg-type]
            resolved_at=aware(case.resolved_at), supporter_count=case.supporter_count, reopen_count=case.reopen_count,
            resolution_note=case.resolution_note, return_reason=case.return_reason, route_note=case.route_note,
            supporter_external_ids=tuple(int(i) for _, i in supporters),
            supporters=tuple((str(c), int(i)) for c, i in supporters), updated_at=aware(case.updated_at),
            answers=dict(case.answers or {}), street_id=case.street_id,
        )


#: What the hot path reads of a resident it upserts (`CaseCore._resident_row`).
RESIDENT_FACTS = ("id", "channel", "external_id", "phone", "phone_consent_at")
_RESIDENT_VALUES = ("channel", "external_id", "chat_id", "name", "script", "created_at")


class ResidentFacts(NamedTuple):
    """`RESIDENT_FACTS` of a resident, read as a `Resident`'s attributes."""

    id: int
    channel: str
    external_id: int
    phone: str | None
    phone_consent_at: datetime | None


class PickedWorker(NamedTuple):
    """What filing reads of the grid worker it assigns (`number_and_worker`), as a `Worker`'s attributes. He is one of
    `REACHABLE`, so his chat does not refuse the bot."""

    id: int
    name: str
    external_id: int
    channel: str
    role: str
    grid_id: str | None
    community_id: str | None
    unreachable_at: datetime | None = None


_PICKED_COLUMNS = (Worker.id, Worker.name, Worker.external_id, Worker.channel, Worker.role, Worker.grid_id,
                   Worker.community_id)
_NUMBER_AND_WORKER: dict[str, Prepared] = {}


_DISPATCHER_PICK: list[Prepared] = []


def dispatcher_pick() -> Prepared:
    """`least_loaded` among dispatchers, for a case being filed: the community's (`community_id` bound) or the street's
    (`street_id` bound; the other one None), as `PickedWorker` columns."""
    if not _DISPATCHER_PICK:
        of_area = or_((Worker.role == "community") & (Worker.community_id == bindparam("community_id")),
                      (Worker.role == "street") & (Worker.street_id == bindparam("street_id")))
        _DISPATCHER_PICK.append(Prepared(select(*_PICKED_COLUMNS).where(of_area, *REACHABLE)
                                         .order_by(_open_load_bound(), Worker.id).limit(1)))
    return _DISPATCHER_PICK[0]


def _open_load_bound() -> Any:
    """`_OPEN_LOAD` with the open states as plain bound values, not one expanding IN (a `Prepared` statement is
    compiled once, before any values are known)."""
    states = [literal(state) for state in OPEN_STATES]
    return (select(func.count()).where(Case.assignee_id == Worker.id, Case.state.in_(states))
            .correlate(Worker).scalar_subquery())


#: `OPEN_LOAD` for `Prepared` statements.
OPEN_LOAD_BOUND = _open_load_bound()


def number_and_worker(dialect: str) -> Prepared:
    """The day's next number (`day` bound) and the least-loaded reachable worker of the grid (`grid_id` bound; None
    when it has none) in ONE statement: the counter's upsert RETURNING the worker's `PickedWorker` columns as a JSON
    array (a subquery ordered by his open cases, on the `(assignee_id, state)` index, as `least_loaded` orders)."""
    found = _NUMBER_AND_WORKER.get(dialect)
    if found is None:
        worker = (select(json_row(dialect, *_PICKED_COLUMNS))
                  .where(Worker.role == "grid", Worker.grid_id == bindparam("grid_id"), *REACHABLE)
                  .order_by(_open_load_bound(), Worker.id).limit(1).scalar_subquery())
        found = _NUMBER_AND_WORKER[dialect] = Prepared(sequence_upsert(dialect).returning(qualified(worker).label("worker")))
    return found


def event_values(case_id: int | None, action: str, actor_kind: str, actor_id: int | None, from_state: str | None,
                 to_state: str | None, from_level: str | None, to_level: str | None, note: str | None,
                 at: datetime) -> dict[str, Any]:
    """One event's column values (`CaseCore._event` builds its object from them; filing inserts them with Core)."""
    return {"case_id": case_id, "at": at, "action": action, "actor_kind": actor_kind, "actor_id": actor_id,
            "from_state": from_state, "to_state": to_state, "from_level": from_level, "to_level": to_level,
            "note": (note or None) and note[:1000]}


async def escalated_since_opened(s: AsyncSession, case_id: int) -> bool:
    """超时 escalation gives the next level a fresh deadline, but the case already missed its own:
    按时办结 is judged against the deadline of the current round (filing, or the last 重办)."""
    last_open = (await s.execute(select(func.max(CaseEvent.at)).where(
        CaseEvent.case_id == case_id, CaseEvent.action.in_(("file", "reopen"))))).scalar()
    query = select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.action == "escalate")
    if last_open is not None:
        query = query.where(CaseEvent.at >= last_open)
    return bool((await s.execute(query)).scalar())


def open_loads_query(worker_ids: list[int]) -> Any:
    """Open cases per worker: read from the (assignee_id, state) index, never by counting past cases."""
    return (select(Case.assignee_id, func.count()).where(Case.assignee_id.in_(worker_ids), Case.state.in_(OPEN_STATES))
            .group_by(Case.assignee_id))


async def open_loads(s: AsyncSession, worker_ids: list[int]) -> dict[int, int]:
    if not worker_ids:
        return {}
    rows = await s.execute(open_loads_query(worker_ids))
    return {int(wid): int(n) for wid, n in rows}


#: A worker's open cases, counted on the (assignee_id, state) index: never by reading past cases.
_OPEN_LOAD = (select(func.count()).where(Case.assignee_id == Worker.id, Case.state.in_(OPEN_STATES))
              .correlate(Worker).scalar_subquery())
OPEN_LOAD = _OPEN_LOAD  # for a query over `Worker` that lists each one's load with him


async def least_loaded(s: AsyncSession, cond: Any) -> Worker | None:
    """The bound, active, reachable worker matching `cond` with the fewest open cases (ties: the longest-serving),
    in one statement."""
    query = select(Worker).where(cond, *REACHABLE).order_by(_OPEN_LOAD, Worker.id).limit(1)
    return (await s.execute(query)).scalars().first()


def label_values(case: Any, source: str, at: datetime) -> dict[str, Any]:
    """The `case_label` row recording the category people (`source`) confirmed for `case`."""
    return {"case_id": case.id, "intent": case.intent, "source": source, "created_at": at}


async def label_case(s: AsyncSession, case: Case, source: str, at: datetime) -> None:
    """Record the category people confirmed for this case (once per source): the desk's own labelled examples."""
    await insert_if_absent(s, CaseLabel.__table__, label_values(case, source, at), ["case_id", "source"])


def to_worker(s: AsyncSession, worker: Worker, reply: Any, key: str, case_id: int | None) -> None:
    """A push to a worker on his channel; it waits (held) while his chat refuses the bot, and goes out when
    he writes again."""
    enqueue(s, reply, dedupe_key(key, worker.channel), case_id, channel=worker.channel,
            held=worker.unreachable_at is not None)


def dedupe_key(key: str, channel: str) -> str:
    """Dedupe keys name a chat id; another channel's same number is another chat (Telegram keys stay as they were)."""
    return key if channel == channels.TELEGRAM else f"{channel}:{key}"


def worker_view(w: Worker, open_cases: int = 0) -> WorkerView:
    return WorkerView(w.id or 0, w.name, w.role, w.grid_id, w.community_id, w.street_id, w.external_id,  # type: ignore[arg-type]
                      open_cases, w.active, w.unreachable_at is not None, w.channel)


def resident_view(r: Resident) -> ResidentView:
    return ResidentView(r.id or 0, r.external_id, r.chat_id or r.external_id, r.name, r.script, r.phone,  # type: ignore[arg-type]
                        r.channel)
