"""Two-way progress while a case is being handled: 进展 (a note or photo from the assignee to the filer and
supporters), 需要补充 (a question to the filer) and 补充 (the filer's answer, attached to the case and sent on
to whoever holds it). Each is a row of the lifecycle table that keeps the case's state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot import channels
from bot.cases import lifecycle, notify
from bot.cases.core import OPEN_STATES, CaseCore, clean_text, dedupe_key, to_worker, utc
from bot.cases.outbox import enqueue
from bot.cases.views import CaseView
from bot.errors import BadInput, NotYours
from bot.wording import notices, refusals
from storage.models import Case, Resident

#: Photos kept on a case (the filer's, then answers'); more are still forwarded, not stored.
MAX_PHOTOS = 10
MAX_NOTE = 1000


class ProgressRoom(CaseCore):
    """进展, 需要补充 and 补充: words and photos between the assignee and the residents while the work goes on"""

    async def progress(self, case_id: int, worker_external_id: int, note: str = "", *, photo: str | None = None,
                       now: datetime | None = None, channel: str = channels.TELEGRAM) -> CaseView:
        """进展: the assignee tells the filer and every supporter how it stands (a note, a photo, or both)."""
        note, photo = clean_text(note)[:MAX_NOTE], clean_text(photo)[:200] or None
        if not note and photo is None:
            raise BadInput(refusals.PROGRESS_EMPTY)
        at = utc(now)
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            await self._require_assignee(s, case, worker_external_id, channel=channel)
            lifecycle.require("progress", case.number, case.state)
            ev = await self._move(s, case, "progress", ("worker", worker_external_id), at,
                                  note=note or notices.NOTE_PHOTO)
            await self._notify_residents(s, case, ev, lambda chat, script, rid: notify.resident_progress(
                chat, case, note, photo, script, self._to_script))
            return await self._view(s, case)

    async def ask_filer(self, case_id: int, worker_external_id: int, question: str, *,
                        now: datetime | None = None, channel: str = channels.TELEGRAM) -> CaseView:
        """需要补充: a question to the filer; their next message (whatever they were doing) is the answer."""
        question = clean_text(question)[:MAX_NOTE]
        if len(question) < 2:
            raise BadInput(refusals.QUESTION_EMPTY)
        at = utc(now)
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            await self._require_assignee(s, case, worker_external_id, channel=channel)
            lifecycle.require("ask", case.number, case.state)
            case.question_at = at
            ev = await self._move(s, case, "ask", ("worker", worker_external_id), at, note=question)
            filer = await s.get(Resident, case.resident_id)
            if filer is not None:
                chat = filer.chat_id or filer.external_id
                enqueue(s, notify.resident_question(chat, case, question, filer.script, self._to_script),
                        dedupe_key(f"ev{ev.id}:r{chat}", filer.channel), case.id, channel=filer.channel,
                        held=filer.blocked_at is not None)
            return await self._view(s, case)

    async def open_question(self, resident_external_id: int, *, channel: str = channels.TELEGRAM) -> CaseView | None:
        """The filer's open case whose assignee waits for an answer (the newest question), if any."""
        async with self.db.session() as s:
            case = (await s.execute(
                select(Case).join(Resident, Resident.id == Case.resident_id)
                .where(Resident.channel == channel, Resident.external_id == resident_external_id, Case.question_at.is_not(None),
                       Case.state.in_(OPEN_STATES))
                .order_by(Case.question_at.desc()).limit(1))).scalar_one_or_none()
            return None if case is None else await self._view(s, case)

    async def answer(self, case_id: int, resident_external_id: int, text: str = "", *, photo: str | None = None,
                     now: datetime | None = None, channel: str = channels.TELEGRAM) -> CaseView:
        """补充: the filer's answer is kept on the case (event, photo) and sent on to the assignee (or, when nobody
        holds the case any more, to its queue). A case closed meanwhile keeps nothing and says so."""
        text, photo = clean_text(text)[:MAX_NOTE], clean_text(photo)[:200] or None
        at = utc(now)
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            resident = await self._resident(s, resident_external_id, channel=channel)
            if case.resident_id != resident.id:
                raise NotYours(refusals.ONLY_FILER_ANSWERS.format(number=case.number))
            lifecycle.require("answer", case.number, case.state)
            case.question_at = None  # asked once, answered once: the next message is the resident's own again
            if photo is not None and len(case.photos or []) < MAX_PHOTOS:
                case.photos = [*(case.photos or []), photo]
            ev = await self._move(s, case, "answer", ("resident", resident_external_id), at, note=text or notices.NOTE_PHOTO)
            assignee = await self._assignee(s, case)
            if assignee is not None and assignee.external_id is not None and assignee.active:
                to_worker(s, assignee, notify.worker_answer(assignee.external_id, case, text, photo),
                          f"ev{ev.id}:w{assignee.external_id}", case.id)
            else:
                await self._push_to_dispatcher(s, case, ev, at, why=notify.answer_line(text))
            return await self._view(s, case)
