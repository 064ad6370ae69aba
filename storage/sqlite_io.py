"""SQLite's side of the engine: pragmas and `BEGIN IMMEDIATE`, the writers' thread-less connection, the
in-process write gate and the file lock that serialises start-up migrations (used by `storage.engine` only)."""

from __future__ import annotations

import asyncio
import fcntl
import sqlite3
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, ClassVar

import aiosqlite
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.statements import Ready

SQLITE_BUSY_SECONDS = 30


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

    For the writers' pool, whose statements are short (a turn's point reads and inserts, under the `WriteGate`,
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


def inline_sqlite(database: str, **kwargs: Any) -> _InlineSqlite:
    return _InlineSqlite(lambda: sqlite3.connect(database, **kwargs))


def tune_sqlite(engine: AsyncEngine, *, wal: bool, read_only: bool = False) -> None:
    """Foreign keys on, WAL for concurrent readers, and `BEGIN IMMEDIATE` so writers queue instead of failing.

    pysqlite's own deferred BEGIN lets two transactions both read and then collide on write
    ("database is locked"); taking the write lock at BEGIN makes every transaction serialisable.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
        if wal and not read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a commit survives the process being killed (what SIGKILL tests check); only a power
            # cut may lose the last commits. FULL fsyncs every commit: ~5 ms each, the burst's biggest wait.
            cursor.execute("PRAGMA synchronous=NORMAL")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    begin = "BEGIN" if read_only else "BEGIN IMMEDIATE"
    ready = Ready.plain(begin)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        raw = inline_driver(conn)
        if raw is not None and not conn._echo:  # a writer's: straight on sqlite3, listeners still called
            run_inline(conn, raw, ready, {})
        else:
            conn.exec_driver_sql(begin)


def sqlite_file(url: str) -> str:
    """The resolved path of a SQLite file URL (the key of its write gate)."""
    return str(Path(make_url(url).database or "").expanduser().resolve())


class WriteGate:
    """One writer at a time among this process's tasks on one SQLite file (whichever `Database` they use: two
    instances in one process share it), first come first served, re-entrant per task (a task that already writes
    and opens a second session gets what it got before: SQLite's own lock decides)."""

    _gates: ClassVar[weakref.WeakValueDictionary[tuple[str, int], WriteGate]] = weakref.WeakValueDictionary()

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None

    @classmethod
    def of(cls, file: str) -> WriteGate:
        """The gate of `file` on the running loop (asyncio locks belong to one loop)."""
        key = (file, id(asyncio.get_running_loop()))
        gate = cls._gates.get(key)
        if gate is None:
            gate = cls._gates[key] = cls()
        return gate

    def hold(self) -> _Holding:
        """`async with gate.hold():` — the gate for the block (a plain object: every turn and write passes here)."""
        return _Holding(self)


class _Holding:
    __slots__ = ("_gate", "_held")

    def __init__(self, gate: WriteGate) -> None:
        self._gate = gate
        self._held = False

    async def __aenter__(self) -> None:
        gate = self._gate
        task = asyncio.current_task()
        if task is not None and task is gate._owner:
            return  # re-entered by the task that holds it
        await gate._lock.acquire()
        gate._owner, self._held = task, True

    async def __aexit__(self, *_: object) -> None:
        if self._held:
            self._held = False
            self._gate._owner = None
            self._gate._lock.release()


@asynccontextmanager
async def file_lock(path: Path) -> AsyncIterator[None]:
    """An exclusive flock, waited for in a thread so other tasks (another instance in-process) go on."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        await asyncio.to_thread(fcntl.flock, handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def inline_driver(connection: Any) -> sqlite3.Connection | None:
    """The sqlite3 connection under a writer's SQLAlchemy `Connection` (an `_InlineSqlite`), or None for any other."""
    driver = connection.connection.driver_connection
    return driver._conn if isinstance(driver, _InlineSqlite) else None


def run_inline(connection: Any, raw: sqlite3.Connection, ready: Ready,
               values: dict[str, Any] | list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Run a prepared statement (`Ready`) straight on the writer's sqlite3 connection, inside the
    transaction `connection` (SQLAlchemy's) holds. What SQLAlchemy would do around it is kept: the engine's
    `before_cursor_execute`/`after_cursor_execute` listeners see the statement (statement counts, fault
    injection), and a driver error comes out as SQLAlchemy's (`OperationalError`…) so callers judge it as before.
    `values` a list: one executemany of its rows (a statement without RETURNING), as SQLAlchemy runs a list."""
    from sqlalchemy.exc import DBAPIError

    many = isinstance(values, list)
    sql = ready.sql
    parameters: Any = [ready.parameters(v) for v in values] if many else ready.parameters(values)
    try:
        cursor = raw.cursor()
        events = connection._has_events or connection.engine._has_events
        if events:
            for listener in connection.dispatch.before_cursor_execute:  # as `Connection._execute_context` calls them
                sql, parameters = listener(connection, cursor, sql, parameters, None, many)
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        rows = cursor.fetchall() if ready.returns_rows and not many else []
        if events:
            for listener in connection.dispatch.after_cursor_execute:
                listener(connection, cursor, sql, parameters, None, many)
        cursor.close()
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, parameters, exc, sqlite3.Error) from exc
    return [ready.row(row) for row in rows]
