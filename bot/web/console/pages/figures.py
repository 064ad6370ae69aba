"""统计: the figures staff are judged by — 工作量, 办结率, 按时办结率, 响应率, 平均时长, 满意率 — per grid, category
and worker, for 本周, 本月 or a chosen range, with a weekly trend and CSV exports. Scoped by `staff.cases()`:
a community dispatcher sees his community's figures, a grid worker his grid's. The definitions are
`bot.cases.stats`' (the same numbers as `griddesk stats`), counted by the database."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.cases.queries import write_export_csv
from bot.cases.stats import RESPONSE_HOURS, StatRow, write_csv
from bot.web.console.chart import trend_svg
from bot.web.console.guard import STAFF
from bot.web.console.layout import h, page
from bot.web.console.period import Period
from bot.web.console.period_page import period_form, with_period
from bot.web.console.state import NavItem, console_of

routes = web.RouteTableDef()
NAV = (NavItem("统计", "/console/figures"),)

COLUMNS = ("工作量", "在办", "超时", "响应率", "办结率", "按时办结率", "平均时长", "满意率")
WEEK_COLUMNS = ("工作量", "在办", "超时", "办结", "办结率", "按时办结率", "平均时长")


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} 小时"


def _row_cells(r: StatRow) -> str:
    values = (r.cases, r.open, r.overdue, pct(r.response_rate), pct(r.resolution_rate), pct(r.on_time_rate),
              hours(r.avg_handling_hours), pct(r.satisfaction_rate))
    return "".join(f"<td>{h(v)}</td>" for v in values)


def _week_cells(r: StatRow) -> str:
    """A trend week: what the case rows say (`bot.cases.stats.figures_and_trend`: no 接单 or ratings per week)."""
    values = (r.cases, r.open, r.overdue, r.resolved, pct(r.resolution_rate), pct(r.on_time_rate),
              hours(r.avg_handling_hours))
    return "".join(f"<td>{h(v)}</td>" for v in values)


def _table(title: str, rows: list[StatRow], css: str) -> str:
    if not rows:
        return ""
    head = "".join(f"<th>{h(c)}</th>" for c in COLUMNS)
    body = "".join(f"<tr><td>{h(r.name)}</td>{_row_cells(r)}</tr>" for r in rows)
    return (f'<h2>{h(title)}</h2><div class="scroll"><table class="figures {css}"><thead><tr><th></th>{head}</tr>'
            f"</thead><tbody>{body}</tbody></table></div>")


def _summary(total: StatRow) -> str:
    facts = (("工作量", f"{total.cases} 件"), ("在办", f"{total.open} 件"), ("超时在办", f"{total.overdue} 件"),
             ("响应率", f"{pct(total.response_rate)}（{RESPONSE_HOURS:g} 小时内接单）"),
             ("办结率", f"{pct(total.resolution_rate)}（{total.resolved} 件办结）"),
             ("按时办结率", pct(total.on_time_rate)), ("平均处置时长", hours(total.avg_handling_hours)),
             ("平均响应时长", hours(total.avg_response_hours)),
             ("满意率", f"{pct(total.satisfaction_rate)}（{total.rated} 条评价）"))
    return '<dl class="facts summary">' + "".join(f"<dt>{h(k)}</dt><dd>{h(v)}</dd>" for k, v in facts) + "</dl>"


@routes.get("/figures")
@with_period("统计", "/console/figures")
async def figures(request: web.Request, period: Period) -> web.Response:
    staff = request[STAFF]
    desk = console_of(request).desk
    stats, weeks = await desk.figures_and_trend(staff, period.since, period.until, period.week_starts(),
                                                period.trend_until())
    query = period.query()
    exports = (f'<p class="exports"><a href="/console/figures.csv?{h(query)}" download>导出统计 CSV</a> · '
               f'<a href="/console/cases.csv?{h(query)}" download>导出案件 CSV</a>（不含电话号码）</p>')
    trend_rows = "".join(f"<tr><td>{h(w.name)}</td>{_week_cells(w)}</tr>" for w in weeks)
    head = "".join(f"<th>{h(c)}</th>" for c in WEEK_COLUMNS)
    body = (
        period_form(request, "/console/figures", period)
        + f'<p class="notice">{h(period.label)} · {h(staff.role_name)}可见范围内受理的案件</p>'
        + _summary(stats.total) + exports
        + f"<h2>每周趋势（{h(weeks[0].name)} 起 {len(weeks)} 周）</h2>" + trend_svg(weeks)
        + f'<details><summary>每周数字</summary><div class="scroll"><table class="figures weeks"><thead><tr><th>周</th>'
        f"{head}</tr></thead><tbody>{trend_rows}</tbody></table></div></details>"
        + _table("按网格", stats.by_grid, "grids") + _table("按类别", stats.by_category, "categories")
        + _table("按人员", stats.by_worker, "workers")
        + ("" if stats.total.cases else '<p class="notice">这一时段没有受理的案件。</p>')
    )
    return page(request, "统计", body)


def _csv(text: str, name: str) -> web.Response:
    """A CSV download; the BOM lets spreadsheet programs read the Chinese as UTF-8."""
    return web.Response(body=("\ufeff" + text).encode("utf-8"), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


async def _figures_rows(request: web.Request, period: Period, out: io.StringIO) -> None:
    write_csv(await console_of(request).desk.figures(request[STAFF], period.since, period.until), out)


async def _case_rows(request: web.Request, period: Period, out: io.StringIO) -> None:
    write_export_csv(await console_of(request).desk.export_cases(request[STAFF], period.since, period.until), out)


#: The CSV downloads, `/console/<name>.csv`: what writes the rows, and the file's name before its period.
EXPORTS: dict[str, tuple[Callable[[web.Request, Period, io.StringIO], Awaitable[None]], str]] = {
    "figures": (_figures_rows, "griddesk-figures"),
    "cases": (_case_rows, "griddesk-cases"),
}


@routes.get("/{export:figures|cases}.csv")
@with_period("统计", "/console/figures")
async def export_csv(request: web.Request, period: Period) -> web.Response:
    """figures.csv (the columns of `griddesk stats --csv`) and cases.csv (of `griddesk cases export`), for the
    period the figures page shows; a bad period is the figures page's 400 with the form."""
    write, file_name = EXPORTS[request.match_info["export"]]
    out = io.StringIO()
    await write(request, period, out)
    return _csv(out.getvalue(), f"{file_name}-{period.file_part()}.csv")
