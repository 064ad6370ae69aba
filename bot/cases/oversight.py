"""What a desk's staff do to a case beyond 派单 (the console's actions): 督办, 改类, 合并, 升级 by hand and
internal notes. Every one is a row of the lifecycle table (`lifecycle.py`), acted by a dispatcher of the case's
community or street, or an admin; who acts is passed positionally as their chat user id (`by`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import channels
from bot.cases import lifecycle, notify
from bot.cases.core import CaseCore, clean_text, to_worker, utc
from bot.cases.deadlines import DeadlineRoom
from bot.cases.dispatch import DispatchRoom
from bot.cases.views import CaseView
from bot.errors import BadInput, NotFound, NotNow
from bot.wording import notices, refusals
from bot.wording.names import CATEGORY_FALLBACK
from storage.engine import lock_row
from storage.models import LEVELS, OPEN_STATES, Case, CaseEvent, CaseLabel, CaseSupporter

#: The label source of a category staff corrected (the understanding loop's most trusted kind).
CORRECTED = "corrected"
MAX_NOTE = 1000


class OversightRoom(DispatchRoom, DeadlineRoom, CaseCore):
    """督办, 改类, 合并, 升级 and internal notes, by a case's dispatchers or an admin"""

    async def _staff_actor(self, s: AsyncSession, case: Case, by: int, channel: str) -> tuple[str, int]:
        """("admin", by) or ("worker", by) for a dispatcher over this case (`by` on `channel`: the console's staff
        are Telegram people, the console chat's are its own); NotYours for anyone else."""
        if channels.is_admin(channel, by, self.admin_ids):
            return "admin", by
        await self._require_dispatcher(s, case, by, channel=channel)
        return "worker", by

    async def supervise(self, case_id: int, by: int, note: str = "", *, now: datetime | None = None,
                        channel: str = channels.TELEGRAM) -> CaseView:
        """督办: press the assignee (a push with the case and its buttons); each one is counted on the case."""
        at, note = utc(now), clean_text(note)[:300]
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            actor = await self._staff_actor(s, case, by, channel)
            lifecycle.require("supervise", case.number, case.state)
            assignee = await self._assignee(s, case)
            if assignee is None:
                raise NotNow(refusals.NO_ASSIGNEE_YET.format(number=case.number))
            if assignee.external_id == by:
                raise NotNow(refusals.SUPERVISE_OWN_CASE.format(number=case.number))
            times = 1 + await supervised_times(s, case.id or 0)
            ev = await self._move(s, case, "supervise", actor, at, note=note or None)
            if assignee.external_id is not None:
                to_worker(s, assignee, notify.worker_supervised(assignee.external_id, case, self._label(case), note,
                                                                self._local(case.deadline_at), times),
                          f"ev{ev.id}:w{assignee.external_id}", case.id)
            return await self._view(s, case)

    async def recategorize(self, case_id: int, by: int, intent: str, *, now: datetime | None = None,
                           channel: str = channels.TELEGRAM) -> CaseView:
        """改类: the case's category was wrong. Recorded as a correction (`case_label`, source `corrected`), the
        desk's own labelled example for `griddesk intents fit/suggest --from-cases`; the assignee is told."""
        at = utc(now)
        known = {i.id for i in self.intents.categories} if self.intents else set(CATEGORY_FALLBACK)
        if intent not in known:
            raise BadInput(refusals.NO_SUCH_CATEGORY.format(intent=intent[:40]))
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            actor = await self._staff_actor(s, case, by, channel)
            lifecycle.require("recategorize", case.number, case.state)
            if case.intent == intent:
                raise NotNow(refusals.SAME_CATEGORY.format(number=case.number))
            old = self._label(case)
            case.intent, case.subtype = intent, None
            new = self._label(case)
            ev = await self._move(s, case, "recategorize", actor, at, note=f"{old} → {new}")
            await s.execute(delete(CaseLabel).where(CaseLabel.case_id == case.id, CaseLabel.source == CORRECTED))
            s.add(CaseLabel(case_id=case.id or 0, intent=intent, source=CORRECTED, created_at=at))
            assignee = await self._assignee(s, case)
            if assignee is not None and assignee.external_id is not None and assignee.external_id != by:
                to_worker(s, assignee, notify.worker_recategorized(assignee.external_id, case, old, new),
                          f"ev{ev.id}:w{assignee.external_id}", case.id)
            return await self._view(s, case)

    async def merge(self, case_id: int, by: int, into_number: str, *, now: datetime | None = None,
                    channel: str = channels.TELEGRAM) -> CaseView:
        """合并: the case is a duplicate of `into_number`. It closes (已撤销, as 合并); its filer and supporters
        become supporters of the other case and are told they follow it now; both assignees are told."""
        at = utc(now)
        into_number = (into_number or "").strip().replace("－", "-")[:20]
        async with self.db.transaction() as s:
            target_id = (await s.execute(select(Case.id).where(Case.number == into_number))).scalar_one_or_none()
            if target_id is None:
                raise NotFound(refusals.NO_CASE_NUMBER.format(number=into_number))
            if target_id == case_id:
                raise BadInput(refusals.MERGE_INTO_ITSELF)
            first, second = sorted((case_id, target_id))  # one lock order for every pair: no deadlock
            locked = {c.id: c for c in (await s.execute(lock_row(select(Case).where(Case.id.in_((first, second))), s)))
                      .scalars()}
            case, target = locked.get(case_id), locked[target_id]
            if case is None:
                raise NotFound(refusals.NO_CASE_ID.format(case_id=case_id))
            actor = await self._staff_actor(s, case, by, channel)
            await self._staff_actor(s, target, by, channel)
            lifecycle.require("merge", case.number, case.state)
            if target.state not in OPEN_STATES:
                raise NotNow(refusals.MERGE_ONLY_OPEN.format(number=target.number, state=notify.state_word(target.state)))
            joined = await self._move_residents(s, case, target, at)
            previous = await self._assignee(s, case)
            case.closed_at = at
            ev = await self._move(s, case, "merge", actor, at, note=notices.NOTE_MERGED_INTO.format(number=target.number))
            await self._move(s, target, "note", actor, at,
                             note=notices.NOTE_MERGED_HERE.format(number=case.number, joined=joined))
            if previous is not None and previous.external_id is not None and previous.external_id != by:
                to_worker(s, previous, notify.worker_merged_away(previous.external_id, case, target.number),
                          f"ev{ev.id}:p{previous.external_id}", case.id)
            holder = await self._assignee(s, target)
            if joined and holder is not None and holder.external_id is not None and holder.external_id != by:
                to_worker(s, holder, notify.supporter_joined(holder.external_id, target), f"ev{ev.id}:w{holder.external_id}",
                          target.id)
            await self._notify_residents(s, case, ev, lambda chat, script, rid: notify.resident_merged(
                chat, case, target.number, script, self._to_script))
            return await self._view(s, case)

    async def _move_residents(self, s: AsyncSession, case: Case, target: Case, at: datetime) -> int:
        """The filer and supporters of `case` join `target` (once each; its own filer is not its supporter)."""
        ids = [case.resident_id, *(await s.execute(select(CaseSupporter.resident_id)
                                                   .where(CaseSupporter.case_id == case.id))).scalars()]
        there = set((await s.execute(select(CaseSupporter.resident_id).where(CaseSupporter.case_id == target.id))).scalars())
        added = 0
        for rid in dict.fromkeys(ids):
            if rid != target.resident_id and rid not in there:
                s.add(CaseSupporter(case_id=target.id or 0, resident_id=rid, text=None, created_at=at))
                added += 1
        target.supporter_count += added
        s.add(target)
        return added

    async def escalate_now(self, case_id: int, by: int, reason: str, *, now: datetime | None = None,
                           channel: str = channels.TELEGRAM) -> CaseView:
        """升级 by hand: one level up now (grid → community → street), as 超时 does, with the reason given."""
        at, reason = utc(now), clean_text(reason)[:300]
        if not reason:
            raise BadInput(refusals.ESCALATE_NEEDS_REASON)
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            actor = await self._staff_actor(s, case, by, channel)
            lifecycle.require("escalate", case.number, case.state)
            if case.level == "street":
                raise NotNow(refusals.ALREADY_TOP_LEVEL.format(number=case.number))
            level = LEVELS[LEVELS.index(case.level) + 1]
            note = notices.NOTE_ESCALATED_BY.format(level=notify.level_word(level), reason=reason)
            await self._escalate_case(s, case, at, actor, note)
            return await self._view(s, case)

    async def add_note(self, case_id: int, by: int, text: str, *, now: datetime | None = None,
                       channel: str = channels.TELEGRAM) -> CaseView:
        """内部备注: a line on the case's timeline for staff; nobody is told."""
        at, text = utc(now), clean_text(text)[:MAX_NOTE]
        if not text:
            raise BadInput(refusals.NOTE_EMPTY)
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            actor = await self._staff_actor(s, case, by, channel)
            lifecycle.require("note", case.number, case.state)
            await self._move(s, case, "note", actor, at, note=text)
            return await self._view(s, case)


async def supervised_times(s: AsyncSession, case_id: int) -> int:
    """How many times the case was 督办-ed."""
    query = select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.action == "supervise")
    return int((await s.execute(query)).scalar_one())


__all__ = ["CORRECTED", "OversightRoom", "supervised_times"]
