"""Database fixtures: the same tests run on SQLite and on a throwaway PostgreSQL server.

`database_url` is parametrised over both. The PostgreSQL server is started once per session on
127.0.0.1 (a free port, a temp dir, `initdb` + `pg_ctl` as the unprivileged user `nobody` when we are
root, since postgres refuses to run as root). When the binaries are missing and we are root, the Debian
package is installed (`apt-get install -y postgresql`). When that is impossible, the PostgreSQL
variants are skipped with the reason; SQLite variants always run.

`GRIDDESK_TEST_PG_URL=postgresql://user:pw@host:port/db` uses an existing server instead (each test
gets its own database created next to `db`).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

_APT_TIMEOUT = 600


@dataclass(frozen=True)
class PgServer:
    host: str
    port: int
    user: str
    password: str | None = None

    def url(self, database: str) -> str:
        auth = self.user if self.password is None else f"{self.user}:{self.password}"
        return f"postgresql://{auth}@{self.host}:{self.port}/{database}"


def _pg_bin_dir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]) if
                        p.split("/")[4].isdigit() else 0)
    return Path(candidates[-1]).parent if candidates else None


def _install_postgres() -> str | None:
    """apt-get install postgresql (root only). Returns None on success, else why it failed."""
    if os.geteuid() != 0:
        return "PostgreSQL binaries not found and not root, so cannot apt-get install postgresql"
    if not shutil.which("apt-get"):
        return "PostgreSQL binaries not found and apt-get is not available"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    cmd = ["apt-get", "install", "-y", "--no-install-recommends", "postgresql"]
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=_APT_TIMEOUT)
        if result.returncode != 0:
            subprocess.run(["apt-get", "update"], capture_output=True, text=True, env=env, timeout=_APT_TIMEOUT)
            result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=_APT_TIMEOUT)
        if result.returncode != 0:
            return f"apt-get install postgresql failed: {(result.stderr or result.stdout).strip()[-300:]}"
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"apt-get install postgresql failed: {exc}"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server() -> tuple[PgServer | None, str, Path | None, Path | None]:
    """Returns (server, why-not, data dir, bin dir)."""
    bindir = _pg_bin_dir()
    if bindir is None:
        why = _install_postgres()
        if why:
            return None, why, None, None
        bindir = _pg_bin_dir()
        if bindir is None:
            return None, "postgresql installed but pg_ctl not found", None, None
    run_as: dict[str, str] = {}
    base = Path(tempfile.mkdtemp(prefix="griddesk-pg-"))
    if os.geteuid() == 0:
        import grp
        import pwd

        try:
            user = pwd.getpwnam("nobody")
            group = grp.getgrgid(user.pw_gid).gr_name
        except KeyError:
            return None, "running as root and there is no 'nobody' user to run postgres as", None, None
        os.chown(base, user.pw_uid, user.pw_gid)
        run_as = {"user": "nobody", "group": group}
    data = base / "data"
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "HOME": str(base)}
    init = subprocess.run([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                           "--no-sync"], capture_output=True, text=True, env=env, cwd=base, **run_as)
    if init.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        return None, f"initdb failed: {init.stderr.strip()[-300:]}", None, None
    port = _free_port()
    opts = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200"
    start = subprocess.run([str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(base / "log"), "-w", "-t", "60",
                            "start"], capture_output=True, text=True, env=env, cwd=base, **run_as)
    if start.returncode != 0:
        log = (base / "log").read_text(errors="replace")[-300:] if (base / "log").exists() else start.stderr
        shutil.rmtree(base, ignore_errors=True)
        return None, f"pg_ctl start failed: {log.strip()}", None, None
    return PgServer("127.0.0.1", port, "postgres"), "", base, bindir


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A running PostgreSQL server for this test session (or skip, saying why)."""
    external = os.environ.get("GRIDDESK_TEST_PG_URL")
    if external:
        from sqlalchemy.engine import make_url

        u = make_url(external)
        yield PgServer(u.host or "127.0.0.1", u.port or 5432, u.username or "postgres", u.password)
        return
    server, why, base, bindir = _start_server()
    if server is None:
        warnings.warn(f"PostgreSQL tests skipped: {why}", stacklevel=1)
        pytest.skip(f"PostgreSQL not available: {why}")
    try:
        yield server
    finally:
        run_as = {"user": "nobody"} if os.geteuid() == 0 else {}
        subprocess.run([str(bindir / "pg_ctl"), "-D", str(base / "data"), "-m", "immediate", "stop"],  # type: ignore[operator]
                       capture_output=True, cwd=base, **run_as)
        shutil.rmtree(base, ignore_errors=True)  # type: ignore[arg-type]


async def _pg_admin(server: PgServer, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(host=server.host, port=server.port, user=server.user, password=server.password,
                                 database="postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database URL: a SQLite file, or a new database on the session's PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'griddesk.db'}"
        return
    async with _fresh_pg_database(request.getfixturevalue("pg_server")) as url:
        yield url


@pytest.fixture
async def pg_database_url(pg_server: PgServer) -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database only (what several instances share; SQLite is one process's file)."""
    async with _fresh_pg_database(pg_server) as url:
        yield url


@asynccontextmanager
async def _fresh_pg_database(server: PgServer) -> AsyncIterator[str]:
    name = f"griddesk_{uuid.uuid4().hex[:12]}"
    await _pg_admin(server, f'CREATE DATABASE "{name}"')
    try:
        yield server.url(name)
    finally:
        await _pg_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def case_service(database_url: str) -> AsyncIterator[object]:
    """A prepared `CaseService` (migrated + seeded) on `database_url`; admins 9001."""
    from bot.cases.service import open_service
    from bot.settings import load_settings

    settings = load_settings(database_url=database_url, admin_ids="9001", _env_file=None)
    service = await open_service(settings)
    try:
        yield service
    finally:
        await service.close()
