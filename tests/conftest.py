"""Shared pytest setup. Each part keeps its fixtures in its own module and lists it here."""

# --- databases (storage / cases): SQLite + throwaway PostgreSQL fixtures, see tests/fixtures_db.py ---
pytest_plugins = ["fixtures_db", "fixtures_telegram", "fixtures_open311", "fixtures_browser", "fixtures_dialog"]
# --- end databases ---
# --- Telegram: the Bot API double (`tg`) and a folder for a bot process (`workdir`), tests/fixtures_telegram.py ---
# --- Open311: the sub-application in a real server on 127.0.0.1 (`api`), tests/fixtures_open311.py ---
# --- dialog: the engine on a fresh SQLite database (`app`), tests/fixtures_dialog.py ---
# --- browser: headless Chromium from Debian's packages (`browser`, `screenshot`), tests/fixtures_browser.py ---
