"""派单 and 退单: who gets a case — the grid's least-loaded reachable worker, a dispatcher, or the queue."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import channels
from bot.cases import lifecycle, notify
from bot.cases.core import (
    OPEN_LOAD_BOUND,
    REACHABLE,
    CaseCore,
    clean_text,
    dedupe_key,
    least_loaded,
    to_worker,
    utc,
)
from bot.cases.outbox import enqueue
from bot.cases.views import CaseView
from bot.errors import BadInput, NotFound, NotNow, NotYours
from bot.wording import notices, refusals
from storage.engine import Prepared
from storage.models import LEVELS, Case, CaseEvent, Worker

log = logging.getLogger(__name__)
#: Up to 8 bound grid workers of a community with their open cases, for 派给 buttons (`_grid_worker_choices`).
_CHOICES = Prepared(select(Worker.id, Worker.name, OPEN_LOAD_BOUND.label("open_cases"))
                    .where(Worker.community_id == bindparam("community_id"), Worker.role == "grid", *REACHABLE)
                    .order_by(Worker.id).limit(8))


class DispatchRoom(CaseCore):
    """派单 and 退单: who gets a case — the grid's least-loaded reachable worker, a dispatcher, or the queue"""

    async def assign(self, case_id: int, worker_id: int, *, by_external_id: int | None = None,
                     now: datetime | None = None, channel: str = channels.TELEGRAM) -> CaseView:
        """派单 by a dispatcher/admin (`by_external_id` on `channel`; None = the system): a filed or returned case
        (or an escalated one) goes to `worker_id`; 改派 when a grid worker holds it (or has accepted it): he is
        told it left him, the residents are told."""
        admin = channels.is_admin(channel, by_external_id, self.admin_ids)
        at = utc(now)
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            previous = await self._assignee(s, case)
            action = "reassign" if previous is not None and (previous.role == "grid" or case.state == "accepted") else "assign"
            lifecycle.require(action, case.number, case.state)
            if by_external_id is not None and not admin:
                dispatcher = await self._require_dispatcher(s, case, by_external_id, channel=channel)
            else:
                dispatcher = None
            worker = await s.get(Worker, worker_id)
            if worker is None or not worker.active or worker.role != "grid" or worker.external_id is None:
                raise NotYours(refusals.ASSIGN_ONLY_ACTIVE)
            if dispatcher is not None and ((dispatcher.role == "community" and worker.community_id != dispatcher.community_id)
                                           or (dispatcher.role == "street" and worker.street_id != dispatcher.street_id)):
                raise NotYours(refusals.ASSIGN_ONLY_OWN_AREA.format(level=notify.level_word(dispatcher.role)))
            if previous is not None and previous.id == worker.id:
                raise BadInput(refusals.ALREADY_HELD_BY.format(number=case.number, name=worker.name))
            if worker.unreachable_at is not None:
                raise NotNow(refusals.WORKER_UNREACHABLE.format(name=worker.name))
            # None: the system (the CLI's 改派 acts as an admin); else an admin or a dispatcher.
            system = "admin" if action == "reassign" else "system"
            kind = system if by_external_id is None else "admin" if admin else "worker"
            if action == "reassign":
                assert previous is not None
                await self._drop_pushes(s, previous, case.id, f"case reassigned to {worker.name}")
                case.accepted_at = None  # the new worker presses 接单 himself
            await self._assign_to(s, case, worker, at, actor=(kind, by_external_id), action=action,
                                  previous=previous if action == "reassign" else None)
            return await self._view(s, case)

    async def return_case(self, case_id: int, worker_external_id: int, reason: str, *,
                          now: datetime | None = None, channel: str = channels.TELEGRAM) -> CaseView:
        """退单: the assignee sends the case back with a reason; it goes up to the community dispatcher
        (from a community dispatcher: to the street) to be re-assigned."""
        reason = clean_text(reason)
        if not reason:
            raise BadInput(refusals.RETURN_NEEDS_REASON)
        at = utc(now)
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            worker = await self._require_assignee(s, case, worker_external_id, channel=channel)
            lifecycle.require("return", case.number, case.state)
            told = await self._hand_back(s, case, worker, at, actor=("worker", worker_external_id), reason=reason)
            # the view's `told` as after 补充: None = a dispatcher has it, else who does instead ("" = nobody)
            return replace(await self._view(s, case), told=None if told == "dispatcher" else told_words(told, case.level))

    async def _hand_back(self, s: AsyncSession, case: Case, worker: Worker, at: datetime, *,
                         actor: tuple[str, int | None], reason: str) -> str:
        """退单: the case leaves `worker` for the queue one level up (grid → community, dispatcher → street).
        Returns who re-assigns it, as `_queue_targets` says ("" = nobody can)."""
        case.assignee_id, case.return_reason, case.accepted_at = None, reason[:500], None
        ev = await self._move(s, case, "return", actor, at, note=reason,
                              to_level="street" if worker.role in ("community", "street") else "community")
        told = await self._push_to_dispatcher(s, case, ev, at, why=notices.NOTE_RETURN_REASON.format(reason=reason[:200]))
        # the residents read who re-assigns it: a dispatcher, the admins or on-call — or, honestly, nobody yet
        await self._notify_residents(s, case, ev, lambda chat, script, rid: notify.resident_returned(
            chat, case, told, script, self._to_script))
        return told

    async def _dispatcher(self, s: AsyncSession, case: Case, level: str | None = None) -> Worker | None:
        """The bound, reachable dispatcher of `level` (default: the case's) — community or street — least loaded first."""
        level = level or case.level
        if level == "community" and case.community_id:
            cond = (Worker.role == "community") & (Worker.community_id == case.community_id)
        elif level == "street" and case.street_id:
            cond = (Worker.role == "street") & (Worker.street_id == case.street_id)
        else:
            return None
        return await least_loaded(s, cond)

    async def _dispatch(self, s: AsyncSession, case: Case, filed: CaseEvent, at: datetime) -> str:
        """派单 of a case that has just found its place (补充 of one filed without: `_locate`): the grid's least-loaded
        bound worker, else the dispatcher's queue. Filing itself does the same in Core (`FilingRoom._file_unassigned`).

        Returns who was told, in the words the filer reads ("" when nobody could be: no worker,
        dispatcher, admin or on-call chat) — the receipt must not claim help that was not called.
        """
        if case.grid_id:
            worker = await least_loaded(s, (Worker.role == "grid") & (Worker.grid_id == case.grid_id))
            if worker is not None:
                await self._assign_to(s, case, worker, at, actor=("system", None))
                return notices.ROUTED_WORKER.format(name=worker.name)
            case.level = filed.to_level = "community"
            case.route_note = ((case.route_note or "") + notices.NOTE_NO_GRID_WORKER)[:200]
            s.add(filed)
        dispatcher = await self._dispatcher(s, case)
        if dispatcher is not None and case.level != "grid":
            await self._assign_to(s, case, dispatcher, at, actor=("system", None), keep_level=True)
            return notices.ROUTED_DISPATCHER.format(level=notify.level_word(case.level), name=dispatcher.name)
        s.add(case)
        told = await self._push_to_dispatcher(s, case, filed, at, why=case.route_note or notices.NOTE_NO_GRID)
        return told_words(told, case.level)

    async def _locate(self, s: AsyncSession, case: Case, words: str, at: datetime, *,
                      actor: tuple[str, int | None]) -> str | None:
        """A case in the queue with no grid (filed without a place) whose filer now writes where (补充): routed as
        at filing — the place kept, the move recorded (`locate`), then 派单 to the grid's worker or the queue told.
        Returns who was told, in the filer's words ("" = nobody could be); None when nothing changed: the words name
        no place that routes, or the case has a grid, a holder, or has left the queue."""
        if case.grid_id or case.assignee_id is not None or not words or not lifecycle.allowed("locate", case.state):
            return None
        route = self.route(words)  # type: ignore[attr-defined]
        if not route.grid_id and (route.community_id is None or case.community_id is not None):
            return None  # nothing more than the case already knew
        place = self.place_in(words) or words  # type: ignore[attr-defined]
        case.address = case.address or clean_text(place)[:300] or None
        case.grid_id, case.community_id, case.street_id = route.grid_id, route.community_id, route.street_id
        case.route_note = route.note[:200] or None
        ev = await self._move(s, case, "locate", actor, at, to_level=route.level, note=case.address)
        return await self._dispatch(s, case, ev, at)

    async def _assign_to(self, s: AsyncSession, case: Case, worker: Worker, at: datetime, *, actor: tuple[str, int | None],
                         keep_level: bool = False, action: str = "assign", previous: Worker | None = None) -> None:
        """派单 (or 改派, from `previous`): the case is `worker`'s, he gets the push, the residents hear of it."""
        from_state = case.state
        level = self._take(case, worker, at, keep_level=keep_level)
        note = f"{previous.name} → {worker.name}" if previous is not None else worker.name
        ev = await self._move(s, case, action, actor, at, to_level=level, note=note)
        await self._push_assignment(s, case, worker, ev, from_state=from_state, previous=previous)
        if previous is not None and previous.external_id is not None and previous.external_id != actor[1]:
            to_worker(s, previous, notify.worker_reassigned_away(previous.external_id, case, worker.name),
                      f"ev{ev.id}:p{previous.external_id}", case.id)
        if from_state != "filed" or case.supporter_count:
            await self._notify_residents(s, case, ev, lambda chat, script, rid: notify.resident_state(
                chat, case, action, script, self._to_script))

    def _take(self, case: Case, worker: Worker, at: datetime, *, keep_level: bool = False) -> str | None:
        """The case's fields once `worker` holds it; returns its new level (None: it keeps its own)."""
        case.assignee_id = worker.id
        if worker.role == "grid" and worker.grid_id:
            case.grid_id = worker.grid_id
            case.community_id = worker.community_id or case.community_id
        case.ack_due_at = at + self._urgent_ack_for(case.intent) if case.urgent else None  # urgent: 接单 within minutes
        return None if keep_level else (worker.role if worker.role in LEVELS else "grid")

    async def _push_assignment(self, s: AsyncSession, case: Case, worker: Worker, ev: CaseEvent, *, from_state: str,
                               previous: Worker | None = None, phone: str | bool | None = False) -> None:
        """The new holder's push (接单/退单 buttons); `phone`: the filer's phone when the caller has it (False: look)."""
        if worker.external_id is None:
            return
        # A dispatcher may handle it or pass it on: their push also lists the grid workers (派给 …).
        choices = await self._grid_worker_choices(s, case.community_id) if worker.role != "grid" else []
        why = case.return_reason if from_state == "returned" else None
        if previous is not None:
            why = notify.reassigned_from(previous.name)
        if phone is False:
            phone = await self._filer_phone(s, case)
        to_worker(s, worker, notify.worker_push(worker.external_id, case, self._label(case),
                                                kind="reassign" if previous is not None else "new", note=why,
                                                deadline=self._local(case.deadline_at), assign_choices=choices,
                                                phone=phone or None),
                  f"ev{ev.id}:w{worker.external_id}", case.id)

    async def _queue_targets(self, s: AsyncSession, case: Case, *, with_oncall: bool = False,
                             dispatchers: Sequence[Worker] | None = None) -> tuple[list[tuple[str, int]], str]:
        """Who re-assigns at the case's level, as (channel, chat) pairs, and which of them that is
        ("dispatcher", "admin", "oncall"; "" when nobody can be): its dispatchers (community dispatcher,
        street supervisor), else the admins, else the on-call chat. `with_oncall`: on-call as well.
        The one decision behind both the queue's push and what the resident reads (`queue_told`).
        `dispatchers`: the level's reachable dispatchers when the caller has just read them (filing: none)."""
        if dispatchers is None:
            if case.level in ("grid", "community") and case.community_id:  # a grid's queue is its community's
                cond = (Worker.role == "community") & (Worker.community_id == case.community_id)
            else:
                same_street = (Worker.street_id == case.street_id) if case.street_id else Worker.street_id.is_not(None)
                cond = (Worker.role == "street") & same_street
            dispatchers = (await s.execute(select(Worker).where(cond, *REACHABLE))).scalars().all()
        targets = [(w.channel, w.external_id) for w in dispatchers if w.external_id is not None]
        told = "dispatcher" if targets else ""
        if not targets and self.admin_ids:  # ADMIN_IDS and ONCALL_CHAT_ID are Telegram chats
            targets, told = [(channels.TELEGRAM, a) for a in self.admin_ids], "admin"
        if self.oncall_chat_id is not None and (with_oncall or not targets):
            targets.append((channels.TELEGRAM, self.oncall_chat_id))
            told = told or "oncall"
        return targets, told

    async def queue_told(self, case_id: int) -> str:
        """Who names a worker for this case while nobody holds it, in the words its filer reads (as the receipt
        says it: "社区派单员", "社区管理员", "社区值班人员"); "" when nobody can (no dispatcher, admin or on-call),
        so the resident is told it waits in the queue, never that someone is arranging it."""
        async with self.db.reader() as s:
            case = await s.get(Case, case_id)
            if case is None:
                raise NotFound(refusals.NO_CASE_ID.format(case_id=case_id))
            _, told = await self._queue_targets(s, case)
            return told_words(told, case.level)

    async def _push_to_dispatcher(self, s: AsyncSession, case: Case, ev: CaseEvent, at: datetime, why: str, *,
                                  with_oncall: bool = False) -> str:
        """Tell whoever re-assigns at the case's level (`_queue_targets`). Returns which of those was told
        ("dispatcher", "admin", "oncall"; "" when nobody could be). `with_oncall`: tell on-call as well."""
        targets, told = await self._queue_targets(s, case, with_oncall=with_oncall)
        if not targets:
            log.warning("case %s (%s) reached nobody: no dispatcher, admin or ONCALL_CHAT_ID covers it",
                        case.number, case.grid_id or case.community_id or "no grid")
        choices = await self._grid_worker_choices(s, case.community_id)
        for channel, chat in dict.fromkeys(targets):
            enqueue(s, notify.dispatcher_push(chat, case, self._label(case), why, choices),
                    dedupe_key(f"ev{ev.id}:d{chat}", channel), case.id, channel=channel)
        return told

    async def _grid_worker_choices(self, s: AsyncSession, community_id: str | None) -> list[tuple[int, str, int]]:
        """(worker id, name, open cases) of up to 8 bound grid workers of the community, for 派给 buttons."""
        if not community_id:
            return []
        rows = await self.db.rows(_CHOICES, {"community_id": community_id})  # one statement, loads with them
        return [(int(wid), str(name), int(load)) for wid, name, load in rows]

    async def _require_dispatcher(self, s: AsyncSession, case: Case, external_id: int, *,
                                  channel: str = channels.TELEGRAM) -> Worker:
        """The caller's dispatcher role over this case's community or street; CaseError when there is none."""
        rows = (await s.execute(select(Worker).where(Worker.channel == channel, Worker.external_id == external_id,
                                                     Worker.active))).scalars().all()
        for w in rows:
            if w.role == "community" and w.community_id == case.community_id:
                return w
            if w.role == "street" and w.street_id == case.street_id:
                return w
        raise NotYours(refusals.ONLY_DISPATCHERS_ASSIGN)


def told_words(told: str, level: str) -> str:
    """`_queue_targets`' answer in the words a filer reads ("" = nobody could be told)."""
    return {"dispatcher": notices.TOLD_DISPATCHER.format(level=notify.level_word(level)),
            "admin": notices.TOLD_ADMIN, "oncall": notices.TOLD_ONCALL}.get(told, "")
