"""受理 and 附议: filing a case (committed before its number is shown) and joining an offered similar one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot import channels
from bot.cases import lifecycle, notify
from bot.cases.core import (
    DUPLICATE_THRESHOLD,
    MAX_TEXT,
    CaseCore,
    clean_text,
    grid_worker,
    label_case,
    state_in,
    to_worker,
    utc,
)
from bot.cases.duplicates import similarity
from bot.cases.outbox import enqueue
from bot.cases.views import CaseView, ReportDraft
from bot.errors import BadInput, NotNow, NotYours, UsageError
from bot.wording import notices, refusals
from storage.engine import insert_if_absent, next_sequence
from storage.models import (
    OPEN_STATES,
    RESIDENT_PICK,
    Case,
    CaseEvent,
    CaseSupporter,
    OutboxMessage,
    Resident,
    SupportOffer,
)

if TYPE_CHECKING:
    from bot.cases.routing import Route
    from bot.messages import Reply


#: Cases a report may be a duplicate of (offered for 附议), and the resident's own that a report repeats: open
#: ones only (a closed case is not joined; a report after it is a new case).
_OPEN_STATES = state_in(OPEN_STATES)


class FilingRoom(CaseCore):
    """受理 and 附议: filing a case (committed before its number is shown) and joining an offered similar one"""

    async def find_duplicates(
        self, intent: str, text: str, grid_id: str | None, *, now: datetime | None = None, limit: int = 3,
        exclude_resident: int | None = None, offer_to: int | None = None, channel: str = channels.TELEGRAM,
    ) -> list[CaseView]:
        """Open cases of the same intent in the same grid, filed within the duplicate window, with similar words
        (never a resolved one: joining closed work would leave the neighbour waiting on nothing).

        Best match first. Offer them to the resident as 附议 (join) choices (`callbacks.support_button`).
        No grid → no duplicates (we cannot tell it is the same place). `exclude_resident` (an external id of `channel`)
        leaves out cases that person filed or already supports — there is nothing for them to join.
        `offer_to` (an external id of `channel`) records that the cases found were offered to that person, which is
        what lets them join one (`support`).
        """
        if not grid_id or not text:
            return []
        at = utc(now)
        since = at - self.duplicate_window
        async with self.db.transaction(savepoint=False) as s:  # nothing here is refused half-way
            rows = (
                await s.execute(
                    select(Case).where(Case.intent == intent, Case.grid_id == grid_id, Case.created_at >= since,
                                       _OPEN_STATES).order_by(Case.created_at.desc()).limit(200)
                )
            ).scalars().all()
            if exclude_resident is not None and rows:
                mine = await self._involved_cases(s, exclude_resident, [c.id for c in rows if c.id is not None],
                                                  channel=channel)
                rows = [c for c in rows if c.id not in mine]
            simple = self._simplify(text)
            scored = [(similarity(simple, self._simplify(c.text + " " + (c.address or ""))), c) for c in rows]
            best = sorted((p for p in scored if p[0] >= DUPLICATE_THRESHOLD), key=lambda p: -p[0])[:limit]
            if offer_to is not None and best:
                resident = await self._resident(s, offer_to, channel=channel)
                await insert_if_absent(s, SupportOffer.__table__, [{"case_id": c.id, "resident_id": resident.id,
                                                                    "offered_at": at} for _, c in best],
                                       ["case_id", "resident_id"])
            return await self._views(s, [c for _, c in best])

    async def find_own_duplicate(self, intent: str, text: str, external_id: int, *,
                                 now: datetime | None = None, channel: str = channels.TELEGRAM) -> CaseView | None:
        """The resident's own open case of this intent with similar words, whatever its grid.

        A resident who sends the same report again (say, after the confirmation never reached them)
        must be shown the case they have, not get a second one — also when no grid matched the place.
        """
        if not text:
            return None
        since = utc(now) - self.duplicate_window
        async with self.db.session() as s:
            rows = (await s.execute(
                select(Case).join(Resident, Resident.id == Case.resident_id)
                .where(Resident.channel == channel, Resident.external_id == external_id, Case.intent == intent,
                       Case.created_at >= since,
                       _OPEN_STATES).order_by(Case.created_at.desc()).limit(20)
            )).scalars().all()
            simple = self._simplify(text)
            scored = [(similarity(simple, self._simplify(c.text)), c) for c in rows]
            best = max((p for p in scored if p[0] >= DUPLICATE_THRESHOLD), key=lambda p: p[0], default=None)
            return None if best is None else await self._view(s, best[1])

    async def file_case(self, draft: ReportDraft, *, now: datetime | None = None,
                        receipt: Callable[[CaseView], Reply] | None = None, route: Route | None = None) -> CaseView:
        """受理: create the case, route it (unless `draft.grid_id`, or the caller routed it already: `route`),
        assign the least-loaded worker (派单), commit.

        Returns the committed case with its `YYYYMMDD-NNNN` number. The worker's push (or the
        dispatcher's, when no worker is bound or the address is unclear) is in the outbox.
        `receipt` builds the filer's "已受理 … 案件编号" message from the case; it is written to the outbox
        in the same transaction, due after `receipt_grace`, so a crash before the caller's own reply
        leaves cannot lose it (the caller marks it sent once its direct reply went out: `receipt_id`).
        """
        text = clean_text(draft.text)
        if not text:
            raise BadInput(refusals.EMPTY_REPORT)
        if not draft.intent or len(draft.intent) > 40:
            raise UsageError("unknown intent for a case")
        if not (0 < draft.deadline_hours <= 24 * 365):
            raise UsageError("deadline_hours must be between 0 and 8760")
        # An emergency is not handled on the category's clock (a bleeding fight got 48 hours).
        hours = min(draft.deadline_hours, self._urgent_hours_for(draft.intent)) if draft.urgent else draft.deadline_hours
        at = utc(now)
        given = draft.grid_id
        if given:
            route = self.router.given(given)
        elif route is None:
            route = self.route(draft.address, draft.latitude, draft.longitude)
        # Filing is the few statements it needs, in the caller's turn when there is one: the resident (one upsert),
        # the grid's least-loaded worker (one query on the open-case index), the number, the case (inserted already
        # assigned), its events (one INSERT), its pushes and receipt (one INSERT); the view is built, not read.
        async with self.db.transaction(savepoint=False) as s:
            resident = await self._resident(s, draft.resident_external_id, chat_id=draft.chat_id,
                                            name=draft.resident_name, script=draft.script, channel=draft.channel)
            worker = await grid_worker(s, route.grid_id) if route.grid_id else None
            day = at.astimezone(self.tz).strftime("%Y%m%d")
            seq = await next_sequence(s, day)
            case = Case(
                number=f"{day}-{seq:04d}", intent=draft.intent, subtype=draft.subtype, text=text[:MAX_TEXT],
                address=clean_text(draft.address)[:300] or None, latitude=draft.latitude, longitude=draft.longitude,
                photos=[clean_text(p)[:200] for p in draft.photos if clean_text(p)][:10], resident_id=resident.id,
                street_id=route.street_id,
                community_id=route.community_id, grid_id=route.grid_id, level=route.level, state="filed",
                route_note=route.note[:200] or None, urgent=draft.urgent, deadline_hours=hours,
                deadline_at=at + timedelta(hours=hours), created_at=at, updated_at=at,
                answers={k[:40]: clean_text(v)[:200] for k, v in list(draft.answers.items())[:5] if clean_text(v)} or None,
                picked=draft.confirmed_by == RESIDENT_PICK and draft.intent != "other",  # the label below, summarised
            )
            if worker is not None:  # 派单 at once: the case is inserted as the worker's
                level = self._take(case, worker, at) or case.level
                case.state, case.level = lifecycle.target("assign", None, current="filed"), level
            s.add(case)
            await s.flush()
            filed = await self._event(s, case, "file", "resident", draft.resident_external_id, None, "filed", None,
                                      route.level, route.note or None, at, flush=worker is None)
            if draft.confirmed_by and draft.intent != "other":
                await label_case(s, case, draft.confirmed_by, at)
            if worker is not None:
                assigned = await self._event(s, case, "assign", "system", None, "filed", case.state, route.level,
                                             case.level, worker.name, at, flush=False)
                await self._insert_pending(s, CaseEvent)  # both events in one statement
                phone = resident.phone if resident.phone and resident.phone_consent_at is not None else None
                await self._push_assignment(s, case, worker, assigned, from_state="filed", phone=phone)
                told = notices.ROUTED_WORKER.format(name=worker.name)
            else:
                told = await self._dispatch(s, case, filed, at, grid_checked=True)
            view = replace(self._make_view(case, worker if case.assignee_id == getattr(worker, "id", None)
                                           else await self._assignee(s, case),
                                           (resident.channel, resident.external_id), []), told=told)
            if receipt is None:
                return view
            row = enqueue(s, receipt(view), f"receipt:{case.id}", case.id, now=at + self.receipt_grace,
                          channel=draft.channel)
            if row is None:  # a channel without push: the filer reads the receipt in the answer, or polls
                await self._insert_pending(s, OutboxMessage)
                return view
            await self._insert_pending(s, OutboxMessage)  # the push(es) and the receipt in one statement
            return replace(view, receipt_id=row.id)

    async def support(self, case_id: int, resident_external_id: int, *, text: str | None = None,
                      now: datetime | None = None, channel: str = channels.TELEGRAM) -> CaseView:
        """附议: the resident joins an existing case; counted once, told of every later change.

        Only a case offered to this resident (`find_duplicates(offer_to=…)`) can be joined: button data
        is whatever a client sends, so a forged `sup:<id>` must not open a stranger's case. Joining your
        own case or joining twice is refused (CaseError), as is joining a closed case.
        """
        at = utc(now)
        async with self.db.transaction() as s:
            case = await self._lock_case(s, case_id)
            resident = await self._resident(s, resident_external_id, channel=channel)
            if case.resident_id == resident.id:
                raise NotNow(refusals.SUPPORT_OWN_CASE.format(number=case.number))
            offered = await s.execute(select(SupportOffer.id).where(SupportOffer.case_id == case.id,
                                                                    SupportOffer.resident_id == resident.id))
            if offered.first() is None:
                raise NotYours(refusals.SUPPORT_ONLY_OFFERED)
            lifecycle.require("support", case.number, case.state)
            exists = await s.execute(select(CaseSupporter.id).where(CaseSupporter.case_id == case.id,
                                                                    CaseSupporter.resident_id == resident.id))
            if exists.first() is not None:
                raise NotNow(refusals.ALREADY_SUPPORTED.format(number=case.number))
            s.add(CaseSupporter(case_id=case.id, resident_id=resident.id, text=clean_text(text)[:MAX_TEXT] or None,
                                created_at=at))
            case.supporter_count += 1
            ev = await self._move(s, case, "support", ("resident", resident_external_id), at)
            assignee = await self._assignee(s, case)
            if assignee is not None and assignee.external_id is not None:
                to_worker(s, assignee, notify.supporter_joined(assignee.external_id, case),
                          f"ev{ev.id}:w{assignee.external_id}", case.id)
            return await self._view(s, case)
