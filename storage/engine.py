"""The async engine and sessions: with its three siblings (`sqlite_io`, `statements`, `migrate`), the only code
that knows which database is underneath.

`DATABASE_URL` may be any SQLAlchemy URL; plain `sqlite:///path` and `postgresql://…` get their async
drivers (aiosqlite, asyncpg) chosen here. Everything dialect-specific lives in these four files: SQLite pragmas
and write-serialising transactions, the atomic per-day counter behind case numbers, row claiming with
`FOR UPDATE SKIP LOCKED` on PostgreSQL (several bot instances), the advisory lock that lets several
instances start against one empty database without racing the migration, and the per-chat advisory lock
that keeps one chat's updates in order when several instances share them (`Database.chat_lock`).

One trip per turn (`Database.turn`): a chat's update loads its state, does its work and saves in ONE
transaction on one connection; `session()`, `transaction()` and `reader()` called inside it (by the same task)
use that connection (a `transaction()` as a SAVEPOINT, so a refused action undoes only itself). On a SQLite
file, writers of this process queue on an asyncio lock (`WriteGate`) before `BEGIN IMMEDIATE`, instead of
SQLite's busy handler, which sleeps up to 100 ms between tries and made concurrent turns 10× slower; reads
through `reader()` never take it. A turn's hot statements are `Prepared` (compiled once) and run by `rows()`: on a
SQLite writer straight on its sqlite3 connection, listeners still called (`sqlite_io.run_inline`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine, Transaction, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool
from sqlalchemy.util import greenlet_spawn

from bot.errors import StorageError
from storage.migrate import alembic_config, head_revision, seed_if_empty, upgrade_to_head
from storage.sqlite_io import (
    SQLITE_BUSY_SECONDS,
    WriteGate,
    file_lock,
    inline_driver,
    inline_sqlite,
    run_inline,
    sqlite_file,
    tune_sqlite,
)
from storage.statements import (
    Prepared,
    claim_rows,
    dialect_of,
    insert_if_absent,
    lock_row,
    next_sequence,
    seconds_between,
    upsert_row,
    upsert_statement,
)

__all__ = ["Database", "Prepared", "alembic_config", "async_url", "claim_rows", "dialect_of", "head_revision",
           "insert_if_absent", "is_storage_failure", "lock_row", "make_engine", "next_sequence", "seconds_between",
           "upsert_row", "upsert_statement"]
log = logging.getLogger(__name__)

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg"}
#: Any 64-bit constant: the PostgreSQL advisory lock held while one instance migrates and seeds.
_MIGRATION_LOCK = 0x6772_6964_6465_736B & 0x7FFF_FFFF_FFFF_FFFF
#: Connections kept for chat locks, apart from the working pool: a turn holds one for its lock while it
#: works on others, so sharing one pool could deadlock under many chats at once.
_CHAT_LOCK_POOL = 20
_CHAT_LOCK_OVERFLOW = 80


def async_url(url: str) -> str:
    """Return `url` with an async driver: `sqlite:///x.db` → `sqlite+aiosqlite:///x.db`, `postgresql://` → asyncpg."""
    try:
        parsed = make_url(url.strip())
    except ArgumentError as exc:
        raise StorageError(f"DATABASE_URL is not a database URL ({exc}); e.g. sqlite:///storage/griddesk.db") from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend not in ("sqlite", "postgresql", "postgres"):
        raise StorageError(f"DATABASE_URL: unsupported database {backend!r}; use sqlite:///… or postgresql://…")
    if backend == "sqlite" and driver not in ("", "aiosqlite", "pysqlite"):
        raise StorageError(f"DATABASE_URL: SQLite driver {driver!r} is not async; drop it (sqlite:///…)")
    if backend != "sqlite" and driver not in ("", "asyncpg", "psycopg2", "psycopg"):
        raise StorageError(f"DATABASE_URL: PostgreSQL driver {driver!r} is not supported; use postgresql://…")
    chosen = _ASYNC_DRIVERS[backend]
    return parsed.set(drivername=chosen).render_as_string(hide_password=False)


def make_engine(url: str, *, echo: bool = False, read_only: bool = False) -> AsyncEngine:
    """An async engine for `url` (sync or async form) with per-dialect settings applied.

    `read_only` (SQLite): connections that refuse writes (`PRAGMA query_only`) and begin deferred, so a
    reader never takes the write lock; with WAL it reads a snapshot while a writer commits."""
    full = async_url(url)
    parsed = make_url(full)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(full, echo=echo, pool_pre_ping=True)
    database = parsed.database or ""
    in_memory = database in ("", ":memory:") or "mode=memory" in full
    if not in_memory:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {"connect_args": {"timeout": SQLITE_BUSY_SECONDS}}
    if in_memory:
        kwargs["poolclass"] = StaticPool  # one shared connection, or every session sees its own empty database
    if not read_only:
        # Writers run their statements on the event loop's thread (`_InlineSqlite`): a turn's statements take
        # microseconds, a hop to aiosqlite's thread and back cost more than the statement (much more on a busy
        # machine). Readers keep the thread: a long read (figures over every case) must not stop the loop.
        kwargs["connect_args"]["async_creator_fn"] = inline_sqlite
    engine = create_async_engine(full, echo=echo, **kwargs)
    tune_sqlite(engine, wal=not in_memory, read_only=read_only and not in_memory)
    return engine


def is_storage_failure(exc: BaseException) -> bool:
    """The database could not do its work (disk I/O error, locked, connection gone, read-only file) — as opposed
    to a mistake in a query. Callers outside `storage` ask this instead of naming the drivers' exceptions."""
    from sqlalchemy.exc import InterfaceError

    return isinstance(exc, OperationalError | InterfaceError | StorageError | OSError)


@dataclass(frozen=True, slots=True)
class PrepareReport:
    """What `Database.prepare` did, for the startup log."""

    migrated_from: str | None
    migrated_to: str | None
    seeded: bool


class Database:
    """The engine plus a session factory; `prepare()` brings an empty database to a working state."""

    def __init__(self, url: str, *, echo: bool = False):
        self.url = async_url(url)
        self.engine = make_engine(self.url, echo=echo)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        #: Pure reads (lists, a case, the figures): on SQLite a second pool whose connections never take the
        #: write lock, so /my and /tasks do not queue behind filings; elsewhere the same engine.
        self.read_engine = self.engine
        if self.engine.dialect.name == "sqlite" and self.engine.pool.__class__ is not StaticPool:
            self.read_engine = make_engine(self.url, echo=echo, read_only=True)
        self.readers = async_sessionmaker(self.read_engine, expire_on_commit=False, autoflush=False)
        #: Called with the session after each successful `transaction()` (e.g. to wake the outbox sender) and turn;
        #: not after a SQLite turn that never made its session (nothing could have been noted in one).
        self.after_commit: list[Callable[[AsyncSession], None]] = []
        self._lock_engine: AsyncEngine | None = None
        #: SQLite file: this process's writers queue here (fair, on the event loop) rather than in SQLite's busy
        #: handler. In-memory SQLite has one shared connection, PostgreSQL row locks: no gate.
        self._gate_file = sqlite_file(self.url) if self.read_engine is not self.engine else None
        #: The turn the running task is in (`turn()`), if any: its session, used by every call inside it.
        self._turn: ContextVar[_Turn | None] = ContextVar(f"griddesk_turn_{id(self)}", default=None)
        #: The innermost `transaction()` the running task opened outside a turn: `rows` inside it runs in it.
        self._open: ContextVar[_Turn | None] = ContextVar(f"griddesk_open_{id(self)}", default=None)
        #: A SQLite file's last turn's connection, kept for the next turn (`_sqlite_turn`).
        self._kept: Connection | None = None
        event.listen(self.engine.sync_engine, "before_cursor_execute", _count_in_scope)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> AbstractAsyncContextManager[AsyncSession]:
        """`async with db.session() as s:` — inside a turn its session, else a new one (which may write: on a
        SQLite file it queues behind this process's other writers first)."""
        turn = self._current_turn()
        if turn is not None:
            return _borrowed(turn.session)
        return self._own_session()

    def reader(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A session for reads only (a write through it fails on SQLite: `query_only`); it never takes the write
        lock. Inside a turn on PostgreSQL, the turn's own session (a second connection per turn could exhaust the
        pool under a burst); on SQLite the read pool's threads still (a long read must not stop the loop)."""
        turn = self._current_turn()
        if turn is not None and self.dialect == "postgresql":
            return _borrowed(turn.session)
        return self.readers()

    @asynccontextmanager
    async def transaction(self, *, savepoint: bool = True) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error.

        Inside a turn: the turn's transaction, the block a SAVEPOINT (an error undoes the block only);
        `savepoint=False` for blocks that cannot fail half-way short of a storage failure (which fails the turn)."""
        turn = self._current_turn()
        if turn is not None:
            if savepoint:
                async with turn.session.begin_nested():
                    yield turn.session
            else:
                yield turn.session
                await turn.session.flush()
            return
        async with self._gated(), self.sessions() as session:
            token = self._open.set(_Turn(session, asyncio.current_task()))  # what `rows` inside it runs on
            try:
                async with session.begin():
                    yield session
            finally:
                self._open.reset(token)
            self._committed(session)

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[TurnScope]:
        """One transaction for a whole turn (load, work, save) on one connection; committed when the block ends
        without an error, else rolled back. Calls inside it by the same task use it (see `session`)."""
        if self._current_turn() is not None:
            raise StorageError("a turn inside a turn: the inner one would commit the outer one's work")
        if self.dialect == "sqlite" and not self.engine.echo:
            async with self._sqlite_turn() as scope:
                yield scope
            return
        async with self._gated(), self.sessions() as session:
            turn = _Turn(session, asyncio.current_task())
            scope = TurnScope(turn)
            token = self._turn.set(turn)
            try:
                async with session.begin():
                    connection = (await session.connection()).sync_connection
                    assert connection is not None
                    info = connection.info
                    info[_SCOPE] = scope
                    if not self.engine.echo:  # echo logs each statement: only SQLAlchemy's own path does
                        turn.connection, turn.raw = connection, inline_driver(connection)
                    try:
                        yield scope
                    finally:
                        info.pop(_SCOPE, None)
            finally:
                self._turn.reset(token)
            self._committed(session)

    @asynccontextmanager
    async def _sqlite_turn(self) -> AsyncIterator[TurnScope]:
        """`turn()` on SQLite, whose writers run on the loop's thread (`inline_sqlite`): a plain `Connection` begun
        in one hop into SQLAlchemy's sync layer and ended (commit or rollback) in one more. The ORM session is made
        only when something in the turn asks for it (`_Turn.session`), joined to that connection's transaction; a
        plain turn (state read and saved through `rows`) never needs one. On a file, whose turns queue one at a
        time on the write gate, the connection is kept for the next turn after a commit (a rollback or any failure
        closes it): checking it out, wrapping it and handing it back cost as much as the turn's statements. An
        `AsyncSession` per turn (its transaction, checkout and close) was ~150 of an empty turn's ~230 µs CPU."""
        async with self._gated():
            turn = _Turn(None, asyncio.current_task())
            scope = TurnScope(turn)
            token = self._turn.set(turn)
            keep = self._gate_file is not None  # the gate: no other turn of this process uses it meanwhile
            try:
                connection, self._kept = self._kept, None
                if connection is not None and (connection.closed or connection.invalidated):
                    connection = None
                if connection is None:
                    connection, transaction = await greenlet_spawn(_connect_begin, self.engine.sync_engine)
                else:
                    transaction = await greenlet_spawn(_begin_on, connection)
                turn.make = lambda: self.sessions(bind=AsyncConnection(self.engine, connection),
                                                  join_transaction_mode="conditional_savepoint")
                info = connection.info
                info[_SCOPE] = scope
                turn.connection, turn.raw = connection, inline_driver(connection)
                try:
                    yield scope
                except BaseException:
                    info.pop(_SCOPE, None)
                    await greenlet_spawn(_finish, connection, transaction, turn.made, None, False)
                    raise
                info.pop(_SCOPE, None)
                made = turn.made
                if await greenlet_spawn(_finish, connection, transaction, made,
                                        (lambda: self._committed(made)) if made is not None else _nothing, keep):
                    self._kept = connection
            finally:
                self._turn.reset(token)

    async def rows(self, prepared: Prepared, values: dict[str, Any] | list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        """Run a hot statement with `values` (a list: one executemany, no rows back) and return its rows, converted as
        SQLAlchemy converts them (none for a write). It runs in the running task's turn, else in the innermost
        `transaction()` it opened (filing called outside a turn: the CLI, the API, benchmarks), else in a
        transaction of its own (a write commits). On a SQLite writer it is compiled once and run straight on the
        sqlite3 connection (`sqlite_io.run_inline`: ~5 µs instead of ~60 µs through SQLAlchemy, listeners still
        called); elsewhere (PostgreSQL, echo) through the session's connection. Like Core on the session's
        connection it does not flush the session (autoflush is off)."""
        scope = self._current_turn()
        if scope is None:
            scope = self._open.get()
            if scope is not None and scope.task is not asyncio.current_task():
                scope = None
            if scope is not None and scope.connection is None and self.dialect == "sqlite" and not self.engine.echo:
                connection = (await scope.session.connection()).sync_connection
                scope.connection, scope.raw = connection, inline_driver(connection)
        if scope is not None and scope.raw is not None:
            return run_inline(scope.connection, scope.raw, prepared.ready(self.engine.dialect), values)
        if scope is not None:
            return await _execute(scope.session, prepared, values)
        async with self.transaction(savepoint=False) as session:
            return await _execute(session, prepared, values)

    def in_turn(self) -> bool:
        return self._current_turn() is not None

    def _current_turn(self) -> _Turn | None:
        turn = self._turn.get()
        # a task started inside a turn inherits the context, not the right to use its connection
        return turn if turn is not None and turn.task is asyncio.current_task() else None

    def _committed(self, session: AsyncSession) -> None:
        for hook in self.after_commit:
            hook(session)

    def _gated(self) -> AbstractAsyncContextManager[object]:
        return WriteGate.of(self._gate_file).hold() if self._gate_file is not None else nullcontext()

    @asynccontextmanager
    async def _own_session(self) -> AsyncIterator[AsyncSession]:
        async with self._gated(), self.sessions() as session:
            yield session

    async def settle(self) -> None:
        """After a bulk load (benchmarks): what a running PostgreSQL's autovacuum does soon after it, `VACUUM
        ANALYZE` (statistics, and the visibility map that lets index-only scans skip the table). SQLite: nothing,
        as a desk's file never gets `ANALYZE` either."""
        if self.dialect != "postgresql":
            return
        async with self.engine.connect() as conn:
            auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await auto.exec_driver_sql("VACUUM ANALYZE")

    async def prepare(self, seed_file: Path | None = None, *, load_seed: bool = True) -> PrepareReport:
        """Migrate to the newest schema (Alembic) and, if there are no streets yet, load the grid seed.

        Safe when several instances start at once: an advisory lock serialises them on PostgreSQL,
        a lock file beside the database on SQLite (switching to WAL and running DDL need the file alone).
        """
        try:
            async with self._sqlite_file_lock(), self.engine.connect() as conn:
                postgres = conn.dialect.name == "postgresql"
                if postgres:
                    await conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK})
                    await conn.commit()
                try:
                    before, after = await conn.run_sync(upgrade_to_head)
                    await conn.commit()
                    seeded = False
                    if load_seed:
                        seeded = await seed_if_empty(conn, seed_file)
                        await conn.commit()
                finally:
                    if postgres:
                        await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK})
                        await conn.commit()
        except (OperationalError, DBAPIError, OSError) as exc:
            raise StorageError(f"cannot prepare the database at {self.safe_url}: {_short(exc)}") from exc
        if before != after:
            log.info("database migrated %s → %s", before or "empty", after)
        return PrepareReport(before, after, seeded)

    @asynccontextmanager
    async def chat_lock(self, channel: str, chat_id: int) -> AsyncIterator[None]:
        """Hold the chat (channel, chat id) for one turn across every instance on this database.

        PostgreSQL: `pg_advisory_xact_lock` on a key derived from the pair, in a transaction of its own
        on a connection of its own pool, released when the turn ends (or its connection dies). SQLite
        is one process's file: the in-process lock of `bot.dialog.frame` is the whole story, so no-op.
        """
        if self.dialect != "postgresql":
            yield
            return
        if self._lock_engine is None:
            self._lock_engine = create_async_engine(self.url, pool_size=_CHAT_LOCK_POOL, max_overflow=_CHAT_LOCK_OVERFLOW,
                                                    pool_pre_ping=True)
        async with self._lock_engine.connect() as conn, conn.begin():
            await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": chat_lock_key(channel, chat_id)})
            yield

    def _sqlite_file_lock(self) -> AbstractAsyncContextManager[object]:
        parsed = make_url(async_url(self.url))
        database = parsed.database or ""
        if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:") or "mode=memory" in self.url:
            return nullcontext()
        return file_lock(Path(database).expanduser().with_name(Path(database).name + ".prepare-lock"))

    @property
    def safe_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    async def dispose(self) -> None:
        if self._lock_engine is not None:
            await self._lock_engine.dispose()
        kept, self._kept = self._kept, None
        if kept is not None:
            await greenlet_spawn(kept.close)
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()


_SCOPE = "griddesk_turn_scope"  # connection.info key: the turn this connection works for
_WRITES = ("INSERT", "UPDATE", "DELETE")


@dataclass(slots=True)
class TurnScope:
    """A turn's transaction: its session, and how many statements it ran (and wrote) so far."""

    turn: _Turn
    statements: int = 0
    writes: int = 0

    @property
    def session(self) -> AsyncSession:
        return self.turn.session


def _count_in_scope(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
    scope = conn.info.get(_SCOPE)
    if scope is not None:
        scope.statements += 1
        if statement.lstrip()[:6].upper() in _WRITES:
            scope.writes += 1


@dataclass(slots=True)
class _Turn:
    made: AsyncSession | None  # its session, once made
    task: asyncio.Task[Any] | None
    connection: Any = None  # the turn's SQLAlchemy (sync) Connection, once begun
    raw: Any = None  # its sqlite3 connection, when it is a SQLite writer's (hot statements run on it: `rows`)
    make: Callable[[], AsyncSession] | None = None  # how a SQLite turn makes its session when first asked

    @property
    def session(self) -> AsyncSession:
        """The turn's ORM session, made on first use (a SQLite turn's) and joined to the turn's transaction."""
        if self.made is None:
            assert self.make is not None, "a turn's session asked for before the turn began"
            self.made = self.make()
        return self.made


def _connect_begin(engine: Engine) -> tuple[Connection, Transaction]:
    """A connection checked out of `engine`'s pool with its transaction begun (`BEGIN IMMEDIATE`: `tune_sqlite`)."""
    connection = engine.connect()
    try:
        return connection, connection.begin()
    except BaseException:
        connection.close()
        raise


def _begin_on(connection: Connection) -> Transaction:
    """A kept connection's next transaction (`BEGIN IMMEDIATE`); closed when that fails."""
    try:
        return connection.begin()
    except BaseException:
        connection.close()
        raise


def _finish(connection: Connection, transaction: Transaction, session: AsyncSession | None,
            committed: Callable[[], None] | None, keep: bool) -> bool:
    """End what `_connect_begin` began: with `committed`, flush the turn's session (if it made one, as its commit
    would), commit and call `committed`; without it, roll back. Then the session is closed (it joined the
    transaction, so closing it leaves that alone) and the connection goes back to the pool, unless `keep` and all
    went well: True when it is kept for the next turn."""
    sync = session.sync_session if session is not None else None
    kept = False
    try:
        if committed is not None:
            if sync is not None:
                sync.flush()
            transaction.commit()
            committed()
            kept = keep
        elif transaction.is_active:
            transaction.rollback()
    finally:
        try:
            if sync is not None:
                sync.close()
        finally:
            if not kept:
                connection.close()  # rolls back what is still open (a failed flush or commit)
    return kept


def _nothing() -> None:
    """`committed` for a turn that made no session: no hook can have been told anything through it."""


async def _execute(session: AsyncSession, prepared: Prepared, values: dict[str, Any] | list[dict[str, Any]]
                   ) -> list[tuple[Any, ...]]:
    """`Database.rows` through SQLAlchemy's own execution, on the session's connection (Core: no flush)."""
    result = await (await session.connection()).execute(prepared.statement, values)
    return [tuple(row) for row in result] if result.returns_rows else []


@asynccontextmanager
async def _borrowed(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """The turn's session lent to a block: leaving the block does not close it."""
    yield session


def chat_lock_key(channel: str, chat_id: int) -> int:
    """A signed 64-bit advisory-lock key for (channel, chat id); distinct from `_MIGRATION_LOCK` in practice
    (a collision would only make two chats wait for each other)."""
    digest = hashlib.blake2b(f"griddesk-chat:{channel}:{chat_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _short(exc: BaseException) -> str:
    return str(getattr(exc, "orig", None) or exc).splitlines()[0][:300]
