"""受理 and 附议: filing a case (committed before its number is shown) and joining an offered similar one."""

from __future__ import annotations

import logging
from collections import namedtuple
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import channels
from bot.cases import lifecycle, notify
from bot.cases.core import (
    DUPLICATE_THRESHOLD,
    MAX_TEXT,
    CaseCore,
    PickedWorker,
    ResidentFacts,
    clean_text,
    dedupe_key,
    dispatcher_pick,
    event_values,
    label_values,
    number_and_worker,
    state_in,
    to_worker,
    utc,
)
from bot.cases.dispatch import told_words
from bot.cases.duplicates import Prepared, prepare, similarity_of
from bot.cases.outbox import OUTBOX_HINT, outbox_values
from bot.cases.views import CaseView, ReportDraft
from bot.errors import BadInput, NotNow, NotYours, UsageError
from bot.wording import notices, refusals
from storage.engine import Prepared as Statement
from storage.models import (
    OPEN_STATES,
    RESIDENT_PICK,
    Case,
    CaseEvent,
    CaseLabel,
    CaseSupporter,
    CaseWord,
    OutboxMessage,
    Resident,
    SupportOffer,
    Worker,
)
from storage.statements import numbered_rows, prepared_insert
from storage.words import pair_rows, search_text

if TYPE_CHECKING:
    from bot.cases.routing import Route
    from bot.messages import Reply


#: Cases a report may be a duplicate of (offered for 附议), and the resident's own that a report repeats: open
#: ones only (a closed case is not joined; a report after it is a new case).
_OPEN_STATES = state_in(OPEN_STATES)
#: The columns filing's Core statements write (`prepared_insert`: compiled once, run by `Database.rows`).
_CASE_COLUMNS = tuple(c.name for c in Case.__table__.columns if c.name != "id")
_WORD_COLUMNS = ("first_char", "next_char", "case_id")
_LABEL_COLUMNS, _LABEL_KEYS = ("case_id", "intent", "source", "created_at"), ("case_id", "source")
_EVENT_COLUMNS = tuple(c.name for c in CaseEvent.__table__.columns if c.name != "id")
_OUTBOX_COLUMNS = tuple(c.name for c in OutboxMessage.__table__.columns if c.name != "id")
#: The duplicate search's statements, built once (`Statement`: storage's `Prepared`, compiled once, run by
#: `Database.rows`): the candidates (id and words only; with whether the resident asking filed or supports each,
#: `channel` and `external_id` bound), then the few found, with their assignee and filer joined, and their supporters.
_DUP_CANDIDATES = (select(Case.id, Case.text, Case.address)
                   .where(Case.intent == bindparam("intent"), Case.grid_id == bindparam("grid_id"),
                          Case.created_at >= bindparam("since", type_=Case.created_at.type), _OPEN_STATES)
                   .order_by(Case.created_at.desc()).limit(200))
_ASKER = (Resident.channel == bindparam("channel")) & (Resident.external_id == bindparam("external_id"))
_INVOLVED = (exists().where(Resident.id == Case.resident_id, _ASKER)
             | exists().where(CaseSupporter.case_id == Case.id, CaseSupporter.resident_id == Resident.id, _ASKER))
_CANDIDATES = Statement(_DUP_CANDIDATES)
_CANDIDATES_FOR = Statement(_DUP_CANDIDATES.add_columns(_INVOLVED.label("involved")))
_DUP_FOUND = (select(Case.__table__, Worker.name.label("w_name"), Worker.external_id.label("w_external_id"),
                     Worker.channel.label("w_channel"), Resident.channel.label("r_channel"),
                     Resident.external_id.label("r_external_id"))
              .join(Resident, Resident.id == Case.resident_id).outerjoin(Worker, Worker.id == Case.assignee_id))
#: A found case's columns by name (the view reads them as a `Case`'s attributes).
_FoundRow = namedtuple("_FoundRow", list(_DUP_FOUND.selected_columns.keys()), rename=True)  # type: ignore[misc]
_FOUND: dict[int, Statement] = {}  # `_DUP_FOUND` of n cases (`id_0` … bound): a few in all
_OFFER_COLUMNS = ("case_id", "resident_id", "offered_at")


def _found(n: int) -> Statement:
    """`_DUP_FOUND` of `n` cases (`id_0` … `id_<n-1>` bound): one plain IN, not an expanding one, so it is prepared."""
    found = _FOUND.get(n)
    if found is None:
        ids = [bindparam(f"id_{i}", type_=Case.id.type) for i in range(n)]
        found = _FOUND[n] = Statement(_DUP_FOUND.where(Case.id.in_(ids)))
    return found
_SUPPORTERS = (select(CaseSupporter.case_id, Resident.channel, Resident.external_id)
               .join(Resident, CaseSupporter.resident_id == Resident.id)
               .where(CaseSupporter.case_id.in_(bindparam("ids", expanding=True))).order_by(CaseSupporter.id))
log = logging.getLogger(__name__)


def _phone(resident: ResidentFacts) -> str | None:
    """The filer's phone for the holder's push: only a number given with consent (withdrawn = None)."""
    return resident.phone if resident.phone and resident.phone_consent_at is not None else None


def _asked(case: FiledCase) -> bool:
    """Whether `_dispatcher_row` looked for the very dispatchers the queue of `case` is told (`_queue_targets`)."""
    return bool((case.level == "community" and case.community_id) or (case.level == "street" and case.street_id))


def _column_defaults(model: Any) -> dict[str, Any]:
    """The plain defaults of `model`'s columns (those a row gets when filing does not say)."""
    out = {}
    for name, info in model.model_fields.items():
        if name in model.__table__.columns and not info.is_required() and info.default_factory is None:
            out[name] = info.default
    return out


_CASE_DEFAULTS = _column_defaults(Case)


class FiledCase(SimpleNamespace):
    """A case being filed with a worker: a `Case`'s columns as attributes, without the ORM object (building one cost
    more than the statements that insert it). Notices and views read it as they read a `Case`."""


class _Assignee(NamedTuple):
    """What a case's view shows of its assignee, read with the case in one statement."""

    name: str
    external_id: int | None
    channel: str


#: Prepared words of case texts kept for the duplicate search, forgotten all at once when full: texts of at most
#: `_DUP_WORDS_LONGEST` characters (a report is a sentence or two), so a few MiB usually and ~50 MiB at worst.
_DUP_WORDS_KEPT = 2048
_DUP_WORDS_LONGEST = 300


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
            # plain rows for the candidates (up to 200 ORM objects cost milliseconds); those the resident asking filed
            # or supports are marked in the same statement and left out
            where = {"intent": intent, "grid_id": grid_id, "since": since}
            if exclude_resident is None:
                rows = await self.db.rows(_CANDIDATES, where)
            else:
                marked = await self.db.rows(_CANDIDATES_FOR, {**where, "channel": channel,
                                                              "external_id": exclude_resident})
                rows = [(case_id, words, address) for case_id, words, address, involved in marked if not involved]
            words = self._prepared_words(text)
            scored = [(similarity_of(words, self._prepared_words(case_text + " " + (address or ""))), int(case_id))
                      for case_id, case_text, address in rows]
            best = sorted((p for p in scored if p[0] >= DUPLICATE_THRESHOLD), key=lambda p: -p[0])[:limit]
            if not best:
                return []
            if offer_to is not None:
                resident = await self._resident_row(s, offer_to, channel=channel)
                offers = prepared_insert(self.db.dialect, SupportOffer.__table__, _OFFER_COLUMNS,
                                         absent=("case_id", "resident_id"))
                await self.db.rows(offers, [{"case_id": case_id, "resident_id": resident.id, "offered_at": at}
                                            for _, case_id in best])
            return await self._found_views(s, [case_id for _, case_id in best])

    def _prepared_words(self, text: str) -> Prepared:
        """A text's words as the duplicate search compares them, remembered (a case's text is compared with every
        report of its grid for days; simplifying and cleaning it again each time was most of the search)."""
        found = self._dup_words.get(text)
        if found is None:
            found = prepare(self._simplify(text))
            if len(text) <= _DUP_WORDS_LONGEST:  # a long text's bigrams are many: computed each time, not kept
                if len(self._dup_words) >= _DUP_WORDS_KEPT:
                    self._dup_words.clear()
                self._dup_words[text] = found
        return found

    async def _found_views(self, s: AsyncSession, ids: list[int]) -> list[CaseView]:
        """Views of the cases found, in `ids`' order: the cases with their assignee and filer in one statement, their
        supporters in a second only when one of them has any (`supporter_count`)."""
        rows = await self.db.rows(_found(len(ids)), {f"id_{n}": case_id for n, case_id in enumerate(ids)})
        found = {int(row.id): row for row in map(_FoundRow._make, rows)}  # read as a Case's attributes
        supporters: dict[int, list[tuple[str, int]]] = {}
        joined = [i for i in ids if i in found and found[i].supporter_count]
        if joined:
            conn = await s.connection()
            for case_id, ch, ext in await conn.execute(_SUPPORTERS, {"ids": joined}):
                supporters.setdefault(int(case_id), []).append((str(ch), int(ext)))
        views = []
        for i in ids:
            row = found.get(i)
            if row is not None:
                assignee = _Assignee(row.w_name, row.w_external_id, row.w_channel) if row.assignee_id else None
                views.append(self._make_view(row, assignee, (str(row.r_channel), int(row.r_external_id)),  # type: ignore[arg-type]
                                             supporters.get(i, [])))
        return views

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
            words = self._prepared_words(text)
            scored = [(similarity_of(words, self._prepared_words(c.text)), c) for c in rows]
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
        # the day's number with the grid's least-loaded worker (one upsert RETURNING him, ordered on the open-case
        # index), the case (inserted already assigned), its word-index pairs (one executemany), its label when people
        # confirmed its category, its events (one INSERT), its pushes and receipt (one INSERT); the view is built from
        # what is known, not read back. Every one is a Core statement compiled once and run by `Database.rows` (on
        # SQLite's writer straight on sqlite3), with a worker or without: the ORM's unit of work, and SQLAlchemy's
        # per-execution work, cost more than the statements.
        async with self.db.transaction(savepoint=False) as s:
            resident = await self._resident_row(s, draft.resident_external_id, chat_id=draft.chat_id,
                                                name=draft.resident_name, script=draft.script, channel=draft.channel)
            day = at.astimezone(self.tz).strftime("%Y%m%d")
            ((seq, picked),) = await self.db.rows(number_and_worker(self.db.dialect),
                                                  {"day": day, "grid_id": route.grid_id})
            worker = PickedWorker(*picked) if picked else None
            values = dict(
                number=f"{day}-{int(seq):04d}", intent=draft.intent, subtype=draft.subtype, text=text[:MAX_TEXT],
                address=clean_text(draft.address)[:300] or None, latitude=draft.latitude, longitude=draft.longitude,
                photos=[clean_text(p)[:200] for p in draft.photos if clean_text(p)][:10], resident_id=resident.id,
                street_id=route.street_id,
                community_id=route.community_id, grid_id=route.grid_id, level=route.level, state="filed",
                route_note=route.note[:200] or None, urgent=draft.urgent, deadline_hours=hours,
                deadline_at=at + timedelta(hours=hours), created_at=at, updated_at=at,
                answers={k[:40]: clean_text(v)[:200] for k, v in list(draft.answers.items())[:5] if clean_text(v)} or None,
                picked=draft.confirmed_by == RESIDENT_PICK and draft.intent != "other",  # the label below, summarised
            )
            case = FiledCase(**{**_CASE_DEFAULTS, **values})
            if worker is not None:  # 派单 at once: the case is inserted as the worker's
                return await self._file_assigned(s, case, worker, draft, route, at, resident, receipt)
            return await self._file_unassigned(s, case, draft, route, at, resident, receipt)

    async def _insert_case(self, s: AsyncSession, case: FiledCase, draft: ReportDraft, at: datetime) -> None:
        """The case's row (its id set on `case`), its word-index pairs and search form (no mapper event fires for a
        Core insert) and, when people confirmed its category, its label."""
        dialect = self.db.dialect
        case.search_text = search_text(case.text, case.address)  # the word search's form, as the mapper event keeps it
        ((case_id,),) = await self.db.rows(prepared_insert(dialect, Case.__table__, _CASE_COLUMNS, returning=("id",)),
                                           {c: getattr(case, c) for c in _CASE_COLUMNS})
        case.id = int(case_id)
        words = pair_rows(case.id, case.text, case.address)
        if words:  # never empty for a text that is not (an empty list would be one INSERT without values)
            await self.db.rows(prepared_insert(dialect, CaseWord.__table__, _WORD_COLUMNS), words)
        if draft.confirmed_by and draft.intent != "other":
            await self.db.rows(prepared_insert(dialect, CaseLabel.__table__, _LABEL_COLUMNS, absent=_LABEL_KEYS),
                               label_values(case, draft.confirmed_by, at))

    async def _insert_events(self, events: list[dict[str, Any]]) -> dict[str, int]:
        """Filing's events (one or two) in one INSERT; their ids by action."""
        stmt = prepared_insert(self.db.dialect, CaseEvent.__table__, _EVENT_COLUMNS, rows=len(events),
                               returning=("id", "action"))
        values = events[0] if len(events) == 1 else numbered_rows(events)
        return {str(action): int(ev_id) for ev_id, action in await self.db.rows(stmt, values)}

    async def _insert_outbox(self, s: AsyncSession, rows: list[dict[str, Any] | None]) -> dict[str | None, int]:
        """Filing's pushes and receipt in one INSERT (`outbox_values` rows; None: a channel that cannot push); their ids
        by dedupe key. The outbox loop is woken when the transaction commits, as after `enqueue`."""
        kept = [r for r in rows if r is not None]
        if not kept:
            return {}
        stmt = prepared_insert(self.db.dialect, OutboxMessage.__table__, _OUTBOX_COLUMNS, rows=len(kept),
                               returning=("id", "dedupe_key"))
        inserted = await self.db.rows(stmt, kept[0] if len(kept) == 1 else numbered_rows(kept))
        s.info[OUTBOX_HINT] = True
        return {key: int(row_id) for row_id, key in inserted}

    async def _file_assigned(self, s: AsyncSession, case: FiledCase, worker: PickedWorker, draft: ReportDraft,
                             route: Route, at: datetime, resident: ResidentFacts,
                             receipt: Callable[[CaseView], Reply] | None) -> CaseView:
        """The rest of `file_case` when the grid has a worker: the case inserted as his, in Core statements."""
        level = self._take(case, worker, at) or case.level  # type: ignore[arg-type]  # a Case's columns, as attributes
        case.state, case.level = lifecycle.target("assign", None, current="filed"), level
        await self._insert_case(s, case, draft, at)
        ids = await self._insert_events([
            event_values(case.id, "file", "resident", draft.resident_external_id, None, "filed", None, route.level,
                         route.note or None, at),
            event_values(case.id, "assign", "system", None, "filed", case.state, route.level, case.level, worker.name,
                         at)])
        push = notify.worker_push(worker.external_id, case, self._label(case), kind="new",  # type: ignore[arg-type]
                                  deadline=self._local(case.deadline_at), phone=_phone(resident))
        rows = [outbox_values(push, dedupe_key(f"ev{ids['assign']}:w{worker.external_id}", worker.channel), case.id,
                              channel=worker.channel, held=worker.unreachable_at is not None)]
        view = self._filed_view(case, worker, resident, notices.ROUTED_WORKER.format(name=worker.name))
        return await self._with_receipt(s, view, rows, draft, at, receipt)

    async def _file_unassigned(self, s: AsyncSession, case: FiledCase, draft: ReportDraft, route: Route, at: datetime,
                               resident: ResidentFacts, receipt: Callable[[CaseView], Reply] | None) -> CaseView:
        """The rest of `file_case` when the grid has no reachable worker (or there is no grid), in Core statements:
        the case goes to the level's least-loaded dispatcher (who may pass it on: his push lists the grid workers),
        else to the queue, whose dispatchers, admins or on-call are told; the filer reads who was (or that nobody
        could be)."""
        if case.grid_id:  # no reachable worker in the grid: its community's queue
            case.level = "community"
            case.route_note = ((case.route_note or "") + notices.NOTE_NO_GRID_WORKER)[:200]
        dispatcher = await self._dispatcher_row(case)
        if dispatcher is not None and case.level != "grid":
            self._take(case, dispatcher, at, keep_level=True)  # type: ignore[arg-type]
            case.state = lifecycle.target("assign", None, current="filed")
        await self._insert_case(s, case, draft, at)
        events = [event_values(case.id, "file", "resident", draft.resident_external_id, None, "filed", None,
                               case.level, route.note or None, at)]
        if case.assignee_id is not None:
            assert dispatcher is not None
            events.append(event_values(case.id, "assign", "system", None, "filed", case.state, case.level, case.level,
                                       dispatcher.name, at))
        ids = await self._insert_events(events)
        choices = await self._grid_worker_choices(s, case.community_id)
        rows: list[dict[str, Any] | None] = []
        if case.assignee_id is not None:
            assert dispatcher is not None
            push = notify.worker_push(dispatcher.external_id, case, self._label(case), kind="new",  # type: ignore[arg-type]
                                      deadline=self._local(case.deadline_at), assign_choices=choices,
                                      phone=_phone(resident))
            rows.append(outbox_values(push, dedupe_key(f"ev{ids['assign']}:w{dispatcher.external_id}",
                                                       dispatcher.channel), case.id, channel=dispatcher.channel))
            told = notices.ROUTED_DISPATCHER.format(level=notify.level_word(case.level), name=dispatcher.name)
        else:
            # The queue's dispatchers are the ones `_dispatcher_row` looked for when the level and area are the same
            # (none of them reachable): not asked again.
            targets, found = await self._queue_targets(s, case, dispatchers=() if _asked(case) else None)  # type: ignore[arg-type]
            if not targets:
                log.warning("case %s (%s) reached nobody: no dispatcher, admin or ONCALL_CHAT_ID covers it",
                            case.number, case.grid_id or case.community_id or "no grid")
            why = case.route_note or notices.NOTE_NO_GRID
            for channel, chat in dict.fromkeys(targets):
                rows.append(outbox_values(notify.dispatcher_push(chat, case, self._label(case), why, choices),  # type: ignore[arg-type]
                                          dedupe_key(f"ev{ids['file']}:d{chat}", channel), case.id, channel=channel))
            told = told_words(found, case.level)
        view = self._filed_view(case, dispatcher if case.assignee_id is not None else None, resident, told)
        return await self._with_receipt(s, view, rows, draft, at, receipt)

    def _filed_view(self, case: FiledCase, holder: Any, resident: ResidentFacts, told: str) -> CaseView:
        return replace(self._make_view(case, holder, (resident.channel, resident.external_id), []),  # type: ignore[arg-type]
                       told=told)

    async def _with_receipt(self, s: AsyncSession, view: CaseView, rows: list[dict[str, Any] | None],
                            draft: ReportDraft, at: datetime, receipt: Callable[[CaseView], Reply] | None) -> CaseView:
        """The filing's pushes and the filer's receipt (due after `receipt_grace`) in one INSERT; the view with the
        receipt's id."""
        key = f"receipt:{view.id}"
        if receipt is not None:
            rows.append(outbox_values(receipt(view), key, view.id, now=at + self.receipt_grace, channel=draft.channel))
        inserted = await self._insert_outbox(s, rows)
        return replace(view, receipt_id=inserted[key]) if key in inserted else view

    async def _dispatcher_row(self, case: FiledCase) -> Any:
        """`_dispatcher` for a case being filed: the level's least-loaded reachable dispatcher, a plain row (None: the
        level has no area, or nobody)."""
        community = case.community_id if case.level == "community" else None
        street = case.street_id if case.level == "street" else None
        if community is None and street is None:
            return None
        found = await self.db.rows(dispatcher_pick(), {"community_id": community, "street_id": street})
        return PickedWorker(*found[0]) if found else None


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
