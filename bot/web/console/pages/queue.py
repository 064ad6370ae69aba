"""工单: the queue of cases this staff member may see (phase 1: newest open work first; filters follow)."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from bot.cases.views import STATE_NAMES
from bot.web.console.guard import STAFF
from bot.web.console.layout import h, page
from bot.web.console.state import NavItem, console_of
from storage.models import Case

routes = web.RouteTableDef()
NAV = (NavItem("工单", "/console/"),)
PAGE_SIZE = 50


@routes.get("/")
async def queue(request: web.Request) -> web.Response:
    staff = request[STAFF]
    console = console_of(request)
    query = (select(Case.number, Case.intent, Case.state, Case.urgent, Case.deadline_at, Case.address)
             .where(staff.cases()).order_by(Case.urgent.desc(), Case.deadline_at, Case.id).limit(PAGE_SIZE))
    async with console.cases.db.session() as s:
        rows = (await s.execute(query)).all()
    items = "".join(
        f'<tr><td><a href="/console/case/{h(n)}">{h(n)}</a></td><td>{h(intent)}</td>'
        f'<td>{h(STATE_NAMES.get(state, state))}</td><td>{"紧急" if urgent else ""}</td><td>{h(address)}</td></tr>'
        for n, intent, state, urgent, _deadline, address in rows)
    body = ('<table class="cases"><thead><tr><th>编号</th><th>类别</th><th>状态</th><th></th><th>地点</th></tr></thead>'
            f'<tbody>{items}</tbody></table>' if rows else '<p class="notice">没有案件。</p>')
    return page(request, "工单", body)
