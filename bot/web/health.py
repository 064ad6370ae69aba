"""`GET /healthz`: the web server's counters for a local monitor, never open to anyone on the internet.

It answers `{"ok": true, "accepted": N, "refused": M}` (Telegram updates taken and webhook calls refused
since start; nothing about residents or cases). With HEALTHZ_TOKEN set it needs `Authorization: Bearer
<token>`; without, only a loopback caller that was not forwarded by a proxy (no X-Forwarded-For /
Forwarded / X-Real-IP header) gets an answer. Anyone else gets 403.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Callable

from aiohttp import web

#: A reverse proxy on the same host connects from loopback; these headers say the caller is really elsewhere.
PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


class Health:
    """The route and who may see it; `counters` is asked at each call (the webhook's, or zeros)."""

    def __init__(self, counters: Callable[[], dict[str, int]], token: str | None = None):
        self.counters = counters
        self.token = token.encode() if token else None

    def mount(self, app: web.Application) -> None:
        app.router.add_get("/healthz", self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        if not self.may_see(request):
            return web.Response(status=403, text="Forbidden: /healthz needs HEALTHZ_TOKEN or a local caller")
        return web.json_response({"ok": True, **self.counters()})

    def may_see(self, request: web.Request) -> bool:
        """The token when one is set (compared in constant time); otherwise an unforwarded loopback caller."""
        if self.token is not None:
            given = request.headers.get("Authorization", "").encode()
            return hmac.compare_digest(given, b"Bearer " + self.token)
        return is_local(request)


def is_local(request: web.Request) -> bool:
    """A loopback peer that no proxy forwarded (the proxy itself connects from loopback)."""
    if any(h in request.headers for h in PROXY_HEADERS):
        return False
    try:
        peer = ipaddress.ip_address((request.remote or "").split("%", 1)[0])
    except ValueError:
        return False  # a unix socket or an unknown peer: not provably local
    if isinstance(peer, ipaddress.IPv6Address) and peer.ipv4_mapped is not None:
        peer = peer.ipv4_mapped  # ::ffff:127.0.0.1 on a dual-stack socket
    return peer.is_loopback
