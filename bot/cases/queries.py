"""Read-only questions about cases: one case, a resident's, a worker's tasks, the history, the figures."""

from __future__ import annotations

import csv
import re
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import or_, select

from bot.cases.core import CaseCore, utc
from bot.cases.views import CaseView, EventView, aware
from bot.errors import NotFound
from storage.models import OPEN_STATES, Case, CaseEvent, CaseLabel, CaseSupporter, Resident, Worker

#: Mainland mobiles (138 1234 5678, +86-13812345678) and landlines with an area code (0571-87654321).
_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)|(?<!\d)0\d{2,3}[- ]?\d{7,8}(?!\d)")
#: The columns of `export_rows` (and of `griddesk cases export` and the console's CSV), in order.
EXPORT_FIELDS = ("number", "category", "category_name", "state", "level", "urgent", "grid", "community", "assignee",
                 "address", "created_at", "deadline_at", "accepted_at", "resolved_at", "on_time", "supporters",
                 "reopened", "text")


class QueryRoom(CaseCore):
    """Read-only questions about cases: one case, a resident's, a worker's tasks, the history, the figures"""

    async def get_case(self, case_id: int) -> CaseView:
        async with self.db.session() as s:
            case = await s.get(Case, case_id)
            if case is None:
                raise NotFound(f"找不到案件 #{case_id}。")
            return await self._view(s, case)

    async def find_case(self, number: str) -> CaseView | None:
        """By its number `YYYYMMDD-NNNN` (spaces and full-width dashes tolerated)."""
        cleaned = (number or "").strip().replace("－", "-").replace("—", "-").replace(" ", "")[:20]
        async with self.db.session() as s:
            case = (await s.execute(select(Case).where(Case.number == cleaned))).scalar_one_or_none()
            return None if case is None else await self._view(s, case)

    async def cases_of_resident(self, telegram_id: int, *, limit: int = 10) -> list[CaseView]:
        """`/my`: the resident's own and supported cases, newest first."""
        async with self.db.session() as s:
            resident = (await s.execute(select(Resident).where(Resident.telegram_id == telegram_id))).scalar_one_or_none()
            if resident is None:
                return []
            supported = select(CaseSupporter.case_id).where(CaseSupporter.resident_id == resident.id)
            rows = (
                await s.execute(select(Case).where(or_(Case.resident_id == resident.id, Case.id.in_(supported)))
                                .order_by(Case.created_at.desc(), Case.id.desc()).limit(limit))
            ).scalars().all()
            return [await self._view(s, c) for c in rows]

    async def tasks_of_worker(self, telegram_id: int, *, limit: int = 50) -> list[CaseView]:
        """`/tasks`: open cases assigned to this worker, plus (for dispatchers) their level's unassigned queue."""
        async with self.db.session() as s:
            workers = (await s.execute(select(Worker).where(Worker.telegram_id == telegram_id, Worker.active))).scalars().all()
            if not workers:
                return []
            conds = [Case.assignee_id.in_([w.id for w in workers])]
            for w in workers:
                if w.role == "community":
                    conds.append((Case.community_id == w.community_id) & (Case.level == "community") & Case.assignee_id.is_(None))
                elif w.role == "street":
                    conds.append((Case.street_id == w.street_id) & (Case.level == "street") & Case.assignee_id.is_(None))
            rows = (
                await s.execute(select(Case).where(Case.state.in_(OPEN_STATES), or_(*conds))
                                .order_by(Case.urgent.desc(), Case.deadline_at).limit(limit))
            ).scalars().all()
            return [await self._view(s, c) for c in rows]

    async def unassigned_queue(self, *, limit: int = 20) -> list[CaseView]:
        """Open cases nobody holds, anywhere (the admins' /tasks): urgent first, then by deadline."""
        async with self.db.session() as s:
            rows = (await s.execute(select(Case).where(Case.state.in_(OPEN_STATES), Case.assignee_id.is_(None))
                                    .order_by(Case.urgent.desc(), Case.deadline_at).limit(limit))).scalars().all()
            return [await self._view(s, c) for c in rows]

    async def events(self, case_id: int) -> list[EventView]:
        """The case's history, oldest first."""
        async with self.db.session() as s:
            rows = (await s.execute(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id))).scalars()
            return [EventView(aware(e.at), e.action, e.actor_kind, e.actor_id, e.from_state, e.to_state,  # type: ignore[arg-type]
                              e.from_level, e.to_level, e.note) for e in rows]

    async def confirmed_examples(self, *, limit: int = 200_000) -> list[tuple[str, str, str, str]]:
        """(text, category, source, case number) for every category people confirmed, newest first: the
        desk's own labelled examples (`griddesk intents fit --from-cases`). A case confirmed twice (picked,
        then resolved) counts once, under the latest label."""
        query = (select(Case.text, CaseLabel.intent, CaseLabel.source, Case.number)
                 .join(Case, Case.id == CaseLabel.case_id).order_by(CaseLabel.id.desc()).limit(limit))
        async with self.db.session() as s:
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
        """Cases filed in [since, until) as flat rows for a spreadsheet (no phone numbers: those never leave),
        with the keys of `EXPORT_FIELDS`; `where`: an extra WHERE clause on `Case` (a console user's scope)."""
        query = (select(Case, Worker.name).outerjoin(Worker, Worker.id == Case.assignee_id)
                 .order_by(Case.created_at, Case.id).limit(limit))
        if where is not None:
            query = query.where(where)
        if since is not None:
            query = query.where(Case.created_at >= utc(since))
        if until is not None:
            query = query.where(Case.created_at < utc(until))
        async with self.db.session() as s:
            rows = (await s.execute(query)).all()
        return [{
            "number": c.number, "category": c.intent, "category_name": self._label(c), "state": c.state,
            "level": c.level, "urgent": c.urgent, "grid": c.grid_id or "", "community": c.community_id or "",
            "assignee": assignee or "", "address": c.address or "", "created_at": _iso(c.created_at),
            "deadline_at": _iso(c.deadline_at), "accepted_at": _iso(c.accepted_at), "resolved_at": _iso(c.resolved_at),
            "on_time": "" if c.resolved_on_time is None else c.resolved_on_time, "supporters": c.supporter_count,
            "reopened": c.reopen_count, "text": hide_phones(c.text[:500]),
        } for c, assignee in rows]

    async def stats(self, *, since: datetime | None = None, until: datetime | None = None,
                    now: datetime | None = None, where: Any = None) -> Any:
        """工作量, 办结率, 按时办结率, 平均处置时长, 满意率 per grid, category and worker (`bot.cases.stats.Stats`),
        of the cases filed in [since, until); `where`: an extra WHERE clause on `Case` (a console user's scope)."""
        from bot.cases.stats import compute_stats

        async with self.db.session() as s:
            return await compute_stats(s, self.router, self.intents, since=utc(since) if since else None,
                                       until=utc(until) if until else None, now=utc(now), where=where)

    async def figures_and_trend(self, *, since: datetime, until: datetime, week_starts: list[datetime],
                                trend_until: datetime, now: datetime | None = None, where: Any = None) -> tuple[Any, list[Any]]:
        """The figures of [since, until) and their weekly trend (`bot.cases.stats.figures_and_trend`), in one pass."""
        from bot.cases.stats import figures_and_trend

        # Aware week starts are kept as given: a week is named by its local Monday (UtcDateTime binds them as UTC).
        async with self.db.session() as s:
            return await figures_and_trend(s, self.router, self.intents, since=utc(since), until=utc(until), now=utc(now),
                                           where=where, week_starts=[w if w.tzinfo else utc(w) for w in week_starts],
                                           trend_until=utc(trend_until))

    async def hotspots(self, *, since: datetime, until: datetime, now: datetime | None = None, where: Any = None,
                       limit: int = 10) -> Any:
        """Where the work piles up (`bot.cases.hotspots.Hotspots`): buildings, categories, repeat addresses,
        reopened and overdue cases, per grid, of the cases filed in [since, until)."""
        from bot.cases.hotspots import find_hotspots

        async with self.db.session() as s:
            return await find_hotspots(s, self.router, self.intents, since=utc(since), until=utc(until), now=utc(now),
                                       where=where, limit=limit)


def hide_phones(text: str) -> str:
    """The words with phone numbers a resident typed into them replaced (exports never carry phone numbers)."""
    return _PHONE.sub("[电话已隐去]", text)


def write_export_csv(rows: list[dict[str, Any]], out: TextIO) -> None:
    """`export_rows` as CSV with a header row (`griddesk cases export`, the console's 导出案件)."""
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def _iso(value: datetime | None) -> str:
    return aware(value).isoformat(timespec="seconds") if value is not None else ""  # type: ignore[union-attr]
