"""The queue (工单) as queries: a filter read from the page's URL, one page of rows and the counts per filter.

A fixed handful of statements per page whatever its size (counts per state and per flag — one pass when a filter
narrows the scope —, the rows with their assignee's name in one join), all inside `Staff.cases()`: no query
per row. Sorted by urgency, then
deadline.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.console.staff import Staff
from storage.models import CASE_STATES, OPEN_STATES, Case, CaseWord, Worker
from storage.words import candidates, driving_pair, matches

PAGE_SIZE = 30
MAX_PAGE = 10_000
MAX_SEARCH = 60
#: A word search counts its matches up to this many; past it the queue lists the first ones, uncounted.
SEARCH_CAP = 5000
NUMBER = re.compile(r"^\d{8}-\d{1,4}$")
DIGITS = re.compile(r"^[0-9-]+$")
#: The state choices of the filter: the open ones together (the default), everything, or one state.
STATE_CHOICES = ("open", "all", *CASE_STATES)
FLAGS = ("urgent", "overdue", "unassigned")


@dataclass(frozen=True, slots=True)
class QueueFilter:
    state: str = "open"
    category: str = ""
    grid: str = ""
    urgent: bool = False
    overdue: bool = False
    unassigned: bool = False
    since: date | None = None  # filed on or after this local day
    until: date | None = None  # filed on or before this local day
    q: str = ""
    page: int = 1
    #: What was typed that could not be read (shown above the list; the rest of the filter still applies).
    problems: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> QueueFilter:
        """Lenient: a bad value is dropped and named in `problems`, never an error page."""
        problems: list[str] = []
        state = query.get("state", "open")
        if state not in STATE_CHOICES:
            problems.append("状态")
            state = "open"
        since, until = _day(query.get("since"), problems, "开始日期"), _day(query.get("until"), problems, "结束日期")
        if since and until and since > until:
            since, until = until, since
        raw_page = query.get("page", "1")
        page = int(raw_page) if raw_page.isascii() and raw_page.isdigit() and len(raw_page) < 7 else 1
        return cls(state=state, category=_token(query.get("category")), grid=_token(query.get("grid")),
                   urgent=query.get("urgent") == "1", overdue=query.get("overdue") == "1",
                   unassigned=query.get("unassigned") == "1", since=since, until=until,
                   q=" ".join((query.get("q") or "").split())[:MAX_SEARCH], page=max(1, min(page, MAX_PAGE)),
                   problems=tuple(problems))

    def link(self, **changes: Any) -> str:
        """The queue URL of this filter with `changes` (page back to 1 unless a page is given)."""
        changed = replace(self, **{"page": 1, **changes})
        params: dict[str, str] = {}
        if changed.state != "open":
            params["state"] = changed.state
        for name in ("category", "grid", "q"):
            if getattr(changed, name):
                params[name] = getattr(changed, name)
        for name in FLAGS:
            if getattr(changed, name):
                params[name] = "1"
        if changed.since:
            params["since"] = changed.since.isoformat()
        if changed.until:
            params["until"] = changed.until.isoformat()
        if changed.page > 1:
            params["page"] = str(changed.page)
        return "/console/" + ("?" + urlencode(params) if params else "")


def _token(value: str | None) -> str:
    value = (value or "").strip()
    return value if re.fullmatch(r"[a-z0-9_-]{1,40}", value) else ""


def _day(value: str | None, problems: list[str], name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        problems.append(name)
        return None


@dataclass(frozen=True, slots=True)
class QueueRow:
    id: int
    number: str
    intent: str
    state: str
    level: str
    urgent: bool
    grid_id: str | None
    assignee: str | None
    deadline_at: datetime
    created_at: datetime
    address: str | None
    text: str
    overdue: bool


@dataclass(frozen=True, slots=True)
class QueuePage:
    rows: list[QueueRow]
    total: int  # rows matching the whole filter (SEARCH_CAP when `capped`)
    by_state: dict[str, int]  # per state, for the filter without its state and flags (empty when `capped`)
    flags: dict[str, int]  # per flag alone, within the chosen state (empty when `capped`)
    page: int
    pages: int
    #: A word search matched more than SEARCH_CAP cases: they are not counted, the first SEARCH_CAP in the queue's
    #: order are paged through, and the page asks for more words.
    capped: bool = False


def _period(f: QueueFilter, tz: ZoneInfo) -> list[Any]:
    conds = []
    if f.since:
        conds.append(Case.created_at >= datetime.combine(f.since, time(), tz))
    if f.until:
        conds.append(Case.created_at < datetime.combine(f.until + timedelta(days=1), time(), tz))
    return conds


def _search(q: str, *, per_case: bool = False) -> Any:
    if NUMBER.match(q):
        day, _, seq = q.partition("-")
        return Case.number == f"{day}-{int(seq):04d}"
    return and_(*[and_(_narrowed(w, per_case), or_(matches(w), Case.number.contains(w, autoescape=True)))
                  for w in _words(q)])


def _words(q: str) -> list[str]:
    return [w for w in q.split(" ") if w][:5]


def _narrowed(word: str, per_case: bool = False) -> Any:
    """The few cases that may contain `word`, from the word index (`storage.words`), so the LIKEs above read only
    those; a word that could be part of a case number (digits and '-') keeps the numbers' scan too. `per_case`:
    probed case by case (`storage.words.candidates`), for a walk in the queue's order."""
    found = candidates(word, per_case=per_case)
    return or_(found, Case.number.contains(word, autoescape=True)) if DIGITS.match(word) else found


def _search_rows(f: QueueFilter, filters: list[Any], limit: int) -> Any:
    """The columns the chips count of the cases the search and `filters` match, at most `limit` of them: read from
    the index range of the first word's pair when it has one (each case met once, stopping at `limit`), else from
    the candidates."""
    columns = (Case.state, Case.urgent, Case.deadline_at, Case.assignee_id)
    words = _words(f.q)
    pair = driving_pair(words[0]) if words and not DIGITS.match(words[0]) else None
    if pair is None:
        return select(*columns).where(*filters, _search(f.q)).limit(limit)
    return (select(*columns).select_from(CaseWord).join(Case, Case.id == CaseWord.case_id)
            .where(CaseWord.first_char == pair[0], CaseWord.next_char == pair[1], *filters, _search(f.q, per_case=True))
            .limit(limit))


def _state(state: str) -> Any:
    if state == "open":
        return Case.state.in_(OPEN_STATES)
    return None if state == "all" else Case.state == state


def _flag_conditions(now: datetime) -> dict[str, Any]:
    is_open = Case.state.in_(OPEN_STATES)
    return {"urgent": Case.urgent == true(), "overdue": and_(is_open, Case.deadline_at < now),
            "unassigned": and_(is_open, Case.assignee_id.is_(None))}


async def _counts(s: AsyncSession, base: list[Any], state: str, now: datetime, *, rows: Any = None,
                  ) -> tuple[dict[str, int], dict[str, int], int]:
    """The chips' numbers in one pass over a filtered queue's rows: the count per state (whatever state is chosen)
    and, over the chosen states, each flag alone — one statement instead of four re-reads of the filter — and the
    rows counted. Sums, not GROUP BY state: an index in state order would look cheaper to the planner than the
    filter's own covering one. `rows`: count these (`_search_rows`) instead of the cases `base` matches."""
    chosen = CASE_STATES if state == "all" else OPEN_STATES if state == "open" else (state,)
    c: Any = Case if rows is None else rows.subquery().c
    in_chosen, is_open = c.state.in_(chosen), c.state.in_(OPEN_STATES)

    def tally(*conds: Any) -> Any:
        return func.sum(case((and_(*conds), 1), else_=0))

    query = select(*[tally(c.state == name) for name in CASE_STATES], tally(in_chosen, c.urgent == true()),
                   tally(in_chosen, is_open, c.deadline_at < now), tally(in_chosen, is_open, c.assignee_id.is_(None)),
                   func.count())
    values = [int(v or 0) for v in (await s.execute(query.where(*base) if rows is None else query)).one()]
    by_state = {name: n for name, n in zip(CASE_STATES, values, strict=False) if n}
    return by_state, dict(zip(FLAGS, values[len(CASE_STATES):-1], strict=True)), values[-1]


async def _count(s: AsyncSession, where: list[Any]) -> int:
    return int((await s.execute(select(func.count()).select_from(Case).where(*where))).scalar_one())


async def queue_page(s: AsyncSession, staff: Staff, f: QueueFilter, *, now: datetime, timezone: str,
                     page_size: int = PAGE_SIZE, search_cap: int = SEARCH_CAP) -> QueuePage:
    """One page of the queue for this staff member, and the counts its filter chips show.

    Every statement is served by an index on (scope, urgent, deadline_at, id, state, assignee_id) — or the
    category's, the period's (`ix_case_created`), the word index's candidates: the counts read it alone, and the
    page is the urgent part then the rest, each already in deadline order in it."""
    filters = [*_period(f, ZoneInfo(timezone))]
    if f.category:
        filters.append(Case.intent == f.category)
    if f.grid:
        filters.append(Case.grid_id == f.grid)
    counted = None
    if f.q and not NUMBER.match(f.q):  # the chips' numbers while counting the matches, up to the cap
        *counted, matched = await _counts(s, [], f.state, now, rows=_search_rows(f, [staff.cases(steer=False), *filters],
                                                                                  search_cap + 1))
        if matched > search_cap:
            return await _common_words(s, staff, f, filters, now=now, page_size=page_size, cap=search_cap)
    base = [staff.cases(steer=not f.q), *filters]
    if f.q:
        base.append(_search(f.q))
    state_cond = _state(f.state)
    scoped = [*base, *([state_cond] if state_cond is not None else [])]
    flags = _flag_conditions(now)
    chosen = {"open": set(OPEN_STATES), "all": set(CASE_STATES)}.get(f.state, {f.state})
    if counted:
        by_state, flag_counts = counted
    elif len(base) > 1:  # a filter narrows the scope: one pass over its few rows counts everything
        by_state, flag_counts, _ = await _counts(s, base, f.state, now)
    else:
        # The scope alone: per state from one index, then one narrow count per flag, each a seek on its own index
        # ((state, deadline_at), (assignee_id, state), the queue's (…, urgent, …)), where one pass with three
        # sums would read every open row.
        by_state = {state: int(n) for state, n in
                    (await s.execute(select(Case.state, func.count()).where(*base).group_by(Case.state))).all()}
        flag_counts = {name: await _count(s, [*scoped, cond]) for name, cond in flags.items()}
    on = [name for name in FLAGS if getattr(f, name)]
    where = scoped + [flags[name] for name in on]
    if len(on) == 1:
        total = flag_counts[on[0]]
    elif not on:
        total = sum(n for state, n in by_state.items() if state in chosen)
    else:
        total = await _count(s, where)
    urgent_total = total if f.urgent else flag_counts["urgent"] if not on else await _count(s, [*where, flags["urgent"]])
    pages = max(1, -(-total // page_size))
    page = min(f.page, pages)
    offset = (page - 1) * page_size
    rows = []
    if f.q:  # the word index's candidates come in no useful order: read them once, urgent first, by deadline
        rows = await _rows(s, where, offset, page_size, urgent_first=True)
    elif offset < urgent_total:  # urgent cases first, by deadline
        rows += await _rows(s, [*where, Case.urgent == true()], offset, page_size)
    if len(rows) < page_size and not f.urgent and not f.q:
        rows += await _rows(s, [*where, Case.urgent == false()], max(0, offset - urgent_total), page_size - len(rows))
    out = [QueueRow(int(i), n, intent, st, lvl, bool(urg), g, who, dl, created, addr, text or "",
                    st in OPEN_STATES and dl < now)
           for i, n, intent, st, lvl, urg, g, who, dl, created, addr, text in rows]
    return QueuePage(out, total, by_state, flag_counts, page, pages)


async def _common_words(s: AsyncSession, staff: Staff, f: QueueFilter, filters: list[Any], *, now: datetime,
                        page_size: int, cap: int) -> QueuePage:
    """A search that matches more than `cap` cases: its first `cap` in the queue's order, uncounted.
    Listing and sorting every match was the cost (a word every case has read the whole table twice); here the
    queue's own index is walked in order (urgent first, then by deadline) and each case is probed against the word
    index until the page is full, as the queue without a search is read."""
    state_cond = _state(f.state)
    flags = _flag_conditions(now)
    where = [staff.cases(), *filters, _search(f.q, per_case=True), *([state_cond] if state_cond is not None else []),
             *[flags[name] for name in FLAGS if getattr(f, name)]]
    pages = -(-cap // page_size)
    page = min(f.page, pages)
    offset = (page - 1) * page_size
    limit = min(page_size, cap - offset)
    urgent = [*where, Case.urgent == true()]
    rows = await _rows(s, urgent, offset, limit)
    if len(rows) < limit and not f.urgent:  # the urgent ones end on this page: how many there are, counted to here
        seen = int((await s.execute(select(func.count()).select_from(
            select(Case.id).where(*urgent).limit(offset + limit).subquery()))).scalar_one())
        rows += await _rows(s, [*where, Case.urgent == false()], max(0, offset - seen), limit - len(rows))
    out = [QueueRow(int(i), n, intent, st, lvl, bool(urg), g, who, dl, created, addr, text or "",
                    st in OPEN_STATES and dl < now)
           for i, n, intent, st, lvl, urg, g, who, dl, created, addr, text in rows]
    return QueuePage(out, cap, {}, {}, page, pages, capped=True)


async def _rows(s: AsyncSession, where: list[Any], offset: int, limit: int, *, urgent_first: bool = False) -> list[Any]:
    query = (select(Case.id, Case.number, Case.intent, Case.state, Case.level, Case.urgent, Case.grid_id, Worker.name,
                    Case.deadline_at, Case.created_at, Case.address, func.substr(Case.text, 1, 80))
             .outerjoin(Worker, Worker.id == Case.assignee_id).where(*where)
             .order_by(*([Case.urgent.desc()] if urgent_first else []), Case.deadline_at, Case.id)
             .limit(limit).offset(offset))
    return list((await s.execute(query)).all())
