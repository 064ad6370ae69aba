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

from sqlalchemy import case, cast, func, literal_column, null, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from bot.wording.names import CATEGORY_FALLBACK, NO_GRID, UNSATISFIED_REASONS
from bot.wording.staff import (
    STATS_ALL,
    STATS_QUEUE_NAMES,
    STATS_REASON_UNKNOWN,
    STATS_SECTIONS,
    STATS_TABLE_HEADER,
    STATS_URGED,
)
from storage.engine import seconds_between
from storage.models import OPEN_STATES, Case, Rating, Worker

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


async def figures_and_trend(session: AsyncSession, router: Any, intents: Any, *, since: datetime | None,
                            until: datetime | None, now: datetime, where: Any = None,
                            week_starts: list[datetime] = (), trend_until: datetime | None = None,  # type: ignore[assignment]
                            ) -> tuple[Stats, list[StatRow]]:
    """The figures of [since, until) (`compute_stats`) and the weekly trend (`week_starts`, the last week ending at
    `trend_until`): what the console's 统计 page shows. One statement over the union of the period and the trend,
    sliced at every edge of both (each slice lies in one week and wholly inside or outside the period), plus the
    不满意 reasons when there are ratings: the period's figures and the weeks are sums of the same slices.

    A trend week carries what the case rows alone say — 工作量, 在办, 超时, 办结, 按时办结, 处置时长 — its 接单,
    ratings, picks and 催办 stay 0 (as the trend has always shown)."""
    starts = sorted(week_starts)
    trend = bool(starts) and trend_until is not None
    edges = sorted({e for e in (since, until, *(([*starts, trend_until]) if trend else ())) if e is not None})

    def in_period(index: int) -> bool:
        lo = edges[index] if index >= 0 else None  # slice -1 starts at the beginning of time
        hi = edges[index + 1] if index + 1 < len(edges) else None  # the last slice never ends
        return ((since is None or (lo is not None and lo >= since))
                and (until is None or (hi is not None and hi <= until)))

    parts = await _partial_sums(session, edges, now=now, where=where, open_start=since is None, open_end=until is None,
                                grouped=in_period)
    period_parts = [(k, r) for k, r in parts if in_period(k[0])] if edges else parts
    stats = await _stats_of(session, router, intents, period_parts, since=since, until=until, where=where)
    weeks = _weeks(parts, edges, starts, trend_until) if trend else []  # type: ignore[arg-type]
    return stats, weeks


async def _stats_of(session: AsyncSession, router: Any, intents: Any, parts: list[tuple[tuple[Any, ...], StatRow]], *,
                    since: datetime | None, until: datetime | None, where: Any) -> Stats:
    total = _named(_sum_rows(row for _, row in parts), "total", "all", STATS_ALL)
    period = [Case.state != "cancelled", *([Case.created_at >= since] if since is not None else []),
              *([Case.created_at < until] if until is not None else []), *([where] if where is not None else [])]
    if total.rated > total.satisfied + total.basic:  # some 不满意: their reasons, looked up for those cases only
        unsatisfied = Case.rating_count > Case.satisfied_count + Case.basic_count
        reasons = (select(Rating.reason, func.count()).join(Case, Case.id == Rating.case_id)
                   .where(Rating.score == "unsatisfied", unsatisfied, *period).group_by(Rating.reason))
        total.unsatisfied_reasons = {str(k or "none"): int(n) for k, n in await session.execute(reasons)}

    def grid_label(key: tuple[Any, ...]) -> tuple[str, str]:
        grid_id, level = key[1], key[2]
        if grid_id:
            return grid_id, router.grid_name(grid_id) or STATS_QUEUE_NAMES.get(level, NO_GRID)
        return f"({level})", STATS_QUEUE_NAMES.get(level, NO_GRID)

    ids = {k[4] for k, _ in parts if k[4] is not None}
    names = ({w_id: name for w_id, name in await session.execute(select(Worker.id, Worker.name).where(Worker.id.in_(ids)))}
             if ids else {})  # the few assignees of the period (a few dozen ids, never one per case)
    grids = _fold(parts, "grid", grid_label)
    categories = _fold(parts, "category", lambda k: (k[3], category_name(intents, k[3])))
    workers = _fold([(k, r) for k, r in parts if k[4] is not None], "worker",
                    lambda k: (str(k[4]), names.get(k[4], str(k[4]))))
    order = lambda r: (-r.cases, r.id)  # noqa: E731
    return Stats(total, sorted(grids, key=order), sorted(categories, key=order), sorted(workers, key=order))


#: The fields of a StatRow that add up across groups.
_SUMMED = ("cases", "open", "overdue", "resolved", "on_time", "handling_hours_sum", "rated", "satisfied", "basic",
           "accepted", "responded", "picked", "response_hours_sum", "urged")
#: Those a trend week carries: what the case rows say (see `figures_and_trend`).
_LIGHT = ("cases", "open", "overdue", "resolved", "on_time", "handling_hours_sum")


def _sum_rows(rows: Any, fields: tuple[str, ...] = _SUMMED) -> StatRow:
    out = StatRow("", "", "")
    for row in rows:
        for name in fields:
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
    return [_named(_sum_rows(rows, _LIGHT), "week", start.date().isoformat(), start.strftime("%m-%d"))
            for start, rows in zip(starts, per_week, strict=True)]


async def _partial_sums(session: AsyncSession, edges: list[datetime], *, now: datetime, where: Any,
                        open_start: bool = False, open_end: bool = False, grouped: Callable[[int], bool] = lambda _: True,
                        ) -> list[tuple[tuple[Any, ...], StatRow]]:
    """The figures' sums per (time slice, grid, queue level, category, assignee) of the cases filed between the
    first and the last edge (before the first / after the last too with `open_start` / `open_end`). Slice i is
    [edges[i], edges[i+1]); -1 is before edges[0]. A slice not `grouped` is summed whole (its keys are None): a
    trend week outside the period needs no grid or worker, and only the fields a week shows (`_LIGHT`).

    One statement, a UNION ALL of one part per slice, each a range of the period's covering index
    (`ix_case_created`): every column comes from the case row — its first 接单, ratings, pick and 催办 too, the
    summary kept on write (`storage.models.FIGURE_COLUMNS`) — so nothing else is read, whatever the number of
    events. Per slice rather than one GROUP BY over a CASE of the edges: that CASE and the sort of every case of
    the trend by it cost SQLite most of the time. No date function: the same SQL on SQLite and PostgreSQL."""
    base = [Case.state != "cancelled", *([where] if where is not None else [])]
    bounds: list[tuple[int, datetime | None, datetime | None]] = (
        [(i, edges[i], edges[i + 1]) for i in range(len(edges) - 1)] if edges else [(-1, None, None)])
    if edges and open_start:
        bounds.insert(0, (-1, None, edges[0]))
    if edges and open_end:
        bounds.append((len(edges) - 1, edges[-1], None))
    done = Case.state.in_(("resolved", "rated")) & Case.resolved_at.is_not(None)
    open_ = Case.state.in_(OPEN_STATES)
    response = seconds_between(Case.created_at, Case.first_accepted_at, session)
    accepted = Case.first_accepted_at.is_not(None)
    sums = (
        func.count(), func.sum(case((open_, 1), else_=0)), func.sum(case((open_ & (Case.deadline_at <= now), 1), else_=0)),
        func.sum(case((done, 1), else_=0)), func.sum(case((done & Case.resolved_on_time.is_(True), 1), else_=0)),
        func.sum(case((done, seconds_between(Case.created_at, Case.resolved_at, session)), else_=0.0)),
        func.sum(Case.rating_count), func.sum(Case.satisfied_count), func.sum(Case.basic_count),
        func.sum(case((accepted, 1), else_=0)),
        func.sum(case((accepted & (func.round(response) <= RESPONSE_HOURS * 3600), 1), else_=0)),  # whole seconds
        func.sum(func.coalesce(response, 0.0)),
        func.sum(case((Case.picked.is_(True), 1), else_=0)), func.sum(Case.urge_count),
    )
    keys = (Case.grid_id, case((Case.grid_id.is_(None), Case.level), else_=None), Case.intent, Case.assignee_id)
    no_keys = [cast(null(), k.type) for k in keys]  # typed: PostgreSQL matches a UNION's columns by type
    parts = []
    for index, lo, hi in bounds:
        period = [*base, *([Case.created_at >= lo] if lo is not None else []),
                  *([Case.created_at < hi] if hi is not None else [])]
        if grouped(index):
            part = select(literal_column(str(index)), *keys, *sums).where(*period).group_by(*keys)
        else:  # what a trend week shows, the rest 0 (no 接单 times to subtract for every case of the trend)
            light = [s if i < len(_LIGHT) else literal_column("0") for i, s in enumerate(sums)]
            part = select(literal_column(str(index)), *no_keys, *light).where(*period)
        parts.append(part)
    query = parts[0] if len(parts) == 1 else union_all(*parts)
    out = []
    for row in await session.execute(query):
        if row[5]:  # a slice without cases is one row of NULL sums
            out.append(((int(row[0]), *row[1:5]), _row_from(row[5:])))
    return out


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
    sections = ((STATS_SECTIONS["total"], [stats.total]), (STATS_SECTIONS["grid"], stats.by_grid),
                (STATS_SECTIONS["category"], stats.by_category), (STATS_SECTIONS["worker"], stats.by_worker))
    for title, rows in sections:
        if not rows:
            continue
        lines.append(STATS_TABLE_HEADER.format(title=title))
        for r in rows:
            lines.append(f"  {r.name[:14]:<14} {r.cases:>5} {r.open:>5} {r.overdue:>5} {pct(r.response_rate):>7} "
                         f"{pct(r.resolution_rate):>7} {pct(r.on_time_rate):>10} {hours(r.avg_handling_hours):>12} "
                         f"{pct(r.satisfaction_rate):>7}")
    if stats.total.urged or stats.total.unsatisfied_reasons:
        why = "，".join(f"{UNSATISFIED_REASONS.get(k, STATS_REASON_UNKNOWN)} {n}"
                       for k, n in sorted(stats.total.unsatisfied_reasons.items()))
        lines.append(STATS_URGED.format(urged=stats.total.urged, why=why or "—"))
    return "\n".join(lines)
