"""Migrations: the Alembic configuration, the head read from the version files (so a database at head skips
Alembic entirely), the upgrade (SQLite's foreign keys off around it, checked once after), and the seed."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.errors import StorageError
from storage import STORAGE_DIR

log = logging.getLogger(__name__)


def alembic_config(connection: Any = None) -> Any:
    """The Alembic config of the packaged `alembic.ini`, optionally bound to an open sync connection."""
    from alembic.config import Config

    cfg = Config(str(STORAGE_DIR / "alembic.ini"))
    cfg.set_main_option("script_location", str(STORAGE_DIR / "migrations"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


_REVISION = re.compile(r"^revision\b[^=]*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)


_DOWN_REVISION = re.compile(r"^down_revision\b[^=]*=(.*)$", re.MULTILINE)


def head_revision() -> str | None:
    """The newest migration's id, read from the version files without importing Alembic (~1 s and 20 MiB
    at every start); None when they do not name exactly one head (then Alembic decides)."""
    revisions, parents = set(), set()
    for file in (STORAGE_DIR / "migrations" / "versions").glob("*.py"):
        source = file.read_text(encoding="utf-8")
        found, down = _REVISION.search(source), _DOWN_REVISION.search(source)
        if found is None:
            continue
        revisions.add(found.group(1))
        if down is not None:
            parents.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def current_revision(sync_conn: Any) -> str | None:
    """The database's one Alembic revision, or None (no table yet, or several rows: branches)."""
    if not inspect(sync_conn).has_table("alembic_version"):
        return None
    rows = sync_conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return rows[0] if len(rows) == 1 else None


def upgrade_to_head(sync_conn: Any) -> tuple[str | None, str | None]:
    """Alembic upgrade on this (not yet begun) connection.

    SQLite: batch migrations copy a table and swap it in; with foreign keys enforced, dropping the old
    copy of a referenced table (residents, workers) fails. So checks are off for the migration (the
    pragma only works outside a transaction), every reference is checked once at the end
    (`foreign_key_check`, a failure rolls it all back), and checks are back on before anything else runs.
    """
    current = current_revision(sync_conn)
    if current is not None and current == head_revision():
        return current, current  # the usual start: nothing to migrate, and Alembic never imported
    if sync_conn.in_transaction():
        sync_conn.commit()  # end the check's read: SQLite's foreign-key pragma below only works outside one

    from alembic import command
    from alembic.runtime.migration import MigrationContext

    sqlite = sync_conn.dialect.name == "sqlite"
    if sqlite:
        _sqlite_foreign_keys(sync_conn, on=False)
    try:
        before = MigrationContext.configure(sync_conn).get_current_revision()
        command.upgrade(alembic_config(sync_conn), "head")
        after = MigrationContext.configure(sync_conn).get_current_revision()
        if sqlite:
            broken = sync_conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise StorageError(f"migration {before} → {after} left {len(broken)} rows pointing at nothing, "
                                   f"e.g. {tuple(broken[0])}; nothing was changed")
            sync_conn.commit()
    finally:
        if sqlite:
            sync_conn.rollback()  # nothing left to roll back after the commit
            _sqlite_foreign_keys(sync_conn, on=True)
    return before, after


def _sqlite_foreign_keys(sync_conn: Any, *, on: bool) -> None:
    cursor = sync_conn.connection.dbapi_connection.cursor()
    cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    cursor.close()


async def seed_if_empty(conn: AsyncConnection, seed_file: Path | None) -> bool:
    from storage.models import Street
    from storage.seed import apply_seed, default_seed_path, load_seed_file

    async with AsyncSession(bind=conn, expire_on_commit=False) as session:
        if (await session.execute(select(Street.id).limit(1))).first() is not None:
            return False
        data = load_seed_file(seed_file or default_seed_path())
        await apply_seed(session, data)
        await session.commit()
    return True
