"""GridDesk over HTTP: the sub-applications the bot's one web server mounts (the Open311 API under `open311/`)."""
