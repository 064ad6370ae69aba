"""Statements whose SQL differs by database: row claiming and locking, the per-day counter, upserts,
insert-if-absent, interval arithmetic. Callers pass a session; the dialect is read from it."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import bindparam
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.sql import Select

_SEQUENCES: dict[str, Any] = {}  # the counter's upsert per dialect, built once

#: Upsert statements by shape (dialect, model, columns, keys, updated columns): a handful in all.
_UPSERTS: dict[tuple[Any, ...], Any] = {}

S = TypeVar("S", bound=Select[Any])


def dialect_of(bind: AsyncSession | AsyncConnection | AsyncEngine) -> str:
    """'sqlite' or 'postgresql'."""
    if isinstance(bind, AsyncSession):
        bind = bind.bind  # type: ignore[assignment]
    return bind.dialect.name


def claim_rows(stmt: S, session: AsyncSession) -> S:
    """Lock the selected rows for this transaction, skipping rows another instance holds (PostgreSQL).

    SQLite has no row locks; its `BEGIN IMMEDIATE` transactions are already one-writer-at-a-time.
    """
    if dialect_of(session) == "postgresql":
        return stmt.with_for_update(skip_locked=True)
    return stmt


def lock_row(stmt: S, session: AsyncSession) -> S:
    """Lock the selected row(s) and wait for them (PostgreSQL `FOR UPDATE`); a no-op on SQLite."""
    if dialect_of(session) == "postgresql":
        return stmt.with_for_update()
    return stmt


async def next_sequence(session: AsyncSession, day: str) -> int:
    """Atomically take the next number of `day` (YYYYMMDD): an upsert that returns the new value.

    Two transactions can never get the same value: PostgreSQL row-locks the counter row for the
    upsert, SQLite holds the database write lock from BEGIN IMMEDIATE.
    """
    dialect = dialect_of(session)
    stmt = _SEQUENCES.get(dialect)
    if stmt is None:
        from storage.models import DaySequence

        table = DaySequence.__table__
        insert = _insert_of(session)(table).values(day=bindparam("day"), last=1)
        stmt = _SEQUENCES[dialect] = insert.on_conflict_do_update(
            index_elements=[table.c.day], set_={"last": table.c.last + 1}).returning(table.c.last)
    return int((await (await session.connection()).execute(stmt, {"day": day})).scalar_one())  # Core: no ORM layer


def seconds_between(start: Any, end: Any, session: AsyncSession) -> Any:
    """A SQL expression for `end - start` in seconds (fractions kept), for figures computed in the database."""
    from sqlalchemy import func

    if dialect_of(session) == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


async def insert_if_absent(session: AsyncSession, table: Any, values: dict[str, Any] | list[dict[str, Any]],
                           keys: list[str]) -> None:
    """INSERT … ON CONFLICT (keys) DO NOTHING: creating a row (or several, in one executemany) that a concurrent
    transaction may create too. The statement is built once per table and keys (building SQL costs more than
    running it) and runs on the session's connection (Core: rows of a table need no ORM layer)."""
    shape = (dialect_of(session), table, tuple(keys))
    stmt = _ABSENT.get(shape)
    if stmt is None:
        stmt = _ABSENT[shape] = _insert_of(session)(table).on_conflict_do_nothing(
            index_elements=[table.c[k] for k in keys])
    rows = values if isinstance(values, list) else [values]
    if rows:
        await (await session.connection()).execute(stmt, rows if len(rows) > 1 else rows[0])


_ABSENT: dict[tuple[str, Any, tuple[str, ...]], Any] = {}


def _insert_of(session: AsyncSession) -> Any:
    if dialect_of(session) == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


async def upsert_row(session: AsyncSession, model: Any, values: dict[str, Any], keys: tuple[str, ...],
                     new: tuple[str, ...], fixed: tuple[tuple[str, Any], ...] = ()) -> Any:
    """INSERT … ON CONFLICT (keys) DO UPDATE … RETURNING the row as a `model` object: one statement that creates
    the row or updates it. On conflict the columns `new` take the inserted values, `fixed` the given ones.
    The statement is built once per shape (building SQL costs more than running it)."""
    shape = (dialect_of(session), model, tuple(values), keys, new, fixed)
    stmt = _UPSERTS.get(shape)
    if stmt is None:
        insert = _insert_of(session)(model)
        set_: dict[str, Any] = {c: insert.excluded[c] for c in new}
        set_.update(dict(fixed))
        stmt = _UPSERTS[shape] = insert.on_conflict_do_update(
            index_elements=[model.__table__.c[k] for k in keys], set_=set_).returning(model)
    return (await session.scalars(stmt, [values], execution_options={"populate_existing": True})).one()


async def upsert_columns(session: AsyncSession, table: Any, values: dict[str, Any], keys: tuple[str, ...],
                         new: tuple[str, ...], fixed: tuple[tuple[str, Any], ...], returning: tuple[str, ...]) -> Any:
    """`upsert_row` in Core: the same INSERT … ON CONFLICT … DO UPDATE, RETURNING only the columns `returning`, as
    one plain row (attribute access by column name) — no ORM object built, none refreshed in the session. For the hot
    path, where building an ORM row costs more than the statement; built once per shape."""
    shape = (dialect_of(session), table, tuple(values), keys, new, fixed, returning)
    stmt = _UPSERTS.get(shape)
    if stmt is None:
        insert = _insert_of(session)(table)
        set_: dict[str, Any] = {c: insert.excluded[c] for c in new}
        set_.update(dict(fixed))
        stmt = _UPSERTS[shape] = insert.on_conflict_do_update(
            index_elements=[table.c[k] for k in keys], set_=set_).returning(*(table.c[c] for c in returning))
    return (await (await session.connection()).execute(stmt, values)).one()


def upsert_statement(dialect: str, table: Any, keys: list[str], columns: list[str]) -> Any:
    """A reusable INSERT … ON CONFLICT (keys) DO UPDATE SET (columns) = the new values; run it with the row
    as parameters (`session.execute(stmt, row)`). Build it once: building SQL costs more than running it."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(table)
    return stmt.on_conflict_do_update(index_elements=[table.c[k] for k in keys],
                                      set_={c: stmt.excluded[c] for c in columns})
