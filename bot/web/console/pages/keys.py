"""接口密钥 (admins only): the API keys Open311 clients send as `api_key` — listed with their use this hour,
created (the key is shown once, on the page the POST answers; only its SHA-256 is kept) and revoked after a
confirmation page. The same store as `griddesk api-key create/list/revoke` (`bot.web.open311.keys`), through
`desk.py`; every form is a plain POST with the session's CSRF token, no script."""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from bot.cases.core import clean_text
from bot.errors import GridDeskError
from bot.web.console.guard import requires
from bot.web.console.layout import csrf_field, h, local_time, message_page, page, redirect
from bot.web.console.state import NavItem, console_of
from bot.web.open311.keys import DEFAULT_RATE_LIMIT, MAX_RATE_LIMIT, KeyView

routes = web.RouteTableDef()
NAV = (NavItem("接口密钥", "/console/admin/keys", roles=("admin",)),)

SCOPES = {"own": "只读自己提交的请求", "all": "读全部案件（可信系统）"}
MAX_NAME = 60


def _key_id(request: web.Request) -> int | None:
    text = request.match_info.get("key_id", "")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


def _field(form: object, name: str, limit: int) -> str:
    value = form.get(name) if hasattr(form, "get") else None  # type: ignore[attr-defined]
    return value.strip()[:limit] if isinstance(value, str) else ""


def _state(request: web.Request, k: KeyView) -> str:
    if k.revoked_at is not None:
        return f'<span class="tag revoked">已吊销</span> {h(local_time(request, k.revoked_at))}'
    return '<span class="tag live">有效</span>'


def _row(request: web.Request, k: KeyView) -> str:
    revoke = ("" if k.revoked_at is not None else
              f'<a class="button secondary" href="/console/admin/keys/{k.id}/revoke">吊销…</a>')
    used = "从未使用" if k.last_used_at is None else local_time(request, k.last_used_at)
    return (f'<tr><td data-label="名称"><strong>{h(k.name)}</strong></td>'
            f'<td data-label="前缀"><code>{h(k.prefix)}…</code></td>'
            f'<td data-label="读取范围">{h(SCOPES.get(k.scope, k.scope))}</td>'
            f'<td data-label="创建">{h(local_time(request, k.created_at))}</td>'
            f'<td data-label="最近使用">{h(used)}</td>'
            f'<td data-label="本小时请求" class="num">{k.used_this_hour} / {k.rate_limit}</td>'
            f'<td data-label="状态">{_state(request, k)}</td><td data-label="操作">{revoke}</td></tr>')


def _create_form(request: web.Request, *, error: str = "", name: str = "", limit: str = "", scope: str = "own") -> str:
    scopes = "".join(f'<option value="{v}"{" selected" if v == scope else ""}>{h(t)}</option>' for v, t in SCOPES.items())
    shown = f'<p class="error" role="alert">{h(error)}</p>' if error else ""
    return (shown + f'<form method="post" action="/console/admin/keys" class="create-key"><fieldset>'
            f'<legend>为外部系统生成密钥</legend>{csrf_field(request)}<div class="filters">'
            f'<label>系统名称<input name="name" maxlength="{MAX_NAME}" required value="{h(name)}" '
            'placeholder="例如 12345-热线平台"></label>'
            f'<label>每小时请求上限<input name="limit" type="number" inputmode="numeric" min="1" max="{MAX_RATE_LIMIT}" '
            f'required value="{h(limit or DEFAULT_RATE_LIMIT)}"></label>'
            f'<label>读取范围<select name="scope">{scopes}</select></label>'
            '<button type="submit">生成密钥</button></div></fieldset></form>')


async def _list_page(request: web.Request, *, form_html: str = "", status: int = 200) -> web.Response:
    keys = await console_of(request).desk.api_keys()
    revoked = request.query.get("revoked", "")[:MAX_NAME]
    notice = f'<p class="ok" role="status">已吊销密钥「{h(revoked)}」：使用它的请求从现在起被拒绝。</p>' if revoked else ""
    rows = "".join(_row(request, k) for k in keys)
    table = ('<table class="cards keys"><thead><tr><th>名称</th><th>前缀</th><th>读取范围</th><th>创建</th><th>最近使用</th>'
             f'<th class="num">本小时请求 / 上限</th><th>状态</th><th>操作</th></tr></thead><tbody>{rows}</tbody></table>'
             if keys else '<p class="notice">还没有接口密钥。</p>')
    hint = ('<p class="notice">外部系统（如 12345 热线平台）通过 Open311 接口 <code>/open311/v2/</code> 提交和查询诉求时，'
            '须带上 <code>api_key</code>。密钥只在生成时显示一次，系统只保存它的哈希值；丢失后请吊销并重新生成。'
            '命令行 <code>griddesk api-key create/list/revoke</code> 管理的是同一批密钥。</p>')
    return page(request, "接口密钥", notice + hint + table + (form_html or _create_form(request)), status=status)


@routes.get("/admin/keys")
@requires("admin")
async def keys(request: web.Request) -> web.Response:
    return await _list_page(request)


@routes.post("/admin/keys")
@requires("admin")
async def create_key(request: web.Request) -> web.Response:
    form = await request.post()
    name = " ".join(clean_text(_field(form, "name", 4 * MAX_NAME)).split())[:MAX_NAME + 1]  # as the store keeps it
    limit, scope = _field(form, "limit", 7), _field(form, "scope", 8)
    existing = {k.name for k in await console_of(request).desk.api_keys()}
    error = ("请填写系统名称。" if not name else f"系统名称最长 {MAX_NAME} 个字。" if len(name) > MAX_NAME
             else f"已有名为「{name}」的密钥（吊销的密钥也保留名称），请换一个名称。" if name in existing
             else f"每小时请求上限请填 1 到 {MAX_RATE_LIMIT} 之间的整数。"
             if not (limit.isascii() and limit.isdigit() and 1 <= int(limit) <= MAX_RATE_LIMIT)
             else "请从列表中选择读取范围。" if scope not in SCOPES else "")
    if not error:
        try:
            key, view = await console_of(request).desk.create_api_key(name, int(limit), scope)  # type: ignore[arg-type]
        except GridDeskError as exc:  # e.g. the same name created a moment ago elsewhere
            error = f"未能生成密钥：{exc}"
    if error:
        return await _list_page(request, status=400, form_html=_create_form(request, error=error, name=name[:MAX_NAME],
                                                                            limit=limit, scope=scope))
    body = (f'<p class="ok" role="status">已为「{h(view.name)}」生成接口密钥（{h(SCOPES[view.scope])}，'
            f"每小时最多 {view.rate_limit} 次请求）。</p>"
            '<p class="notice"><strong>密钥只显示这一次。</strong>请现在复制，并通过可信渠道交给对方系统的管理员；'
            '离开此页后无法再次查看，系统只保存它的哈希值。</p>'
            f'<p class="secret-key"><code>{h(key)}</code></p>'
            '<p>对方系统在每个请求中带上它，例如：<code>GET /open311/v2/requests.json?api_key=…</code></p>'
            '<p><a href="/console/admin/keys">返回接口密钥列表</a></p>')
    return page(request, "密钥已生成", body)


async def _live_key(request: web.Request) -> KeyView | None:
    which = _key_id(request)
    return next((k for k in await console_of(request).desk.api_keys() if k.id == which), None)


@routes.get("/admin/keys/{key_id}/revoke")
@requires("admin")
async def confirm_revoke(request: web.Request) -> web.Response:
    key = await _live_key(request)
    if key is None:
        return message_page(request, "没有这个密钥", "没有这个接口密钥，请返回列表刷新。", status=404)
    if key.revoked_at is not None:
        return message_page(request, "密钥已吊销", f"密钥「{key.name}」已于 {local_time(request, key.revoked_at)} 吊销。",
                            status=409)
    body = (f'<p class="error" role="alert">确定吊销密钥「{h(key.name)}」（<code>{h(key.prefix)}…</code>）吗？</p>'
            '<p>吊销后，使用这个密钥的系统从下一个请求起被拒绝，且不能恢复；如需继续对接，请为它生成新的密钥。</p>'
            f'<form method="post" action="/console/admin/keys/{key.id}/revoke" class="confirm">{csrf_field(request)}'
            '<button type="submit" class="danger">确认吊销</button> '
            '<a class="button secondary" href="/console/admin/keys">取消</a></form>')
    return page(request, "吊销接口密钥", body)


@routes.post("/admin/keys/{key_id}/revoke")
@requires("admin")
async def revoke(request: web.Request) -> web.Response:
    key = await _live_key(request)
    if key is None:
        return message_page(request, "没有这个密钥", "没有这个接口密钥，请返回列表刷新。", status=404)
    try:
        done = await console_of(request).desk.revoke_api_key(key.id)
    except GridDeskError:  # revoked already (here, from the CLI, or by a second click)
        return message_page(request, "密钥已吊销", f"密钥「{key.name}」已经吊销过了。", status=409)
    return redirect("/console/admin/keys?" + urlencode({"revoked": done.name}))
