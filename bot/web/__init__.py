"""The bot's one web server (aiohttp, in the bot's own process): the Telegram webhook, `/healthz`, the staff
console under `/console/` and the APIs (Open311 under `open311/`). Which parts it serves is decided in one
place, `bot.web.parts`."""
