"""管理 (admins only): workers (state, open load; 停用 or 调岗 — their open cases go back to the queue, as
`griddesk worker deactivate/move` does), invite codes (made here, shown once), and the check of the
admin-edited files (`griddesk intents check` / `kb check`, every problem as `path:line`).

API keys are on their own page (`keys.py`), sessions on `sessions.py`."""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from bot.cases.views import WorkerView
from bot.errors import GridDeskError
from bot.web.console.guard import requires
from bot.web.console.layout import csrf_field, h, local_time, message_page, page, redirect
from bot.web.console.state import NavItem, console_of

routes = web.RouteTableDef()
NAV = (NavItem("人员", "/console/admin/workers", roles=("admin",)),
       NavItem("邀请码", "/console/admin/invites", roles=("admin",)),
       NavItem("文件检查", "/console/admin/checks", roles=("admin",)))

ROLE_LABELS = {"grid": "网格员", "community": "社区派单员", "street": "街道派单员"}
VALID_HOURS = (24, 72, 168, 720)
MAX_NAME = 60
MAX_REASON = 200


def state_of(w: WorkerView) -> str:
    """The same words as `griddesk worker list`."""
    return "停用" if not w.active else "未绑定" if w.external_id is None else "无法接收消息" if w.unreachable else "在岗"


def _worker_id(request: web.Request) -> int | None:
    text = request.match_info.get("worker_id", "")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


def _field(form: object, name: str, limit: int) -> str:
    value = form.get(name) if hasattr(form, "get") else None  # type: ignore[attr-defined]
    return value.strip()[:limit] if isinstance(value, str) else ""


def _worker_actions(request: web.Request, w: WorkerView, grid_options: str) -> str:
    if not w.active:
        return ""
    stop = (f'<form method="post" action="/console/admin/workers/{w.id}/deactivate" class="inline">{csrf_field(request)}'
            f'<input name="reason" maxlength="{MAX_REASON}" placeholder="原因（可选）" aria-label="停用原因">'
            '<button type="submit" class="secondary">停用</button></form>')
    if w.role != "grid":
        return stop
    options = grid_options.replace(f'value="{h(w.grid_id)}">', f'value="{h(w.grid_id)}" selected>', 1)  # where he is now
    move = (f'<form method="post" action="/console/admin/workers/{w.id}/move" class="inline">{csrf_field(request)}'
            f'<select name="grid" aria-label="调往网格">{options}</select><button type="submit">调岗</button></form>')
    return stop + " " + move


@routes.get("/admin/workers")
@requires("admin")
async def workers(request: web.Request) -> web.Response:
    desk = console_of(request).desk
    people = await desk.workers()
    grids = await desk.grids()
    grid_options = "".join(f'<option value="{h(g.id)}">{h(g.community)} {h(g.name)}</option>' for g in grids)
    done = request.query.get("done", "")[:300]
    notice = f'<p class="ok" role="status">{h(done)}</p>' if done else ""
    rows = "".join(
        f"<tr><td>{w.id}</td><td>{h(w.name)}</td><td>{h(ROLE_LABELS.get(w.role, w.role))}</td>"
        f"<td>{h(w.grid_id or w.community_id or w.street_id or '—')}</td><td>{h(state_of(w))}</td>"
        f"<td>{w.open_cases}</td><td>{_worker_actions(request, w, grid_options)}</td></tr>" for w in people)
    table = ('<div class="scroll"><table class="workers"><thead><tr><th>编号</th><th>姓名</th><th>角色</th><th>负责</th>'
             f"<th>状态</th><th>在办</th><th>操作</th></tr></thead><tbody>{rows}</tbody></table></div>"
             if people else '<p class="notice">还没有工作人员：在「邀请码」页为网格员生成邀请码。</p>')
    hint = '<p class="notice">停用或调岗后，此人的在办案件退回所在社区的派单队列，由派单员重新派单。</p>'
    return page(request, "人员", notice + hint + table)


async def _done(request: web.Request, what: str, handed: list[str]) -> web.Response:
    cases = "、".join(handed) if handed else "无"
    text = f"{what}；{len(handed)} 件在办案件退回队列：{cases}"
    return redirect("/console/admin/workers?" + urlencode({"done": text[:300]}))


async def _known_worker(request: web.Request) -> WorkerView | None:
    wid = _worker_id(request)
    if wid is None:
        return None
    return next((w for w in await console_of(request).desk.workers() if w.id == wid and w.active), None)


@routes.post("/admin/workers/{worker_id}/deactivate")
@requires("admin")
async def deactivate(request: web.Request) -> web.Response:
    worker = await _known_worker(request)
    if worker is None:
        return message_page(request, "无法停用", "没有这位在岗的工作人员（可能已被停用），请返回人员列表刷新。", status=404)
    reason = _field(await request.post(), "reason", MAX_REASON)
    handed = await console_of(request).desk.deactivate_worker(worker.id, reason)
    return await _done(request, f"已停用 {worker.name}", handed)


@routes.post("/admin/workers/{worker_id}/move")
@requires("admin")
async def move(request: web.Request) -> web.Response:
    worker = await _known_worker(request)
    if worker is None:
        return message_page(request, "无法调岗", "没有这位在岗的工作人员（可能已被停用），请返回人员列表刷新。", status=404)
    if worker.role != "grid":
        return message_page(request, "无法调岗", f"{worker.name} 是派单员，不是网格员：只有网格员可以调往其他网格。", status=400)
    grid_id = _field(await request.post(), "grid", 40)
    grids = {g.id: g for g in await console_of(request).desk.grids()}
    if grid_id not in grids:
        return message_page(request, "无法调岗", f"没有网格「{grid_id}」：请从列表中选择一个网格。", status=400)
    if grid_id == worker.grid_id:
        return message_page(request, "无需调岗", f"{worker.name} 已在 {grids[grid_id].name}。", status=400)
    handed = await console_of(request).desk.move_worker(worker.id, grid_id)
    return await _done(request, f"已将 {worker.name} 调至 {grids[grid_id].name}", handed)


async def _invite_form(request: web.Request, error: str = "", name: str = "") -> str:
    grids, communities, streets = await console_of(request).desk.places()
    options = ("".join(f'<option value="grid:{h(g.id)}">网格员 · {h(g.community)} {h(g.name)}</option>' for g in grids)
               + "".join(f'<option value="community:{h(cid)}">社区派单员 · {h(cname)}</option>' for cid, cname in communities)
               + "".join(f'<option value="street:{h(sid)}">街道派单员 · {h(sname)}</option>' for sid, sname in streets))
    hours = "".join(f'<option value="{v}"{" selected" if v == 72 else ""}>{v} 小时</option>' for v in VALID_HOURS)
    shown = f'<p class="error" role="alert">{h(error)}</p>' if error else ""
    return (shown + f'<form method="post" action="/console/admin/invites"><fieldset><legend>生成一次性邀请码</legend>'
            f'{csrf_field(request)}<div class="filters">'
            f'<label>姓名<input name="name" maxlength="{MAX_NAME}" required value="{h(name)}"></label>'
            f'<label>岗位<select name="place">{options}</select></label>'
            f'<label>有效期<select name="hours">{hours}</select></label>'
            '<button type="submit">生成</button></div></fieldset></form>'
            '<p class="notice">邀请码只显示一次，请当面或通过可信渠道交给本人；对方在机器人对话中发送 /bind 邀请码。</p>')


@routes.get("/admin/invites")
@requires("admin")
async def invites(request: web.Request) -> web.Response:
    return page(request, "邀请码", await _invite_form(request))


@routes.post("/admin/invites")
@requires("admin")
async def create_invite(request: web.Request) -> web.Response:
    form = await request.post()
    name, place, hours_text = _field(form, "name", MAX_NAME + 1), _field(form, "place", 60), _field(form, "hours", 4)
    kind, _, place_id = place.partition(":")
    grids, communities, streets = await console_of(request).desk.places()
    known = {"grid": {g.id for g in grids}, "community": {c for c, _ in communities}, "street": {s for s, _ in streets}}
    error = ("请填写姓名。" if not name else f"姓名最长 {MAX_NAME} 个字。" if len(name) > MAX_NAME
             else "请从列表中选择岗位。" if place_id not in known.get(kind, set())
             else "请从列表中选择有效期。" if not hours_text.isdigit() or int(hours_text) not in VALID_HOURS else "")
    if error:
        return page(request, "邀请码", await _invite_form(request, error, name), status=400)
    try:
        invite = await console_of(request).desk.create_invite(
            name, grid_id=place_id if kind == "grid" else None, community_id=place_id if kind == "community" else None,
            street_id=place_id if kind == "street" else None, valid_hours=float(hours_text))
    except GridDeskError as exc:
        return page(request, "邀请码", await _invite_form(request, f"未能生成邀请码：{exc}", name), status=400)
    expires = local_time(request, invite.expires_at)
    body = (f'<p class="ok" role="status">已为 {h(invite.worker.name)}（{h(ROLE_LABELS.get(invite.worker.role, ""))}）'
            f"生成邀请码，{h(expires)} 前有效。此码只显示这一次。</p>"
            f'<p class="invite-code"><strong>/bind {h(invite.code)}</strong></p>' + await _invite_form(request))
    return page(request, "邀请码", body)


@routes.get("/admin/checks")
@requires("admin")
async def checks(request: web.Request) -> web.Response:
    results = await console_of(request).desk.check_files()
    if not results:
        return message_page(request, "文件检查", "这个控制台没有配置意图和知识库目录。")
    names = {"intents": "意图文件（griddesk intents check）", "knowledge": "知识库（griddesk kb check）"}
    parts = []
    for r in results:
        verdict = ('<p class="ok">全部通过。</p>' if r.ok else
                   f'<p class="error">{len(r.problems)} 个问题{"（文件无法读取）" if not r.loaded else ""}：</p>')
        problems = "".join(f"<li><code>{h(p)}</code></li>" for p in r.problems)
        notes = "".join(f"<li>{h(n)}</li>" for n in r.notes)
        parts.append(f"<h2>{h(names.get(r.what, r.what))}</h2><p>目录 <code>{h(r.directory)}</code> · {h(r.summary)}</p>"
                     + verdict + (f'<ol class="problems">{problems}</ol>' if problems else "")
                     + (f"<ul>{notes}</ul>" if notes else ""))
    return page(request, "文件检查", "".join(parts))
