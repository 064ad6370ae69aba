"""Open311 GeoReport v2 for outside systems: `build_open311_app` (mounted at `/open311/v2/`) and its API keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiohttp import web


def build_open311_app(cases: Any, settings: Any) -> web.Application:
    """See `bot.web.open311.app.build_open311_app` (imported lazily: the CLI loads this package without aiohttp)."""
    from bot.web.open311.app import build_open311_app as build

    return build(cases, settings)


__all__ = ["build_open311_app"]
