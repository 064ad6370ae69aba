"""One aiohttp server for every web part of the bot's process: it owns the socket and the runner; the
parts (`bot.web.parts`) only add routes or sub-apps to its root application before it starts."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from aiohttp import web

log = logging.getLogger(__name__)

#: A web part: adds its routes (or a sub-app) to the root application.
Part = Callable[[web.Application], None]
#: Largest request body any part accepts (a Telegram update, a form); parts may refuse smaller ones.
MAX_BODY = 2 * 1024 * 1024


class WebServer:
    """Listen on host:port (port 0: any free port, read back from `port`) with every part mounted."""

    def __init__(self, host: str, port: int, parts: Sequence[Part]):
        self.host = host
        self.port = port
        self.app = web.Application(client_max_size=MAX_BODY)
        for mount in parts:
            mount(self.app)
        self._runner: web.AppRunner | None = None
        self._closing: list[Callable[[], object]] = []

    async def start(self) -> None:
        """Bind and serve; an OSError (port in use, no permission) is the caller's to word."""
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError:
            await self._runner.cleanup()
            self._runner = None
            raise
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        log.info("web server listening on http://%s:%s", self.host, self.port)

    @property
    def url(self) -> str:
        """The local address, for tests and the start-up line."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()  # runs the parts' on_cleanup (e.g. the webhook waits for its updates)
            self._runner = None
