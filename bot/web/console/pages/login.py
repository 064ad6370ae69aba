"""Signing in and out. A link's GET only shows a button (chat apps open links to draw a preview; that must not
use the link up); the POST redeems the token, which works once, and sets the session cookie."""

from __future__ import annotations

import hmac
import logging
import secrets

from aiohttp import web

from bot.web.console.guard import COOKIE_PATH, CSRF_FIELD, PRE_COOKIE, SESSION_COOKIE, STAFF, public
from bot.web.console.layout import h, message_page, page, redirect
from bot.web.console.staff import load_staff
from bot.web.console.state import console_of

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

HOW_TO = "请在 Telegram 中向机器人发送 /console，机器人会回复一个一次性登录链接（几分钟内有效，只能使用一次）。"
LINK_GONE = "这个登录链接已经用过或已过期。请在机器人中重新发送 /console 获取新的链接。"


@routes.get("/login")
@public
async def login_help(request: web.Request) -> web.Response:
    return message_page(request, "登录控制台", HOW_TO)


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
    assert console.sessions is not None
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
    response = redirect("/console/")
    response.set_cookie(SESSION_COOKIE, console.sessions.make(staff.kind, staff.id), path=COOKIE_PATH, httponly=True,
                        samesite="Lax", secure=console.secure_cookies, max_age=int(console.session_hours * 3600))
    response.del_cookie(PRE_COOKIE, path=COOKIE_PATH)
    return response


@routes.post("/logout")
async def logout(request: web.Request) -> web.Response:
    log.info("console: %s %s signed out", request[STAFF].kind, request[STAFF].id)
    response = redirect("/console/login")
    response.del_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response
