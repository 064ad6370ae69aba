"""派单 and 退单: who gets a case — the grid's least-loaded reachable worker, a dispatcher, or the queue."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases import lifecycle, notify
from bot.cases.core import REACHABLE, CaseCore, clean_text, least_loaded, to_worker, utc
from bot.cases.outbox import enqueue
from bot.cases.views import CaseView
from bot.errors import BadInput, NotNow, NotYours
from storage.models import LEVELS, Case, CaseEvent, Worker

log = logging.getLogger(__name__)


class DispatchRoom(CaseCore):
    """派单 and 退单: who gets a case — the grid's least-loaded reachable worker, a dispatcher, or the queue"""

    async def assign(self, case_id: int, worker_id: int, *, by_telegram_id: int | None = None,
                     now: datetime | None = None) -> CaseView:
        """派单 by a dispatcher/admin: a filed or returned case (or an escalated one) goes to `worker_id`."""
        at = utc(now)
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            lifecycle.require("assign", case.number, case.state)
            if by_telegram_id is not None and by_telegram_id not in self.admin_ids:
                dispatcher = await self._require_dispatcher(s, case, by_telegram_id)
            else:
                dispatcher = None
            worker = await s.get(Worker, worker_id)
            if worker is None or not worker.active or worker.role != "grid" or worker.telegram_id is None:
                raise NotYours("只能派给已绑定的在岗网格员。")
            if dispatcher is not None and ((dispatcher.role == "community" and worker.community_id != dispatcher.community_id)
                                           or (dispatcher.role == "street" and worker.street_id != dispatcher.street_id)):
                raise NotYours(f"只能派给本{notify.level_word(dispatcher.role)}的网格员。")
            if worker.unreachable_at is not None:
                raise NotNow(f"网格员 {worker.name} 目前无法接收消息（可能已屏蔽机器人），请派给其他网格员。")
            if case.assignee_id == worker.id:
                raise NotNow(f"案件 {case.number} 已由 {worker.name} 处理，无需重复派单。")
            kind = "system" if by_telegram_id is None else "admin" if by_telegram_id in self.admin_ids else "worker"
            await self._assign_to(s, case, worker, at, actor=(kind, by_telegram_id))
            return await self._view(s, case)

    async def return_case(self, case_id: int, worker_telegram_id: int, reason: str, *,
                          now: datetime | None = None) -> CaseView:
        """退单: the assignee sends the case back with a reason; it goes up to the community dispatcher
        (from a community dispatcher: to the street) to be re-assigned."""
        reason = clean_text(reason)
        if not reason:
            raise BadInput("退单需要说明原因（例如：不属于本网格、分类有误）。")
        at = utc(now)
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            worker = await self._require_assignee(s, case, worker_telegram_id)
            lifecycle.require("return", case.number, case.state)
            await self._hand_back(s, case, worker, at, actor=("worker", worker_telegram_id), reason=reason)
            return await self._view(s, case)

    async def _hand_back(self, s: AsyncSession, case: Case, worker: Worker, at: datetime, *,
                         actor: tuple[str, int | None], reason: str) -> CaseEvent:
        """退单: the case leaves `worker` for the queue one level up (grid → community, dispatcher → street)."""
        case.assignee_id, case.return_reason, case.accepted_at = None, reason[:500], None
        ev = await self._move(s, case, "return", actor, at, note=reason,
                              to_level="street" if worker.role in ("community", "street") else "community")
        await self._push_to_dispatcher(s, case, ev, at, why=f"退单原因：{reason[:200]}")
        await self._notify_residents(s, case, ev, lambda chat, script, rid: notify.resident_state(chat, case, "return",
                                                                                              script, self._to_script))
        return ev

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
        """派单 right after 受理: the grid's least-loaded bound worker, else the dispatcher's queue.

        Returns who was told, in the words the filer reads ("" when nobody could be: no worker,
        dispatcher, admin or on-call chat) — the receipt must not claim help that was not called.
        """
        if case.grid_id:
            worker = await least_loaded(s, (Worker.role == "grid") & (Worker.grid_id == case.grid_id))
            if worker is not None:
                await self._assign_to(s, case, worker, at, actor=("system", None))
                return f"网格员 {worker.name}"
            case.level = filed.to_level = "community"
            case.route_note = ((case.route_note or "") + "；本网格暂无绑定网格员，转社区派单")[:200]
            s.add(filed)
        dispatcher = await self._dispatcher(s, case)
        if dispatcher is not None and case.level != "grid":
            await self._assign_to(s, case, dispatcher, at, actor=("system", None), keep_level=True)
            return f"{notify.level_word(case.level)}派单员 {dispatcher.name}"
        s.add(case)
        told = await self._push_to_dispatcher(s, case, filed, at, why=case.route_note or "未能确定所属网格")
        return {"dispatcher": f"{notify.level_word(case.level)}派单员", "admin": "社区管理员",
                "oncall": "社区值班人员"}.get(told, "")

    async def _assign_to(self, s: AsyncSession, case: Case, worker: Worker, at: datetime, *, actor: tuple[str, int | None],
                         keep_level: bool = False) -> None:
        from_state = case.state
        previous = await self._assignee(s, case) if case.assignee_id not in (None, worker.id) else None
        case.assignee_id = worker.id
        if from_state == "accepted":
            case.accepted_at = None  # 改派 of a case in hand: the new assignee accepts it afresh
        if worker.role == "grid" and worker.grid_id:
            case.grid_id = worker.grid_id
            case.community_id = worker.community_id or case.community_id
        level = None if keep_level else (worker.role if worker.role in LEVELS else "grid")
        case.ack_due_at = at + self.urgent_ack if case.urgent else None  # urgent: 接单 within minutes
        ev = await self._move(s, case, "assign", actor, at, to_level=level, note=worker.name)
        if previous is not None and previous.telegram_id is not None and previous.telegram_id != actor[1]:
            to_worker(s, previous, notify.worker_reassigned_away(previous.telegram_id, case, worker.name),
                      f"ev{ev.id}:p{previous.telegram_id}", case.id)
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

    async def _push_to_dispatcher(self, s: AsyncSession, case: Case, ev: CaseEvent, at: datetime, why: str, *,
                                  with_oncall: bool = False) -> str:
        """Tell whoever re-assigns at the case's level: its dispatchers (community dispatcher, street
        supervisor), else the admins, else the on-call chat. Returns which of those was told
        ("dispatcher", "admin", "oncall"; "" when nobody could be). `with_oncall`: tell on-call as well."""
        if case.level in ("grid", "community") and case.community_id:  # a grid's queue is its community's
            cond = (Worker.role == "community") & (Worker.community_id == case.community_id)
        else:
            same_street = (Worker.street_id == case.street_id) if case.street_id else Worker.street_id.is_not(None)
            cond = (Worker.role == "street") & same_street
        rows = (await s.execute(select(Worker).where(cond, *REACHABLE))).scalars().all()
        targets = [w.telegram_id for w in rows if w.telegram_id is not None]
        told = "dispatcher" if targets else ""
        if not targets and self.admin_ids:
            targets, told = list(self.admin_ids), "admin"
        if self.oncall_chat_id is not None and (with_oncall or not targets):
            targets.append(self.oncall_chat_id)
            told = told or "oncall"
        if not targets:
            log.warning("case %s (%s) reached nobody: no dispatcher, admin or ONCALL_CHAT_ID covers it",
                        case.number, case.grid_id or case.community_id or "no grid")
        choices = await self._grid_worker_choices(s, case.community_id)
        for chat in dict.fromkeys(targets):
            enqueue(s, notify.dispatcher_push(chat, case, self._label(case), why, choices), f"ev{ev.id}:d{chat}", case.id)
        return told

    async def _grid_worker_choices(self, s: AsyncSession, community_id: str | None) -> list[tuple[int, str]]:
        """(worker id, name) of up to 8 bound grid workers of the community, for 派给 buttons."""
        if not community_id:
            return []
        rows = (await s.execute(select(Worker).where(Worker.community_id == community_id, Worker.role == "grid",
                                                     *REACHABLE).order_by(Worker.id).limit(8))).scalars().all()
        return [(w.id, w.name) for w in rows if w.id is not None]

    async def _require_dispatcher(self, s: AsyncSession, case: Case, telegram_id: int) -> Worker:
        """The caller's dispatcher role over this case's community or street; CaseError when there is none."""
        rows = (await s.execute(select(Worker).where(Worker.telegram_id == telegram_id, Worker.active))).scalars().all()
        for w in rows:
            if w.role == "community" and w.community_id == case.community_id:
                return w
            if w.role == "street" and w.street_id == case.street_id:
                return w
        raise NotYours("只有社区或街道的派单员可以派单。")
