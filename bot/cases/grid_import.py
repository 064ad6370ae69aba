"""`griddesk grids import FILE`: a grid file (the seed format) compared with the database, shown as a diff, and
applied in one transaction — never half, never over a file with problems.

What a removed grid or community does to work in hand is decided here, once:
- one with open cases or active workers is REFUSED (listed with the case numbers and workers, as `path:line`
  problems): hand the cases over first (改派, `griddesk worker move`), or keep the grid in the file;
- one whose cases are all closed is retired: its areas and geometry go (nothing routes there any more), the
  row stays so the closed cases and the figures keep its name;
- one nothing ever referred to is deleted.
A grid moved to another community takes its open cases and its workers along. Closed cases never change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases.core import CaseCore
from bot.errors import Problem, SeedFileError
from bot.wording.names import BUILDINGS
from storage.models import OPEN_STATES, Case, Community, Grid, GridArea, Street, Worker
from storage.seed import SeedData, SeedGrid

Areas = dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]]


@dataclass(slots=True)
class GridPlan:
    """What an import would change: lines of the diff, problems that refuse it, and the rows to retire or delete."""

    path: str
    street: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    retire_grids: list[str] = field(default_factory=list)
    delete_grids: list[str] = field(default_factory=list)
    retire_communities: list[str] = field(default_factory=list)
    delete_communities: list[str] = field(default_factory=list)
    moved_grids: dict[str, str] = field(default_factory=dict)  # grid id → its new community

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)

    def lines(self) -> list[str]:
        return [*self.added, *self.changed, *self.removed]

    def summary(self) -> str:
        return (f"{self.path} (street {self.street}): {len(self.added)} added, {len(self.changed)} changed, "
                f"{len(self.removed)} removed")


def _areas_of(rows: list[Any]) -> Areas:
    return {a.name: (tuple(a.aliases or ()), tuple(str(b) for b in a.buildings or ()),
                     tuple(sorted((k, tuple(v)) for k, v in (a.building_aliases or {}).items()))) for a in rows}


def _seed_areas(grid: SeedGrid) -> Areas:
    return {a.name: (tuple(a.aliases), tuple(a.buildings), tuple(sorted((k, tuple(v)) for k, v in a.building_aliases.items())))
            for a in grid.areas}


def _buildings(numbers: Any) -> str:
    return BUILDINGS.format(numbers="、".join(numbers))


def _area_diff(old: Areas, new: Areas) -> list[str]:
    out = []
    for name in new.keys() - old.keys():
        out.append(f"+ {name}" + (" " + _buildings(new[name][1]) if new[name][1] else ""))
    for name in old.keys() - new.keys():
        out.append(f"− {name}" + (" " + _buildings(old[name][1]) if old[name][1] else ""))
    for name in sorted(old.keys() & new.keys()):
        (oa, ob, on), (na, nb, nn) = old[name], new[name]
        added = [b for b in nb if b not in ob]
        gone = [b for b in ob if b not in nb]
        if added:
            out.append(f"+ {name} {_buildings(added)}")
        if gone:
            out.append(f"− {name} {_buildings(gone)}")
        if oa != na or on != nn:
            out.append(f"~ {name} aliases")
    return sorted(out, key=lambda x: (x[2:], x[0]))


class GridRoom(CaseCore):
    """Grids after day one: an admin's grid file compared, checked against the work in hand, and applied"""

    async def plan_grid_import(self, data: SeedData, path: str, lines: dict[str, int] | None = None) -> GridPlan:
        """The diff of `data` against the database, and the problems that refuse it (nothing is changed)."""
        async with self.db.session() as s:
            return await _plan(s, data, path, lines or {})

    async def import_grids(self, data: SeedData, path: str, lines: dict[str, int] | None = None) -> GridPlan:
        """Apply `data` in one transaction (re-planned inside it); `SeedFileError` with every problem, changing
        nothing, when the plan is refused. The router is rebuilt afterwards."""
        async with self.db.transaction() as s:
            plan = await _plan(s, data, path, lines or {})
            if plan.problems:
                raise SeedFileError(plan.problems)
            await _apply(s, data, plan)
        await self.reload_grids()
        return plan


async def _counts(s: AsyncSession, column: Any, ids: list[str]) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Per id: the open cases' numbers and how many cases there are in all."""
    if not ids:
        return {}, {}
    open_rows = (await s.execute(select(column, Case.number).where(column.in_(ids), Case.state.in_(OPEN_STATES))
                                 .order_by(Case.id))).all()
    opened: dict[str, list[str]] = {}
    for key, number in open_rows:
        opened.setdefault(key, []).append(number)
    total = {k: int(n) for k, n in (await s.execute(select(column, func.count()).where(column.in_(ids)).group_by(column)))}
    return opened, total


async def _plan(s: AsyncSession, data: SeedData, path: str, lines: dict[str, int]) -> GridPlan:
    plan = GridPlan(path, f"{data.street_id} {data.street_name}")
    line = lines.get
    street = await s.get(Street, data.street_id)
    if street is None:
        plan.added.append(f"+ street {data.street_id} {data.street_name}")
    elif street.name != data.street_name:
        plan.changed.append(f"~ street {data.street_id}: name {street.name!r} → {data.street_name!r}")
    communities = {c.id: c for c in (await s.execute(select(Community))).scalars()}
    grids = {g.id: g for g in (await s.execute(select(Grid))).scalars()}
    areas: dict[str, list[Any]] = {}
    for a in (await s.execute(select(GridArea).order_by(GridArea.id))).scalars():
        areas.setdefault(a.grid_id, []).append(a)
    in_file_grids: set[str] = set()
    for c in data.communities:
        old = communities.get(c.id)
        if old is None:
            plan.added.append(f"+ community {c.id} {c.name}")
        elif old.name != c.name or old.street_id != data.street_id:
            plan.changed.append(f"~ community {c.id}: {old.name} → {c.name}" if old.name != c.name
                                else f"~ community {c.id}: street {old.street_id} → {data.street_id}")
        for g in c.grids:
            in_file_grids.add(g.id)
            was = grids.get(g.id)
            if was is None:
                plan.added.append(f"+ grid {g.id} {g.name} ({c.name}): " + "；".join(
                    f"{a.name}" + (" " + _buildings(a.buildings) if a.buildings else "") for a in g.areas))
                continue
            what = _area_diff(_areas_of(areas.get(g.id, [])), _seed_areas(g))
            if was.name != g.name:
                what.insert(0, f"name {was.name!r} → {g.name!r}")
            if was.community_id != c.id:
                plan.moved_grids[g.id] = c.id
                what.insert(0, f"community {was.community_id} → {c.id} (its open cases and workers move along)")
            centre = (was.center_lat, was.center_lon) if was.center_lat is not None else None
            if centre != g.centre or (was.polygon or None) != g.polygon:
                what.append("centre/polygon")
            if what:
                plan.changed.append(f"~ grid {g.id} {g.name}: " + "; ".join(what))
    street_communities = {cid for cid, c in communities.items() if c.street_id == data.street_id}
    gone_grids = sorted(gid for gid, g in grids.items() if gid not in in_file_grids and g.community_id in street_communities
                        and (areas.get(gid) or g.center_lat is not None or g.polygon))  # retired ones are gone already
    opened, total = await _counts(s, Case.grid_id, gone_grids)
    workers = (await s.execute(select(Worker.grid_id, Worker.id, Worker.name).where(
        Worker.grid_id.in_(gone_grids), Worker.active))).all() if gone_grids else []
    where = line("communities", 1)
    for gid in gone_grids:
        staff = [f"{name} (worker {wid})" for g, wid, name in workers if g == gid]
        if opened.get(gid) or staff:
            held = (f"{len(opened[gid])} open case(s) {', '.join(opened[gid][:10])}" if opened.get(gid) else "") + (
                ("; " if opened.get(gid) else "") + f"active workers {', '.join(staff)}" if staff else "")
            plan.problems.append(Problem(path, where, f"grid {gid} ({grids[gid].name}) is not in the file but has {held}: "
                                                      "hand them over first (改派 / griddesk worker move) or keep the grid"))
        elif total.get(gid):
            plan.retire_grids.append(gid)
            plan.removed.append(f"− grid {gid} {grids[gid].name}: retired ({total[gid]} closed case(s) keep its name; "
                                "nothing is routed there any more)")
        else:
            plan.delete_grids.append(gid)
            plan.removed.append(f"− grid {gid} {grids[gid].name}: deleted (no cases)")
    file_communities = {c.id for c in data.communities}
    gone_communities = sorted(street_communities - file_communities)
    c_open, c_total = await _counts(s, Case.community_id, gone_communities)
    dispatchers = (await s.execute(select(Worker.community_id, Worker.name).where(
        Worker.community_id.in_(gone_communities), Worker.active))).all() if gone_communities else []
    for cid in gone_communities:
        staff = [name for c, name in dispatchers if c == cid]
        kept = [gid for gid, g in grids.items() if g.community_id == cid and gid not in plan.delete_grids
                and gid not in plan.moved_grids]
        if c_open.get(cid) or staff:
            plan.problems.append(Problem(path, where, f"community {cid} ({communities[cid].name}) is not in the file but has "
                                                      f"{len(c_open.get(cid, []))} open case(s) and {len(staff)} active "
                                                      "worker(s): hand them over first or keep the community"))
        elif c_total.get(cid) or kept:
            plan.retire_communities.append(cid)
            plan.removed.append(f"− community {cid} {communities[cid].name}: retired (closed cases keep its name)")
        else:
            plan.delete_communities.append(cid)
            plan.removed.append(f"− community {cid} {communities[cid].name}: deleted")
    return plan


async def _apply(s: AsyncSession, data: SeedData, plan: GridPlan) -> None:
    street = await s.get(Street, data.street_id)
    if street is None:
        s.add(Street(id=data.street_id, name=data.street_name))
    else:
        street.name = data.street_name
        s.add(street)
    await s.flush()
    for c in data.communities:
        row = await s.get(Community, c.id) or Community(id=c.id, street_id=data.street_id, name=c.name)
        row.street_id, row.name = data.street_id, c.name
        row.center_lat, row.center_lon = (c.centre if c.centre else (None, None))
        s.add(row)
    await s.flush()
    for c in data.communities:
        for g in c.grids:
            row = await s.get(Grid, g.id) or Grid(id=g.id, community_id=c.id, name=g.name)
            row.community_id, row.name, row.polygon = c.id, g.name, g.polygon
            row.center_lat, row.center_lon = (g.centre if g.centre else (None, None))
            s.add(row)
            await s.execute(delete(GridArea).where(GridArea.grid_id == g.id))
            for a in g.areas:
                s.add(GridArea(grid_id=g.id, name=a.name, aliases=a.aliases, buildings=a.buildings,
                               building_aliases=a.building_aliases))
    await s.flush()
    for gid, cid in plan.moved_grids.items():  # open cases and workers follow their grid; closed cases keep history
        await s.execute(update(Case).where(Case.grid_id == gid, Case.state.in_(OPEN_STATES))
                        .values(community_id=cid, street_id=data.street_id))
        await s.execute(update(Worker).where(Worker.grid_id == gid).values(community_id=cid, street_id=data.street_id))
    for gid in plan.retire_grids + plan.delete_grids:
        await s.execute(delete(GridArea).where(GridArea.grid_id == gid))
    await s.execute(update(Grid).where(Grid.id.in_(plan.retire_grids or [""]))
                    .values(center_lat=None, center_lon=None, polygon=None))
    await s.execute(update(Worker).where(Worker.grid_id.in_(plan.delete_grids or [""])).values(grid_id=None))
    await s.execute(delete(Grid).where(Grid.id.in_(plan.delete_grids or [""])))
    await s.execute(update(Worker).where(Worker.community_id.in_(plan.delete_communities or [""])).values(community_id=None))
    await s.execute(delete(Community).where(Community.id.in_(plan.delete_communities or [""])))


def read_grid_file(path: Path) -> tuple[SeedData, dict[str, int]]:
    """The file, validated (`SeedFileError` with every problem), and the line of its top-level keys."""
    from storage.seed import load_seed_file_with_lines

    return load_seed_file_with_lines(path)
