"""Signing in and out. A link's GET only shows a button (chat apps open links to draw a preview; that must not
use the link up); the POST redeems the token, which works once, opens a session (`session_table`) and sets its
cookie. 退出 ends the session itself, not just the cookie: a copy of the cookie is refused from then on."""

from __future__ import annotations

import hmac
import logging
import secrets

from aiohttp import web

from bot.web.console.guard import COOKIE_PATH, CSRF_FIELD, PRE_COOKIE, SESSION, SESSION_COOKIE, STAFF, public
from bot.web.console.layout import h, message_page, page, redirect
from bot.web.console.staff import load_staff
from bot.web.console.state import console_of

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

HOW_TO = "请在 Telegram 中向机器人发送 /console，机器人会回复一个一次性登录链接（几分钟内有效，只能使用一次）。"
LINK_GONE = "这个登录链接已经用过或已过期。请在机器人中重新发送 /console 获取新的链接。"
#: What the login help page says after 退出 (`?bye=here`) and 全部退出 (`?bye=everywhere`).
BYE = {"here": "您已退出登录：这台设备上的登录已结束。", "everywhere": "您已在所有设备上退出登录。"}


@routes.get("/login")
@public
async def login_help(request: web.Request) -> web.Response:
    bye = BYE.get(request.query.get("bye", ""))
    return page(request, "登录控制台", (f'<p class="ok" role="status">{h(bye)}</p>' if bye else "")
                + f'<p class="notice">{h(HOW_TO)}</p>')


@routes.get("/login/{token}")
@public
async def login_form(request: web.Request) -> web.Response:
    console = console_of(request)
    token = request.match_info["token"]
    if not await console.links.is_waiting(token):
        return message_page(request, "链接已失效", LINK_GONE, status=410)
    assert console.sessions is not None
    nonce = secrets.token_urlsafe(16)
    body = (f'<form method="post" action="/console/login/{h(token)}" class="login">'
            f'<input type="hidden" name="{CSRF_FIELD}" value="{h(console.sessions.anonymous_csrf(nonce))}">'
            '<p>点击下面的按钮登录网格服务台控制台。</p><button type="submit">登录</button></form>')
    response = page(request, "登录控制台", body)
    response.set_cookie(PRE_COOKIE, nonce, path=COOKIE_PATH, httponly=True, samesite="Strict",
                        secure=console.secure_cookies, max_age=30 * 60)
    return response


@routes.post("/login/{token}")
@public
async def login(request: web.Request) -> web.Response:
    console = console_of(request)
    assert console.sessions is not None and console.session_table is not None
    form = await request.post()
    given = form.get(CSRF_FIELD)
    nonce = request.cookies.get(PRE_COOKIE, "")
    if not nonce or not isinstance(given, str) or not hmac.compare_digest(
            given.encode("utf-8", "replace"), console.sessions.anonymous_csrf(nonce).encode()):
        return message_page(request, "登录失败", "表单来源不明（CSRF 校验失败），请重新打开登录链接。", status=403)
    found = await console.links.redeem(request.match_info["token"])
    staff = await load_staff(console.cases.db, found[0], found[1], console.admin_ids) if found else None
    if found is None or staff is None:
        log.warning("console: a login link was refused (used, expired, unknown, or no longer staff)")
        return message_page(request, "链接已失效", LINK_GONE, status=410)
    log.info("console: %s %s signed in (%s)", staff.kind, staff.id, staff.role)
    cookie = await console.session_table.open(staff, request.headers.get("User-Agent", ""))
    response = redirect("/console/")
    response.set_cookie(SESSION_COOKIE, cookie, path=COOKIE_PATH, httponly=True,
                        samesite="Lax", secure=console.secure_cookies, max_age=int(console.session_hours * 3600))
    response.del_cookie(PRE_COOKIE, path=COOKIE_PATH)
    return response


@routes.post("/logout")
async def logout(request: web.Request) -> web.Response:
    """退出: this session ends in the database (a copy of the cookie is refused from now on) and the cookie goes."""
    staff = request[STAFF]
    table = console_of(request).session_table
    assert table is not None
    await table.end(request[SESSION].id, "logout")
    log.info("console: %s %s signed out", staff.kind, staff.id)
    return signed_out("here")


def signed_out(bye: str) -> web.Response:
    """To the login help page, which says the person is signed out; the session cookie is dropped."""
    response = redirect(f"/console/login?bye={bye}")
    response.del_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response
