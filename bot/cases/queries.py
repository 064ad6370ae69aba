"""Read-only questions about cases: one case, a resident's, a worker's tasks, the history, the figures."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import ColumnElement, Select, or_, select, union
from sqlalchemy import case as sql_case

from bot import channels
from bot.cases.core import CaseCore, utc
from bot.cases.privacy import mask
from bot.cases.views import CaseView, EventView, aware
from bot.errors import NotFound
from bot.wording import refusals
from storage.models import OPEN_STATES, Case, CaseEvent, CaseLabel, CaseSupporter, Resident, Worker

#: Mainland mobiles (138 1234 5678, +86-13812345678) and landlines with an area code (0571-87654321).
#: The columns of `export_rows` (and of `griddesk cases export` and the console's CSV), in order.
EXPORT_FIELDS = ("number", "category", "category_name", "state", "level", "urgent", "grid", "community", "assignee",
                 "address", "created_at", "deadline_at", "accepted_at", "resolved_at", "on_time", "supporters",
                 "reopened", "text")


def clean_number(number: str | None) -> str:
    """A case number as typed: spaces and full-width dashes tolerated (`20261201－0001` → `20261201-0001`)."""
    return (number or "").strip().replace("－", "-").replace("—", "-").replace(" ", "")[:20]


class QueryRoom(CaseCore):
    """Read-only questions about cases: one case, a resident's, a worker's tasks, the history, the figures"""

    async def get_case(self, case_id: int) -> CaseView:
        async with self.db.reader() as s:
            case = await s.get(Case, case_id)
            if case is None:
                raise NotFound(refusals.NO_CASE_ID.format(case_id=case_id))
            return await self._view(s, case)

    async def find_case(self, number: str) -> CaseView | None:
        """By its number `YYYYMMDD-NNNN` (spaces and full-width dashes tolerated)."""
        async with self.db.reader() as s:
            case = (await s.execute(select(Case).where(Case.number == clean_number(number)))).scalar_one_or_none()
            return None if case is None else await self._view(s, case)

    async def case_id_of(self, number: str, *, where: ColumnElement[bool] | None = None) -> int | None:
        """The id of case `number` among the cases `where` allows (e.g. a console user's scope), else None."""
        found = await self._first_of(select(Case.id), number, where)
        return None if found is None else int(found[0])

    async def photo_ids_of(self, number: str, *, where: ColumnElement[bool] | None = None) -> list[str]:
        """The channel's file ids of case `number`'s photos, when `where` allows the case (else none)."""
        found = await self._first_of(select(Case.photos), number, where)
        return [str(p) for p in found[0] or ()] if found is not None else []

    async def _first_of(self, query: Select[Any], number: str, where: ColumnElement[bool] | None) -> Any:
        query = query.where(Case.number == clean_number(number))
        async with self.db.reader() as s:
            return (await s.execute(query if where is None else query.where(where))).first()

    async def cases_of_resident(self, external_id: int, *, limit: int = 10, channel: str = channels.TELEGRAM) -> list[CaseView]:
        """`/my`: the resident's own and supported cases, newest first."""
        async with self.db.reader() as s:
            resident = (await s.execute(select(Resident).where(Resident.channel == channel,
                                                               Resident.external_id == external_id))).scalar_one_or_none()
            if resident is None:
                return []
            rows = (await s.execute(my_cases_query(resident.id or 0, limit))).scalars().all()
            return await self._views(s, rows)

    async def tasks_of_worker(self, external_id: int, *, limit: int = 50, channel: str = channels.TELEGRAM) -> list[CaseView]:
        """`/tasks`: open cases assigned to this worker, plus (for dispatchers) their level's unassigned queue and
        the cases their grid workers hold (which they may 改派). Own and queued cases first, then the rest;
        urgent first, then by deadline."""
        async with self.db.reader() as s:
            workers = (await s.execute(select(Worker).where(Worker.channel == channel, Worker.external_id == external_id,
                                                            Worker.active))).scalars().all()
            if not workers:
                return []
            own = Case.assignee_id.in_([w.id for w in workers])
            conds = [own]
            held = select(Worker.id).where(Worker.role == "grid")
            for w in workers:
                if w.role == "community":
                    conds.append((Case.community_id == w.community_id) & (Case.level == "community") & Case.assignee_id.is_(None))
                    conds.append((Case.community_id == w.community_id) & Case.assignee_id.in_(held))
                elif w.role == "street":
                    conds.append((Case.street_id == w.street_id) & (Case.level == "street") & Case.assignee_id.is_(None))
                    conds.append((Case.street_id == w.street_id) & Case.assignee_id.in_(held))
            first = sql_case((own | Case.assignee_id.is_(None), 0), else_=1)
            rows = (
                await s.execute(select(Case).where(Case.state.in_(OPEN_STATES), or_(*conds))
                                .order_by(first, Case.urgent.desc(), Case.deadline_at).limit(limit))
            ).scalars().all()
            return await self._views(s, rows)

    async def unassigned_queue(self, *, limit: int = 20) -> list[CaseView]:
        """Open cases nobody holds, anywhere (the admins' /tasks): urgent first, then by deadline."""
        async with self.db.reader() as s:
            rows = (await s.execute(select(Case).where(Case.state.in_(OPEN_STATES), Case.assignee_id.is_(None))
                                    .order_by(Case.urgent.desc(), Case.deadline_at).limit(limit))).scalars().all()
            return await self._views(s, rows)

    async def search_cases(self, *, numbers: Sequence[str] = (), intents: Sequence[str] = (),
                           states: Sequence[str] = (), since: datetime | None = None, until: datetime | None = None,
                           resident_external_id: int | None = None, channel: str = channels.TELEGRAM,
                           limit: int = 1000) -> list[CaseView]:
        """Cases filed in [since, until) matching every filter given (an empty one matches all), newest first:
        the Open311 `GET requests`. `resident_external_id` (on `channel`) keeps only that resident's own cases."""
        query = select(Case).order_by(Case.created_at.desc(), Case.id.desc()).limit(limit)
        if numbers:
            query = query.where(Case.number.in_(list(numbers)))
        if intents:
            query = query.where(Case.intent.in_(list(intents)))
        if states:
            query = query.where(Case.state.in_(list(states)))
        if since is not None:
            query = query.where(Case.created_at >= utc(since))
        if until is not None:
            query = query.where(Case.created_at < utc(until))
        if resident_external_id is not None:
            query = query.join(Resident, Resident.id == Case.resident_id).where(Resident.channel == channel,
                                                                                Resident.external_id == resident_external_id)
        async with self.db.session() as s:
            return await self._views(s, (await s.execute(query)).scalars().all())

    async def events(self, case_id: int) -> list[EventView]:
        """The case's history, oldest first."""
        async with self.db.reader() as s:
            rows = (await s.execute(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id))).scalars()
            return [EventView(aware(e.at), e.action, e.actor_kind, e.actor_id, e.from_state, e.to_state,  # type: ignore[arg-type]
                              e.from_level, e.to_level, e.note) for e in rows]

    async def confirmed_examples(self, *, limit: int = 200_000) -> list[tuple[str, str, str, str]]:
        """(text, category, source, case number) for every category people confirmed, newest first: the
        desk's own labelled examples (`griddesk intents fit --from-cases`). A case confirmed twice (picked,
        then resolved) counts once, under the latest label."""
        query = (select(Case.text, CaseLabel.intent, CaseLabel.source, Case.number)
                 .join(Case, Case.id == CaseLabel.case_id).order_by(CaseLabel.id.desc()).limit(limit))
        async with self.db.reader() as s:
            rows = (await s.execute(query)).all()
        seen: set[str] = set()
        out = []
        for text, intent, source, number in rows:
            if number not in seen:
                seen.add(number)
                out.append((text, intent, source, number))
        return out

    async def export_rows(self, *, since: datetime | None = None, until: datetime | None = None,
                          limit: int = 1_000_000, where: Any = None) -> list[dict[str, Any]]:
        """Cases filed in [since, until) as flat rows for a spreadsheet, with the keys of `EXPORT_FIELDS`: the
        residents' words and addresses masked (`privacy.mask`: phones, ID numbers, plates, flats), the residents'
        own phone numbers never included; `where`: an extra WHERE clause on `Case` (a console user's scope)."""
        query = (select(Case, Worker.name).outerjoin(Worker, Worker.id == Case.assignee_id)
                 .order_by(Case.created_at, Case.id).limit(limit))
        if where is not None:
            query = query.where(where)
        if since is not None:
            query = query.where(Case.created_at >= utc(since))
        if until is not None:
            query = query.where(Case.created_at < utc(until))
        async with self.db.reader() as s:
            rows = (await s.execute(query)).all()
        return [{
            "number": c.number, "category": c.intent, "category_name": self._label(c), "state": c.state,
            "level": c.level, "urgent": c.urgent, "grid": c.grid_id or "", "community": c.community_id or "",
            "assignee": assignee or "", "address": mask(c.address), "created_at": _iso(c.created_at),
            "deadline_at": _iso(c.deadline_at), "accepted_at": _iso(c.accepted_at), "resolved_at": _iso(c.resolved_at),
            "on_time": "" if c.resolved_on_time is None else c.resolved_on_time, "supporters": c.supporter_count,
            "reopened": c.reopen_count, "text": mask(c.text[:500]),
        } for c, assignee in rows]

    async def stats(self, *, since: datetime | None = None, until: datetime | None = None,
                    now: datetime | None = None, where: Any = None) -> Any:
        """工作量, 办结率, 按时办结率, 平均处置时长, 满意率 per grid, category and worker (`bot.cases.stats.Stats`),
        of the cases filed in [since, until); `where`: an extra WHERE clause on `Case` (a console user's scope)."""
        from bot.cases.stats import compute_stats

        async with self.db.reader() as s:
            return await compute_stats(s, self.router, self.intents, since=utc(since) if since else None,
                                       until=utc(until) if until else None, now=utc(now), where=where)

    async def figures_and_trend(self, *, since: datetime, until: datetime, week_starts: list[datetime],
                                trend_until: datetime, now: datetime | None = None, where: Any = None) -> tuple[Any, list[Any]]:
        """The figures of [since, until) and their weekly trend (`bot.cases.stats.figures_and_trend`), in one pass."""
        from bot.cases.stats import figures_and_trend

        # Aware week starts are kept as given: a week is named by its local Monday (UtcDateTime binds them as UTC).
        # A reader: on SQLite it never takes the write lock, so no chat's filing waits for the figures.
        async with self.db.reader() as s:
            return await figures_and_trend(s, self.router, self.intents, since=utc(since), until=utc(until), now=utc(now),
                                           where=where, week_starts=[w if w.tzinfo else utc(w) for w in week_starts],
                                           trend_until=utc(trend_until))

    async def hotspots(self, *, since: datetime, until: datetime, now: datetime | None = None, where: Any = None,
                       limit: int = 10) -> Any:
        """Where the work piles up (`bot.cases.hotspots.Hotspots`): buildings, categories, repeat addresses,
        reopened and overdue cases, per grid, of the cases filed in [since, until)."""
        from bot.cases.hotspots import find_hotspots

        async with self.db.reader() as s:
            return await find_hotspots(s, self.router, self.intents, since=utc(since), until=utc(until), now=utc(now),
                                       where=where, limit=limit)


def write_export_csv(rows: list[dict[str, Any]], out: TextIO) -> None:
    """`export_rows` as CSV with a header row (`griddesk cases export`, the console's 导出案件)."""
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def my_cases_query(resident_id: int, limit: int) -> Select[tuple[Case]]:
    """A resident's own and supported cases, newest first: two index lookups (case.resident_id,
    case_supporter.resident_id) joined by UNION. An OR of the two made PostgreSQL read the whole table."""
    own = select(Case.id).where(Case.resident_id == resident_id)
    supported = select(CaseSupporter.case_id).where(CaseSupporter.resident_id == resident_id)
    return (select(Case).where(Case.id.in_(union(own, supported).scalar_subquery()))
            .order_by(Case.created_at.desc(), Case.id.desc()).limit(limit))


def _iso(value: datetime | None) -> str:
    return aware(value).isoformat(timespec="seconds") if value is not None else ""  # type: ignore[union-attr]
