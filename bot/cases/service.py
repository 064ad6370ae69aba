"""The case service: the one API the dialog engine (and the deadline task, the CLI) call for cases.

Lifecycle (design.md): 受理 filed → 派单 assigned → 接单 accepted → 办结 resolved → 评价 rated, plus
退单 (assignee returns it with a reason → community dispatcher re-assigns), 超时 (past the deadline →
escalated one level: grid → community → street) and 重办 (an unsatisfied rating reopens it).

Rules every method keeps:
- each call is one transaction; a case is committed before its number is returned;
- an illegal transition raises `bot.errors.CaseError` with a Chinese reason the engine may show as is;
- every change writes a `CaseEvent` and, in the same transaction, outbox rows for everyone it concerns
  EXCEPT the actor (the actor's confirmation is the caller's own reply): pushes to the assignee with
  接单/办结/退单 buttons, notices to the resident and every supporter, the rating request after 办结;
- times given in are aware datetimes (naive ones are taken as UTC); views give aware UTC back.

Usage:
    service = await open_service(settings)          # migrates and seeds an empty database
    case = await service.file_case(ReportDraft(...))  # routed, assigned, committed → case.number
    await service.accept(case.id, worker_telegram_id)
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases import callbacks, notify
from bot.cases.duplicates import similarity
from bot.cases.outbox import Outbox, enqueue, hold_chat, release_chat
from bot.cases.routing import Router, building_numbers, canonical
from bot.cases.views import (
    SCORE_NAMES,
    CaseView,
    EventView,
    GridView,
    Invite,
    ReportDraft,
    ResidentView,
    Route,
    WorkerView,
    aware,
)
from bot.errors import CaseError
from storage.engine import Database, claim_rows, insert_if_absent, lock_row, next_sequence
from storage.models import (
    LEVELS,
    OPEN_STATES,
    Case,
    CaseEvent,
    CaseSupporter,
    Community,
    DialogState,
    Grid,
    GridArea,
    OutboxMessage,
    Rating,
    Resident,
    Street,
    SupportOffer,
    Worker,
    utcnow,
)

if TYPE_CHECKING:
    from bot.dialog.events import Reply
    from bot.nlu.intent_files import IntentSet
    from bot.nlu.normalize import Normalizer
    from bot.settings import Settings

#: Similarity (0..100) of two reports' words above which a same-intent, same-grid case counts as a duplicate.
DUPLICATE_THRESHOLD = 40.0
_INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O/1/I: read aloud over the phone
_MAX_TEXT = 4000
#: A place in a message's own words counts as given only when routing is this sure of the grid.
PLACE_CONFIDENCE = 0.9
#: Who may be given work: active, bound to a chat, and that chat not refusing the bot.
_REACHABLE = (Worker.active, Worker.telegram_id.is_not(None), Worker.unreachable_at.is_(None))
#: Why a worker's open cases went back to the queue when his chat refused the bot.
UNREACHABLE_NOTE = "{name} 无法接收消息（可能已屏蔽机器人），案件退回重新派单"


def clean_text(text: str | None) -> str:
    """Free text as stored: NUL and other control characters removed (PostgreSQL refuses NUL), trimmed."""
    if not text:
        return ""
    return "".join(ch for ch in text if ch in "\n\t" or (ord(ch) >= 32 and ord(ch) != 127)).strip()


def _utc(dt: datetime | None) -> datetime:
    """Any datetime (or None = now) as aware UTC; a naive one is taken as UTC."""
    if dt is None:
        return utcnow()
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


async def open_service(
    settings: Settings,
    *,
    intents: IntentSet | None = None,
    normalizer: Normalizer | None = None,
    seed_file: Path | None = None,
) -> CaseService:
    """Connect to `settings.database_url`, migrate, seed an empty database, and return the service."""
    if normalizer is None:
        from bot.nlu.normalize import default_normalizer

        normalizer = default_normalizer(settings.max_message_chars)
    db = Database(settings.database_url)
    await db.prepare(seed_file)
    service = CaseService(
        db,
        intents=intents,
        normalizer=normalizer,
        duplicate_window_hours=settings.duplicate_window_hours,
        reminder_fraction=settings.reminder_fraction,
        timezone=settings.timezone,
        admin_ids=tuple(sorted(settings.admin_ids)),
        receipt_grace_seconds=settings.receipt_grace_seconds,
    )
    await service.reload_grids()
    return service


class CaseService:
    """Cases, residents, workers, routing and dialog state over one `storage.engine.Database`."""

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
    ):
        self.db = db
        self.receipt_grace = timedelta(seconds=receipt_grace_seconds)
        self.intents = intents
        self._normalizer = normalizer
        self.duplicate_window = timedelta(hours=duplicate_window_hours)
        self.reminder_fraction = reminder_fraction
        self.tz = ZoneInfo(timezone)
        self.admin_ids = tuple(admin_ids)
        self.router = Router([], [], [])
        self.outbox = Outbox(db)

    async def close(self) -> None:
        await self.db.dispose()

    # ------------------------------------------------------------------ grids and routing

    async def reload_grids(self) -> None:
        """Re-read streets/communities/grids/areas into the in-memory router (after seeding or edits)."""
        async with self.db.session() as s:
            communities = list((await s.execute(select(Community))).scalars())
            grids = list((await s.execute(select(Grid))).scalars())
            areas = list((await s.execute(select(GridArea))).scalars())
            streets = list((await s.execute(select(Street))).scalars())
        self.router = Router(communities, grids, areas, streets, simplify=self._simplify if self._normalizer else None)

    def route(self, address: str | None = None, latitude: float | None = None, longitude: float | None = None) -> Route:
        """Address text → grid (fuzzy, on 小区/楼栋 names and aliases); else a location → containing/nearest grid.

        Never fails: when nothing matches or the match is ambiguous, `grid_id` is None and the case
        will go to the community (or street) dispatcher.
        """
        return self.router.route(address, latitude, longitude)

    def place_in(self, text: str, *, min_confidence: float = PLACE_CONFIDENCE) -> str | None:
        """The place a message names in its own words ("梨园小区3栋"), when routing is sure of its grid.

        Lets the dialog skip asking "where?" only when the answer is already certain; a vague or
        ambiguous mention returns None and the resident is asked.
        """
        route = self.router.route_address(text)
        if not route.grid_id or route.ambiguous or route.confidence < min_confidence or not route.matched:
            return None
        area = route.matched.split()[0]
        numbers = building_numbers(canonical(text, self._simplify))
        return f"{area}{numbers[0]}栋" if numbers else area

    async def list_grids(self) -> list[GridView]:
        """Every grid with its community, street, areas and bound workers' names."""
        async with self.db.session() as s:
            workers = (await s.execute(select(Worker).where(Worker.active, Worker.grid_id.is_not(None)))).scalars()
            names: dict[str, list[str]] = {}
            for w in workers:
                names.setdefault(w.grid_id or "", []).append(w.name)
        return [self.router.grid_view(gid, tuple(names.get(gid, ()))) for gid in self.router.grid_ids()]

    # ------------------------------------------------------------------ people

    async def ensure_resident(
        self, telegram_id: int, *, chat_id: int | None = None, name: str = "", script: str | None = None
    ) -> ResidentView:
        """Find or create the resident; updates name/script when given (the script of their latest message)."""
        async with self.db.transaction() as s:
            r = await self._resident(s, telegram_id, chat_id=chat_id, name=name, script=script)
            return _resident_view(r)

    async def set_phone(self, telegram_id: int, phone: str | None, *, consent: bool) -> ResidentView:
        """Store the resident's phone only with consent; `consent=False` or `phone=None` erases it."""
        async with self.db.transaction() as s:
            r = await self._resident(s, telegram_id)
            if consent and phone:
                cleaned = "".join(ch for ch in unicodedata.normalize("NFKC", phone) if ch in "0123456789+")[:32]
                if len(cleaned.lstrip("+")) < 5:
                    raise CaseError("电话号码格式不对，请重新发送。")
                r.phone, r.phone_consent_at = cleaned, utcnow()
            else:
                r.phone, r.phone_consent_at = None, None
            s.add(r)
            return _resident_view(r)

    async def create_invite(
        self,
        name: str,
        *,
        grid_id: str | None = None,
        community_id: str | None = None,
        street_id: str | None = None,
        valid_hours: float | None = 72.0,
    ) -> Invite:
        """A one-time invite code for a new grid worker (`grid_id`), community dispatcher or street supervisor."""
        name = clean_text(name)[:60]
        if not name:
            raise CaseError("worker name must not be empty")
        if sum(x is not None for x in (grid_id, community_id, street_id)) != 1:
            raise CaseError("give exactly one of --grid, --community, --street")
        async with self.db.transaction() as s:
            if grid_id is not None:
                grid = await s.get(Grid, grid_id)
                if grid is None:
                    raise CaseError(f"unknown grid {grid_id!r} (see `griddesk grids`)")
                community = await s.get(Community, grid.community_id)
                worker = Worker(name=name, role="grid", grid_id=grid.id, community_id=grid.community_id,
                                street_id=community.street_id if community else None)
            elif community_id is not None:
                community = await s.get(Community, community_id)
                if community is None:
                    raise CaseError(f"unknown community {community_id!r} (see `griddesk grids`)")
                worker = Worker(name=name, role="community", community_id=community.id, street_id=community.street_id)
            else:
                if await s.get(Street, street_id) is None:
                    raise CaseError(f"unknown street {street_id!r}")
                worker = Worker(name=name, role="street", street_id=street_id)
            worker.invite_code = "".join(secrets.choice(_INVITE_ALPHABET) for _ in range(10))
            if valid_hours:
                worker.invite_expires_at = utcnow() + timedelta(hours=valid_hours)
            s.add(worker)
            await s.flush()
            return Invite(worker.invite_code, _worker_view(worker), aware(worker.invite_expires_at))

    async def bind_worker(self, code: str, telegram_id: int, *, now: datetime | None = None) -> WorkerView:
        """`/bind CODE`: link a Telegram account to the invited worker. Codes work once; CaseError otherwise."""
        code = (code or "").strip().upper().removeprefix("BIND_")
        if not code or len(code) > 20 or not code.isalnum():
            raise CaseError("邀请码格式不对，请检查后重新发送：/bind 邀请码")
        async with self.db.transaction() as s:
            w = (await s.execute(lock_row(select(Worker).where(Worker.invite_code == code), s))).scalar_one_or_none()
            if w is None:
                raise CaseError("邀请码无效，请向社区管理员索取新的邀请码。")
            if w.bound_at is not None:
                raise CaseError("该邀请码已被使用，每个邀请码只能绑定一次。")
            if w.invite_expires_at is not None and w.invite_expires_at < _utc(now):
                raise CaseError("邀请码已过期，请向社区管理员索取新的邀请码。")
            w.telegram_id, w.bound_at = telegram_id, _utc(now)
            s.add(w)
            return _worker_view(w)

    async def workers_of(self, telegram_id: int) -> list[WorkerView]:
        """The worker roles bound to this Telegram account (empty for residents)."""
        async with self.db.session() as s:
            rows = (await s.execute(select(Worker).where(Worker.telegram_id == telegram_id, Worker.active))).scalars()
            return [_worker_view(w) for w in rows]

    async def workers_in_community(self, community_id: str) -> list[WorkerView]:
        """Bound grid workers of a community with their open-case counts (for a dispatcher's 派给 buttons)."""
        async with self.db.session() as s:
            rows = (
                await s.execute(
                    select(Worker).where(Worker.community_id == community_id, Worker.role == "grid", *_REACHABLE)
                    .order_by(Worker.id)
                )
            ).scalars().all()
            loads = await _open_loads(s, [w.id for w in rows if w.id is not None])
            return [_worker_view(w, loads.get(w.id or 0, 0)) for w in rows]

    # ------------------------------------------------------------------ filing and duplicates

    async def find_duplicates(
        self, intent: str, text: str, grid_id: str | None, *, now: datetime | None = None, limit: int = 3,
        exclude_resident: int | None = None, offer_to: int | None = None,
    ) -> list[CaseView]:
        """Open cases of the same intent in the same grid, filed within the duplicate window, with similar words.

        Best match first. Offer them to the resident as 附议 (join) choices (`callbacks.support_button`).
        No grid → no duplicates (we cannot tell it is the same place). `exclude_resident` (a Telegram id)
        leaves out cases that person filed or already supports — there is nothing for them to join.
        `offer_to` (a Telegram id) records that the cases found were offered to that person, which is
        what lets them join one (`support`).
        """
        if not grid_id or not text:
            return []
        at = _utc(now)
        since = at - self.duplicate_window
        async with self.db.transaction() as s:
            rows = (
                await s.execute(
                    select(Case).where(Case.intent == intent, Case.grid_id == grid_id, Case.created_at >= since,
                                       Case.state.in_((*OPEN_STATES, "resolved"))).order_by(Case.created_at.desc()).limit(200)
                )
            ).scalars().all()
            if exclude_resident is not None and rows:
                mine = await self._involved_cases(s, exclude_resident, [c.id for c in rows if c.id is not None])
                rows = [c for c in rows if c.id not in mine]
            scored = [(similarity(self._simplify(text), self._simplify(c.text + " " + (c.address or ""))), c) for c in rows]
            best = sorted((p for p in scored if p[0] >= DUPLICATE_THRESHOLD), key=lambda p: -p[0])[:limit]
            if offer_to is not None and best:
                resident = await self._resident(s, offer_to)
                for _, c in best:
                    await insert_if_absent(s, SupportOffer.__table__, {"case_id": c.id, "resident_id": resident.id,
                                                                       "offered_at": at}, ["case_id", "resident_id"])
            return [await self._view(s, c) for _, c in best]

    async def find_own_duplicate(self, intent: str, text: str, telegram_id: int, *,
                                 now: datetime | None = None) -> CaseView | None:
        """The resident's own open case of this intent with similar words, whatever its grid.

        A resident who sends the same report again (say, after the confirmation never reached them)
        must be shown the case they have, not get a second one — also when no grid matched the place.
        """
        if not text:
            return None
        since = _utc(now) - self.duplicate_window
        async with self.db.session() as s:
            rows = (await s.execute(
                select(Case).join(Resident, Resident.id == Case.resident_id)
                .where(Resident.telegram_id == telegram_id, Case.intent == intent, Case.created_at >= since,
                       Case.state.in_(OPEN_STATES)).order_by(Case.created_at.desc()).limit(20)
            )).scalars().all()
            simple = self._simplify(text)
            scored = [(similarity(simple, self._simplify(c.text)), c) for c in rows]
            best = max((p for p in scored if p[0] >= DUPLICATE_THRESHOLD), key=lambda p: p[0], default=None)
            return None if best is None else await self._view(s, best[1])

    async def file_case(self, draft: ReportDraft, *, now: datetime | None = None,
                        receipt: Callable[[CaseView], Reply] | None = None) -> CaseView:
        """受理: create the case, route it (unless `draft.grid_id`), assign the least-loaded worker (派单), commit.

        Returns the committed case with its `YYYYMMDD-NNNN` number. The worker's push (or the
        dispatcher's, when no worker is bound or the address is unclear) is in the outbox.
        `receipt` builds the filer's "已受理 … 案件编号" message from the case; it is written to the outbox
        in the same transaction, due after `receipt_grace`, so a crash before the caller's own reply
        leaves cannot lose it (the caller marks it sent once its direct reply went out: `receipt_id`).
        """
        text = clean_text(draft.text)
        if not text:
            raise CaseError("诉求内容不能为空，请描述一下问题。")
        if not draft.intent or len(draft.intent) > 40:
            raise CaseError("unknown intent for a case")
        if not (0 < draft.deadline_hours <= 24 * 365):
            raise CaseError("deadline_hours must be between 0 and 8760")
        at = _utc(now)
        given = draft.grid_id
        route = self.router.given(given) if given else self.route(draft.address, draft.latitude, draft.longitude)
        async with self.db.transaction() as s:
            resident = await self._resident(s, draft.resident_telegram_id, chat_id=draft.chat_id,
                                            name=draft.resident_name, script=draft.script)
            day = at.astimezone(self.tz).strftime("%Y%m%d")
            seq = await next_sequence(s, day)
            case = Case(
                number=f"{day}-{seq:04d}", intent=draft.intent, subtype=draft.subtype, text=text[:_MAX_TEXT],
                address=clean_text(draft.address)[:300] or None, latitude=draft.latitude, longitude=draft.longitude,
                photos=[clean_text(p)[:200] for p in draft.photos if clean_text(p)][:10], resident_id=resident.id,
                street_id=route.street_id,
                community_id=route.community_id, grid_id=route.grid_id, level=route.level, state="filed",
                route_note=route.note[:200] or None, urgent=draft.urgent, deadline_hours=draft.deadline_hours,
                deadline_at=at + timedelta(hours=draft.deadline_hours), created_at=at, updated_at=at,
            )
            s.add(case)
            await s.flush()
            filed = await self._event(s, case, "file", "resident", draft.resident_telegram_id, None, "filed", None,
                                      case.level, route.note or None, at)
            await self._dispatch(s, case, filed, at)
            view = await self._view(s, case)
            if receipt is None:
                return view
            row = enqueue(s, receipt(view), f"receipt:{case.id}", case.id, now=at + self.receipt_grace)
            await s.flush()
            return replace(view, receipt_id=row.id)

    async def support(self, case_id: int, resident_telegram_id: int, *, text: str | None = None,
                      now: datetime | None = None) -> CaseView:
        """附议: the resident joins an existing case; counted once, told of every later change.

        Only a case offered to this resident (`find_duplicates(offer_to=…)`) can be joined: button data
        is whatever a client sends, so a forged `sup:<id>` must not open a stranger's case. Joining your
        own case or joining twice is refused (CaseError), as is joining a closed case.
        """
        at = _utc(now)
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            resident = await self._resident(s, resident_telegram_id)
            if case.resident_id == resident.id:
                raise CaseError(f"案件 {case.number} 是您本人反映的，无需附议。")
            offered = await s.execute(select(SupportOffer.id).where(SupportOffer.case_id == case.id,
                                                                    SupportOffer.resident_id == resident.id))
            if offered.first() is None:
                raise CaseError("只能附议系统向您推荐的相似案件。如有问题，请直接描述情况反映。")
            if case.state in ("rated", "cancelled"):
                raise CaseError(f"案件 {case.number} 已{notify.state_word(case.state)}，不能再附议。如问题仍在，请重新反映。")
            exists = await s.execute(select(CaseSupporter.id).where(CaseSupporter.case_id == case.id,
                                                                    CaseSupporter.resident_id == resident.id))
            if exists.first() is not None:
                raise CaseError(f"您已附议过案件 {case.number}，处理进展会通知您。")
            s.add(CaseSupporter(case_id=case.id, resident_id=resident.id, text=clean_text(text)[:_MAX_TEXT] or None,
                                created_at=at))
            case.supporter_count += 1
            case.updated_at = at
            s.add(case)
            ev = await self._event(s, case, "support", "resident", resident_telegram_id, case.state, case.state,
                                   case.level, case.level, None, at)
            assignee = await self._assignee(s, case)
            if assignee is not None and assignee.telegram_id is not None:
                _to_worker(s, assignee, notify.supporter_joined(assignee.telegram_id, case), f"ev{ev.id}:w{assignee.telegram_id}",
                           case.id)
            return await self._view(s, case)

    # ------------------------------------------------------------------ lifecycle

    async def assign(self, case_id: int, worker_id: int, *, by_telegram_id: int | None = None,
                     now: datetime | None = None) -> CaseView:
        """派单 by a dispatcher/admin: a filed or returned case (or an escalated one) goes to `worker_id`."""
        at = _utc(now)
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            if case.state not in ("filed", "returned", "assigned"):
                raise CaseError(f"案件 {case.number} 当前{notify.state_word(case.state)}，不能派单。")
            if by_telegram_id is not None and by_telegram_id not in self.admin_ids:
                dispatcher = await self._require_dispatcher(s, case, by_telegram_id)
            else:
                dispatcher = None
            worker = await s.get(Worker, worker_id)
            if worker is None or not worker.active or worker.role != "grid" or worker.telegram_id is None:
                raise CaseError("只能派给已绑定的在岗网格员。")
            if dispatcher is not None and ((dispatcher.role == "community" and worker.community_id != dispatcher.community_id)
                                           or (dispatcher.role == "street" and worker.street_id != dispatcher.street_id)):
                raise CaseError(f"只能派给本{notify.level_word(dispatcher.role)}的网格员。")
            if worker.unreachable_at is not None:
                raise CaseError(f"网格员 {worker.name} 目前无法接收消息（可能已屏蔽机器人），请派给其他网格员。")
            kind = "system" if by_telegram_id is None else "admin" if by_telegram_id in self.admin_ids else "worker"
            await self._assign_to(s, case, worker, at, actor=(kind, by_telegram_id))
            return await self._view(s, case)

    async def accept(self, case_id: int, worker_telegram_id: int, *, now: datetime | None = None) -> CaseView:
        """接单: only the assignee, only from 已派单."""
        at = _utc(now)
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            await self._require_assignee(s, case, worker_telegram_id)
            if case.state == "accepted":
                raise CaseError(f"案件 {case.number} 已接单，处理完成后请点「办结」。")
            if case.state != "assigned":
                raise CaseError(f"案件 {case.number} 当前{notify.state_word(case.state)}，不能接单。")
            case.state, case.accepted_at, case.updated_at = "accepted", at, at
            s.add(case)
            ev = await self._event(s, case, "accept", "worker", worker_telegram_id, "assigned", "accepted",
                                   case.level, case.level, None, at)
            await self._notify_residents(s, case, ev, lambda chat, script, rid: notify.resident_state(chat, case, "accept",
                                                                                                  script, self._to_script))
            return await self._view(s, case)

    async def resolve(self, case_id: int, worker_telegram_id: int, note: str = "", *, photo: str | None = None,
                      now: datetime | None = None) -> CaseView:
        """办结: the assignee closes the work (from 处置中, or straight from 已派单 — accepting implicitly).

        The filer gets the result with 满意/基本满意/不满意 buttons; supporters get the notice.
        """
        at = _utc(now)
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            await self._require_assignee(s, case, worker_telegram_id)
            if case.state not in ("assigned", "accepted"):
                raise CaseError(f"案件 {case.number} 当前{notify.state_word(case.state)}，不能办结。")
            if case.state == "assigned":
                case.accepted_at = at
                await self._event(s, case, "accept", "worker", worker_telegram_id, "assigned", "accepted",
                                  case.level, case.level, "办结时自动接单", at)
            case.state, case.resolved_at, case.updated_at = "resolved", at, at
            case.resolved_on_time = at <= case.deadline_at and not await _escalated_since_opened(s, case.id)
            case.resolution_note = clean_text(note)[:1000] or None
            case.resolution_photo = clean_text(photo)[:200] or None
            s.add(case)
            ev = await self._event(s, case, "resolve", "worker", worker_telegram_id, "accepted", "resolved",
                                   case.level, case.level, case.resolution_note, at)
            filer_id = case.resident_id
            await self._notify_residents(s, case, ev, lambda chat, script, rid: notify.resident_resolved(
                chat, case, script, self._to_script, ask_rating=rid == filer_id))
            return await self._view(s, case)

    async def return_case(self, case_id: int, worker_telegram_id: int, reason: str, *,
                          now: datetime | None = None) -> CaseView:
        """退单: the assignee sends the case back with a reason; it goes up to the community dispatcher
        (from a community dispatcher: to the street) to be re-assigned."""
        reason = clean_text(reason)
        if not reason:
            raise CaseError("退单需要说明原因（例如：不属于本网格、分类有误）。")
        at = _utc(now)
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            worker = await self._require_assignee(s, case, worker_telegram_id)
            if case.state not in ("assigned", "accepted"):
                raise CaseError(f"案件 {case.number} 当前{notify.state_word(case.state)}，不能退单。")
            await self._hand_back(s, case, worker, at, actor=("worker", worker_telegram_id), reason=reason)
            return await self._view(s, case)

    async def _hand_back(self, s: AsyncSession, case: Case, worker: Worker, at: datetime, *,
                         actor: tuple[str, int | None], reason: str) -> CaseEvent:
        """退单: the case leaves `worker` for the queue one level up (grid → community, dispatcher → street)."""
        from_state, from_level = case.state, case.level
        case.level = "street" if worker.role in ("community", "street") else "community"
        case.state, case.assignee_id, case.return_reason, case.updated_at = "returned", None, reason[:500], at
        case.accepted_at = None
        s.add(case)
        ev = await self._event(s, case, "return", actor[0], actor[1], from_state, "returned", from_level, case.level,
                               reason, at)
        await self._push_to_dispatcher(s, case, ev, at, why=f"退单原因：{reason[:200]}")
        await self._notify_residents(s, case, ev, lambda chat, script, rid: notify.resident_state(chat, case, "return",
                                                                                              script, self._to_script))
        return ev

    # ------------------------------------------------------------------ reachability (the channel says who refuses us)

    async def chat_refused(self, chat_id: int, error: str = "blocked by the user", *,
                           now: datetime | None = None) -> list[str]:
        """The chat refuses the bot (Telegram 403). Returns the numbers of the cases handed back.

        Everything queued to it waits (held) instead of being lost. A resident is marked; a worker
        is marked unreachable, gets no new work, and his open cases go back to the dispatcher's queue
        with the reason — a case must not sit with someone who cannot hear about it.
        """
        at = _utc(now)
        handed: list[str] = []
        async with self.db.transaction() as s:
            await hold_chat(s, chat_id, error)
            await s.execute(update(Resident).where(Resident.chat_id == chat_id, Resident.blocked_at.is_(None))
                            .values(blocked_at=at))
            workers = (await s.execute(lock_row(select(Worker).where(Worker.telegram_id == chat_id, Worker.active), s)
                                       )).scalars().all()
            for worker in workers:
                if worker.unreachable_at is None:
                    worker.unreachable_at = at
                    s.add(worker)
                cases = (await s.execute(lock_row(select(Case).where(Case.assignee_id == worker.id,
                                                                     Case.state.in_(("assigned", "accepted")))
                                                  .order_by(Case.id), s))).scalars().all()
                for case in cases:
                    await self._hand_back(s, case, worker, at, actor=("system", None),
                                          reason=UNREACHABLE_NOTE.format(name=worker.name))
                    handed.append(case.number)
                    # His held pushes about this case no longer apply: it is somebody else's now.
                    await s.execute(update(OutboxMessage).where(OutboxMessage.chat_id == chat_id,
                                                                OutboxMessage.case_id == case.id,
                                                                OutboxMessage.status == "blocked")
                                    .values(status="dropped", last_error="case handed back: worker unreachable"))
        return handed

    async def chat_reachable(self, telegram_id: int, *, now: datetime | None = None) -> bool:
        """Someone wrote to us: whatever marked them unreachable is over, and what waited for them goes out.

        Called on every update, so it is two guarded UPDATEs that change nothing in the common case.
        """
        at = _utc(now)
        async with self.db.transaction() as s:
            residents = await s.execute(update(Resident).where(Resident.telegram_id == telegram_id,
                                                               Resident.blocked_at.is_not(None)).values(blocked_at=None))
            workers = await s.execute(update(Worker).where(Worker.telegram_id == telegram_id,
                                                           Worker.unreachable_at.is_not(None)).values(unreachable_at=None))
            if not (residents.rowcount or workers.rowcount):
                return False
            await release_chat(s, telegram_id, at)
            return True

    async def rate(self, case_id: int, resident_telegram_id: int, score: str, *, comment: str | None = None,
                   now: datetime | None = None) -> CaseView:
        """评价 by the filer: 满意/基本满意 close the case; 不满意 reopens it (重办) to the same worker."""
        if score not in SCORE_NAMES:
            raise CaseError(f"unknown rating {score!r}; use satisfied, basic or unsatisfied")
        at = _utc(now)
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            resident = await self._resident(s, resident_telegram_id)
            if case.resident_id != resident.id:
                raise CaseError(f"只有反映人可以评价案件 {case.number}。")
            if case.state == "rated":
                raise CaseError(f"案件 {case.number} 已评价过，谢谢您的反馈。")
            if case.state != "resolved":
                raise CaseError(f"案件 {case.number} 当前{notify.state_word(case.state)}，办结后才能评价。")
            s.add(Rating(case_id=case.id, resident_id=resident.id, score=score, comment=clean_text(comment)[:1000] or None,
                         created_at=at))
            if score != "unsatisfied":
                case.state, case.closed_at, case.updated_at = "rated", at, at
                s.add(case)
                ev = await self._event(s, case, "rate", "resident", resident_telegram_id, "resolved", "rated",
                                       case.level, case.level, SCORE_NAMES[score], at)
                assignee = await self._assignee(s, case)
                if assignee is not None and assignee.telegram_id is not None:
                    _to_worker(s, assignee, notify.worker_rated(assignee.telegram_id, case, score),
                               f"ev{ev.id}:w{assignee.telegram_id}", case.id)
                return await self._view(s, case)
            await self._event(s, case, "rate", "resident", resident_telegram_id, "resolved", "resolved",
                              case.level, case.level, SCORE_NAMES[score], at)
            case.reopen_count += 1
            case.resolved_at, case.resolved_on_time, case.accepted_at = None, None, None
            case.deadline_at = at + timedelta(hours=case.deadline_hours)
            case.reminded_at = None
            assignee = await self._assignee(s, case)
            note = "居民不满意，重办" + (f"：{clean_text(comment)[:200]}" if clean_text(comment) else "")
            if (assignee is not None and assignee.active and assignee.telegram_id is not None
                    and assignee.unreachable_at is None):
                case.state = "assigned"
                s.add(case)
                ev = await self._event(s, case, "reopen", "resident", resident_telegram_id, "resolved", "assigned",
                                       case.level, case.level, note, at)
                enqueue(s, notify.worker_push(assignee.telegram_id, case, self._label(case), kind="reopen", note=note),
                        f"ev{ev.id}:w{assignee.telegram_id}", case.id)
            else:
                case.state, case.assignee_id = "filed", None
                case.level = "community" if case.level == "grid" else case.level
                s.add(case)
                ev = await self._event(s, case, "reopen", "resident", resident_telegram_id, "resolved", "filed",
                                       case.level, case.level, note, at)
                await self._push_to_dispatcher(s, case, ev, at, why=note)
            await self._notify_supporters(s, case, ev, "reopen")
            return await self._view(s, case)

    async def cancel(self, case_id: int, resident_telegram_id: int, *, reason: str | None = None,
                     now: datetime | None = None) -> CaseView:
        """撤销 by the filer while the case is still open; the assignee is told."""
        at = _utc(now)
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            resident = await self._resident(s, resident_telegram_id)
            if case.resident_id != resident.id:
                raise CaseError(f"只有反映人可以撤销案件 {case.number}。")
            if case.state not in OPEN_STATES:
                raise CaseError(f"案件 {case.number} 当前{notify.state_word(case.state)}，不能撤销。")
            from_state = case.state
            case.state, case.closed_at, case.updated_at = "cancelled", at, at
            s.add(case)
            ev = await self._event(s, case, "cancel", "resident", resident_telegram_id, from_state, "cancelled",
                                   case.level, case.level, clean_text(reason) or None, at)
            assignee = await self._assignee(s, case)
            if assignee is not None and assignee.telegram_id is not None:
                _to_worker(s, assignee, notify.worker_cancelled(assignee.telegram_id, case), f"ev{ev.id}:w{assignee.telegram_id}",
                           case.id)
            await self._notify_supporters(s, case, ev, "cancel")
            return await self._view(s, case)

    # ------------------------------------------------------------------ deadlines (run by the background task)

    async def due_reminders(self, now: datetime | None = None, *, limit: int = 100) -> list[int]:
        """Ids of open, assigned cases past `reminder_fraction` of their time, not yet reminded, not yet late."""
        at = _utc(now)
        async with self.db.session() as s:
            rows = (
                await s.execute(
                    select(Case).where(Case.state.in_(("assigned", "accepted")), Case.reminded_at.is_(None),
                                       Case.deadline_at > at).order_by(Case.deadline_at).limit(limit * 5)
                )
            ).scalars().all()
            return [c.id for c in rows if c.id is not None and self._reminder_due(c, at)][:limit]

    async def remind(self, case_id: int, now: datetime | None = None) -> bool:
        """Push a 即将超时 reminder to the assignee, once. False when another instance took it or it is not due.

        Safe with several instances: the row is claimed with FOR UPDATE SKIP LOCKED and re-checked.
        """
        at = _utc(now)
        async with self.db.transaction() as s:
            case = (await s.execute(claim_rows(select(Case).where(Case.id == case_id), s))).scalar_one_or_none()
            if case is None or case.reminded_at is not None or case.state not in ("assigned", "accepted"):
                return False
            if case.deadline_at <= at or not self._reminder_due(case, at):
                return False
            case.reminded_at = at
            s.add(case)
            ev = await self._event(s, case, "remind", "system", None, case.state, case.state, case.level, case.level, None, at)
            assignee = await self._assignee(s, case)
            if assignee is not None and assignee.telegram_id is not None:
                _to_worker(s, assignee, notify.worker_reminder(assignee.telegram_id, case, self._label(case),
                                                              self._local(case.deadline_at)),
                        f"ev{ev.id}:w{assignee.telegram_id}", case.id)
            return True

    async def overdue(self, now: datetime | None = None, *, limit: int = 100) -> list[int]:
        """Ids of open cases past their deadline below street level (street is the top: nothing to escalate to)."""
        at = _utc(now)
        async with self.db.session() as s:
            rows = await s.execute(
                select(Case.id).where(Case.state.in_(OPEN_STATES), Case.deadline_at <= at, Case.level != "street")
                .order_by(Case.deadline_at).limit(limit)
            )
            return [int(r[0]) for r in rows]

    async def escalate(self, case_id: int, now: datetime | None = None) -> CaseView | None:
        """超时: move an overdue case one level up (grid → community → street) to that level's dispatcher,
        with a fresh deadline; tells the previous assignee, the resident and supporters.

        Returns None when the case is not (or no longer) overdue or another instance holds it.
        """
        at = _utc(now)
        async with self.db.transaction() as s:
            case = (await s.execute(claim_rows(select(Case).where(Case.id == case_id), s))).scalar_one_or_none()
            if case is None or case.state not in OPEN_STATES or case.deadline_at > at or case.level == "street":
                return None
            previous = await self._assignee(s, case)
            from_state, from_level = case.state, case.level
            case.level = LEVELS[LEVELS.index(case.level) + 1]
            case.deadline_at = at + timedelta(hours=case.deadline_hours)
            case.reminded_at, case.accepted_at, case.updated_at = None, None, at
            dispatcher = await self._dispatcher(s, case)
            if dispatcher is not None:
                case.state, case.assignee_id = "assigned", dispatcher.id
            else:
                case.state, case.assignee_id = "filed", None
            s.add(case)
            note = f"超过办结时限，升级至{notify.level_word(case.level)}督办"
            ev = await self._event(s, case, "escalate", "system", None, from_state, case.state, from_level, case.level, note, at)
            if previous is not None and previous.telegram_id is not None:
                _to_worker(s, previous, notify.worker_escalated_away(previous.telegram_id, case),
                           f"ev{ev.id}:p{previous.telegram_id}",
                        case.id)
            if dispatcher is not None and dispatcher.telegram_id is not None:
                enqueue(s, notify.worker_push(dispatcher.telegram_id, case, self._label(case), kind="escalate", note=note),
                        f"ev{ev.id}:w{dispatcher.telegram_id}", case.id)
            else:
                await self._push_to_dispatcher(s, case, ev, at, why=note)
            await self._notify_residents(s, case, ev, lambda chat, script, rid: notify.resident_state(chat, case, "escalate",
                                                                                                  script, self._to_script))
            return await self._view(s, case)

    async def run_deadlines(self, now: datetime | None = None) -> tuple[int, int]:
        """One pass of the deadline task: remind what is due, escalate what is late. Returns (reminded, escalated)."""
        reminded = sum([await self.remind(cid, now) for cid in await self.due_reminders(now)])
        escalated = sum([await self.escalate(cid, now) is not None for cid in await self.overdue(now)])
        return reminded, escalated

    # ------------------------------------------------------------------ queries

    async def get_case(self, case_id: int) -> CaseView:
        async with self.db.session() as s:
            case = await s.get(Case, case_id)
            if case is None:
                raise CaseError(f"找不到案件 #{case_id}。")
            return await self._view(s, case)

    async def find_case(self, number: str) -> CaseView | None:
        """By its number `YYYYMMDD-NNNN` (spaces and full-width dashes tolerated)."""
        cleaned = (number or "").strip().replace("－", "-").replace("—", "-").replace(" ", "")[:20]
        async with self.db.session() as s:
            case = (await s.execute(select(Case).where(Case.number == cleaned))).scalar_one_or_none()
            return None if case is None else await self._view(s, case)

    async def cases_of_resident(self, telegram_id: int, *, limit: int = 10) -> list[CaseView]:
        """`/my`: the resident's own and supported cases, newest first."""
        async with self.db.session() as s:
            resident = (await s.execute(select(Resident).where(Resident.telegram_id == telegram_id))).scalar_one_or_none()
            if resident is None:
                return []
            supported = select(CaseSupporter.case_id).where(CaseSupporter.resident_id == resident.id)
            rows = (
                await s.execute(select(Case).where(or_(Case.resident_id == resident.id, Case.id.in_(supported)))
                                .order_by(Case.created_at.desc(), Case.id.desc()).limit(limit))
            ).scalars().all()
            return [await self._view(s, c) for c in rows]

    async def tasks_of_worker(self, telegram_id: int, *, limit: int = 20) -> list[CaseView]:
        """`/tasks`: open cases assigned to this worker, plus (for dispatchers) their level's unassigned queue."""
        async with self.db.session() as s:
            workers = (await s.execute(select(Worker).where(Worker.telegram_id == telegram_id, Worker.active))).scalars().all()
            if not workers:
                return []
            conds = [Case.assignee_id.in_([w.id for w in workers])]
            for w in workers:
                if w.role == "community":
                    conds.append((Case.community_id == w.community_id) & (Case.level == "community") & Case.assignee_id.is_(None))
                elif w.role == "street":
                    conds.append((Case.street_id == w.street_id) & (Case.level == "street") & Case.assignee_id.is_(None))
            rows = (
                await s.execute(select(Case).where(Case.state.in_(OPEN_STATES), or_(*conds))
                                .order_by(Case.urgent.desc(), Case.deadline_at).limit(limit))
            ).scalars().all()
            return [await self._view(s, c) for c in rows]

    async def events(self, case_id: int) -> list[EventView]:
        """The case's history, oldest first."""
        async with self.db.session() as s:
            rows = (await s.execute(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id))).scalars()
            return [EventView(aware(e.at), e.action, e.actor_kind, e.actor_id, e.from_state, e.to_state,  # type: ignore[arg-type]
                              e.from_level, e.to_level, e.note) for e in rows]

    async def stats(self, *, since: datetime | None = None, now: datetime | None = None) -> Any:
        """工作量, 办结率, 按时办结率, 平均处置时长, 满意率 per grid, category and worker (`bot.cases.stats.Stats`)."""
        from bot.cases.stats import compute_stats

        async with self.db.session() as s:
            return await compute_stats(s, self.router, self.intents, since=_utc(since) if since else None, now=_utc(now))

    # ------------------------------------------------------------------ dialog state (for the dialog engine)

    async def load_dialog(self, chat_id: int) -> dict[str, Any] | None:
        """The dialog engine's saved state for this chat, or None."""
        async with self.db.session() as s:
            row = await s.get(DialogState, chat_id)
            return dict(row.data) if row is not None else None

    async def save_dialog(self, chat_id: int, data: dict[str, Any]) -> None:
        """Replace the chat's dialog state (must be JSON-serialisable)."""
        async with self.db.transaction() as s:
            row = await s.get(DialogState, chat_id)
            if row is None:
                s.add(DialogState(chat_id=chat_id, data=dict(data), updated_at=utcnow()))
            else:
                row.data, row.updated_at = dict(data), utcnow()
                s.add(row)

    async def clear_dialog(self, chat_id: int) -> None:
        async with self.db.transaction() as s:
            row = await s.get(DialogState, chat_id)
            if row is not None:
                await s.delete(row)

    # ------------------------------------------------------------------ internals

    def _simplify(self, text: str) -> str:
        return self._normalizer.simplify(text) if self._normalizer else text

    def _to_script(self, text: str, script: str) -> str:
        if self._normalizer is None or script != "traditional":
            return text
        return self._normalizer.to_script(text, "traditional")

    def _label(self, case: Case) -> str:
        name = self.intents.display_name(case.intent) if self.intents else notify.CATEGORY_FALLBACK.get(case.intent, case.intent)
        if self.intents and case.subtype:
            intent = self.intents.get(case.intent)
            st = intent.subtype(case.subtype) if intent else None
            if st is not None:
                name = f"{name}·{st.name}"
        return name

    def _local(self, dt: datetime) -> str:
        return dt.astimezone(self.tz).strftime("%m-%d %H:%M")

    def _reminder_due(self, case: Case, at: datetime) -> bool:
        """Past `reminder_fraction` of the current time limit (which restarts on escalation and 重办)."""
        span = timedelta(hours=case.deadline_hours)
        return at >= case.deadline_at - span + span * self.reminder_fraction

    async def _resident(self, s: AsyncSession, telegram_id: int, *, chat_id: int | None = None, name: str = "",
                        script: str | None = None) -> Resident:
        name = clean_text(name)
        found = select(Resident).where(Resident.telegram_id == telegram_id)
        r = (await s.execute(found)).scalar_one_or_none()
        if r is None:
            # Two first messages of one person may race; the insert is a no-op for the loser.
            await insert_if_absent(s, Resident.__table__, {
                "telegram_id": telegram_id, "chat_id": chat_id or telegram_id, "name": name[:100],
                "script": script if script in ("simplified", "traditional") else "simplified", "created_at": utcnow(),
            }, ["telegram_id"])
            return (await s.execute(found)).scalar_one()
        changed = False
        if name and name[:100] != r.name:
            r.name, changed = name[:100], True
        if script in ("simplified", "traditional") and script != r.script:
            r.script, changed = script, True
        if chat_id and chat_id != r.chat_id:
            r.chat_id, changed = chat_id, True
        if r.blocked_at is not None:
            r.blocked_at, changed = None, True  # they talk to us again
        if changed:
            s.add(r)
        return r

    async def _involved_cases(self, s: AsyncSession, telegram_id: int, case_ids: list[int]) -> set[int]:
        """Which of `case_ids` this resident filed or supports."""
        resident = (await s.execute(select(Resident.id).where(Resident.telegram_id == telegram_id))).scalar_one_or_none()
        if resident is None:
            return set()
        filed = select(Case.id).where(Case.id.in_(case_ids), Case.resident_id == resident)
        supported = select(CaseSupporter.case_id).where(CaseSupporter.case_id.in_(case_ids),
                                                        CaseSupporter.resident_id == resident)
        return {int(r[0]) for r in await s.execute(filed.union(supported))}

    async def _lock_case(self, s: AsyncSession, case_id: int) -> Case:
        case = (await s.execute(lock_row(select(Case).where(Case.id == case_id), s))).scalar_one_or_none()
        if case is None:
            raise CaseError(f"找不到案件 #{case_id}。")
        return case

    async def _assignee(self, s: AsyncSession, case: Case) -> Worker | None:
        return await s.get(Worker, case.assignee_id) if case.assignee_id else None

    async def _require_assignee(self, s: AsyncSession, case: Case, telegram_id: int) -> Worker:
        worker = await self._assignee(s, case)
        if worker is None or worker.telegram_id != telegram_id:
            raise CaseError(f"案件 {case.number} 不是派给您的，不能操作。")
        return worker

    async def _require_dispatcher(self, s: AsyncSession, case: Case, telegram_id: int) -> Worker:
        """The caller's dispatcher role over this case's community or street; CaseError when there is none."""
        rows = (await s.execute(select(Worker).where(Worker.telegram_id == telegram_id, Worker.active))).scalars().all()
        for w in rows:
            if w.role == "community" and w.community_id == case.community_id:
                return w
            if w.role == "street" and w.street_id == case.street_id:
                return w
        raise CaseError("只有社区或街道的派单员可以派单。")

    async def _dispatcher(self, s: AsyncSession, case: Case) -> Worker | None:
        """The bound dispatcher of the case's current level (community or street), least loaded first."""
        if case.level == "community" and case.community_id:
            cond = (Worker.role == "community") & (Worker.community_id == case.community_id)
        elif case.level == "street" and case.street_id:
            cond = (Worker.role == "street") & (Worker.street_id == case.street_id)
        else:
            return None
        return await _least_loaded(s, cond)

    async def _dispatch(self, s: AsyncSession, case: Case, filed: CaseEvent, at: datetime) -> None:
        """派单 right after 受理: the grid's least-loaded bound worker, else the dispatcher's queue."""
        if case.grid_id:
            worker = await _least_loaded(s, (Worker.role == "grid") & (Worker.grid_id == case.grid_id))
            if worker is not None:
                await self._assign_to(s, case, worker, at, actor=("system", None))
                return
            case.level = filed.to_level = "community"
            case.route_note = ((case.route_note or "") + "；本网格暂无绑定网格员，转社区派单")[:200]
            s.add(filed)
        dispatcher = await self._dispatcher(s, case)
        if dispatcher is not None and case.level != "grid":
            await self._assign_to(s, case, dispatcher, at, actor=("system", None), keep_level=True)
            return
        s.add(case)
        await self._push_to_dispatcher(s, case, filed, at, why=case.route_note or "未能确定所属网格")

    async def _assign_to(self, s: AsyncSession, case: Case, worker: Worker, at: datetime, *, actor: tuple[str, int | None],
                         keep_level: bool = False) -> None:
        from_state, from_level = case.state, case.level
        case.assignee_id, case.state, case.updated_at = worker.id, "assigned", at
        if not keep_level:
            case.level = worker.role if worker.role in LEVELS else "grid"
        if worker.role == "grid" and worker.grid_id:
            case.grid_id = worker.grid_id
            case.community_id = worker.community_id or case.community_id
        s.add(case)
        ev = await self._event(s, case, "assign", actor[0], actor[1], from_state, "assigned", from_level, case.level,
                               worker.name, at)
        if worker.telegram_id is not None:
            # A dispatcher may handle it or pass it on: their push also lists the grid workers (派给 …).
            choices = await self._grid_worker_choices(s, case.community_id) if worker.role != "grid" else []
            enqueue(s, notify.worker_push(worker.telegram_id, case, self._label(case), kind="new",
                                          note=case.return_reason if from_state == "returned" else None,
                                          deadline=self._local(case.deadline_at), assign_choices=choices),
                    f"ev{ev.id}:w{worker.telegram_id}", case.id)
        if from_state != "filed" or case.supporter_count:
            await self._notify_residents(s, case, ev, lambda chat, script, rid: notify.resident_state(
                chat, case, "assign", script, self._to_script))

    async def _push_to_dispatcher(self, s: AsyncSession, case: Case, ev: CaseEvent, at: datetime, why: str) -> None:
        """Tell whoever re-assigns at the case's level (community dispatcher, street supervisor, else admins)."""
        targets: list[int] = []
        if case.level == "community" and case.community_id:
            cond = (Worker.role == "community") & (Worker.community_id == case.community_id)
        else:
            same_street = (Worker.street_id == case.street_id) if case.street_id else Worker.street_id.is_not(None)
            cond = (Worker.role == "street") & same_street
        rows = (await s.execute(select(Worker).where(cond, *_REACHABLE))).scalars().all()
        targets = [w.telegram_id for w in rows if w.telegram_id is not None] or list(self.admin_ids)
        choices = await self._grid_worker_choices(s, case.community_id)
        for chat in dict.fromkeys(targets):
            enqueue(s, notify.dispatcher_push(chat, case, self._label(case), why, choices), f"ev{ev.id}:d{chat}", case.id)

    async def _grid_worker_choices(self, s: AsyncSession, community_id: str | None) -> list[tuple[int, str]]:
        """(worker id, name) of up to 8 bound grid workers of the community, for 派给 buttons."""
        if not community_id:
            return []
        rows = (await s.execute(select(Worker).where(Worker.community_id == community_id, Worker.role == "grid",
                                                     *_REACHABLE).order_by(Worker.id).limit(8))).scalars().all()
        return [(w.id, w.name) for w in rows if w.id is not None]

    async def _notify_residents(self, s: AsyncSession, case: Case, ev: CaseEvent, build: Any) -> None:
        """State notice to the filer and every supporter, each in their own script."""
        ids = [case.resident_id]
        ids += [r[0] for r in await s.execute(select(CaseSupporter.resident_id).where(CaseSupporter.case_id == case.id))]
        rows = (await s.execute(select(Resident).where(Resident.id.in_(ids)))).scalars().all()
        for r in rows:
            chat = r.chat_id or r.telegram_id
            enqueue(s, build(chat, r.script, r.id), f"ev{ev.id}:r{chat}", case.id, held=r.blocked_at is not None)

    async def _notify_supporters(self, s: AsyncSession, case: Case, ev: CaseEvent, action: str) -> None:
        rows = (await s.execute(select(Resident).join(CaseSupporter, CaseSupporter.resident_id == Resident.id)
                                .where(CaseSupporter.case_id == case.id))).scalars().all()
        for r in rows:
            chat = r.chat_id or r.telegram_id
            enqueue(s, notify.resident_state(chat, case, action, r.script, self._to_script), f"ev{ev.id}:r{chat}", case.id,
                    held=r.blocked_at is not None)

    async def _event(self, s: AsyncSession, case: Case, action: str, actor_kind: str, actor_id: int | None,
                     from_state: str | None, to_state: str | None, from_level: str | None, to_level: str | None,
                     note: str | None, at: datetime) -> CaseEvent:
        ev = CaseEvent(case_id=case.id, at=at, action=action, actor_kind=actor_kind, actor_id=actor_id,
                       from_state=from_state, to_state=to_state, from_level=from_level, to_level=to_level,
                       note=(note or None) and note[:1000])
        s.add(ev)
        await s.flush()
        return ev

    async def _view(self, s: AsyncSession, case: Case) -> CaseView:
        assignee = await self._assignee(s, case)
        resident = await s.get(Resident, case.resident_id)
        supporters = (await s.execute(select(Resident.telegram_id).join(CaseSupporter, CaseSupporter.resident_id == Resident.id)
                                      .where(CaseSupporter.case_id == case.id).order_by(CaseSupporter.id))).scalars().all()
        return CaseView(
            id=case.id or 0, number=case.number, intent=case.intent, subtype=case.subtype, text=case.text,
            address=case.address, latitude=case.latitude, longitude=case.longitude, photos=tuple(case.photos or ()),
            state=case.state, level=case.level,  # type: ignore[arg-type]
            grid_id=case.grid_id, grid_name=self.router.grid_name(case.grid_id), community_id=case.community_id,
            community_name=self.router.community_name(case.community_id), assignee_id=case.assignee_id,
            assignee_name=assignee.name if assignee else None, assignee_telegram_id=assignee.telegram_id if assignee else None,
            resident_telegram_id=resident.telegram_id if resident else 0, urgent=case.urgent,
            deadline_at=aware(case.deadline_at), created_at=aware(case.created_at),  # type: ignore[arg-type]
            resolved_at=aware(case.resolved_at), supporter_count=case.supporter_count, reopen_count=case.reopen_count,
            resolution_note=case.resolution_note, return_reason=case.return_reason, route_note=case.route_note,
            supporter_telegram_ids=tuple(supporters),
        )


async def _escalated_since_opened(s: AsyncSession, case_id: int) -> bool:
    """超时 escalation gives the next level a fresh deadline, but the case already missed its own:
    按时办结 is judged against the deadline of the current round (filing, or the last 重办)."""
    last_open = (await s.execute(select(func.max(CaseEvent.at)).where(
        CaseEvent.case_id == case_id, CaseEvent.action.in_(("file", "reopen"))))).scalar()
    query = select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.action == "escalate")
    if last_open is not None:
        query = query.where(CaseEvent.at >= last_open)
    return bool((await s.execute(query)).scalar())


async def _open_loads(s: AsyncSession, worker_ids: list[int]) -> dict[int, int]:
    if not worker_ids:
        return {}
    rows = await s.execute(
        select(Case.assignee_id, func.count()).where(Case.assignee_id.in_(worker_ids), Case.state.in_(OPEN_STATES))
        .group_by(Case.assignee_id)
    )
    return {int(wid): int(n) for wid, n in rows}


async def _least_loaded(s: AsyncSession, cond: Any) -> Worker | None:
    """The bound, active, reachable worker matching `cond` with the fewest open cases (ties: the longest-serving)."""
    workers = (await s.execute(select(Worker).where(cond, *_REACHABLE).order_by(Worker.id))).scalars().all()
    if not workers:
        return None
    loads = await _open_loads(s, [w.id for w in workers if w.id is not None])
    return min(workers, key=lambda w: (loads.get(w.id or 0, 0), w.id or 0))


def _to_worker(s: AsyncSession, worker: Worker, reply: Any, dedupe_key: str, case_id: int | None) -> None:
    """A push to a worker; it waits (held) while his chat refuses the bot, and goes out when he writes again."""
    enqueue(s, reply, dedupe_key, case_id, held=worker.unreachable_at is not None)


def _worker_view(w: Worker, open_cases: int = 0) -> WorkerView:
    return WorkerView(w.id or 0, w.name, w.role, w.grid_id, w.community_id, w.street_id, w.telegram_id, open_cases)  # type: ignore[arg-type]


def _resident_view(r: Resident) -> ResidentView:
    return ResidentView(r.id or 0, r.telegram_id, r.chat_id or r.telegram_id, r.name, r.script, r.phone)  # type: ignore[arg-type]


__all__ = ["CaseService", "ReportDraft", "Route", "callbacks", "open_service"]
