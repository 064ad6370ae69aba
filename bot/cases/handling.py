"""接单, 办结, 评价 (and 重办), 撤销: what the assignee and the filer do to a case."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.cases import notify
from bot.cases.core import CaseCore, clean_text, escalated_since_opened, to_worker, utc
from bot.cases.outbox import enqueue
from bot.cases.views import SCORE_NAMES, CaseView
from bot.errors import CaseError
from storage.models import OPEN_STATES, Rating


class HandlingRoom(CaseCore):
    """接单, 办结, 评价 (and 重办), 撤销: what the assignee and the filer do to a case"""

    async def accept(self, case_id: int, worker_telegram_id: int, *, now: datetime | None = None) -> CaseView:
        """接单: only the assignee, only from 已派单."""
        at = utc(now)
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
        at = utc(now)
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
            case.resolved_on_time = at <= case.deadline_at and not await escalated_since_opened(s, case.id)
            case.resolution_note = clean_text(note)[:1000] or None
            case.resolution_photo = clean_text(photo)[:200] or None
            s.add(case)
            ev = await self._event(s, case, "resolve", "worker", worker_telegram_id, "accepted", "resolved",
                                   case.level, case.level, case.resolution_note, at)
            filer_id = case.resident_id
            await self._notify_residents(s, case, ev, lambda chat, script, rid: notify.resident_resolved(
                chat, case, script, self._to_script, ask_rating=rid == filer_id))
            return await self._view(s, case)

    async def rate(self, case_id: int, resident_telegram_id: int, score: str, *, comment: str | None = None,
                   now: datetime | None = None) -> CaseView:
        """评价 by the filer: 满意/基本满意 close the case; 不满意 reopens it (重办) to the same worker."""
        if score not in SCORE_NAMES:
            raise CaseError(f"unknown rating {score!r}; use satisfied, basic or unsatisfied")
        at = utc(now)
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
                    to_worker(s, assignee, notify.worker_rated(assignee.telegram_id, case, score),
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
        at = utc(now)
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
                to_worker(s, assignee, notify.worker_cancelled(assignee.telegram_id, case), f"ev{ev.id}:w{assignee.telegram_id}",
                           case.id)
            await self._notify_supporters(s, case, ev, "cancel")
            return await self._view(s, case)
