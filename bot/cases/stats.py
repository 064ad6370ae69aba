"""The field's figures: 工作量, 办结率, 按时办结率, 平均处置时长, 满意率 — per grid, per category, per worker.

Definitions (kept next to the code so the numbers can be argued with):
- 工作量 `cases`: cases filed (withdrawn ones excluded); `open`: still waiting for someone;
- 办结率 `resolution_rate`: resolved-or-rated / cases;
- 按时办结率 `on_time_rate`: resolved before the deadline / resolved;
- 平均处置时长 `avg_handling_hours`: filed → resolved, over resolved cases;
- 满意率 `satisfaction_rate`: (满意 + 基本满意) / ratings given; `fully_satisfied_rate`: 满意 / ratings;
- 响应率 `response_rate`: cases first accepted (接单) within `RESPONSE_HOURS` of filing / cases;
  平均响应时长 `avg_response_hours`: filed → first 接单, over accepted cases;
- `picked`: cases whose category the resident chose from buttons because the bot was not sure (the
  understanding's corrections per category; each is a labelled example for `intents fit --from-cases`).
A rate with nothing to divide by is None (shown as "—"), never 0.
"""

from __future__ import annotations

import csv
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases.notify import CATEGORY_FALLBACK
from storage.engine import seconds_between
from storage.models import OPEN_STATES, Case, CaseEvent, CaseLabel, Rating, Worker

#: 响应率 counts a case as answered when its first 接单 came within this many hours of filing.
RESPONSE_HOURS = 2.0


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
    accepted: int = 0
    responded: int = 0  # accepted within RESPONSE_HOURS
    picked: int = 0  # the resident chose the category (the classifier was unsure)
    response_hours_sum: float = field(default=0.0, repr=False)

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

    @property
    def response_rate(self) -> float | None:
        return _rate(self.responded, self.cases)

    @property
    def avg_response_hours(self) -> float | None:
        return round(self.response_hours_sum / self.accepted, 2) if self.accepted else None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("handling_hours_sum")
        data.pop("response_hours_sum")
        for key in ("resolution_rate", "on_time_rate", "avg_handling_hours", "satisfaction_rate", "fully_satisfied_rate",
                    "response_rate", "avg_response_hours"):
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
                        until: datetime | None = None, now: datetime, where: Any = None) -> Stats:
    """The figures of cases filed in [since, until), counted by the database (GROUP BY), never case by case.

    One query per dimension, whatever the number of cases; no list of ids is bound as parameters (that
    failed on PostgreSQL past 32,767 cases), and nothing is loaded into Python but the sums. `where`: an
    extra WHERE clause on `Case` (the console's scope: a dispatcher counts only his community's cases).
    """
    grouped = _counter(session, since=since, until=until, now=now, where=where)
    total = StatRow("total", "all", "全部")
    for _, counted in await grouped():
        total = _named(counted, "total", "all", "全部")
    queue_names = {"community": "社区待派单", "street": "街道待派单"}
    grids = []
    for (grid_id, level), counted in await grouped(Case.grid_id, case((Case.grid_id.is_(None), Case.level), else_=None)):
        name = router.grid_name(grid_id) if grid_id else None
        grids.append(_named(counted, "grid", grid_id or f"({level})", name or queue_names.get(level, "未定网格")))
    categories = [_named(counted, "category", intent, category_name(intents, intent))
                  for (intent,), counted in await grouped(Case.intent)]
    names = {w.id: w.name for w in (await session.execute(select(Worker))).scalars()}
    workers = [_named(counted, "worker", str(wid), names.get(wid, str(wid)))
               for (wid,), counted in await grouped(Case.assignee_id) if wid is not None]
    order = lambda r: (-r.cases, r.id)  # noqa: E731
    return Stats(total, sorted(grids, key=order), sorted(categories, key=order), sorted(workers, key=order))


async def weekly_stats(session: AsyncSession, starts: list[datetime], *, until: datetime, now: datetime,
                       where: Any = None) -> list[StatRow]:
    """The same figures per week: one row per start in `starts` (ascending week boundaries, the last week
    ending at `until`), empty weeks included. One GROUP BY over a CASE of the boundaries: no date function,
    so the same SQL runs on SQLite and PostgreSQL."""
    if not starts:
        return []
    bucket = case(*[(Case.created_at < starts[i + 1], i) for i in range(len(starts) - 1)], else_=len(starts) - 1) \
        if len(starts) > 1 else literal(0)
    counted = dict(await _counter(session, since=starts[0], until=until, now=now, where=where)(bucket))
    return [_named(counted.get((i,)) or StatRow("", "", ""), "week", start.date().isoformat(), start.strftime("%m-%d"))
            for i, start in enumerate(starts)]


def _counter(session: AsyncSession, *, since: datetime | None, until: datetime | None, now: datetime,
             where: Any) -> Callable[..., Awaitable[list[tuple[tuple[Any, ...], StatRow]]]]:
    """`grouped(*keys)`: the figures of the cases filed in [since, until) per value of `keys`, as StatRows."""
    scores = (select(Rating.case_id.label("case_id"), func.count().label("rated"),
                     func.sum(case((Rating.score == "satisfied", 1), else_=0)).label("satisfied"),
                     func.sum(case((Rating.score == "basic", 1), else_=0)).label("basic"))
              .group_by(Rating.case_id).subquery())
    accepts = select(CaseEvent.case_id.label("case_id"), func.min(CaseEvent.at).label("at")).where(CaseEvent.action == "accept")
    if since is not None:
        accepts = accepts.where(CaseEvent.at >= since)  # a case filed in the period is accepted after it began
    first_accept = accepts.group_by(CaseEvent.case_id).subquery()
    picks = (select(CaseLabel.case_id.label("case_id")).where(CaseLabel.source == "resident_pick")
             .group_by(CaseLabel.case_id).subquery())
    response = seconds_between(Case.created_at, first_accept.c.at, session)
    accepted = first_accept.c.at.is_not(None)
    done = Case.state.in_(("resolved", "rated")) & Case.resolved_at.is_not(None)
    open_ = Case.state.in_(OPEN_STATES)
    sums = (
        func.count(),
        func.sum(case((open_, 1), else_=0)),
        func.sum(case((open_ & (Case.deadline_at <= now), 1), else_=0)),
        func.sum(case((done, 1), else_=0)),
        func.sum(case((done & Case.resolved_on_time.is_(True), 1), else_=0)),
        func.sum(case((done, seconds_between(Case.created_at, Case.resolved_at, session)), else_=0.0)),
        func.sum(func.coalesce(scores.c.rated, 0)),
        func.sum(func.coalesce(scores.c.satisfied, 0)),
        func.sum(func.coalesce(scores.c.basic, 0)),
        func.sum(case((accepted, 1), else_=0)),
        func.sum(case((accepted & (func.round(response) <= RESPONSE_HOURS * 3600), 1), else_=0)),  # whole seconds
        func.sum(case((accepted, response), else_=0.0)),
        func.sum(case((picks.c.case_id.is_not(None), 1), else_=0)),
    )
    conditions = [Case.state != "cancelled"]
    if since is not None:
        conditions.append(Case.created_at >= since)
    if until is not None:
        conditions.append(Case.created_at < until)
    if where is not None:
        conditions.append(where)

    async def grouped(*keys: Any) -> list[tuple[tuple[Any, ...], StatRow]]:
        query = (select(*keys, *sums).select_from(Case).outerjoin(scores, scores.c.case_id == Case.id)
                 .outerjoin(first_accept, first_accept.c.case_id == Case.id)
                 .outerjoin(picks, picks.c.case_id == Case.id).where(*conditions))
        if keys:
            query = query.group_by(*keys)
        out = []
        for row in await session.execute(query):
            key, values = tuple(row[: len(keys)]), row[len(keys):]
            out.append((key, _row_from(values)))
        return out

    return grouped


def _row_from(values: Any) -> StatRow:
    (cases, open_, overdue, resolved, on_time, seconds, rated, satisfied, basic, accepted, responded,
     response_seconds, picked) = (v or 0 for v in values)
    return StatRow("", "", "", cases=int(cases), open=int(open_), overdue=int(overdue), resolved=int(resolved),
                   on_time=int(on_time), handling_hours_sum=float(seconds) / 3600, rated=int(rated),
                   satisfied=int(satisfied), basic=int(basic), accepted=int(accepted), responded=int(responded),
                   response_hours_sum=float(response_seconds) / 3600, picked=int(picked))


def _named(row: StatRow, by: str, key: str, name: str) -> StatRow:
    row.by, row.id, row.name = by, key, name
    return row


def category_name(intents: Any, intent_id: str) -> str:
    if intents is not None:
        intent = intents.get(intent_id)
        if intent is not None:
            return intent.name
    return CATEGORY_FALLBACK.get(intent_id, intent_id)


def write_csv(stats: Stats, out: TextIO) -> None:
    """The figures as CSV with a header row (`griddesk stats --csv`, the console's 导出统计): one line per row."""
    rows = [row.to_json() for row in stats.rows()]
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


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
        lines.append(f"【{title}】  工作量  在办  超时  响应率  办结率  按时办结率  平均处置时长  满意率")
        for r in rows:
            lines.append(f"  {r.name[:14]:<14} {r.cases:>5} {r.open:>5} {r.overdue:>5} {pct(r.response_rate):>7} "
                         f"{pct(r.resolution_rate):>7} {pct(r.on_time_rate):>10} {hours(r.avg_handling_hours):>12} "
                         f"{pct(r.satisfaction_rate):>7}")
    return "\n".join(lines)
