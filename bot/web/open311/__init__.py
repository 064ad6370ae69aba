"""Open311 GeoReport v2 for outside systems: `app.build_open311_app` (the sub-application the bot's web server
mounts at `/open311/v2/`), its API keys (`keys`, `griddesk api-key`), and the resident an API client files as
(`identity`). Nothing is imported here, so the CLI can load `commands` without aiohttp."""
