"""What `griddesk run` checks against this machine before it opens the database or reaches the network.

`bot.settings` checks each value alone; here they meet the file system and the sockets: the intent and
knowledge folders, the SQLite file's folder, the webhook's address and port. Every problem is one line
`KEY: what is wrong (the fix)`, all of them at once, as a `ConfigError` — a folder that does not exist used
to start the bot without a knowledge base (silently), and a SQLite path under a file or a port in use
ended in a traceback.
"""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

from bot import PROJECT_ROOT
from bot.errors import ConfigError
from bot.settings import Settings


def check(settings: Settings, *, web: bool) -> None:
    """Raise `ConfigError` listing every problem; `web` when the bot's web server will listen (console, webhook)."""
    problems = [
        *_folder("INTENTS_DIR", settings.intents_dir, ("*.yaml", "*.yml"), "intent files", PROJECT_ROOT / "intents"),
        *_folder("KNOWLEDGE_DIR", settings.knowledge_dir, ("*.md",), "knowledge entries", PROJECT_ROOT / "knowledge"),
        *_sqlite_file(settings.database_url),
    ]
    if web:
        problem = listen_problem(settings.web_host, settings.web_port)
        if problem:
            problems.append(problem)
    if problems:
        raise ConfigError("\n".join(problems))


def check_knowledge(settings: Settings) -> None:
    """The knowledge entries load (`KnowledgeFileError` with every `path:line` otherwise).

    At start there is no previous set to keep, and the dialog starts without a knowledge base when the
    entries do not load: refused here instead, the way broken intent files are.
    """
    from bot.kb.entries import MAX_FILE_BYTES, entry_files, load_entries
    from bot.nlu.cache import BuildCache

    # Passing is remembered in the build cache under the entries' content (a changed byte is a new key, so a
    # broken entry is always read, and never stored): a start with unchanged entries does not parse them twice.
    cache = BuildCache(settings.cache_dir)
    key = cache.key("entries-check", entry_files(settings.knowledge_dir), MAX_FILE_BYTES)
    cache.get_or_build("entries-check", key, lambda: len(load_entries(settings.knowledge_dir, fast=True)))


def _folder(key: str, path: Path, patterns: tuple[str, ...], what: str, default: Path) -> list[str]:
    shown = str(path) if path.is_absolute() else f"{path} (from {Path.cwd()})"
    fix = f"set {key} to the folder of {what} (default {default})"
    try:
        if not path.exists():
            return [f"{key}: {shown} does not exist; {fix}"]
        if not path.is_dir():
            return [f"{key}: {shown} is a file, not a folder; {fix}"]
        names = [p.name for pattern in patterns for p in path.glob(pattern) if p.name != "README.md"]
    except OSError as exc:
        return [f"{key}: cannot read {shown} ({exc.strerror}); {fix}"]
    if not names:
        return [f"{key}: {shown} has no {' or '.join(patterns)} {what}; {fix}"]
    return []


def _sqlite_file(url: str) -> list[str]:
    """A SQLite file can be created (or opened for writing) where DATABASE_URL says."""
    from sqlalchemy.engine import make_url

    from storage.engine import async_url

    parsed = make_url(async_url(url))  # the value itself was checked by Settings
    if parsed.get_backend_name() != "sqlite":
        return []
    database = parsed.database or ""
    if database in ("", ":memory:") or "mode=memory" in url:
        return []
    file = Path(database).expanduser()
    fix = "give a file path in a folder GridDesk may write, e.g. sqlite:///storage/griddesk.db"
    if file.is_dir():
        return [f"DATABASE_URL: {file} is a folder, not a database file; {fix}"]
    if file.exists():
        return [] if os.access(file, os.R_OK | os.W_OK) else [f"DATABASE_URL: {file} is not writable; {fix}"]
    folder = file.parent
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return [f"DATABASE_URL: {existing} is a file, so {file} cannot be created under it; {fix}"]
    if not os.access(existing, os.W_OK | os.X_OK):
        return [f"DATABASE_URL: cannot create {file} (no permission to write in {existing}); {fix}"]
    return []


def listen_problem(host: str, port: int) -> str | None:
    """Why the web server could not listen on host:port, or None when a socket binds there now."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        return (f"WEB_HOST: cannot resolve {host!r} ({getattr(exc, 'strerror', None) or exc}); "
                "use an address of this machine such as 127.0.0.1 or 0.0.0.0")
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as asyncio's server does
            try:
                sock.bind(address)
            except OSError as exc:
                return bind_problem(exc, host, port)
    return None


def bind_problem(exc: OSError, host: str, port: int) -> str:
    """One line for an OSError from binding the web server."""
    if exc.errno == errno.EADDRINUSE:
        return (f"WEB_PORT: port {port} on {host} is already in use; stop what listens there "
                "(another griddesk?) or pick a free port")
    if exc.errno == errno.EACCES:
        return f"WEB_PORT: port {port} needs root (ports below 1024); use 8080 behind a reverse proxy"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"WEB_HOST: {host} is not an address of this machine; use 127.0.0.1 (behind a proxy) or 0.0.0.0"
    return f"WEB_HOST/WEB_PORT: cannot listen on {host}:{port} ({exc.strerror or exc})"
