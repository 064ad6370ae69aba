"""The console's page frame and the small helpers every page module uses.

- `h(value)`: HTML-escape anything shown (`None` → "").
- `page(request, title, body_html)`: the whole page — menu for the signed-in role, the project's own CSS, works
  on a phone and without JavaScript. `body_html` is trusted HTML: build it with `h()` around every value.
- `csrf_field(request)`: the hidden input every POST form must carry (`guard` refuses a POST without it).
- `message_page(request, title, text, status=…)`: a short page for refusals and notices.
- `local_time(request, dt)`: a time as staff read it (TIMEZONE).
- `redirect(path)`: 303 to a console path, what a POST handler answers after acting.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.web.console.guard import CSRF, CSRF_FIELD, STAFF
from bot.web.console.state import console_of

STYLESHEET = "/console/static/console.css"


def h(value: Any) -> str:
    """Escaped text for HTML content and attribute values."""
    return "" if value is None else html.escape(str(value), quote=True)


def local_time(request: web.Request, value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An aware datetime in the desk's time zone (TIMEZONE), as staff read it; "—" for None."""
    if value is None:
        return "—"
    return value.astimezone(ZoneInfo(console_of(request).timezone)).strftime(fmt)


def csrf_field(request: web.Request) -> str:
    return f'<input type="hidden" name="{CSRF_FIELD}" value="{h(request[CSRF])}">'


def _nav(request: web.Request) -> str:
    staff = request.get(STAFF)
    if staff is None:
        return ""
    links = []
    for item in console_of(request).nav:
        if staff.role in item.roles:
            current = ' aria-current="page"' if request.path == item.path else ""
            links.append(f'<a href="{h(item.path)}"{current}>{h(item.label)}</a>')
    logout = (f'<form method="post" action="/console/logout" class="logout">{csrf_field(request)}'
              f'<button type="submit">退出</button></form>')
    return (f'<nav class="top"><span class="brand">网格服务台</span>{"".join(links)}'
            f'<a class="who" href="/console/sessions" title="登录设备">{h(staff.name)} · {h(staff.role_name)}</a>{logout}</nav>')


def page(request: web.Request, title: str, body_html: str, *, status: int = 200) -> web.Response:
    """A full console page around `body_html`."""
    text = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{h(title)} · 网格服务台</title><link rel="stylesheet" href="{STYLESHEET}"></head>'
        f'<body>{_nav(request)}<main><h1>{h(title)}</h1>{body_html}</main></body></html>'
    )
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


def redirect(path: str) -> web.Response:
    """303 See Other to a console path (after a POST: the browser GETs the result, a reload does not re-post)."""
    if not path.startswith("/console/") and path != "/console":
        raise ValueError(f"redirects stay inside the console, not {path!r}")
    return web.Response(status=303, headers={"Location": path})


def message_page(request: web.Request, title: str, text: str, *, status: int = 200) -> web.Response:
    return page(request, title, f'<p class="notice">{h(text)}</p>', status=status)
