"""The case page's forms: 派单/改派, 督办, 改类, 合并, 升级, 内部备注 — each one call into the case service through
`desk.py`. Success answers 303 back to the case (a reload does not repeat it); a refusal re-shows the case with
the reason people read in the chat too."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.errors import CaseError, NotFound, NotNow, NotYours
from bot.web.console.guard import STAFF, acting
from bot.web.console.layout import redirect
from bot.web.console.pages.case import render_case
from bot.web.console.state import console_of

routes = web.RouteTableDef()
MAX_FIELD = 2000
Action = Callable[[web.Request, int, dict[str, str]], Awaitable[object]]
STATUS = {NotFound: 404, NotYours: 403, NotNow: 409}


async def _run(request: web.Request, name: str, act: Action) -> web.Response:
    number = request.match_info["number"][:20]
    staff = request[STAFF]
    case_id = await console_of(request).desk.case_id_in_scope(staff, number)
    if case_id is None:
        return await render_case(request, number)  # the same 404 as the page itself
    form = await request.post()
    fields = {k: v[:MAX_FIELD] for k, v in form.items() if isinstance(v, str)}
    try:
        await act(request, case_id, fields)
    except CaseError as exc:
        return await render_case(request, number, error=f"操作未完成：{exc}", status=STATUS.get(type(exc), 400))
    return redirect(f"/console/case/{number}?done={name}")


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 12 else None


@routes.post("/case/{number}/assign")
@acting
async def assign(request: web.Request) -> web.Response:
    async def act(request: web.Request, case_id: int, f: dict[str, str]) -> object:
        worker = _int(f.get("worker_id"))
        if worker is None:
            raise NotFound("请选择网格员。")
        return await console_of(request).desk.assign(request[STAFF], case_id, worker)
    return await _run(request, "assign", act)


@routes.post("/case/{number}/supervise")
@acting
async def supervise(request: web.Request) -> web.Response:
    async def act(request: web.Request, case_id: int, f: dict[str, str]) -> object:
        return await console_of(request).desk.supervise(request[STAFF], case_id, f.get("note", ""))
    return await _run(request, "supervise", act)


@routes.post("/case/{number}/category")
@acting
async def category(request: web.Request) -> web.Response:
    async def act(request: web.Request, case_id: int, f: dict[str, str]) -> object:
        return await console_of(request).desk.recategorize(request[STAFF], case_id, f.get("intent", "").strip())
    return await _run(request, "category", act)


@routes.post("/case/{number}/merge")
@acting
async def merge(request: web.Request) -> web.Response:
    async def act(request: web.Request, case_id: int, f: dict[str, str]) -> object:
        into = f.get("into", "").strip().replace("－", "-")[:20]
        return await console_of(request).desk.merge(request[STAFF], case_id, into)
    return await _run(request, "merge", act)


@routes.post("/case/{number}/escalate")
@acting
async def escalate(request: web.Request) -> web.Response:
    async def act(request: web.Request, case_id: int, f: dict[str, str]) -> object:
        return await console_of(request).desk.escalate(request[STAFF], case_id, f.get("reason", ""))
    return await _run(request, "escalate", act)


@routes.post("/case/{number}/note")
@acting
async def note(request: web.Request) -> web.Response:
    async def act(request: web.Request, case_id: int, f: dict[str, str]) -> object:
        return await console_of(request).desk.note(request[STAFF], case_id, f.get("text", ""))
    return await _run(request, "note", act)
