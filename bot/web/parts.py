"""THE registry of web parts: what the bot's one web server serves, decided here and nowhere else.

Every part is a function `mount(root: web.Application) -> None` that adds routes or a sub-app. To add one
(an API, a page family outside the console), build it from the `WebContext` and append it in `web_parts`.
Console pages are registered in `bot.web.console.pages.PAGES`, not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from bot.errors import ConfigError
from bot.web.health import Health
from bot.web.photos import Fetch, PhotoCache
from bot.web.server import Part, WebServer

if TYPE_CHECKING:
    from bot.cases.service import CaseService
    from bot.settings import Settings
    from bot.telegram.webhook import TelegramWebhook


@dataclass(slots=True)
class WebContext:
    """What web parts are built from: the settings, the case service, and what the running channel offers."""

    settings: Settings
    cases: CaseService | None = None
    #: Who counts as an admin here (ADMIN_IDS; the console chat adds its own admin persona).
    admin_ids: frozenset[int] = frozenset()
    #: Telegram's webhook route, in webhook mode.
    webhook: TelegramWebhook | None = None
    #: Fetches a file people sent by its id through the channel (Telegram: getFile); None in the console chat.
    photos: Fetch | None = None


def _no_updates() -> dict[str, int]:
    return {"accepted": 0, "refused": 0}


def web_parts(ctx: WebContext) -> list[Part]:
    """Every part the server mounts, in order."""
    token = ctx.settings.healthz_token.get_secret_value() if ctx.settings.healthz_token else None
    parts: list[Part] = [Health(ctx.webhook.counters if ctx.webhook else _no_updates, token).mount]
    if ctx.webhook is not None:
        parts.append(ctx.webhook.mount)
    if ctx.cases is not None:
        cases = ctx.cases

        def console(root: web.Application) -> None:
            from bot.web.console.app import mount_console

            photos = PhotoCache(ctx.photos, ctx.settings.photo_cache_dir) if ctx.photos else None
            mount_console(root, cases, ctx.settings, ctx.admin_ids, photos)

        parts.append(console)

        def open311(root: web.Application) -> None:
            from bot.web.open311.app import build_open311_app

            root.add_subapp("/open311/v2/", build_open311_app(cases, ctx.settings))

        parts.append(open311)
    # --- more parts register here (one function each, in the order they are matched)
    return parts


async def start_web(ctx: WebContext) -> WebServer:
    """Build the server from every registered part and listen on WEB_HOST:WEB_PORT (a taken port is a
    `ConfigError` naming the key, like at the start-up check)."""
    from bot.preflight import bind_problem

    server = WebServer(ctx.settings.web_host, ctx.settings.web_port, web_parts(ctx))
    try:
        await server.start()
    except OSError as exc:
        raise ConfigError(bind_problem(exc, ctx.settings.web_host, ctx.settings.web_port)) from None
    return server
