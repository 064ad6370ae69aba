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

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases.notify import CATEGORY_FALLBACK
from bot.cases.views import UNSATISFIED_REASONS
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
                        until: datetime | None = None, now: datetime) -> Stats:
    """The figures of cases filed in [since, until), counted by the database (GROUP BY), never case by case.

    One query per dimension, whatever the number of cases; no list of ids is bound as parameters (that
    failed on PostgreSQL past 32,767 cases), and nothing is loaded into Python but the sums.
    """
    scores = (select(Rating.case_id.label("case_id"), func.count().label("rated"),
                     func.sum(case((Rating.score == "satisfied", 1), else_=0)).label("satisfied"),
                     func.sum(case((Rating.score == "basic", 1), else_=0)).label("basic"))
              .group_by(Rating.case_id).subquery())
    first_accept = (select(CaseEvent.case_id.label("case_id"), func.min(CaseEvent.at).label("at"))
                    .where(CaseEvent.action == "accept").group_by(CaseEvent.case_id).subquery())
    urges = (select(CaseEvent.case_id.label("case_id"), func.count().label("n")).where(CaseEvent.action == "urge")
             .group_by(CaseEvent.case_id).subquery())
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
        func.sum(func.coalesce(urges.c.n, 0)),
    )
    where = [Case.state != "cancelled"]
    if since is not None:
        where.append(Case.created_at >= since)
    if until is not None:
        where.append(Case.created_at < until)

    async def grouped(*keys: Any) -> list[tuple[tuple[Any, ...], StatRow]]:
        query = (select(*keys, *sums).select_from(Case).outerjoin(scores, scores.c.case_id == Case.id)
                 .outerjoin(first_accept, first_accept.c.case_id == Case.id)
                 .outerjoin(picks, picks.c.case_id == Case.id).outerjoin(urges, urges.c.case_id == Case.id)
                 .where(*where))
        if keys:
            query = query.group_by(*keys)
        out = []
        for row in await session.execute(query):
            key, values = tuple(row[: len(keys)]), row[len(keys):]
            out.append((key, _row_from(values)))
        return out

    total = StatRow("total", "all", "全部")
    for _, counted in await grouped():
        total = _named(counted, "total", "all", "全部")
    reasons = (select(Rating.reason, func.count()).join(Case, Case.id == Rating.case_id)
               .where(Rating.score == "unsatisfied", *where).group_by(Rating.reason))
    total.unsatisfied_reasons = {str(k or "none"): int(n) for k, n in await session.execute(reasons)}
    queue_names = {"community": "社区待派单", "street": "街道待派单"}
    grids = []
    for (grid_id, level), counted in await grouped(Case.grid_id, case((Case.grid_id.is_(None), Case.level), else_=None)):
        name = router.grid_name(grid_id) if grid_id else None
        grids.append(_named(counted, "grid", grid_id or f"({level})", name or queue_names.get(level, "未定网格")))
    categories = [_named(counted, "category", intent, _category_name(intents, intent))
                  for (intent,), counted in await grouped(Case.intent)]
    names = {w.id: w.name for w in (await session.execute(select(Worker))).scalars()}
    workers = [_named(counted, "worker", str(wid), names.get(wid, str(wid)))
               for (wid,), counted in await grouped(Case.assignee_id) if wid is not None]
    order = lambda r: (-r.cases, r.id)  # noqa: E731
    return Stats(total, sorted(grids, key=order), sorted(categories, key=order), sorted(workers, key=order))


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
        lines.append(f"【{title}】  工作量  在办  超时  响应率  办结率  按时办结率  平均处置时长  满意率")
        for r in rows:
            lines.append(f"  {r.name[:14]:<14} {r.cases:>5} {r.open:>5} {r.overdue:>5} {pct(r.response_rate):>7} "
                         f"{pct(r.resolution_rate):>7} {pct(r.on_time_rate):>10} {hours(r.avg_handling_hours):>12} "
                         f"{pct(r.satisfaction_rate):>7}")
    if stats.total.urged or stats.total.unsatisfied_reasons:
        why = "，".join(f"{UNSATISFIED_REASONS.get(k, '未说明')} {n}" for k, n in sorted(stats.total.unsatisfied_reasons.items()))
        lines.append(f"催办 {stats.total.urged} 次；不满意原因：{why or '—'}")
    return "\n".join(lines)
