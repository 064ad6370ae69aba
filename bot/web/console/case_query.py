"""One case as the console shows it, read in a fixed handful of queries inside `Staff.cases()`: the case, its
resident, supporters, timeline with who acted, the workers it could go to (with their open load), 督办 count.

Contact details (the resident's name and phone; a phone is only stored with the resident's consent) are given
only to who handles the case: admins, dispatchers over it, and the grid worker it is assigned to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases.core import REACHABLE, open_loads
from bot.cases.oversight import supervised_times
from bot.cases.routing import Router
from bot.web.console.staff import Staff
from storage.models import Case, CaseEvent, CaseSupporter, Resident, Worker

ACTOR_NAMES = {"resident": "居民", "system": "系统", "admin": "管理员"}


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    action: str
    who: str
    from_state: str | None
    to_state: str | None
    to_level: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class Choice:
    """A grid worker the case can go to."""

    id: int
    name: str
    grid_id: str | None
    open_cases: int


@dataclass(frozen=True, slots=True)
class CaseDetail:
    case: Case
    assignee: str | None
    contact: tuple[str, str | None] | None  # (name, phone) when this staff member may see them
    supporters: list[tuple[datetime, str | None]]  # when each joined, with their own words
    timeline: list[TimelineEntry]
    choices: list[Choice]
    supervised: int
    place: list[str]  # what routing says of the place: the area and building, the nearest grid and its distance


async def case_detail(s: AsyncSession, staff: Staff, number: str, router: Router) -> CaseDetail | None:
    """None when there is no such case or it is not this person's to see (the page says the same for both)."""
    case = (await s.execute(select(Case).where(Case.number == number, staff.cases()))).scalar_one_or_none()
    if case is None:
        return None
    assignee = await s.get(Worker, case.assignee_id) if case.assignee_id else None
    handles = staff.can_act or (staff.worker_id is not None and staff.worker_id == case.assignee_id)
    contact = None
    if handles:
        resident = await s.get(Resident, case.resident_id)
        if resident is not None:
            contact = (resident.name, resident.phone if resident.phone_consent_at is not None else None)
    supporters = [(at, text) for at, text in (await s.execute(
        select(CaseSupporter.created_at, CaseSupporter.text).where(CaseSupporter.case_id == case.id)
        .order_by(CaseSupporter.id))).all()]
    events = (await s.execute(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))).scalars().all()
    people = {e.actor_id for e in events if e.actor_kind == "worker" and e.actor_id is not None}
    names = {tid: name for tid, name in (await s.execute(
        select(Worker.external_id, Worker.name).where(Worker.external_id.in_(people)))).all()} if people else {}
    timeline = [TimelineEntry(e.at, e.action, names.get(e.actor_id or 0, "工作人员") if e.actor_kind == "worker"
                              else ACTOR_NAMES.get(e.actor_kind, e.actor_kind), e.from_state, e.to_state,
                              e.to_level if e.to_level != e.from_level else None, e.note) for e in events]
    choices: list[Choice] = []
    if staff.can_act and case.community_id:
        workers = (await s.execute(select(Worker).where(Worker.community_id == case.community_id, Worker.role == "grid",
                                                        staff.workers(), *REACHABLE).order_by(Worker.grid_id, Worker.id))
                   ).scalars().all()
        loads = await open_loads(s, [w.id for w in workers if w.id is not None])
        choices = [Choice(w.id or 0, w.name, w.grid_id, loads.get(w.id or 0, 0)) for w in workers]
    return CaseDetail(case, assignee.name if assignee else None, contact, supporters, timeline, choices,
                      await supervised_times(s, case.id or 0), _place(case, router))


def _place(case: Case, router: Router) -> list[str]:
    lines = []
    if case.address:
        route = router.route_address(case.address)
        if route.matched and not route.ambiguous:
            lines.append(f"地址对应：{route.matched}（{router.grid_name(route.grid_id) or route.grid_id}）")
    if case.latitude is not None and case.longitude is not None:
        route = router.route_location(case.latitude, case.longitude)
        if route.grid_id:
            areas = "、".join(router.grid_view(route.grid_id).areas) or "—"
            lines.append(f"位置：{route.note}；该网格包括 {areas}")
        elif route.note:
            lines.append(f"位置：{route.note}")
    return lines
