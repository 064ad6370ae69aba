"""Storage: URLs, migrations from empty, seeding, the per-day counter under concurrency (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select
from sqlmodel import SQLModel

from bot.errors import SeedFileError, StorageError
from storage.engine import Database, alembic_config, async_url, next_sequence
from storage.models import Community, Grid, GridArea, Street
from storage.seed import default_seed_path, load_seed_file

#: The newest migration (read from the scripts, so adding one does not mean editing these tests).


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///x/griddesk.db", "sqlite+aiosqlite:///x/griddesk.db"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("postgresql://u:p@h:5432/d", "postgresql+asyncpg://u:p@h:5432/d"),
        ("postgres://u@h/d", "postgresql+asyncpg://u@h/d"),
        ("postgresql+psycopg2://u@h/d", "postgresql+asyncpg://u@h/d"),
    ],
)
def test_async_driver_is_chosen(url: str, expected: str) -> None:
    assert async_url(url) == expected


@pytest.mark.parametrize("url", ["mysql://u@h/d", "not a url", "", "sqlite+pysqlcipher:///x.db"])
def test_unusable_urls_are_refused_clearly(url: str) -> None:
    with pytest.raises(StorageError, match="DATABASE_URL"):
        async_url(url)


async def test_migrations_from_empty_match_the_models(database_url: str) -> None:
    db = Database(database_url)
    try:
        report = await db.prepare(load_seed=False)
        assert report.migrated_from is None and report.migrated_to == alembic_head()

        def diff(sync_conn):  # the migrated schema is exactly what models.py declares
            return compare_metadata(MigrationContext.configure(sync_conn), SQLModel.metadata)

        async with db.engine.connect() as conn:
            assert await conn.run_sync(diff) == []
        again = await db.prepare(load_seed=False)
        assert again.migrated_from == again.migrated_to == alembic_head()
    finally:
        await db.dispose()


async def test_a_database_of_the_first_release_migrates_and_keeps_its_rows(database_url: str) -> None:
    """0001 → head (worker reachability, 附议 offers, case indexes) on a database with data in the old shape."""
    from alembic import command
    from sqlalchemy import text


    db = Database(database_url)
    try:
        async with db.engine.connect() as conn:
            await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0001"))
            await conn.commit()
        async with db.engine.begin() as conn:
            await conn.execute(text("INSERT INTO street (id, name) VALUES ('s1', '街道')"))
            await conn.execute(text("INSERT INTO community (id, street_id, name) VALUES ('c1', 's1', '社区')"))
            await conn.execute(text("INSERT INTO grid (id, community_id, name) VALUES ('g1', 'c1', '一网格')"))
            await conn.execute(text(
                "INSERT INTO worker (id, name, role, grid_id, community_id, telegram_id, active, created_at) "
                "VALUES (7, '王网格', 'grid', 'g1', 'c1', 9001, true, '2026-11-30 08:00:00')"))
            await conn.execute(text("INSERT INTO resident (id, telegram_id, name, script, created_at) "
                                    "VALUES (3, 5001, '居民', 'simplified', '2026-11-30 08:00:00')"))
            await conn.execute(text(
                "INSERT INTO \"case\" (id, number, intent, text, photos, resident_id, grid_id, assignee_id, level, state, "
                "urgent, deadline_hours, deadline_at, supporter_count, reopen_count, created_at, updated_at) VALUES "
                "(11, '20261130-0001', 'noise', '楼上装修', '[]', 3, 'g1', 7, 'grid', 'assigned', false, 72, "
                "'2026-12-03 08:00:00', 0, 0, '2026-11-30 08:00:00', '2026-11-30 08:00:00')"))
            await conn.execute(text(
                "INSERT INTO outbox (id, chat_id, payload, case_id, status, attempts, next_attempt_at, created_at) "
                "VALUES (21, 9001, '{\"chat_id\": 9001, \"text\": \"派单\"}', 11, 'pending', 0, "
                "'2026-11-30 08:00:00', '2026-11-30 08:00:00')"))
        report = await db.prepare(load_seed=False)
        assert (report.migrated_from, report.migrated_to) == ("0001", alembic_head())
        async with db.engine.connect() as conn:
            worker = (await conn.execute(text("SELECT name, external_id, unreachable_at FROM worker"))).one()
            assert tuple(worker) == ("王网格", 9001, None)
            case = (await conn.execute(text("SELECT number, state, assignee_id FROM \"case\""))).one()
            assert tuple(case) == ("20261130-0001", "assigned", 7)
            row = (await conn.execute(text("SELECT status, case_id FROM outbox"))).one()
            assert tuple(row) == ("pending", 11)
            assert (await conn.execute(text("SELECT count(*) FROM support_offer"))).scalar() == 0
            assert (await conn.execute(text("SELECT count(*) FROM case_label"))).scalar() == 0
    finally:
        await db.dispose()


async def test_first_start_seeds_once(database_url: str) -> None:
    db = Database(database_url)
    try:
        assert (await db.prepare()).seeded is True
        assert (await db.prepare()).seeded is False  # second start: nothing duplicated
        seed = load_seed_file(default_seed_path())
        async with db.session() as s:
            assert (await s.execute(select(func.count()).select_from(Street))).scalar_one() == 1
            assert (await s.execute(select(func.count()).select_from(Community))).scalar_one() == len(seed.communities)
            assert (await s.execute(select(func.count()).select_from(Grid))).scalar_one() == len(seed.grids)
            areas = (await s.execute(select(GridArea).where(GridArea.grid_id == "wangjiang-03"))).scalars().all()
        assert areas[0].building_aliases["综合楼"] == ["老年活动中心", "社区服务中心楼"]
    finally:
        await db.dispose()


async def test_two_instances_starting_together_migrate_once(database_url: str) -> None:
    a, b = Database(database_url), Database(database_url)
    try:
        reports = await asyncio.gather(a.prepare(), b.prepare())
        assert sorted(r.seeded for r in reports) == [False, True]
        async with a.session() as s:
            assert (await s.execute(select(func.count()).select_from(Street))).scalar_one() == 1
    finally:
        await a.dispose()
        await b.dispose()


async def test_day_counter_never_repeats_under_concurrency(database_url: str) -> None:
    dbs = [Database(database_url), Database(database_url)]  # two "instances"
    try:
        await dbs[0].prepare(load_seed=False)

        async def take(db: Database) -> int:
            async with db.transaction() as s:
                return await next_sequence(s, "20250101")

        values = await asyncio.gather(*(take(dbs[i % 2]) for i in range(40)))
        assert sorted(values) == list(range(1, 41))
        async with dbs[0].transaction() as s:
            assert await next_sequence(s, "20250102") == 1  # each day starts at 1
    finally:
        for db in dbs:
            await db.dispose()


def test_seed_errors_name_file_and_line(tmp_path) -> None:
    bad = tmp_path / "grids.yaml"
    bad.write_text(
        "version: 1\nstreet:\n  id: Bad Id\n  name: 街道\ncommunities:\n  - id: c1\n    name: 社区\n    grids:\n"
        "      - id: g1\n        name: 网格\n        centre: [999, 1]\n        areas: []\n",
        encoding="utf-8",
    )
    with pytest.raises(SeedFileError) as info:
        load_seed_file(bad)
    text = str(info.value)
    assert f"{bad}:3:" in text  # the street id
    assert f"{bad}:11:" in text  # the centre out of range
    assert "areas" in text


def test_seed_file_missing_or_not_yaml(tmp_path) -> None:
    with pytest.raises(SeedFileError, match="not found"):
        load_seed_file(tmp_path / "none.yaml")
    junk = tmp_path / "junk.yaml"
    junk.write_bytes(b"street: [unclosed\n\x00\x01")
    with pytest.raises(SeedFileError):
        load_seed_file(junk)


def alembic_head() -> str:
    """The newest migration as Alembic itself reads the version files (the lead renumbers them at merges)."""

    from storage.engine import alembic_config

    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())


def test_head_revision_read_from_the_files_is_alembics_head() -> None:
    """A start at head skips Alembic on the strength of this reading: it must agree with Alembic itself."""
    from storage.engine import head_revision

    assert head_revision() == alembic_head() and head_revision() is not None
