"""Statements whose SQL differs by database: row claiming and locking, the per-day counter, upserts,
insert-if-absent, interval arithmetic. Callers pass a session; the dialect is read from it."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from sqlalchemy import ColumnElement, bindparam
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import Select
from sqlalchemy.sql.visitors import InternalTraversal

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
        stmt = _SEQUENCES[dialect] = sequence_upsert(dialect)
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
    return insert_for(dialect_of(session))


def insert_for(dialect: str) -> Any:
    """The dialect's `insert` construct (the one with `on_conflict_do_update` / `on_conflict_do_nothing`)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


#: Prepared hot statements by shape: a few dozen in all.
_PREPARED: dict[tuple[Any, ...], Prepared] = {}


def prepared_insert(dialect: str, table: Any, columns: tuple[str, ...], *, rows: int = 1,
                    returning: tuple[str, ...] = (), absent: tuple[str, ...] = ()) -> Prepared:
    """INSERT of exactly `columns` into `table`, for `Database.rows`, built once per shape. One row: its values bound
    by column name (or a list of such rows: one executemany); `rows` > 1: one multi-row INSERT whose i-th row's
    values are bound as `<column>_<i>` (with `returning`: the rows back in one statement). `absent`: ON CONFLICT
    (those keys) DO NOTHING."""
    shape = ("insert", dialect, table, columns, rows, returning, absent)
    found = _PREPARED.get(shape)
    if found is None:
        stmt = insert_for(dialect)(table)
        if rows == 1:
            stmt = stmt.values({c: bindparam(c, type_=table.c[c].type) for c in columns})
        else:  # typed: SQLAlchemy gives only the first row's parameters their column's type (JSON, dates)
            stmt = stmt.values([{c: bindparam(f"{c}_{i}", type_=table.c[c].type) for c in columns} for i in range(rows)])
        if absent:
            stmt = stmt.on_conflict_do_nothing(index_elements=[table.c[k] for k in absent])
        if returning:
            stmt = stmt.returning(*(table.c[c] for c in returning))
        found = _PREPARED[shape] = Prepared(stmt)
    return found


def numbered_rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The values of a multi-row `prepared_insert` (`rows` > 1) from its rows."""
    return {f"{c}_{i}": v for i, row in enumerate(rows) for c, v in row.items()}


def prepared_upsert(dialect: str, table: Any, columns: tuple[str, ...], keys: tuple[str, ...], new: tuple[str, ...],
                    fixed: tuple[tuple[str, Any], ...], returning: tuple[str, ...]) -> Prepared:
    """`upsert_columns` for `Database.rows`: INSERT of exactly `columns` … ON CONFLICT (keys) DO UPDATE (`new` take
    the inserted values, `fixed` the given ones) RETURNING the columns `returning`; built once per shape."""
    shape = ("upsert", dialect, table, columns, keys, new, fixed, returning)
    found = _PREPARED.get(shape)
    if found is None:
        insert = insert_for(dialect)(table).values({c: bindparam(c, type_=table.c[c].type) for c in columns})
        set_: dict[str, Any] = {c: insert.excluded[c] for c in new}
        set_.update(dict(fixed))
        stmt = insert.on_conflict_do_update(index_elements=[table.c[k] for k in keys], set_=set_)
        found = _PREPARED[shape] = Prepared(stmt.returning(*(table.c[c] for c in returning)))
    return found


def sequence_upsert(dialect: str) -> Any:
    """`next_sequence`'s statement (`day` bound), RETURNING the new value: a caller may add more to its RETURNING."""
    from storage.models import DaySequence

    table = DaySequence.__table__
    insert = insert_for(dialect)(table).values(day=bindparam("day"), last=1)
    return insert.on_conflict_do_update(index_elements=[table.c.day], set_={"last": table.c.last + 1}).returning(
        table.c.last)


class _Qualified(ColumnElement[Any]):
    """`qualified`: an expression compiled with its columns' table names, wherever it stands."""

    inherit_cache = True
    _traverse_internals: ClassVar[Any] = [("element", InternalTraversal.dp_clauseelement)]

    def __init__(self, element: Any) -> None:
        self.element = element
        self.type = element.type


@compiles(_Qualified)
def _compile_qualified(element: _Qualified, compiler: Any, **kw: Any) -> str:
    kw.pop("include_table", None)
    return str(compiler.process(element.element, **kw))


def qualified(element: Any) -> Any:
    """`element` (a scalar subquery) rendered with table-qualified columns inside a RETURNING clause: SQLite's compiler
    drops every table name there, also in subqueries, where `worker.id` would silently become the inner table's `id`."""
    return _Qualified(element)


def json_row(dialect: str, *columns: Any) -> Any:
    """A SQL expression for one row's `columns` as a JSON array (read back as a list): several values of another
    table in one column, e.g. in a RETURNING clause."""
    from sqlalchemy import JSON, func, type_coerce

    build = func.json_build_array if dialect == "postgresql" else func.json_array
    return type_coerce(build(*columns), JSON)


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
        # an expanding IN is rendered for the values it was built with (or not at all): `in_` of plain bound values
        if "__[POSTCOMPILE" in compiled.string or any(name not in binds for name in names):
            raise TypeError(f"cannot prepare: an expanding parameter: {compiled.string[:80]}")
        if compiled.insert_prefetch or compiled.update_prefetch:  # SQLAlchemy's execution would fill these in
            raise TypeError(f"cannot prepare: columns left to their Python defaults: {compiled.string[:80]}")
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
