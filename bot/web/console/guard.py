"""The console's gate, as middleware: a session for every page except the ones marked `public`, a CSRF
token on every POST, role checks per handler (`requires`), and safe headers on every answer.

A handler reads who is signed in as `request[STAFF]` (a `bot.web.console.staff.Staff`) and the form token
as `request[CSRF]` (`layout.csrf_field(request)` writes it into a form).
"""

from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.web.console.staff import ACTING_ROLES, ROLES, Staff, load_staff
from bot.web.console.state import console_of

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SESSION_COOKIE = "gd_session"
PRE_COOKIE = "gd_pre"  # the login form's double-submit nonce
COOKIE_PATH = "/console/"
STAFF: web.RequestKey[Staff] = web.RequestKey("griddesk_staff", Staff)
CSRF: web.RequestKey[str] = web.RequestKey("griddesk_csrf", str)
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
    assert console.sessions is not None, "the console's sessions are made at start-up"
    session = console.sessions.read(request.cookies.get(SESSION_COOKIE))
    staff = await load_staff(console.cases.db, session.kind, session.staff_id, console.admin_ids) if session else None
    if session is None or staff is None:
        if request.method in SAFE_METHODS:
            return web.Response(status=303, headers={"Location": "/console/login"})
        from bot.web.console.layout import message_page

        return message_page(request, "请先登录", "登录已失效，请在机器人中发送 /console 获取新的登录链接。", status=401)
    request[STAFF] = staff
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
