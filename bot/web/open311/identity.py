"""Which resident files an Open311 request: the one decision about API identity, kept in one place."""

from __future__ import annotations

from bot.web.open311.keys import KeyView

#: Synthetic ids far below any Telegram user or chat id (those fit in 52 bits): one per API key.
_API_RESIDENT_BASE = -(2**62)


def api_resident_id(key: KeyView) -> int:
    """The resident an API client files as: a synthetic id per key, with no chat (`ReportDraft.chatless`), so
    no chat notices are queued for it; the client follows its requests through `GET requests`.

    After the identity change (Resident.telegram_id → (channel, external_id)) this becomes
    channel="open311", external_id=str(key.id), and the synthetic id goes away.
    """
    return _API_RESIDENT_BASE + key.id
