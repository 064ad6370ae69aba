"""The period form of the figures and hotspots pages (and their CSV exports): the query string read once
(`bot.web.console.period`), the GET form that chooses it, and the 400 page with the form when it is bad — one
decorator, so every page about a period reads it the same way."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import wraps
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.web.console.layout import h, page
from bot.web.console.period import PERIOD_NAMES, BadPeriod, Period, parse_period
from bot.web.console.state import console_of

PeriodHandler = Callable[[web.Request, Period], Awaitable[web.StreamResponse]]


def period_form(request: web.Request, action: str, period: Period | None) -> str:
    """The GET form that chooses the period: two links and two date inputs (no script)."""
    links = "".join(
        f'<li><a href="{h(action)}?period={kind}"{" aria-current=true" if period and period.kind == kind else ""}>'
        f"{h(PERIOD_NAMES[kind])}</a></li>" for kind in ("week", "month"))
    first = h(request.query.get("from", period.first.isoformat() if period else "")[:20])
    last = h(request.query.get("to", period.last.isoformat() if period else "")[:20])
    return (f'<ul class="counts">{links}</ul>'
            f'<form method="get" action="{h(action)}" class="filters period">'
            f'<label>开始日期<input type="date" name="from" value="{first}" required></label>'
            f'<label>结束日期<input type="date" name="to" value="{last}" required></label>'
            '<button type="submit">查看</button></form>')


def with_period(title: str, action: str) -> Callable[[PeriodHandler], Callable[[web.Request], Awaitable[web.StreamResponse]]]:
    """A page handler that gets the period its query string names; a bad one is answered for it: the page
    `title` with the form (submitting to `action`) and the sentence that says what is wrong, status 400."""
    def decorate(handler: PeriodHandler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        @wraps(handler)
        async def read_period(request: web.Request) -> web.StreamResponse:
            try:
                period = parse_period(request.query, ZoneInfo(console_of(request).timezone), datetime.now(UTC))
            except BadPeriod as error:
                body = period_form(request, action, None) + f'<p class="error" role="alert">{h(error)}</p>'
                return page(request, title, body, status=400)
            return await handler(request, period)
        return read_period
    return decorate
