"""Shared pytest setup. Each part keeps its fixtures in its own module and lists it here."""

# --- databases (storage / cases): SQLite + throwaway PostgreSQL fixtures, see tests/fixtures_db.py ---
pytest_plugins = ["fixtures_db"]
# --- end databases ---
