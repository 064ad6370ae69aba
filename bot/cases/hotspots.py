"""主动治理: where the work piles up in a period — the buildings and categories with most cases, addresses
reported again and again, reopened and overdue cases, per grid.

One function, `find_hotspots`, returns plain dataclasses and no wording beyond names, so the console's page
and a weekly digest pushed in a chat read the same figures. Everything is counted by the database (GROUP BY);
Python only folds the grouped addresses into buildings (a resident writes "梨园3栋", "梨园 三栋" or
"梨园3号楼" for one building: `routing.canonical` makes them one).

Definitions:
- a case counts when it was filed in [since, until) and not withdrawn (撤销), like the figures;
- `open`: still waiting for someone; `overdue`: open and past its deadline now;
- `reopened`: cases reopened (重办) at least once; `reopens`: the number of times;
- a repeat address: one address (after `canonical`) with at least `REPEAT_MIN` cases;
- a building: the address up to its first building number ("梨园新村3栋2单元" → "梨园新村3栋"); an address
  without one is its own building.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases.routing import canonical
from bot.cases.stats import category_name
from bot.wording.names import BUILDING, NO_GRID
from storage.models import OPEN_STATES, Case

#: An address with this many cases in the period is a repeat address.
REPEAT_MIN = 2
#: The grouped addresses read to fold into buildings: the busiest ones (a period has few distinct addresses
#: with more than one case; the long tail of one-off addresses cannot be a hotspot).
ADDRESS_ROWS = 5000
_BUILDING = re.compile(r"^(.*?)(\d{1,3})\s*(?:号楼|栋|幢|座|#|号(?!院))")
_TRIPLE = re.compile(r"(?<!\d)(\d{1,3})\s*-\s*\d{1,2}\s*-\s*\d{2,4}(?!\d)")


@dataclass(slots=True)
class Spot:
    """One place, category or grid with its counts."""

    key: str
    name: str
    cases: int = 0
    open: int = 0
    overdue: int = 0
    reopened: int = 0
    reopens: int = 0
    grids: list[str] = field(default_factory=list)  # grid names involved (places); the top category (grids)


@dataclass(frozen=True, slots=True)
class CaseLine:
    """One case worth a look: reopened or overdue."""

    number: str
    category: str
    grid: str
    state: str
    address: str
    created_at: datetime
    deadline_at: datetime
    reopens: int


@dataclass(slots=True)
class Hotspots:
    since: datetime
    until: datetime
    total: int
    buildings: list[Spot]
    categories: list[Spot]
    repeat_addresses: list[Spot]
    reopened: list[CaseLine]
    overdue: list[CaseLine]
    by_grid: list[Spot]
    reopened_count: int = 0
    overdue_count: int = 0


def building_of(address: str) -> str:
    """The building an address names, as a canonical label ("梨园 三栋 2单元" → "梨园3栋")."""
    text = canonical(address)
    found = _BUILDING.search(text)
    if found:
        return BUILDING.format(area=found.group(1), number=int(found.group(2)))
    triple = _TRIPLE.search(text)
    if triple:
        rest = (text[: triple.start()] + text[triple.end():]).strip("-，,。 ")
        return BUILDING.format(area=rest, number=int(triple.group(1)))
    return text


async def find_hotspots(session: AsyncSession, router: Any, intents: Any, *, since: datetime, until: datetime,
                        now: datetime, where: Any = None, limit: int = 10) -> Hotspots:
    """The hotspots of the cases filed in [since, until) that `where` (a WHERE clause on `Case`) lets through."""
    conditions = [Case.state != "cancelled", Case.created_at >= since, Case.created_at < until]
    if where is not None:
        conditions.append(where)
    open_ = Case.state.in_(OPEN_STATES)
    overdue = open_ & (Case.deadline_at <= now)
    counts = (func.count(), func.sum(case((open_, 1), else_=0)), func.sum(case((overdue, 1), else_=0)),
              func.sum(case((Case.reopen_count > 0, 1), else_=0)), func.sum(Case.reopen_count))

    async def grouped(*keys: Any, order_limit: int | None = None) -> list[tuple[tuple[Any, ...], Spot]]:
        query = select(*keys, *counts).where(*conditions).group_by(*keys)
        if order_limit is not None:
            query = query.order_by(func.count().desc()).limit(order_limit)
        out = []
        for row in await session.execute(query):
            key, (n, n_open, n_over, n_reopened, n_reopens) = tuple(row[: len(keys)]), row[len(keys):]
            out.append((key, Spot("", "", int(n or 0), int(n_open or 0), int(n_over or 0), int(n_reopened or 0),
                                  int(n_reopens or 0))))
        return out

    def grid_name(grid_id: str | None) -> str:
        return (router.grid_name(grid_id) if grid_id else None) or (grid_id or NO_GRID)

    # One GROUP BY (grid, category) gives the total, the categories, the grids and each grid's top category.
    per_pair = await grouped(Case.grid_id, Case.intent)
    categories = _fold((intent, category_name(intents, intent), None, spot) for (_, intent), spot in per_pair)
    grids = _fold(((gid or "", grid_name(gid), None, spot) for (gid, _), spot in per_pair))
    top_category: dict[str, tuple[int, str]] = {}
    for (gid, intent), spot in per_pair:
        if spot.cases > top_category.get(gid or "", (0, ""))[0]:
            top_category[gid or ""] = (spot.cases, intent)
    for spot in grids:
        spot.grids = [category_name(intents, top_category[spot.key][1])] if spot.key in top_category else []
    total = sum(spot.cases for spot in grids)
    addresses = await grouped(Case.address, Case.grid_id, order_limit=ADDRESS_ROWS)
    # Folded in the router's spelling: a Traditional "梨園小區3棟" is the building a Simplified one names (QA).
    same = router.canonical
    repeat = _fold(((same(a), a, gid, spot) for (a, gid), spot in addresses if a and a.strip()), grid_name)
    buildings = _fold(((building_of(same(a)), building_of(same(a)), gid, spot) for (a, gid), spot in addresses
                       if a and a.strip()), grid_name)

    async def lines(condition: Any, order: tuple[Any, ...]) -> list[CaseLine]:
        query = (select(Case.number, Case.intent, Case.grid_id, Case.state, Case.address, Case.created_at,
                        Case.deadline_at, Case.reopen_count).where(*conditions, condition).order_by(*order).limit(limit))
        return [CaseLine(n, category_name(intents, i), grid_name(g), st, a or "", c, d, r)
                for n, i, g, st, a, c, d, r in await session.execute(query)]

    reopened = await lines(Case.reopen_count > 0, (Case.reopen_count.desc(), Case.created_at.desc()))
    overdue_lines = await lines(overdue, (Case.deadline_at, Case.id))
    order = lambda s: (-s.cases, s.key)  # noqa: E731
    return Hotspots(
        since, until, total,
        buildings=sorted(buildings, key=order)[:limit],
        categories=sorted(categories, key=order)[:limit],
        repeat_addresses=sorted((s for s in repeat if s.cases >= REPEAT_MIN), key=order)[:limit],
        reopened=reopened, overdue=overdue_lines,
        by_grid=sorted(grids, key=lambda s: (-s.overdue, -s.cases, s.key)),
        reopened_count=sum(s.reopened for s in grids), overdue_count=sum(s.overdue for s in grids),
    )


def _keyed(spot: Spot, key: str, name: str) -> Spot:
    spot.key, spot.name = key, name
    return spot


def _fold(rows: Any, grid_name: Any = None) -> list[Spot]:
    """Grouped (key, shown name, grid, counts) rows added up per key; the most frequent spelling names it, and
    `grids` lists the names of the grids involved (with `grid_name`)."""
    out: dict[str, Spot] = {}
    spelling: dict[str, tuple[int, str]] = {}
    for key, shown, gid, spot in rows:
        into = out.setdefault(key, Spot(key, shown))
        into.cases += spot.cases
        into.open += spot.open
        into.overdue += spot.overdue
        into.reopened += spot.reopened
        into.reopens += spot.reopens
        name = grid_name(gid) if grid_name is not None else None
        if name is not None and name not in into.grids:
            into.grids.append(name)
        if spot.cases > spelling.get(key, (0, ""))[0]:
            spelling[key] = (spot.cases, shown)
            into.name = shown
    return list(out.values())
