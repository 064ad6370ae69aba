"""The case page's forms: 派单/改派, 督办, 改类, 合并, 升级, 内部备注 — each one call into the case service through
`desk.py`. Success answers 303 back to the case (a reload does not repeat it); a refusal re-shows the case with
the reason people read in the chat too."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot import wording as texts
from bot.errors import CaseError, NotFound, NotNow, NotYours
from bot.web.console.desk import ConsoleDesk
from bot.web.console.guard import STAFF, acting
from bot.web.console.layout import redirect
from bot.web.console.pages.case import render_case
from bot.web.console.staff import Staff
from bot.web.console.state import console_of

routes = web.RouteTableDef()
MAX_FIELD = 2000
STATUS = {NotFound: 404, NotYours: 403, NotNow: 409}
#: One form's call into the desk: (desk, staff, case id, the form's fields) -> the case as it is after.
Action = Callable[[ConsoleDesk, Staff, int, dict[str, str]], Awaitable[object]]


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 12 else None


def _worker(fields: dict[str, str]) -> int:
    worker = _int(fields.get("worker_id"))
    if worker is None:
        raise NotFound(texts.CHOOSE_WORKER)
    return worker


def _case_number(value: str) -> str:
    return value.strip().replace("－", "-")[:20]


#: Every form of the case page, by the last part of its path: the one place a new action is added.
ACTIONS: dict[str, Action] = {
    "assign": lambda desk, staff, case_id, f: desk.assign(staff, case_id, _worker(f)),
    "supervise": lambda desk, staff, case_id, f: desk.supervise(staff, case_id, f.get("note", "")),
    "category": lambda desk, staff, case_id, f: desk.recategorize(staff, case_id, f.get("intent", "").strip()),
    "merge": lambda desk, staff, case_id, f: desk.merge(staff, case_id, _case_number(f.get("into", ""))),
    "escalate": lambda desk, staff, case_id, f: desk.escalate(staff, case_id, f.get("reason", "")),
    "note": lambda desk, staff, case_id, f: desk.note(staff, case_id, f.get("text", "")),
}


@routes.post("/case/{number}/{action}")
@acting
async def act(request: web.Request) -> web.Response:
    """Run one form: the case must be in the viewer's scope (else the page's own 404), a refusal re-shows the
    case with the reason, success answers 303 back to the case so that a reload does not repeat it."""
    name = request.match_info["action"]
    action = ACTIONS.get(name)
    if action is None:
        raise web.HTTPNotFound()
    number = request.match_info["number"][:20]
    staff = request[STAFF]
    desk = console_of(request).desk
    case_id = await desk.case_id_in_scope(staff, number)
    if case_id is None:
        return await render_case(request, number)
    form = await request.post()
    fields = {k: v[:MAX_FIELD] for k, v in form.items() if isinstance(v, str)}
    try:
        await action(desk, staff, case_id, fields)
    except CaseError as exc:
        return await render_case(request, number, error=texts.ACTION_REFUSED.format(reason=exc),
                                 status=STATUS.get(type(exc), 400))
    return redirect(f"/console/case/{number}?done={name}")
