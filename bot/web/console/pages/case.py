"""A case: the resident's words, category, place, timeline (phase 1: read-only view)."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from bot.web.console.guard import STAFF
from bot.web.console.layout import h, message_page, page
from bot.web.console.state import console_of
from storage.models import Case

routes = web.RouteTableDef()


@routes.get("/case/{number}")
async def case_page(request: web.Request) -> web.Response:
    staff = request[STAFF]
    console = console_of(request)
    number = request.match_info["number"][:20]
    async with console.cases.db.session() as s:
        case = (await s.execute(select(Case).where(Case.number == number, staff.cases()))).scalar_one_or_none()
    if case is None:  # not there, or not this person's to see: the same answer
        return message_page(request, "找不到案件", f"没有编号为 {number} 的案件，或您无权查看。", status=404)
    events = await console.desk.events(case.id or 0)
    timeline = "".join(f"<li>{h(e.at.isoformat(timespec='minutes'))} {h(e.action)} {h(e.note)}</li>" for e in events)
    body = (f'<section class="case"><p class="words">{h(case.text)}</p><p>类别：{h(case.intent)}　状态：{h(case.state)}</p>'
            f'<p>地点：{h(case.address)}</p></section><h2>经过</h2><ol class="timeline">{timeline}</ol>')
    return page(request, f"案件 {case.number}", body)
