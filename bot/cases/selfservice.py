"""What a resident does to their own case after filing it: 进度 (the timeline), 补充 (words or photos),
催办 (once per deadline), why a rating was 不满意, and what is stored about them (/privacy).

Every action is a row of the lifecycle table (`supplement`, `urge`, `explain`); the assignee is told in the
same transaction (or, with nobody holding the case, the queue).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from bot import channels
from bot.cases import lifecycle, notify
from bot.cases.core import MAX_TEXT, CaseCore, clean_text, to_worker, utc
from bot.cases.privacy import mask
from bot.cases.views import CaseView, EventView, aware
from bot.errors import BadInput, NotFound, NotNow, NotYours
from bot.wording import notices, refusals
from bot.wording.names import ACTION_NAMES, UNSATISFIED_REASONS
from storage.models import Case, CaseEvent, CaseSupporter, Rating, Resident

#: Words a supplement may carry (the rest is cut, and the resident is told).
MAX_SUPPLEMENT = 1000
MAX_PHOTOS = 10
#: Actions whose note a resident may read on the timeline (the others are the desk's own: routing, reminders).
_NOTE_SHOWN = frozenset({"resolve", "return", "supplement", "locate", "cancel", "reopen", "escalate"})
#: Actions the resident's timeline leaves out: the desk's internal nudges.
_HIDDEN = frozenset({"remind", "chase", "rate_remind"})
#: Actions that start a time limit: 催办 is allowed once after each.
_ROUND_STARTS = ("file", "reopen", "escalate")


class SelfServiceRoom(CaseCore):
    """进度, 补充, 催办, 不满意原因 and /privacy: the resident's own handles on a case"""

    async def timeline(self, case_id: int, external_id: int, *,
                       channel: str = channels.TELEGRAM) -> tuple[CaseView, list[EventView]]:
        """The case and its dated events as its filer or a supporter may read them (supporters: masked notes)."""
        async with self.db.session() as s:
            case = await s.get(Case, case_id)
            if case is None:
                raise NotFound(refusals.NO_CASE_ID.format(case_id=case_id))
            resident = await self._resident_or_none(s, external_id, channel)
            own = resident is not None and case.resident_id == resident.id
            if not own and not await self._supports(s, case, resident):
                raise NotYours(refusals.ONLY_OWN_OR_SUPPORTED.format(number=case.number))
            rows = (await s.execute(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))).scalars()
            events = []
            for e in rows:
                if e.action in _HIDDEN:
                    continue
                note = e.note if e.action in _NOTE_SHOWN else None
                if e.action == "supplement" and not own:
                    note = None  # what the filer added is between them and the assignee
                events.append(EventView(aware(e.at), e.action, e.actor_kind, None, e.from_state,  # type: ignore[arg-type]
                                        e.to_state, e.from_level, e.to_level, note if own else mask(note) or None))
            return await self._view(s, case), events

    async def supplement(self, case_id: int, external_id: int, text: str | None = None, *, photo: str | None = None,
                         place: str | None = None, now: datetime | None = None,
                         channel: str = channels.TELEGRAM) -> CaseView:
        """补充: the filer adds words and/or a photo to an open case; the assignee (else the queue) is told.

        `place`: the words correct the case's place to this one (routing's spelling): it becomes the case's address
        and the assignee reads the new one and the old one first — the words alone left the old address on the card.
        A case in the queue without a grid whose words now name a place is routed as at filing (`_locate`).
        The view's `told`: None = the holder or the queue was told; "" = nobody could be; else the case was just
        routed, and these are the words of who has it now ("网格员 王网格")."""
        words = clean_text(text)[:MAX_SUPPLEMENT]
        photo = clean_text(photo)[:200] or None
        if not words and not photo:
            raise BadInput(refusals.NOTHING_TO_SUPPLEMENT)
        at = utc(now)
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            await self._require_filer(s, case, external_id, "supplement", channel)
            lifecycle.require("supplement", case.number, case.state)
            if words:
                case.text = (case.text + notices.NOTE_SUPPLEMENT_STAMP.format(at=self._local(at), words=words))[:MAX_TEXT]
            if photo and len(case.photos or []) < MAX_PHOTOS:
                case.photos = [*(case.photos or []), photo]
            moved_from = elsewhere = None
            new_place = clean_text(place)[:300]
            if new_place and new_place != (case.address or "") and case.grid_id:  # no grid: `_locate` places it
                moved_from, case.address = case.address or "", new_place
                routed = self.route(new_place).grid_id  # type: ignore[attr-defined]
                if routed and routed != case.grid_id:  # the holder is told whose it is; 退单 lets it be re-sent
                    elsewhere = self.router.grid_name(routed) or routed
            note = words or notices.NOTE_PHOTO
            ev = await self._move(s, case, "supplement", ("resident", external_id), at, note=note)
            assignee = await self._assignee(s, case)
            if assignee is not None and assignee.external_id is not None:
                to_worker(s, assignee, notify.worker_supplemented(assignee.external_id, case, words, photo,
                                                                  moved_from=moved_from, elsewhere=elsewhere),
                          f"ev{ev.id}:w{assignee.external_id}", case.id)
                return await self._view(s, case)
            # filed without a place, and these words say where: routed now (the new holder's push carries them)
            told = await self._locate(s, case, words, at, actor=("system", None))  # type: ignore[attr-defined]
            if told is None:
                told = await self._push_to_dispatcher(  # type: ignore[attr-defined]
                    s, case, ev, at, why=notices.NOTE_SUPPLEMENT_WHY.format(note=note))
                told = None if told else ""
            return replace(await self._view(s, case), told=told)

    async def urge(self, case_id: int, external_id: int, *, now: datetime | None = None,
                   channel: str = channels.TELEGRAM) -> CaseView:
        """催办: once per time limit (a new one starts at filing, 重办 and escalation); the assignee (else the
        queue) is told and the nudge counts in the figures (`urged`). The view's `told` is "" when nobody could be."""
        at = utc(now)
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            await self._require_filer(s, case, external_id, "urge", channel)
            lifecycle.require("urge", case.number, case.state)
            started = (await s.execute(select(func.max(CaseEvent.at)).where(
                CaseEvent.case_id == case.id, CaseEvent.action.in_(_ROUND_STARTS)))).scalar()
            urged = select(CaseEvent.id).where(CaseEvent.case_id == case.id, CaseEvent.action == "urge")
            if started is not None:
                urged = urged.where(CaseEvent.at >= started)
            if (await s.execute(urged)).first() is not None:
                raise NotNow(refusals.ALREADY_URGED.format(number=case.number, deadline=self._local(case.deadline_at)))
            ev = await self._move(s, case, "urge", ("resident", external_id), at, note=notices.NOTE_URGED)
            assignee = await self._assignee(s, case)
            if assignee is not None and assignee.external_id is not None:
                to_worker(s, assignee, notify.worker_push(assignee.external_id, case, self._label(case), kind="urge",
                                                          deadline=self._local(case.deadline_at),
                                                          phone=await self._filer_phone(s, case)),
                          f"ev{ev.id}:w{assignee.external_id}", case.id)
            elif not await self._push_to_dispatcher(s, case, ev, at, why=notices.NOTE_URGED):  # type: ignore[attr-defined]
                return replace(await self._view(s, case), told="")  # nobody holds it, nobody covers its queue
            return await self._view(s, case)

    async def explain(self, case_id: int, external_id: int, reason: str, comment: str | None = None, *,
                      now: datetime | None = None, channel: str = channels.TELEGRAM) -> CaseView:
        """不满意原因: the filer says why (a choice of `UNSATISFIED_REASONS`, and/or words) after rating 不满意;
        kept on that rating (the figures count it) and told to the worker who handled the case."""
        if reason not in UNSATISFIED_REASONS:
            raise BadInput(refusals.REASON_EMPTY)
        words = clean_text(comment)[:MAX_SUPPLEMENT] or None
        at = utc(now)
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            resident = await self._require_filer(s, case, external_id, "explain", channel)
            lifecycle.require("explain", case.number, case.state)
            rating = (await s.execute(select(Rating).where(Rating.case_id == case.id, Rating.resident_id == resident.id,
                                                           Rating.score == "unsatisfied")
                                      .order_by(Rating.id.desc()).limit(1))).scalar_one_or_none()
            if rating is None:
                raise NotNow(refusals.NOT_UNSATISFIED.format(number=case.number))
            if rating.reason is not None and words is None:  # a reason button of an older message
                raise NotNow(refusals.ALREADY_EXPLAINED.format(number=case.number))
            rating.reason = reason
            if words:
                rating.comment = f"{rating.comment}\n{words}"[:MAX_TEXT] if rating.comment else words
            s.add(rating)
            ev = await self._move(s, case, "explain", ("resident", external_id), at,
                                  note=(notices.NOTE_REASON_WORDS.format(reason=UNSATISFIED_REASONS[reason], words=words) if words
                                        else UNSATISFIED_REASONS[reason]))
            worker = await self._assignee(s, case)
            if worker is not None and worker.external_id is not None:
                to_worker(s, worker, notify.worker_unsatisfied_reason(worker.external_id, case, reason, words),
                          f"ev{ev.id}:w{worker.external_id}", case.id)
            return await self._view(s, case)

    async def privacy_of(self, external_id: int, *, channel: str = channels.TELEGRAM) -> dict[str, Any]:
        """What is stored about this resident, for `/privacy`: name, phone and when it was agreed, how many cases."""
        async with self.db.session() as s:
            r = await self._resident_or_none(s, external_id, channel)
            if r is None:
                return {"known": False, "name": "", "phone": None, "consent_at": None, "cases": 0, "supported": 0}
            cases = (await s.execute(select(func.count()).select_from(Case).where(Case.resident_id == r.id))).scalar()
            supported = (await s.execute(select(func.count()).select_from(CaseSupporter)
                                         .where(CaseSupporter.resident_id == r.id))).scalar()
            return {"known": True, "name": r.name, "phone": r.phone, "consent_at": aware(r.phone_consent_at),
                    "cases": int(cases or 0), "supported": int(supported or 0)}

    async def _resident_or_none(self, s: Any, external_id: int, channel: str = channels.TELEGRAM) -> Resident | None:
        return (await s.execute(select(Resident).where(Resident.channel == channel,
                                                       Resident.external_id == external_id))).scalar_one_or_none()

    async def _supports(self, s: Any, case: Case, resident: Resident | None) -> bool:
        if resident is None:
            return False
        found = await s.execute(select(CaseSupporter.id).where(CaseSupporter.case_id == case.id,
                                                               CaseSupporter.resident_id == resident.id))
        return found.first() is not None

    async def _require_filer(self, s: Any, case: Case, external_id: int, what: str,
                             channel: str = channels.TELEGRAM) -> Resident:
        resident = await self._resident_or_none(s, external_id, channel)
        if resident is None or case.resident_id != resident.id:
            what = refusals.ONLY_FILER_WHAT.get(what) or ACTION_NAMES.get(what, what)
            raise NotYours(refusals.ONLY_FILER.format(what=what, number=case.number))
        return resident
