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


def _on_conflict(session: AsyncSession, target: Any, columns: Any, keys: tuple[str, ...], new: tuple[str, ...],
                 fixed: tuple[tuple[str, Any], ...]) -> Any:
    """INSERT … ON CONFLICT (keys) DO UPDATE: the columns `new` take the inserted values, `fixed` the given ones."""
    insert = _insert_of(session)(target)
    set_: dict[str, Any] = {c: insert.excluded[c] for c in new}
    set_.update(dict(fixed))
    return insert.on_conflict_do_update(index_elements=[columns[k] for k in keys], set_=set_)


async def upsert_row(session: AsyncSession, model: Any, values: dict[str, Any], keys: tuple[str, ...],
                     new: tuple[str, ...], fixed: tuple[tuple[str, Any], ...] = ()) -> Any:
    """INSERT … ON CONFLICT (keys) DO UPDATE … RETURNING the row as a `model` object: one statement that creates
    the row or updates it. On conflict the columns `new` take the inserted values, `fixed` the given ones.
    The statement is built once per shape (building SQL costs more than running it)."""
    shape = (dialect_of(session), model, tuple(values), keys, new, fixed)
    stmt = _UPSERTS.get(shape)
    if stmt is None:
        stmt = _UPSERTS[shape] = _on_conflict(session, model, model.__table__.c, keys, new, fixed).returning(model)
    return (await session.scalars(stmt, [values], execution_options={"populate_existing": True})).one()


async def upsert_columns(session: AsyncSession, table: Any, values: dict[str, Any], keys: tuple[str, ...],
                         new: tuple[str, ...], fixed: tuple[tuple[str, Any], ...], returning: tuple[str, ...]) -> Any:
    """`upsert_row` in Core: the same INSERT … ON CONFLICT … DO UPDATE, RETURNING only the columns `returning`, as
    one plain row (attribute access by column name) — no ORM object built, none refreshed in the session. For the hot
    path, where building an ORM row costs more than the statement; built once per shape."""
    shape = (dialect_of(session), table, tuple(values), keys, new, fixed, returning)
    stmt = _UPSERTS.get(shape)
    if stmt is None:
        stmt = _UPSERTS[shape] = _on_conflict(session, table, table.c, keys, new, fixed).returning(
            *(table.c[c] for c in returning))
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


class Prepared:
    """A Core statement compiled ONCE per dialect into its driver SQL, parameter order and type conversions, for the
    hot statements of a turn (`Database.rows`): SQLAlchemy's per-execution work (cache key, parameters, execution
    context, result object) costs ~50 µs a statement, the statement itself a few on SQLite. The SQL, the values'
    conversions (JSON, dates) and the rows' are SQLAlchemy's own, taken from its compiled form."""

    __slots__ = ("_ready", "statement")

    def __init__(self, statement: Any) -> None:
        self.statement = statement
        self._ready: dict[Any, Ready] = {}

    def ready(self, dialect: Any) -> Ready:
        """The statement as `dialect`'s driver runs it (compiled on first use)."""
        ready = self._ready.get(dialect)
        if ready is None:
            ready = self._ready[dialect] = Ready.compile(self.statement, dialect)
        return ready


class Ready:
    """One dialect's compiled form of a `Prepared` statement: positional driver SQL (`?` or `$n`)."""

    __slots__ = ("_binds", "_defaults", "_names", "_results", "returns_rows", "sql")

    def __init__(self, sql: str, names: tuple[str, ...], defaults: dict[str, Any], binds: tuple[Any, ...],
                 results: tuple[Any, ...], returns_rows: bool) -> None:
        self.sql = sql
        self.returns_rows = returns_rows
        self._names = names
        self._defaults = defaults
        self._binds = binds
        self._results = results

    @classmethod
    def compile(cls, statement: Any, dialect: Any) -> Ready:
        compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        if compiled.escaped_bind_names or compiled.positiontup is None:
            raise TypeError(f"cannot prepare for {dialect.name}: not a positional statement: {compiled.string[:80]}")
        names = tuple(compiled.positiontup)
        binds = compiled.binds
        defaults = {name: binds[name].effective_value for name in names
                    if not binds[name].required and binds[name].callable is None}
        processors = compiled._bind_processors  # SQLAlchemy's own per-type conversions (JSON, UtcDateTime…)
        results = tuple(entry[3]._cached_result_processor(dialect, None) for entry in compiled._result_columns)
        return cls(compiled.string, names, defaults, tuple(processors.get(n) for n in names), results,
                   bool(compiled._result_columns))

    @classmethod
    def plain(cls, sql: str) -> Ready:
        """Driver SQL without parameters or rows (`BEGIN IMMEDIATE`)."""
        return cls(sql, (), {}, (), (), False)

    def parameters(self, values: dict[str, Any]) -> tuple[Any, ...]:
        """The driver's positional parameters for `values` (plus the values bound in the statement itself)."""
        out = []
        defaults = self._defaults
        for name, process in zip(self._names, self._binds, strict=True):
            value = values[name] if name in values else defaults[name]
            out.append(value if process is None else process(value))
        return tuple(out)

    def row(self, raw: tuple[Any, ...]) -> tuple[Any, ...]:
        """A driver row as SQLAlchemy would give it (JSON decoded, booleans, dates)."""
        return tuple(value if process is None else process(value)
                     for process, value in zip(self._results, raw, strict=True))
