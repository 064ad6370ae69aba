"""The console's gate, as middleware: a session for every page except the ones marked `public`, a CSRF
token on every POST, role checks per handler (`requires`), and safe headers on every answer.

A handler reads who is signed in as `request[STAFF]` (a `bot.web.console.staff.Staff`), the form token
as `request[CSRF]` (`layout.csrf_field(request)` writes it into a form) and the session as `request[SESSION]`.
A cookie we signed whose session ended (`session_table`) gets a 401 page that says why.
"""

from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.web.console.session_table import WHY, SessionView
from bot.web.console.staff import ACTING_ROLES, ROLES, Staff
from bot.web.console.state import console_of

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SESSION_COOKIE = "gd_session"
PRE_COOKIE = "gd_pre"  # the login form's double-submit nonce
COOKIE_PATH = "/console/"
STAFF: web.RequestKey[Staff] = web.RequestKey("griddesk_staff", Staff)
CSRF: web.RequestKey[str] = web.RequestKey("griddesk_csrf", str)
SESSION: web.RequestKey[SessionView] = web.RequestKey("griddesk_session", SessionView)
CSRF_FIELD = "csrf"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
HEADERS = {
    # Everything the console uses is served by the project itself; no script is needed for any action.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",  # a login link's token never leaves in a Referer header
    "Cache-Control": "no-store",
}


def public(handler: Handler) -> Handler:
    """Mark a handler that needs no session (the login pages, the stylesheet)."""
    handler.__dict__["console_public"] = True
    return handler


def requires(*roles: str) -> Callable[[Handler], Handler]:
    """This handler needs one of `roles` (see `staff.ROLES`); anyone else gets 403."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown console roles {sorted(unknown)}; use {ROLES}")

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def checked(request: web.Request) -> web.StreamResponse:
            if request[STAFF].role not in roles:
                return await forbidden(request, "您的角色不能查看或操作这一页。")
            return await handler(request)
        return checked
    return wrap


#: The handler acts on cases: admins and dispatchers only (a grid worker's console is read-only).
acting = requires(*ACTING_ROLES)


async def forbidden(request: web.Request, why: str) -> web.Response:
    from bot.web.console.layout import message_page

    return message_page(request, "无权操作", why, status=403)


def ended_page(request: web.Request, why: str) -> web.Response:
    """401 for a session that ended (signed out, signed out everywhere, left, moved): why, and how to get back in.
    The cookie goes too, so the next visit is an ordinary "please sign in"."""
    from bot.web.console.layout import message_page

    text = WHY.get(why, WHY["unknown"]) + "如需继续使用，请在机器人中发送 /console 获取新的一次性登录链接。"
    response = message_page(request, "登录已结束", text, status=401)
    response.del_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response


def _is_public(request: web.Request) -> bool:
    info = request.match_info
    if info.http_exception is not None or isinstance(info.route.resource, web.StaticResource):
        return True  # no such page (404/405 whoever asks), or the stylesheet
    handler: Any = info.handler
    return bool(getattr(handler, "console_public", False))


@web.middleware
async def headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


@web.middleware
async def guard_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if _is_public(request):
        return await handler(request)
    console = console_of(request)
    assert console.sessions is not None and console.session_table is not None, "made at start-up"
    session = console.sessions.read(request.cookies.get(SESSION_COOKIE))
    if session is None:  # no cookie, or one we did not sign, or past its expiry
        if request.method in SAFE_METHODS:
            return web.Response(status=303, headers={"Location": "/console/login"})
        from bot.web.console.layout import message_page

        return message_page(request, "请先登录", "登录已失效，请在机器人中发送 /console 获取新的登录链接。", status=401)
    checked = await console.session_table.check(session)
    if checked.staff is None or checked.session is None:  # a session we made that no longer counts
        log.warning("console: %s %s refused: the session of %s %s ended (%s)", request.method, request.path,
                    session.kind, session.staff_id, checked.why)
        return ended_page(request, checked.why)
    staff = request[STAFF] = checked.staff
    request[SESSION] = checked.session
    request[CSRF] = console.sessions.csrf(session)
    if request.method not in SAFE_METHODS and not await csrf_ok(request, request[CSRF]):
        log.warning("console: %s %s refused: missing or wrong CSRF token (staff %s %s)", request.method, request.path,
                    staff.kind, staff.id)
        return await forbidden(request, "表单已过期或来源不明（CSRF 校验失败），请返回页面重新提交。")
    return await handler(request)


async def csrf_ok(request: web.Request, expected: str) -> bool:
    """The form field `csrf` (or header X-CSRF-Token) equals `expected`, compared in constant time."""
    given = request.headers.get("X-CSRF-Token")
    if given is None:
        try:
            form = await request.post()
        except (ValueError, UnicodeDecodeError):
            return False
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else ""
    return bool(given) and hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode())
