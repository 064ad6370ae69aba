"""接单, 办结, 评价 (and 重办), 撤销: what the assignee and the filer do to a case."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot import channels
from bot.cases import lifecycle, notify
from bot.cases.core import CaseCore, clean_text, escalated_since_opened, label_case, to_worker, utc
from bot.cases.views import CaseView
from bot.errors import NotYours, UsageError
from bot.wording import notices, refusals
from bot.wording.names import SCORE_NAMES
from storage.models import Rating


class HandlingRoom(CaseCore):
    """接单, 办结, 评价 (and 重办), 撤销: what the assignee and the filer do to a case"""

    async def accept(self, case_id: int, worker_external_id: int, *, now: datetime | None = None,
                     channel: str = channels.TELEGRAM) -> CaseView:
        """接单: only the assignee, only from 已派单."""
        at = utc(now)
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            await self._require_assignee(s, case, worker_external_id, channel=channel)
            lifecycle.require("accept", case.number, case.state)
            case.accepted_at, case.ack_due_at = at, None
            ev = await self._move(s, case, "accept", ("worker", worker_external_id), at)
            await self._notify_residents(s, case, ev, lambda chat, script, rid: notify.resident_state(chat, case, "accept",
                                                                                                  script, self._to_script))
            return await self._view(s, case)

    async def resolve(self, case_id: int, worker_external_id: int, note: str = "", *, photo: str | None = None,
                      now: datetime | None = None, channel: str = channels.TELEGRAM) -> CaseView:
        """办结: the assignee closes the work (from 处置中, or straight from 已派单 — accepting implicitly).

        The filer gets the result with 满意/基本满意/不满意 buttons; supporters get the notice.
        """
        at = utc(now)
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            await self._require_assignee(s, case, worker_external_id, channel=channel)
            lifecycle.require("resolve", case.number, case.state)
            if case.state == "assigned":
                case.accepted_at, case.ack_due_at = at, None
                await self._move(s, case, "accept", ("worker", worker_external_id), at, note=notices.NOTE_AUTO_ACCEPT)
            case.resolved_at = at
            case.resolved_on_time = at <= case.deadline_at and not await escalated_since_opened(s, case.id)
            case.resolution_note = clean_text(note)[:1000] or None
            case.resolution_photo = clean_text(photo)[:200] or None
            ev = await self._move(s, case, "resolve", ("worker", worker_external_id), at, note=case.resolution_note)
            await label_case(s, case, "resolved", at)  # the category the work was done under
            filer_id = case.resident_id
            await self._notify_residents(s, case, ev, lambda chat, script, rid: notify.resident_resolved(
                chat, case, script, self._to_script, ask_rating=rid == filer_id))
            return await self._view(s, case)

    async def rate(self, case_id: int, resident_external_id: int, score: str, *, comment: str | None = None,
                   now: datetime | None = None, channel: str = channels.TELEGRAM) -> CaseView:
        """评价 by the filer: 满意/基本满意 close the case; 不满意 reopens it (重办) to the same worker."""
        if score not in SCORE_NAMES:
            raise UsageError(f"unknown rating {score!r}; use satisfied, basic or unsatisfied")
        at = utc(now)
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            resident = await self._resident(s, resident_external_id, channel=channel)
            if case.resident_id != resident.id:
                raise NotYours(refusals.ONLY_FILER_RATES.format(number=case.number))
            lifecycle.require("rate", case.number, case.state)
            s.add(Rating(case_id=case.id, resident_id=resident.id, score=score, comment=clean_text(comment)[:1000] or None,
                         created_at=at))
            case.rating_count = (case.rating_count or 0) + 1  # the figures' summary of the case's ratings
            case.satisfied_count = (case.satisfied_count or 0) + (score == "satisfied")
            case.basic_count = (case.basic_count or 0) + (score == "basic")
            actor = ("resident", resident_external_id)
            if score != "unsatisfied":
                case.closed_at = at
                ev = await self._move(s, case, "rate", actor, at, to_state="rated", note=SCORE_NAMES[score])
                assignee = await self._assignee(s, case)
                if assignee is not None and assignee.external_id is not None:
                    to_worker(s, assignee, notify.worker_rated(assignee.external_id, case, score),
                               f"ev{ev.id}:w{assignee.external_id}", case.id)
                return await self._view(s, case)
            await self._move(s, case, "rate", actor, at, to_state="resolved", note=SCORE_NAMES[score])
            case.reopen_count += 1
            case.resolved_at, case.resolved_on_time, case.accepted_at = None, None, None
            case.deadline_at = at + timedelta(hours=case.deadline_hours)
            case.reminded_at = None
            assignee = await self._assignee(s, case)
            note = (notices.NOTE_REOPENED_WHY.format(comment=clean_text(comment)[:200]) if clean_text(comment)
                    else notices.NOTE_REOPENED)
            if (assignee is not None and assignee.active and assignee.external_id is not None
                    and assignee.unreachable_at is None):
                ev = await self._move(s, case, "reopen", actor, at, to_state="assigned", note=note)
                to_worker(s, assignee, notify.worker_push(assignee.external_id, case, self._label(case), kind="reopen",
                                                          note=note, phone=await self._filer_phone(s, case)),
                          f"ev{ev.id}:w{assignee.external_id}", case.id)
            else:
                case.assignee_id = None
                ev = await self._move(s, case, "reopen", actor, at, to_state="filed",
                                      to_level="community" if case.level == "grid" else case.level, note=note)
                await self._push_to_dispatcher(s, case, ev, at, why=note)
            await self._notify_supporters(s, case, ev, "reopen")
            return await self._view(s, case)

    async def cancel(self, case_id: int, resident_external_id: int, *, reason: str | None = None,
                     now: datetime | None = None, channel: str = channels.TELEGRAM) -> CaseView:
        """撤销 by the filer while the case is still open; the assignee is told."""
        at = utc(now)
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            resident = await self._resident(s, resident_external_id, channel=channel)
            if case.resident_id != resident.id:
                raise NotYours(refusals.ONLY_FILER_WITHDRAWS.format(number=case.number))
            lifecycle.require("cancel", case.number, case.state)
            case.closed_at = at
            ev = await self._move(s, case, "cancel", ("resident", resident_external_id), at, note=clean_text(reason) or None)
            assignee = await self._assignee(s, case)
            if assignee is not None and assignee.external_id is not None:
                to_worker(s, assignee, notify.worker_cancelled(assignee.external_id, case), f"ev{ev.id}:w{assignee.external_id}",
                           case.id)
            await self._notify_supporters(s, case, ev, "cancel")
            return await self._view(s, case)
