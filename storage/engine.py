"""The async engine and sessions: the ONLY module that knows which database is underneath.

`DATABASE_URL` may be any SQLAlchemy URL; plain `sqlite:///path` and `postgresql://…` get their async
drivers (aiosqlite, asyncpg) chosen here. Everything dialect-specific lives in this file: SQLite pragmas
and write-serialising transactions, the atomic per-day counter behind case numbers, row claiming with
`FOR UPDATE SKIP LOCKED` on PostgreSQL (several bot instances), the advisory lock that lets several
instances start against one empty database without racing the migration, and the per-chat advisory lock
that keeps one chat's updates in order when several instances share them (`Database.chat_lock`).

One trip per turn (`Database.turn`): a chat's update loads its state, does its work and saves in ONE
transaction on one connection; `session()`, `transaction()` and `reader()` called inside it (by the same task)
use that connection (a `transaction()` as a SAVEPOINT, so a refused action undoes only itself). On a SQLite
file, writers of this process queue on an asyncio lock (`_WriteGate`) before `BEGIN IMMEDIATE`, instead of
SQLite's busy handler, which sleeps up to 100 ms between tries and made concurrent turns 10× slower; reads
through `reader()` never take it.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import logging
import re
import sqlite3
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import aiosqlite
from sqlalchemy import bindparam, event, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql import Select

from bot.errors import StorageError
from storage import STORAGE_DIR

log = logging.getLogger(__name__)

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg"}
#: Any 64-bit constant: the PostgreSQL advisory lock held while one instance migrates and seeds.
_MIGRATION_LOCK = 0x6772_6964_6465_736B & 0x7FFF_FFFF_FFFF_FFFF
_SQLITE_BUSY_SECONDS = 30
#: Connections kept for chat locks, apart from the working pool: a turn holds one for its lock while it
#: works on others, so sharing one pool could deadlock under many chats at once.
_CHAT_LOCK_POOL = 20
_CHAT_LOCK_OVERFLOW = 80

S = TypeVar("S", bound=Select[Any])


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
    kwargs: dict[str, Any] = {"connect_args": {"timeout": _SQLITE_BUSY_SECONDS}}
    if in_memory:
        kwargs["poolclass"] = StaticPool  # one shared connection, or every session sees its own empty database
    if not read_only:
        # Writers run their statements on the event loop's thread (`_InlineSqlite`): a turn's statements take
        # microseconds, a hop to aiosqlite's thread and back cost more than the statement (much more on a busy
        # machine). Readers keep the thread: a long read (figures over every case) must not stop the loop.
        kwargs["connect_args"]["async_creator_fn"] = _inline_sqlite
    engine = create_async_engine(full, echo=echo, **kwargs)
    _tune_sqlite(engine, wal=not in_memory, read_only=read_only and not in_memory)
    return engine


class _InlineQueue:
    """aiosqlite's hand-over queue, done at once on the caller's thread (what the worker thread would do)."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as exc:  # handed to the awaiting caller, as aiosqlite's thread does
            if future is not None and not future.done():
                future.set_exception(exc)
            return
        if future is not None and not future.done():
            future.set_result(result)


class _InlineSqlite(aiosqlite.Connection):
    """An aiosqlite connection without its thread: each call runs sqlite3 right away on the event loop's thread.

    For the writers' pool, whose statements are short (a turn's point reads and inserts, under the `_WriteGate`,
    so no in-process wait for SQLite's lock). Another process holding the write lock (a CLI command) makes a
    writer wait here, on the loop, for as long as that command's transaction lasts."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, 64)
        self._tx = _InlineQueue()  # type: ignore[assignment]

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    async def _connect(self) -> aiosqlite.Connection:
        if self._connection is None:
            self._connection = self._connector()
        return self

    def __await__(self) -> Any:
        return self._connect().__await__()  # no thread to start


def _inline_sqlite(database: str, **kwargs: Any) -> _InlineSqlite:
    return _InlineSqlite(lambda: sqlite3.connect(database, **kwargs))


def _tune_sqlite(engine: AsyncEngine, *, wal: bool, read_only: bool = False) -> None:
    """Foreign keys on, WAL for concurrent readers, and `BEGIN IMMEDIATE` so writers queue instead of failing.

    pysqlite's own deferred BEGIN lets two transactions both read and then collide on write
    ("database is locked"); taking the write lock at BEGIN makes every transaction serialisable.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_SECONDS * 1000}")
        if wal and not read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a commit survives the process being killed (what SIGKILL tests check); only a power
            # cut may lose the last commits. FULL fsyncs every commit: ~5 ms each, the burst's biggest wait.
            cursor.execute("PRAGMA synchronous=NORMAL")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    begin = "BEGIN" if read_only else "BEGIN IMMEDIATE"

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)


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
    return int((await session.execute(stmt, {"day": day})).scalar_one())


_SEQUENCES: dict[str, Any] = {}  # the counter's upsert per dialect, built once


def seconds_between(start: Any, end: Any, session: AsyncSession) -> Any:
    """A SQL expression for `end - start` in seconds (fractions kept), for figures computed in the database."""
    from sqlalchemy import func

    if dialect_of(session) == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


async def insert_if_absent(session: AsyncSession, table: Any, values: dict[str, Any] | list[dict[str, Any]],
                           keys: list[str]) -> None:
    """INSERT … ON CONFLICT (keys) DO NOTHING: creating a row (or several, in one statement) that a concurrent
    transaction may create too."""
    stmt = _insert_of(session)(table).values(values if isinstance(values, list) else [values])
    await session.execute(stmt.on_conflict_do_nothing(index_elements=[table.c[k] for k in keys]))


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


#: Upsert statements by shape (dialect, model, columns, keys, updated columns): a handful in all.
_UPSERTS: dict[tuple[Any, ...], Any] = {}


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
        #: Called with the session after each successful `transaction()` (e.g. to wake the outbox sender).
        self.after_commit: list[Callable[[AsyncSession], None]] = []
        self._lock_engine: AsyncEngine | None = None
        #: SQLite file: this process's writers queue here (fair, on the event loop) rather than in SQLite's busy
        #: handler. In-memory SQLite has one shared connection, PostgreSQL row locks: no gate.
        self._gate_file = _sqlite_file(self.url) if self.read_engine is not self.engine else None
        #: The turn the running task is in (`turn()`), if any: its session, used by every call inside it.
        self._turn: ContextVar[_Turn | None] = ContextVar(f"griddesk_turn_{id(self)}", default=None)
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
            async with session.begin():
                yield session
            self._committed(session)

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[TurnScope]:
        """One transaction for a whole turn (load, work, save) on one connection; committed when the block ends
        without an error, else rolled back. Calls inside it by the same task use it (see `session`)."""
        if self._current_turn() is not None:
            raise StorageError("a turn inside a turn: the inner one would commit the outer one's work")
        async with self._gated(), self.sessions() as session:
            scope = TurnScope(session)
            token = self._turn.set(_Turn(session, asyncio.current_task()))
            try:
                async with session.begin():
                    info = (await session.connection()).sync_connection.info  # type: ignore[union-attr]
                    info[_SCOPE] = scope
                    try:
                        yield scope
                    finally:
                        info.pop(_SCOPE, None)
            finally:
                self._turn.reset(token)
            self._committed(session)

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
        return _WriteGate.of(self._gate_file).hold() if self._gate_file is not None else nullcontext()

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
                    before, after = await conn.run_sync(_upgrade_to_head)
                    await conn.commit()
                    seeded = False
                    if load_seed:
                        seeded = await _seed_if_empty(conn, seed_file)
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
        return _file_lock(Path(database).expanduser().with_name(Path(database).name + ".prepare-lock"))

    @property
    def safe_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    async def dispose(self) -> None:
        if self._lock_engine is not None:
            await self._lock_engine.dispose()
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()


_SCOPE = "griddesk_turn_scope"  # connection.info key: the turn this connection works for
_WRITES = ("INSERT", "UPDATE", "DELETE")


@dataclass(slots=True)
class TurnScope:
    """A turn's transaction: its session, and how many statements it ran (and wrote) so far."""

    session: AsyncSession
    statements: int = 0
    writes: int = 0


def _count_in_scope(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
    scope = conn.info.get(_SCOPE)
    if scope is not None:
        scope.statements += 1
        if statement.lstrip()[:6].upper() in _WRITES:
            scope.writes += 1


def _sqlite_file(url: str) -> str:
    """The resolved path of a SQLite file URL (the key of its write gate)."""
    return str(Path(make_url(url).database or "").expanduser().resolve())


@dataclass(slots=True)
class _Turn:
    session: AsyncSession
    task: asyncio.Task[Any] | None


@asynccontextmanager
async def _borrowed(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """The turn's session lent to a block: leaving the block does not close it."""
    yield session


class _WriteGate:
    """One writer at a time among this process's tasks on one SQLite file (whichever `Database` they use: two
    instances in one process share it), first come first served, re-entrant per task (a task that already writes
    and opens a second session gets what it got before: SQLite's own lock decides)."""

    _gates: ClassVar[weakref.WeakValueDictionary[tuple[str, int], _WriteGate]] = weakref.WeakValueDictionary()

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None

    @classmethod
    def of(cls, file: str) -> _WriteGate:
        """The gate of `file` on the running loop (asyncio locks belong to one loop)."""
        key = (file, id(asyncio.get_running_loop()))
        gate = cls._gates.get(key)
        if gate is None:
            gate = cls._gates[key] = cls()
        return gate

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if task is not None and task is self._owner:
            yield
            return
        async with self._lock:
            self._owner = task
            try:
                yield
            finally:
                self._owner = None


def chat_lock_key(channel: str, chat_id: int) -> int:
    """A signed 64-bit advisory-lock key for (channel, chat id); distinct from `_MIGRATION_LOCK` in practice
    (a collision would only make two chats wait for each other)."""
    digest = hashlib.blake2b(f"griddesk-chat:{channel}:{chat_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@asynccontextmanager
async def _file_lock(path: Path) -> AsyncIterator[None]:
    """An exclusive flock, waited for in a thread so other tasks (another instance in-process) go on."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        await asyncio.to_thread(fcntl.flock, handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


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


def _current_revision(sync_conn: Any) -> str | None:
    """The database's one Alembic revision, or None (no table yet, or several rows: branches)."""
    if not inspect(sync_conn).has_table("alembic_version"):
        return None
    rows = sync_conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return rows[0] if len(rows) == 1 else None


def _upgrade_to_head(sync_conn: Any) -> tuple[str | None, str | None]:
    """Alembic upgrade on this (not yet begun) connection.

    SQLite: batch migrations copy a table and swap it in; with foreign keys enforced, dropping the old
    copy of a referenced table (residents, workers) fails. So checks are off for the migration (the
    pragma only works outside a transaction), every reference is checked once at the end
    (`foreign_key_check`, a failure rolls it all back), and checks are back on before anything else runs.
    """
    current = _current_revision(sync_conn)
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


async def _seed_if_empty(conn: AsyncConnection, seed_file: Path | None) -> bool:
    from storage.models import Street
    from storage.seed import apply_seed, default_seed_path, load_seed_file

    async with AsyncSession(bind=conn, expire_on_commit=False) as session:
        if (await session.execute(select(Street.id).limit(1))).first() is not None:
            return False
        data = load_seed_file(seed_file or default_seed_path())
        await apply_seed(session, data)
        await session.commit()
    return True


def _short(exc: BaseException) -> str:
    return str(getattr(exc, "orig", None) or exc).splitlines()[0][:300]
