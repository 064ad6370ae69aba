"""登录设备 (everyone: their own sessions, 结束 one, 在所有设备上退出) and 登录会话 (admins: every live session,
结束 one or all of a person's). Ending works at once: the session's row is ended (`session_table`), so the
cookie on that device is refused at its next request with a page that says why."""

from __future__ import annotations

from aiohttp import web

from bot.web.console.guard import SESSION, STAFF, requires
from bot.web.console.layout import csrf_field, h, local_time, message_page, page, redirect
from bot.web.console.pages.login import signed_out
from bot.web.console.session_table import SessionTable, SessionView
from bot.web.console.staff import ROLE_NAMES
from bot.web.console.state import NavItem, console_of

routes = web.RouteTableDef()
NAV = (NavItem("登录会话", "/console/admin/sessions", roles=("admin",)),)

#: (what the User-Agent contains, what people call it), first match wins.
BROWSERS = (("MicroMessenger", "微信"), ("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
            ("Safari/", "Safari"))
SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
           ("Mac OS X", "Mac"), ("Linux", "Linux"))
DONE = {"one": "已结束这次登录。", "person": "已结束此人在所有设备上的登录。"}


def device_name(agent: str) -> str:
    """A browser's User-Agent as people say it: "Chrome · Android"; "未知设备" when it says nothing we know."""
    browser = next((name for mark, name in BROWSERS if mark in agent), "")
    system = next((name for mark, name in SYSTEMS if mark in agent), "")
    return " · ".join(p for p in (browser, system) if p) or "未知设备"


def _table(request: web.Request) -> SessionTable:
    table = console_of(request).session_table
    assert table is not None, "made at start-up"
    return table


def _session_id(request: web.Request) -> int | None:
    text = request.match_info.get("session_id", "")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


def _button(request: web.Request, action: str, label: str, css: str = "secondary") -> str:
    return (f'<form method="post" action="{h(action)}" class="inline">{csrf_field(request)}'
            f'<button type="submit" class="{css}">{h(label)}</button></form>')


def _times(request: web.Request, v: SessionView) -> str:
    return (f'<td data-label="登录时间">{h(local_time(request, v.created_at))}</td>'
            f'<td data-label="最近活动">{h(local_time(request, v.last_seen_at))}</td>'
            f'<td data-label="到期">{h(local_time(request, v.expires_at))}</td>')


@routes.get("/sessions")
async def own_sessions(request: web.Request) -> web.Response:
    staff, current = request[STAFF], request[SESSION]
    rows = []
    for v in sorted(await _table(request).of_person(staff), key=lambda v: v.id != current.id):  # this one first
        here = v.id == current.id
        action = ('<span class="tag">本机</span>' if here
                  else _button(request, f"/console/sessions/{v.id}/end", "结束"))
        rows.append(f'<tr><td data-label="设备">{h(device_name(v.agent))}</td>'
                    f'<td data-label="身份">{h(ROLE_NAMES.get(v.role, v.role))}</td>{_times(request, v)}'
                    f'<td data-label="操作">{action}</td></tr>')
    table = ('<table class="cards sessions"><thead><tr><th>设备</th><th>身份</th><th>登录时间</th><th>最近活动</th>'
             f'<th>到期</th><th>操作</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')
    everywhere = (f'<form method="post" action="/console/sessions/everywhere" class="danger-zone">{csrf_field(request)}'
                  '<p>手机丢失、在别人的电脑上登录过，或发现不认识的设备：在所有设备上退出，包括这一台。</p>'
                  '<button type="submit" class="danger">在所有设备上退出</button></form>')
    notice = '<p class="notice">这里是您当前有效的登录（您名下的每个身份）。结束后，那台设备立即需要重新登录。</p>'
    return page(request, "登录设备", notice + table + everywhere)


@routes.post("/sessions/everywhere")
async def sign_out_everywhere(request: web.Request) -> web.Response:
    staff = request[STAFF]
    await _table(request).end_person(staff.kind, staff.id, staff.channel, staff.user_id, "everywhere")
    return signed_out("everywhere")


@routes.post("/sessions/{session_id}/end")
async def end_own(request: web.Request) -> web.Response:
    which = _session_id(request)
    if which == request[SESSION].id:
        await _table(request).end(which, "logout")
        return signed_out("here")
    if which is None or not await _table(request).end(which, "elsewhere", of=request[STAFF]):
        return message_page(request, "无法结束", "没有这次登录（可能已经结束），请返回「登录设备」刷新。", status=404)
    return redirect("/console/sessions")


@routes.get("/admin/sessions")
@requires("admin")
async def all_sessions(request: web.Request) -> web.Response:
    names = {w.id: w.name for w in await console_of(request).desk.workers()}
    current = request[SESSION].id
    rows = []
    for v in await _table(request).live():
        who = f"管理员 {v.staff_id}" if v.staff_kind == "admin" else names.get(v.staff_id, f"工作人员 {v.staff_id}")
        here = ' <span class="tag">本机</span>' if v.id == current else ""
        actions = (_button(request, f"/console/admin/sessions/{v.id}/end", "结束")
                   + _button(request, f"/console/admin/sessions/{v.id}/person", "全部退出", "danger"))
        rows.append(f'<tr><td data-label="人员">{h(who)}{here}</td><td data-label="身份">{h(ROLE_NAMES.get(v.role, v.role))}</td>'
                    f'<td data-label="设备">{h(device_name(v.agent))}</td>{_times(request, v)}'
                    f'<td data-label="操作" class="buttons">{actions}</td></tr>')
    done = DONE.get(request.query.get("done", ""))
    body = ((f'<p class="ok" role="status">{h(done)}</p>' if done else "")
            + '<p class="notice">每一行是一次有效的登录。「结束」只结束这一次；'
            '「全部退出」结束此人（他名下每个身份）在所有设备上的登录。停用或调岗的工作人员，其登录会自动失效。</p>')
    if not rows:
        return page(request, "登录会话", body + '<p class="notice">现在没有有效的登录。</p>')
    table = ('<table class="cards sessions"><thead><tr><th>人员</th><th>身份</th><th>设备</th><th>登录时间</th>'
             f'<th>最近活动</th><th>到期</th><th>操作</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')
    return page(request, "登录会话", body + table)


async def _live_one(request: web.Request) -> SessionView | None:
    which = _session_id(request)
    return next((v for v in await _table(request).live() if v.id == which), None) if which is not None else None


@routes.post("/admin/sessions/{session_id}/end")
@requires("admin")
async def admin_end_one(request: web.Request) -> web.Response:
    target = await _live_one(request)
    if target is None or not await _table(request).end(target.id, "admin"):
        return message_page(request, "无法结束", "没有这次登录（可能已经结束），请返回「登录会话」刷新。", status=404)
    if target.id == request[SESSION].id:
        return signed_out("here")
    return redirect("/console/admin/sessions?done=one")


@routes.post("/admin/sessions/{session_id}/person")
@requires("admin")
async def admin_end_person(request: web.Request) -> web.Response:
    target = await _live_one(request)
    if target is None:
        return message_page(request, "无法结束", "没有这次登录（可能已经结束），请返回「登录会话」刷新。", status=404)
    await _table(request).end_person(target.staff_kind, target.staff_id, target.channel, target.user_id, "admin_all")
    mine = request[SESSION]
    if not await _table(request).is_live(mine.id):
        return signed_out("everywhere")  # the admin signed himself out everywhere
    return redirect("/console/admin/sessions?done=person")
