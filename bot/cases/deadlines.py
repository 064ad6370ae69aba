"""Deadlines, run by the background loop of every runner: 即将超时 reminders, 超时 escalation, and the one
reminder to rate a resolved case (评价提醒)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases import lifecycle, notify
from bot.cases.core import CaseCore, dedupe_key, to_worker, utc
from bot.cases.outbox import enqueue
from bot.cases.views import CaseView
from bot.wording import notices
from storage.engine import claim_rows
from storage.models import LEVELS, OPEN_STATES, Case, CaseEvent, Resident


class DeadlineRoom(CaseCore):
    """Deadlines, run by the background loop of every runner: 即将超时 reminders and 超时 escalation"""

    async def due_reminders(self, now: datetime | None = None, *, limit: int = 100) -> list[int]:
        """Ids of open, assigned cases past `reminder_fraction` of their time, not yet reminded, not yet late."""
        at = utc(now)
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
        at = utc(now)
        async with self.db.transaction() as s:
            case = (await s.execute(claim_rows(select(Case).where(Case.id == case_id), s))).scalar_one_or_none()
            if case is None or case.reminded_at is not None or not lifecycle.allowed("remind", case.state):
                return False
            if case.deadline_at <= at or not self._reminder_due(case, at):
                return False
            case.reminded_at = at
            ev = await self._move(s, case, "remind", ("system", None), at)
            assignee = await self._assignee(s, case)
            if assignee is not None and assignee.external_id is not None:
                to_worker(s, assignee, notify.worker_reminder(assignee.external_id, case, self._label(case),
                                                             self._local(case.deadline_at)),
                          f"ev{ev.id}:w{assignee.external_id}", case.id)
            return True

    async def overdue(self, now: datetime | None = None, *, limit: int = 100) -> list[int]:
        """Ids of open cases past their deadline below street level (street is the top: nothing to escalate to)."""
        at = utc(now)
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
        at = utc(now)
        async with self.db.transaction() as s:
            case = (await s.execute(claim_rows(select(Case).where(Case.id == case_id), s))).scalar_one_or_none()
            if (case is None or not lifecycle.allowed("escalate", case.state) or case.deadline_at > at
                    or case.level == "street"):
                return None
            note = notices.NOTE_ESCALATED.format(level=notify.level_word(LEVELS[LEVELS.index(case.level) + 1]))
            await self._escalate_case(s, case, at, ("system", None), note)
            return await self._view(s, case)

    async def _escalate_case(self, s: AsyncSession, case: Case, at: datetime, actor: tuple[str, int | None],
                             note: str) -> None:
        """Move the case one level up (grid → community → street) to that level's dispatcher with a fresh
        deadline; tell the previous assignee, the new one (or the queue), the resident and supporters."""
        previous = await self._assignee(s, case)
        level = LEVELS[LEVELS.index(case.level) + 1]
        case.deadline_at = at + timedelta(hours=case.deadline_hours)
        case.reminded_at, case.accepted_at = None, None
        dispatcher = await self._dispatcher(s, case, level)
        case.assignee_id = dispatcher.id if dispatcher is not None else None
        ev = await self._move(s, case, "escalate", actor, at, note=note, to_level=level,
                              to_state="assigned" if dispatcher is not None else "filed")
        if previous is not None and previous.external_id is not None and previous.external_id != actor[1]:
            to_worker(s, previous, notify.worker_escalated_away(previous.external_id, case),
                      f"ev{ev.id}:p{previous.external_id}", case.id)
        if dispatcher is not None and dispatcher.external_id == actor[1]:
            pass  # a dispatcher who escalated to his own level holds it now; his page says so
        elif dispatcher is not None and dispatcher.external_id is not None:
            to_worker(s, dispatcher, notify.worker_push(dispatcher.external_id, case, self._label(case), kind="escalate",
                                                        note=note, phone=await self._filer_phone(s, case)),
                      f"ev{ev.id}:w{dispatcher.external_id}", case.id)
        else:
            await self._push_to_dispatcher(s, case, ev, at, why=note)
        await self._notify_residents(s, case, ev, lambda chat, script, rid: notify.resident_state(chat, case, "escalate",
                                                                                              script, self._to_script))

    async def unacknowledged(self, now: datetime | None = None, *, limit: int = 100) -> list[int]:
        """Ids of urgent cases whose assignee has not pressed 接单 within the acknowledge limit."""
        at = utc(now)
        async with self.db.session() as s:
            rows = await s.execute(select(Case.id).where(Case.urgent.is_(True), Case.state == "assigned",
                                                         Case.ack_due_at.is_not(None), Case.ack_due_at <= at)
                                   .order_by(Case.ack_due_at).limit(limit))
            return [int(r[0]) for r in rows]

    async def chase(self, case_id: int, now: datetime | None = None) -> bool:
        """紧急催接单: an urgent case nobody accepted in time. The push goes to the assignee again and the
        queue (dispatchers, else admins) and the on-call chat are told; repeated every acknowledge limit
        until someone presses 接单. False when another instance took it or it no longer applies."""
        at = utc(now)
        async with self.db.transaction() as s:
            case = (await s.execute(claim_rows(select(Case).where(Case.id == case_id), s))).scalar_one_or_none()
            if (case is None or not case.urgent or not lifecycle.allowed("chase", case.state)
                    or case.ack_due_at is None or case.ack_due_at > at):
                return False
            span = self._urgent_ack_for(case.intent)
            waited = max(1, round((at - (case.ack_due_at - span)).total_seconds() / 60))
            note = notices.NOTE_CHASED.format(waited=waited)
            case.ack_due_at = at + span
            ev = await self._move(s, case, "chase", ("system", None), at, note=note)
            assignee = await self._assignee(s, case)
            if assignee is not None and assignee.external_id is not None:
                to_worker(s, assignee, notify.worker_push(assignee.external_id, case, self._label(case), kind="chase",
                                                          note=note, deadline=self._local(case.deadline_at)),
                          f"ev{ev.id}:w{assignee.external_id}", case.id)
            await self._push_to_dispatcher(s, case, ev, at, why=note, with_oncall=True)
            return True

    async def due_rate_reminders(self, now: datetime | None = None, *, limit: int = 100) -> list[int]:
        """Ids of cases resolved at least `rate_reminder` ago, still unrated, whose filer was not reminded since."""
        at = utc(now)
        reminded = exists().where(CaseEvent.case_id == Case.id, CaseEvent.action == "rate_remind",
                                  CaseEvent.at >= Case.resolved_at)
        async with self.db.session() as s:
            rows = await s.execute(select(Case.id).where(Case.state == "resolved", Case.resolved_at.is_not(None),
                                                         Case.resolved_at <= at - self.rate_reminder, ~reminded)
                                   .order_by(Case.resolved_at).limit(limit))
            return [int(r[0]) for r in rows]

    async def rate_remind(self, case_id: int, now: datetime | None = None) -> bool:
        """评价提醒: the filer of a resolved case gets the rating buttons once more, once per resolution."""
        at = utc(now)
        async with self.db.transaction() as s:
            case = (await s.execute(claim_rows(select(Case).where(Case.id == case_id), s))).scalar_one_or_none()
            if (case is None or not lifecycle.allowed("rate_remind", case.state) or case.resolved_at is None
                    or case.resolved_at > at - self.rate_reminder):
                return False
            done = await s.execute(select(CaseEvent.id).where(CaseEvent.case_id == case.id, CaseEvent.action == "rate_remind",
                                                              CaseEvent.at >= case.resolved_at))
            if done.first() is not None:
                return False
            ev = await self._move(s, case, "rate_remind", ("system", None), at)
            filer = await s.get(Resident, case.resident_id)
            if filer is not None:
                chat = filer.chat_id or filer.external_id
                enqueue(s, notify.resident_rate_reminder(chat, case, filer.script, self._to_script),
                        dedupe_key(f"ev{ev.id}:r{chat}", filer.channel), case.id, channel=filer.channel,
                        held=filer.blocked_at is not None)
            return True

    async def run_deadlines(self, now: datetime | None = None) -> tuple[int, int]:
        """One pass of the deadline task: remind what is due (also the filer of a resolved case not yet rated,
        once), escalate what is late, and on Monday morning send the weekly digest. Returns (reminded — digests
        included —, escalated)."""
        reminded = sum([await self.chase(cid, now) for cid in await self.unacknowledged(now)])
        reminded += sum([await self.remind(cid, now) for cid in await self.due_reminders(now)])
        reminded += sum([await self.rate_remind(cid, now) for cid in await self.due_rate_reminders(now)])
        escalated = sum([await self.escalate(cid, now) is not None for cid in await self.overdue(now)])
        reminded += await self.send_digests(now)  # Monday morning: last week's hotspots (bot/cases/digest.py)
        return reminded, escalated
