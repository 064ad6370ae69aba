"""Persistence for GridDesk: SQLModel tables (`models`), the async engine (`engine`), Alembic migrations and the grid seed."""

from pathlib import Path

#: Where alembic.ini, migrations/ and seed/ live (shipped as package data).
STORAGE_DIR = Path(__file__).resolve().parent
