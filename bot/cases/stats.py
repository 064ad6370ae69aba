"""The field's figures: 工作量, 办结率, 按时办结率, 平均处置时长, 满意率 — per grid, per category, per worker.

Definitions (kept next to the code so the numbers can be argued with):
- 工作量 `cases`: cases filed (withdrawn ones excluded); `open`: still waiting for someone;
- 办结率 `resolution_rate`: resolved-or-rated / cases;
- 按时办结率 `on_time_rate`: resolved before the deadline / resolved;
- 平均处置时长 `avg_handling_hours`: filed → resolved, over resolved cases;
- 满意率 `satisfaction_rate`: (满意 + 基本满意) / ratings given; `fully_satisfied_rate`: 满意 / ratings.
A rate with nothing to divide by is None (shown as "—"), never 0.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases.notify import CATEGORY_FALLBACK
from storage.models import OPEN_STATES, Case, Rating, Worker


@dataclass(slots=True)
class StatRow:
    by: str  # total | grid | category | worker
    id: str
    name: str
    cases: int = 0
    open: int = 0
    overdue: int = 0
    resolved: int = 0
    on_time: int = 0
    handling_hours_sum: float = field(default=0.0, repr=False)
    rated: int = 0
    satisfied: int = 0
    basic: int = 0

    @property
    def resolution_rate(self) -> float | None:
        return _rate(self.resolved, self.cases)

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.on_time, self.resolved)

    @property
    def avg_handling_hours(self) -> float | None:
        return round(self.handling_hours_sum / self.resolved, 2) if self.resolved else None

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.satisfied + self.basic, self.rated)

    @property
    def fully_satisfied_rate(self) -> float | None:
        return _rate(self.satisfied, self.rated)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("handling_hours_sum")
        for key in ("resolution_rate", "on_time_rate", "avg_handling_hours", "satisfaction_rate", "fully_satisfied_rate"):
            data[key] = getattr(self, key)
        return data


@dataclass(slots=True)
class Stats:
    total: StatRow
    by_grid: list[StatRow]
    by_category: list[StatRow]
    by_worker: list[StatRow]

    def rows(self) -> list[StatRow]:
        return [self.total, *self.by_grid, *self.by_category, *self.by_worker]


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


async def compute_stats(session: AsyncSession, router: Any, intents: Any, *, since: datetime | None = None,
                        now: datetime) -> Stats:
    query = select(Case).where(Case.state != "cancelled")
    if since is not None:
        query = query.where(Case.created_at >= since)
    cases = (await session.execute(query)).scalars().all()
    ids = [c.id for c in cases]
    ratings: dict[int, list[str]] = defaultdict(list)
    if ids:
        for case_id, score in await session.execute(select(Rating.case_id, Rating.score).where(Rating.case_id.in_(ids))):
            ratings[case_id].append(score)
    workers = {w.id: w.name for w in (await session.execute(select(Worker))).scalars()}

    total = StatRow("total", "all", "全部")
    grids: dict[str, StatRow] = {}
    categories: dict[str, StatRow] = {}
    per_worker: dict[str, StatRow] = {}
    for c in cases:
        gid = c.grid_id or f"({c.level})"
        gname = router.grid_name(c.grid_id) or ({"community": "社区待派单", "street": "街道待派单"}.get(c.level, "未定网格"))
        rows = [
            total,
            grids.setdefault(gid, StatRow("grid", gid, gname)),
            categories.setdefault(c.intent, StatRow("category", c.intent, _category_name(intents, c.intent))),
        ]
        if c.assignee_id is not None:
            wid = str(c.assignee_id)
            rows.append(per_worker.setdefault(wid, StatRow("worker", wid, workers.get(c.assignee_id, wid))))
        for row in rows:
            _count(row, c, ratings.get(c.id or 0, []), now)
    order = lambda r: (-r.cases, r.id)  # noqa: E731
    return Stats(total, sorted(grids.values(), key=order), sorted(categories.values(), key=order),
                 sorted(per_worker.values(), key=order))


def _count(row: StatRow, c: Case, scores: list[str], now: datetime) -> None:
    row.cases += 1
    if c.state in OPEN_STATES:
        row.open += 1
        if c.deadline_at <= now:
            row.overdue += 1
    if c.state in ("resolved", "rated") and c.resolved_at is not None:
        row.resolved += 1
        row.on_time += 1 if c.resolved_on_time else 0
        row.handling_hours_sum += (c.resolved_at - c.created_at).total_seconds() / 3600
    for score in scores:
        row.rated += 1
        row.satisfied += score == "satisfied"
        row.basic += score == "basic"


def _category_name(intents: Any, intent_id: str) -> str:
    if intents is not None:
        intent = intents.get(intent_id)
        if intent is not None:
            return intent.name
    return CATEGORY_FALLBACK.get(intent_id, intent_id)


def format_table(stats: Stats) -> str:
    """A plain-text table for the terminal (and `/stats`)."""
    def pct(v: float | None) -> str:
        return "—" if v is None else f"{v * 100:.0f}%"

    def hours(v: float | None) -> str:
        return "—" if v is None else f"{v:.1f}h"

    lines: list[str] = []
    sections = (("合计", [stats.total]), ("按网格", stats.by_grid), ("按类别", stats.by_category), ("按人员", stats.by_worker))
    for title, rows in sections:
        if not rows:
            continue
        lines.append(f"【{title}】  工作量  在办  超时  办结率  按时办结率  平均处置时长  满意率")
        for r in rows:
            lines.append(f"  {r.name[:14]:<14} {r.cases:>5} {r.open:>5} {r.overdue:>5} {pct(r.resolution_rate):>7} "
                         f"{pct(r.on_time_rate):>10} {hours(r.avg_handling_hours):>12} {pct(r.satisfaction_rate):>7}")
    return "\n".join(lines)
