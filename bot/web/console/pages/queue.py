"""工单: the queue of cases this staff member may see — filters by state, category, grid, urgent, overdue,
unassigned and period; search by case number or words; urgent first, then by deadline; counts per filter; paged.
A plain GET form: works without JavaScript, and every view has a URL to share."""

from __future__ import annotations

from aiohttp import web

from bot.cases.core import utc
from bot.web.console.guard import STAFF
from bot.web.console.layout import h, local_time, page
from bot.web.console.queue_query import FLAGS, STATE_CHOICES, QueueFilter, QueuePage, queue_page
from bot.web.console.staff import Staff
from bot.web.console.state import ConsoleState, NavItem, console_of
from bot.web.console.words import STATE_FILTER_NAMES, categories, category_name, state_name

routes = web.RouteTableDef()
NAV = (NavItem("工单", "/console/"),)
FLAG_NAMES = {"urgent": "紧急", "overdue": "已超时", "unassigned": "未派单"}


def grids_in_scope(console: ConsoleState, staff: Staff) -> list[tuple[str, str]]:
    router = console.cases.router
    out = []
    for gid in router.grid_ids():
        view = router.grid_view(gid)
        if (staff.role == "admin" or (staff.role == "street" and router.street_of_community(view.community_id) == staff.street_id)
                or (staff.role == "community" and view.community_id == staff.community_id)
                or (staff.role == "grid" and gid == staff.grid_id)):
            out.append((gid, view.name))
    return out


def _select(name: str, label: str, options: list[tuple[str, str]], chosen: str, blank: str | None) -> str:
    cells = [f'<option value="">{h(blank)}</option>'] if blank is not None else []
    cells += [f'<option value="{h(v)}"{" selected" if v == chosen else ""}>{h(t)}</option>' for v, t in options]
    return f'<label>{h(label)}<select name="{name}">{"".join(cells)}</select></label>'


def _form(f: QueueFilter, console: ConsoleState, staff: Staff) -> str:
    states = [(s, STATE_FILTER_NAMES.get(s) or state_name(s)) for s in STATE_CHOICES]
    checks = "".join(f'<label class="check"><span>{h(FLAG_NAMES[n])}</span><input type="checkbox" name="{n}" value="1"'
                     f'{" checked" if getattr(f, n) else ""}></label>' for n in FLAGS)
    return ('<form method="get" action="/console/" class="filters" role="search">'
            f'<label>搜索<input type="search" name="q" value="{h(f.q)}" placeholder="案件编号或关键词" maxlength="60"></label>'
            + _select("state", "状态", states, f.state, None)
            + _select("category", "类别", categories(console.cases), f.category, "全部类别")
            + _select("grid", "网格", grids_in_scope(console, staff), f.grid, "全部网格")
            + f'<label>受理自<input type="date" name="since" value="{h(f.since or "")}"></label>'
            f'<label>至<input type="date" name="until" value="{h(f.until or "")}"></label>'
            f'{checks}<button type="submit">筛选</button><a href="/console/">清除</a></form>')


def _chips(f: QueueFilter, result: QueuePage) -> str:
    if result.capped:  # too many matches to count: the choices without their numbers
        names = [(st, STATE_FILTER_NAMES.get(st) or state_name(st)) for st in STATE_CHOICES]
        cells = [f'<li><a href="{h(f.link(state=st))}"{" aria-current=true" if f.state == st else ""}>{h(name)}</a></li>'
                 for st, name in names]
        cells += [f'<li><a href="{h(f.link(**{name: not getattr(f, name)}))}"'
                  f'{" aria-current=true" if getattr(f, name) else ""}>{h(FLAG_NAMES[name])}</a></li>' for name in FLAGS]
        return f'<ul class="counts" aria-label="筛选条件">{"".join(cells)}</ul>'
    open_total = sum(n for st, n in result.by_state.items() if st in ("filed", "assigned", "accepted", "returned"))
    chips = [("open", open_total), ("all", sum(result.by_state.values()))]
    chips += [(st, result.by_state.get(st, 0)) for st in STATE_CHOICES[2:]]
    cells = [f'<li><a href="{h(f.link(state=st, urgent=False, overdue=False, unassigned=False))}"'
             f'{" aria-current=true" if f.state == st else ""}>{h(STATE_FILTER_NAMES.get(st) or state_name(st))} {n}</a></li>'
             for st, n in chips]
    cells += [f'<li><a href="{h(f.link(**{name: not getattr(f, name)}))}"{" aria-current=true" if getattr(f, name) else ""}>'
              f'{h(FLAG_NAMES[name])} {result.flags[name]}</a></li>' for name in FLAGS]
    return f'<ul class="counts" aria-label="按条件计数">{"".join(cells)}</ul>'


def _rows(request: web.Request, result: QueuePage, console: ConsoleState) -> str:
    if not result.rows:
        return '<p class="notice">没有符合条件的案件。</p>'
    router = console.cases.router
    body = []
    for r in result.rows:
        tags = ('<span class="tag urgent">紧急</span> ' if r.urgent else "") + (
            '<span class="tag overdue">超时</span>' if r.overdue else "")
        body.append(
            f'<tr><td><a href="/console/case/{h(r.number)}">{h(r.number)}</a> {tags}</td>'
            f'<td>{h(category_name(console.cases, r.intent))}</td><td>{h(state_name(r.state))}</td>'
            f'<td class="opt">{h(router.grid_name(r.grid_id) or "—")}</td><td>{h(r.assignee or "未派单")}</td>'
            f'<td>{h(local_time(request, r.deadline_at, "%m-%d %H:%M"))}</td>'
            f'<td class="opt">{h((r.address or "") + "：" if r.address else "")}{h(r.text)}</td></tr>')
    return ('<table class="cases"><thead><tr><th>编号</th><th>类别</th><th>状态</th><th class="opt">网格</th>'
            '<th>处理人</th><th>时限</th><th class="opt">地点与内容</th></tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def _pager(f: QueueFilter, result: QueuePage) -> str:
    links = [f'<span>超过 {result.total} 件，按紧急程度和时限列出前 {result.total} 件，第 {result.page}/{result.pages} 页；'
             '请加上更多关键词或条件缩小范围</span>' if result.capped else
             f'<span>共 {result.total} 件，第 {result.page}/{result.pages} 页</span>']
    if result.page > 1:
        links.append(f'<a href="{h(f.link(page=result.page - 1))}" rel="prev">上一页</a>')
    if result.page < result.pages:
        links.append(f'<a href="{h(f.link(page=result.page + 1))}" rel="next">下一页</a>')
    return f'<nav class="pager">{"".join(links)}</nav>'


@routes.get("/")
async def queue(request: web.Request) -> web.Response:
    staff = request[STAFF]
    console = console_of(request)
    f = QueueFilter.from_query(request.query)
    async with console.cases.db.session() as s:
        result = await queue_page(s, staff, f, now=utc(None), timezone=console.timezone)
    if f.q and len(result.rows) == 1 and result.total == 1 and result.rows[0].number == f.q.strip():
        return web.Response(status=303, headers={"Location": f"/console/case/{result.rows[0].number}"})
    warn = (f'<p class="error">看不懂的条件已忽略：{h("、".join(f.problems))}</p>' if f.problems else "")
    return page(request, "工单", warn + _form(f, console, staff) + _chips(f, result) + _rows(request, result, console)
                + _pager(f, result))
