"""主动治理: where problems come back — the buildings and categories with most cases in a period, repeat
addresses, reopened and overdue cases, per grid (`bot.cases.hotspots`, the figures a weekly digest reuses).
Scoped by `staff.cases()` like every console page."""

from __future__ import annotations

from aiohttp import web

from bot.cases.hotspots import REPEAT_MIN, CaseLine, Spot
from bot.web.console.guard import STAFF
from bot.web.console.layout import h, local_time, page
from bot.web.console.period import Period
from bot.web.console.period_page import period_form, with_period
from bot.web.console.state import NavItem, console_of
from bot.wording.names import STATE_NAMES

routes = web.RouteTableDef()
NAV = (NavItem("主动治理", "/console/hotspots"),)


def _spots(title: str, spots: list[Spot], first: str, css: str, *, places: bool = True, empty: str = "") -> str:
    if not spots:
        return f'<h2>{h(title)}</h2><p class="notice">{h(empty or "这一时段没有。")}</p>'
    extra = "网格" if places else ""
    head = (f"<th>{h(first)}</th><th>案件</th><th>在办</th><th>超时</th><th>重办</th>"
            + (f"<th>{h(extra)}</th>" if extra else ""))
    rows = "".join(
        f"<tr><td>{h(s.name)}</td><td>{s.cases}</td><td>{s.open}</td><td>{s.overdue}</td><td>{s.reopened}</td>"
        + (f"<td>{h('、'.join(s.grids))}</td>" if places else "") + "</tr>" for s in spots)
    return (f'<h2>{h(title)}</h2><div class="scroll"><table class="hotspots {css}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div>")


def _cases(request: web.Request, title: str, count: int, lines: list[CaseLine], css: str, empty: str) -> str:
    if not lines:
        return f'<h2>{h(title)}（0）</h2><p class="notice">{h(empty)}</p>'
    rows = "".join(
        f'<tr><td><a href="/console/case/{h(c.number)}">{h(c.number)}</a></td><td>{h(c.category)}</td><td>{h(c.grid)}</td>'
        f"<td>{h(STATE_NAMES.get(c.state, c.state))}</td><td>{h(c.address)}</td>"
        f"<td>{h(local_time(request, c.deadline_at))}</td><td>{c.reopens}</td></tr>" for c in lines)
    more = f'<p class="notice">共 {count} 件，仅列出前 {len(lines)} 件。</p>' if count > len(lines) else ""
    return (f'<h2>{h(title)}（{count}）</h2><div class="scroll"><table class="hotspots {css}"><thead><tr><th>编号</th>'
            "<th>类别</th><th>网格</th><th>状态</th><th>地点</th><th>期限</th><th>重办次数</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>{more}")


def _grids(spots: list[Spot]) -> str:
    if not spots:
        return ""
    rows = "".join(f"<tr><td>{h(s.name)}</td><td>{s.cases}</td><td>{s.open}</td><td>{s.overdue}</td><td>{s.reopened}</td>"
                   f"<td>{h('、'.join(s.grids))}</td></tr>" for s in spots)
    return ('<h2>按网格</h2><div class="scroll"><table class="hotspots grids"><thead><tr><th>网格</th><th>案件</th>'
            f"<th>在办</th><th>超时</th><th>重办</th><th>最多的类别</th></tr></thead><tbody>{rows}</tbody></table></div>")


@routes.get("/hotspots")
@with_period("主动治理", "/console/hotspots")
async def hotspots(request: web.Request, period: Period) -> web.Response:
    staff = request[STAFF]
    found = await console_of(request).desk.hotspots(staff, period.since, period.until)
    body = (
        period_form(request, "/console/hotspots", period)
        + f'<p class="notice">{h(period.label)} · 受理 {found.total} 件 · {h(staff.role_name)}可见范围</p>'
        + _spots("案件最多的楼栋", found.buildings, "楼栋", "buildings")
        + _spots("案件最多的类别", found.categories, "类别", "categories", places=False)
        + _spots(f"重复报告的地址（{REPEAT_MIN} 件及以上）", found.repeat_addresses, "地址", "repeats",
                 empty="这一时段没有同一地址多次报告的情况。")
        + _cases(request, "重办的案件", found.reopened_count, found.reopened, "reopened", "这一时段没有重办的案件。")
        + _cases(request, "超时未办结的案件", found.overdue_count, found.overdue, "overdue", "这一时段没有超时未办结的案件。")
        + _grids(found.by_grid)
    )
    return page(request, "主动治理", body)
