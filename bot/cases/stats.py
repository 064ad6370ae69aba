"""The field's figures: 工作量, 办结率, 按时办结率, 平均处置时长, 满意率 — per grid, per category, per worker.

Definitions (kept next to the code so the numbers can be argued with):
- 工作量 `cases`: cases filed (withdrawn ones excluded); `open`: still waiting for someone;
- 办结率 `resolution_rate`: resolved-or-rated / cases;
- 按时办结率 `on_time_rate`: resolved before the deadline / resolved;
- 平均处置时长 `avg_handling_hours`: filed → resolved, over resolved cases;
- 满意率 `satisfaction_rate`: (满意 + 基本满意) / ratings given; `fully_satisfied_rate`: 满意 / ratings;
- 响应率 `response_rate`: cases first accepted (接单) within `RESPONSE_HOURS` of filing / cases;
  平均响应时长 `avg_response_hours`: filed → first 接单, over accepted cases;
- `urged`: 催办 pressed by filers (at most once per time limit and case); `unsatisfied_reasons` (on the
  total): why 不满意 ratings were given, per reason of `UNSATISFIED_REASONS` (a rating given no reason: `none`);
- `picked`: cases whose category the resident chose from buttons because the bot was not sure (the
  understanding's corrections per category; each is a labelled example for `intents fit --from-cases`).
A rate with nothing to divide by is None (shown as "—"), never 0.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import Float, case, cast, exists, func, literal, null, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.wording.names import CATEGORY_FALLBACK, UNSATISFIED_REASONS
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
    urged: int = 0  # 催办 by filers
    unsatisfied_reasons: dict[str, int] = field(default_factory=dict)  # filled on the total row only
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

    One query, whatever the number of cases: the database sums per (grid, category, worker) — a few
    hundred groups — and Python adds those partial sums up per dimension. No list of ids is bound as
    parameters (that failed on PostgreSQL past 32,767 cases). `where`: an extra WHERE clause on `Case`
    (the console's scope: a dispatcher counts only his community's cases).
    """
    stats, _ = await figures_and_trend(session, router, intents, since=since, until=until, now=now, where=where)
    return stats


async def weekly_stats(session: AsyncSession, starts: list[datetime], *, until: datetime, now: datetime,
                       where: Any = None) -> list[StatRow]:
    """The figures per week that come from the case rows alone — 工作量, 在办, 超时, 办结, 按时办结, 处置时长 —
    one row per start in `starts` (ascending week boundaries, the last week ending at `until`), empty weeks
    included. A trend spans months: it does not look up each case's 接单 and ratings (those stay 0 here)."""
    if not starts:
        return []
    parts = await _partial_sums(session, [*starts, until], now=now, where=where, light=True)
    return _weeks(parts, [*starts, until], starts, until)


async def figures_and_trend(session: AsyncSession, router: Any, intents: Any, *, since: datetime | None,
                            until: datetime | None, now: datetime, where: Any = None,
                            week_starts: list[datetime] = (), trend_until: datetime | None = None,  # type: ignore[assignment]
                            ) -> tuple[Stats, list[StatRow]]:
    """The figures of [since, until) (`compute_stats`) and the weekly trend (`weekly_stats`: `week_starts`, the
    last week ending at `trend_until`): what the console's 统计 page shows, in two queries."""
    edges = [e for e in (since, until) if e is not None]
    # Only the period's cases are read (the WHERE clause): every slice counts.
    parts = await _partial_sums(session, edges, now=now, where=where, open_start=since is None, open_end=until is None)
    total = _named(_sum_rows(row for _, row in parts), "total", "all", "全部")
    period = [Case.state != "cancelled", *([Case.created_at >= since] if since is not None else []),
              *([Case.created_at < until] if until is not None else []), *([where] if where is not None else [])]
    reasons = (select(Rating.reason, func.count()).join(Case, Case.id == Rating.case_id)
               .where(Rating.score == "unsatisfied", *period).group_by(Rating.reason))
    total.unsatisfied_reasons = {str(k or "none"): int(n) for k, n in await session.execute(reasons)}
    queue_names = {"community": "社区待派单", "street": "街道待派单"}

    def grid_label(key: tuple[Any, ...]) -> tuple[str, str]:
        grid_id, level = key[1], key[2]
        if grid_id:
            return grid_id, router.grid_name(grid_id) or queue_names.get(level, "未定网格")
        return f"({level})", queue_names.get(level, "未定网格")

    names = {w.id: w.name for w in (await session.execute(select(Worker))).scalars()}
    grids = _fold(parts, "grid", grid_label)
    categories = _fold(parts, "category", lambda k: (k[3], category_name(intents, k[3])))
    workers = _fold([(k, r) for k, r in parts if k[4] is not None], "worker",
                    lambda k: (str(k[4]), names.get(k[4], str(k[4]))))
    order = lambda r: (-r.cases, r.id)  # noqa: E731
    stats = Stats(total, sorted(grids, key=order), sorted(categories, key=order), sorted(workers, key=order))
    starts = list(week_starts)
    weeks = (await weekly_stats(session, starts, until=trend_until, now=now, where=where)
             if starts and trend_until is not None else [])
    return stats, weeks


#: The fields of a StatRow that add up across groups.
_SUMMED = ("cases", "open", "overdue", "resolved", "on_time", "handling_hours_sum", "rated", "satisfied", "basic",
           "accepted", "responded", "picked", "response_hours_sum", "urged")


def _sum_rows(rows: Any) -> StatRow:
    out = StatRow("", "", "")
    for row in rows:
        for name in _SUMMED:
            setattr(out, name, getattr(out, name) + getattr(row, name))
    return out


def _fold(parts: list[tuple[tuple[Any, ...], StatRow]], by: str, label: Callable[[tuple[Any, ...]], tuple[str, str]]
          ) -> list[StatRow]:
    groups: dict[str, tuple[str, list[StatRow]]] = {}
    for key, row in parts:
        ident, name = label(key)
        groups.setdefault(ident, (name, []))[1].append(row)
    return [_named(_sum_rows(rows), by, ident, name) for ident, (name, rows) in groups.items()]


def _weeks(parts: list[tuple[tuple[Any, ...], StatRow]], edges: list[datetime], starts: list[datetime],
           until: datetime) -> list[StatRow]:
    bounds = [*starts, until]
    per_week: list[list[StatRow]] = [[] for _ in starts]
    for key, row in parts:
        index = key[0]
        if index < 0 or index + 1 >= len(edges):
            continue
        lo = edges[index]
        for w in range(len(starts)):
            if bounds[w] <= lo < bounds[w + 1]:
                per_week[w].append(row)
                break
    return [_named(_sum_rows(rows), "week", start.date().isoformat(), start.strftime("%m-%d"))
            for start, rows in zip(starts, per_week, strict=True)]


async def _partial_sums(session: AsyncSession, edges: list[datetime], *, now: datetime, where: Any,
                        open_start: bool = False, open_end: bool = False, light: bool = False,
                        ) -> list[tuple[tuple[Any, ...], StatRow]]:
    """The figures' sums per (time slice, grid, queue level, category, assignee) of the cases filed between the
    first and the last edge (before the first / after the last too with `open_start` / `open_end`). Slice i is
    [edges[i], edges[i+1]); -1 is before edges[0]. One GROUP BY over a CASE of the edges: no date function, so
    the same SQL runs on SQLite and PostgreSQL.

    Each case's first 接单, ratings and pick are looked up by case id (indexed) in an inner query, so only the
    cases of the period are touched — joining per-case aggregates of the whole event table read all of it. The
    inner query's OFFSET 0 keeps it one (not flattened, which would look the first 接单 up three times).
    `light`: only what the case rows say (no 接单, ratings or picks: those sums are 0), for long spans."""
    conditions = [Case.state != "cancelled"]
    if edges and not open_start:
        conditions.append(Case.created_at >= edges[0])
    if edges and not open_end:
        conditions.append(Case.created_at < edges[-1])
    if where is not None:
        conditions.append(where)
    if edges:
        bucket: Any = case(*[(Case.created_at < edge, i - 1) for i, edge in enumerate(edges)], else_=len(edges) - 1)
    else:
        bucket = literal(-1)

    def per_case(term: Any, *where_: Any) -> Any:
        return select(term).where(*where_).correlate(Case).scalar_subquery()

    first_accept = per_case(func.min(CaseEvent.at), CaseEvent.case_id == Case.id, CaseEvent.action == "accept")
    rated = per_case(func.count(), Rating.case_id == Case.id)
    satisfied = per_case(func.count(), Rating.case_id == Case.id, Rating.score == "satisfied")
    basic = per_case(func.count(), Rating.case_id == Case.id, Rating.score == "basic")
    picked = exists().where(CaseLabel.case_id == Case.id, CaseLabel.source == "resident_pick")
    urged = per_case(func.count(), CaseEvent.case_id == Case.id, CaseEvent.action == "urge")
    done = Case.state.in_(("resolved", "rated")) & Case.resolved_at.is_not(None)
    open_ = Case.state.in_(OPEN_STATES)
    inner: Any = select(
        bucket.label("bucket"), Case.grid_id.label("grid_id"),
        case((Case.grid_id.is_(None), Case.level), else_=None).label("level"), Case.intent.label("intent"),
        Case.assignee_id.label("assignee_id"),
        case((open_, 1), else_=0).label("open"),
        case((open_ & (Case.deadline_at <= now), 1), else_=0).label("overdue"),
        case((done, 1), else_=0).label("done"),
        case((done & Case.resolved_on_time.is_(True), 1), else_=0).label("on_time"),
        case((done, seconds_between(Case.created_at, Case.resolved_at, session)), else_=0.0).label("handling"),
        *((literal(0).label("rated"), literal(0).label("satisfied"), literal(0).label("basic"),
           cast(null(), Float).label("response"), literal(0).label("picked"), literal(0).label("urged")) if light else
          (rated.label("rated"), satisfied.label("satisfied"), basic.label("basic"),
           seconds_between(Case.created_at, first_accept, session).label("response"),
           case((picked, 1), else_=0).label("picked"), urged.label("urged"))),
    ).where(*conditions)
    inner = (inner if light else inner.offset(0)).subquery()
    c = inner.c
    accepted = c.response.is_not(None)
    sums = (
        func.count(), func.sum(c.open), func.sum(c.overdue), func.sum(c.done), func.sum(c.on_time),
        func.sum(c.handling), func.sum(c.rated), func.sum(c.satisfied), func.sum(c.basic),
        func.sum(case((accepted, 1), else_=0)),
        func.sum(case((accepted & (func.round(c.response) <= RESPONSE_HOURS * 3600), 1), else_=0)),  # whole seconds
        func.sum(func.coalesce(c.response, 0.0)),
        func.sum(c.picked), func.sum(c.urged),
    )
    # A trend needs the slices only: grouping by fewer keys keeps the sort small.
    keys = (c.bucket,) if light else (c.bucket, c.grid_id, c.level, c.intent, c.assignee_id)
    query = select(*keys, *sums).group_by(*keys)
    return [(tuple(row[: len(keys)]), _row_from(row[len(keys):])) for row in await session.execute(query)]


def _row_from(values: Any) -> StatRow:
    (cases, open_, overdue, resolved, on_time, seconds, rated, satisfied, basic, accepted, responded,
     response_seconds, picked, urged) = (v or 0 for v in values)
    return StatRow("", "", "", cases=int(cases), open=int(open_), overdue=int(overdue), resolved=int(resolved),
                   on_time=int(on_time), handling_hours_sum=float(seconds) / 3600, rated=int(rated),
                   satisfied=int(satisfied), basic=int(basic), accepted=int(accepted), responded=int(responded),
                   response_hours_sum=float(response_seconds) / 3600, picked=int(picked), urged=int(urged))


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
    rows = [{k: ";".join(f"{a}={b}" for a, b in v.items()) if isinstance(v, dict) else v for k, v in row.to_json().items()}
            for row in stats.rows()]  # a cell per value: 不满意 reasons as reason=count;…
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
    if stats.total.urged or stats.total.unsatisfied_reasons:
        why = "，".join(f"{UNSATISFIED_REASONS.get(k, '未说明')} {n}" for k, n in sorted(stats.total.unsatisfied_reasons.items()))
        lines.append(f"催办 {stats.total.urged} 次；不满意原因：{why or '—'}")
    return "\n".join(lines)
