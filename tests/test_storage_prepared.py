"""`Prepared` statements run by `Database.rows` (the turn's hot statements), on SQLite and PostgreSQL: the rows and
values come out as SQLAlchemy's own execution gives them (JSON, dates, booleans, values bound in the statement),
inside a turn and outside one; the engine's listeners see each statement; a driver failure is SQLAlchemy's
`OperationalError`, judged a storage failure; a turn that fails leaves nothing of its writes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, delete, event, exists, literal, select
from sqlalchemy.exc import OperationalError

from storage.engine import Database, Prepared, is_storage_failure, upsert_statement
from storage.models import DialogState, Resident

_T = DialogState.__table__
_CHAT = (_T.c.channel == bindparam("channel")) & (_T.c.chat_id == bindparam("chat_id"))
READ = Prepared(select(_T.c.data, _T.c.updated_at,
                       exists(select(Resident.id).where(Resident.external_id == bindparam("chat_id"))).label("known"),
                       literal("法定").label("fixed")).where(_CHAT))
DROP = Prepared(delete(_T).where(_CHAT))
AT = datetime(2026, 12, 1, 8, 30, 15, 250000, tzinfo=UTC)
DATA = {"step": "idle", "draft": {"text": "楼下垃圾没人清运", "photos": ["a"]}, "n": 3, "none": None}


@pytest.fixture
async def db(database_url: str):
    database = Database(database_url)
    await database.prepare(load_seed=False)
    yield database
    await database.dispose()


def upsert(db: Database) -> Prepared:
    return Prepared(upsert_statement(db.dialect, _T, ["channel", "chat_id"], ["data", "updated_at"]))


async def orm_row(db: Database, chat_id: int) -> tuple:
    """The same read through SQLAlchemy's own execution: what `rows` must give."""
    async with db.session() as s:
        return tuple((await s.execute(READ.statement, {"channel": "telegram", "chat_id": chat_id})).one())


async def test_rows_give_what_sqlalchemy_gives_inside_a_turn_and_outside(db: Database) -> None:
    write = upsert(db)
    async with db.turn() as scope:
        assert await db.rows(write, {"channel": "telegram", "chat_id": 7, "data": DATA, "updated_at": AT}) == []
        inside = await db.rows(READ, {"channel": "telegram", "chat_id": 7})
        assert scope.statements == 2 and scope.writes == 1
    outside = await db.rows(READ, {"channel": "telegram", "chat_id": 7})
    assert inside == outside == [await orm_row(db, 7)]
    data, updated_at, known, fixed = inside[0]
    assert data == DATA and known is False and fixed == "法定"
    assert updated_at == AT and updated_at.tzinfo is not None
    await db.rows(DROP, {"channel": "telegram", "chat_id": 7})  # a write outside a turn commits
    assert await db.rows(READ, {"channel": "telegram", "chat_id": 7}) == []


async def test_listeners_see_each_statement_and_a_failed_turn_keeps_nothing(db: Database) -> None:
    seen: list[str] = []
    failing = {"on": False}
    driver_error = db.engine.dialect.dbapi.OperationalError  # sqlite3's (through aiosqlite), or asyncpg's adapter's

    def listen(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement.split()[0].upper())
        if failing["on"] and statement.lstrip().upper().startswith("INSERT"):
            raise driver_error("disk I/O error")  # what a dying disk says, in the driver's own terms

    event.listen(db.engine.sync_engine, "before_cursor_execute", listen)
    write = upsert(db)
    row = {"channel": "telegram", "chat_id": 8, "data": DATA, "updated_at": AT}
    async with db.turn():
        await db.rows(READ, {"channel": "telegram", "chat_id": 8})
        await db.rows(write, row)
    assert [s for s in seen if s in ("SELECT", "INSERT")] == ["SELECT", "INSERT"]
    failing["on"] = True
    with pytest.raises(OperationalError) as caught:
        async with db.turn():
            await db.rows(DROP, {"channel": "telegram", "chat_id": 8})
            await db.rows(write, row)
    assert is_storage_failure(caught.value)
    failing["on"] = False
    assert len(await db.rows(READ, {"channel": "telegram", "chat_id": 8})) == 1  # the DELETE was rolled back


async def test_an_error_in_the_turn_rolls_its_hot_writes_back(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.turn():
            await db.rows(upsert(db), {"channel": "telegram", "chat_id": 9, "data": DATA, "updated_at": AT})
            raise RuntimeError("the flow failed")
    assert await db.rows(READ, {"channel": "telegram", "chat_id": 9}) == []
    assert not db.in_turn()


async def test_rows_outside_a_turn_run_in_the_open_transaction_and_a_list_is_one_executemany(db: Database) -> None:
    """Filing called outside a turn (CLI, API): its statements join the `transaction()` around them, so they commit or
    roll back with it; a list of rows is one statement the listeners see once, as an executemany."""
    seen: list[bool] = []
    event.listen(db.engine.sync_engine, "before_cursor_execute",
                 lambda conn, cursor, statement, parameters, context, executemany: seen.append(executemany)
                 if statement.lstrip().upper().startswith("INSERT") else None)
    write = upsert(db)
    rows = [{"channel": "telegram", "chat_id": n, "data": DATA, "updated_at": AT} for n in (20, 21, 22)]
    with pytest.raises(RuntimeError):
        async with db.transaction():
            assert await db.rows(write, rows) == []
            assert len(await db.rows(READ, {"channel": "telegram", "chat_id": 21})) == 1  # its own writes, seen
            raise RuntimeError("refused")
    assert seen == [True]
    assert await db.rows(READ, {"channel": "telegram", "chat_id": 21}) == []  # rolled back with the transaction
    async with db.transaction():
        await db.rows(write, rows)
    assert [(await db.rows(READ, {"channel": "telegram", "chat_id": n}))[0][0] for n in (20, 21, 22)] == [DATA] * 3


def test_a_statement_that_cannot_be_compiled_once_is_refused() -> None:
    """An expanding IN, or a column left to a Python default, would be bound wrong by a statement compiled before its
    values are known: `Prepared` refuses them instead."""
    from sqlalchemy import insert
    from sqlalchemy.dialects import sqlite

    expanding = Prepared(select(_T.c.data).where(_T.c.chat_id.in_([1, 2])))
    defaulted = Prepared(insert(Resident.__table__).values(external_id=bindparam("external_id")))
    for prepared in (expanding, defaulted):
        with pytest.raises(TypeError):
            prepared.ready(sqlite.dialect())
