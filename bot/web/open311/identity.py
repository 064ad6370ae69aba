"""Which resident files an Open311 request: the one decision about API identity, kept in one place."""

from __future__ import annotations

from bot import channels
from bot.web.open311.keys import KeyView


def api_resident_id(key: KeyView) -> int:
    """The resident an API client files as: on channel `open311` (`channels.OPEN311`), its external id is the
    API key's id. That channel cannot push (`bot/channels.py`), so no notices are ever queued for it; the client
    follows its requests through `GET requests`."""
    return int(key.id)


#: The channel every API client's resident is on.
API_CHANNEL = channels.OPEN311
