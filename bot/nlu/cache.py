"""An on-disk cache of what is built from admin files: the compiled intents and the knowledge index.

Building them costs seconds (YAML parsing, jieba's suggested frequencies for every term, the BM25
index; 37 s for 5,000 knowledge entries), while a start or `/reload` almost always finds the files
unchanged. So each build is stored under a key made of the content of every file it read, of the
code that builds it (the sources of `bot/nlu` and `bot/kb`, the versions of the libraries involved)
and of anything else it depends on; a changed byte anywhere is a new key and a new build.

A cache must never be the reason the bot does not start: an unreadable, truncated or otherwise
corrupt file (checked with a SHA-256 of its payload before unpickling) is logged, removed and
rebuilt; a directory that cannot be written leaves the bot building every time. Only a directory
this user owns and nobody else can write is used (the payload is a pickle).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import fields
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from bot.admin_files import read_regular

log = logging.getLogger(__name__)
T = TypeVar("T")

_MAGIC = b"GRIDDESK-BUILD-CACHE-1\n"
_DIGEST = hashlib.sha256().digest_size
#: The libraries whose behaviour is baked into a build (segmentation, normalisation, matching).
_LIBRARIES = ("jieba", "pypinyin", "opencc", "pyahocorasick", "rapidfuzz", "ruamel.yaml", "PyYAML")
_PACKAGE = Path(__file__).resolve().parent.parent
_SOURCES = ("nlu", "kb", "admin_files.py", "yaml_fast.py", "errors.py")


def pickled_by_fields(cls: type[T]) -> type[T]:
    """Class decorator for the frozen, slotted dataclasses a cached build holds thousands of (terms, entries):
    pickled as `cls(*fields)`. Their default pickling (`dataclasses._dataclass_setstate`) calls `fields()`
    for every object, about half of reading a cached intent set back."""
    names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]

    def __reduce__(self: Any) -> tuple[type[T], tuple[Any, ...]]:
        return cls, tuple(getattr(self, name) for name in names)

    cls.__reduce__ = __reduce__  # type: ignore[assignment,method-assign]
    return cls


@lru_cache(maxsize=1)
def code_digest() -> bytes:
    """What the builds depend on besides the files: this code and the libraries' versions."""
    h = hashlib.sha256(sys.version.encode())
    for name in _LIBRARIES:
        try:
            h.update(f"{name}={metadata.version(name)};".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=?;".encode())
    for source in _SOURCES:
        root = _PACKAGE / source
        for file in sorted(root.glob("*.py")) if root.is_dir() else [root]:
            h.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return h.digest()


class BuildCache:
    """Builds stored by key in `directory` (None: no cache, every `get_or_build` builds)."""

    def __init__(self, directory: Path | None):
        self.directory = directory
        self._usable: bool | None = None

    def key(self, kind: str, files: Iterable[Path], max_bytes: int, extra: Iterable[str] = ()) -> str | None:
        """The key of a build reading `files` (each read in full), or None when one is not a readable regular
        file under `max_bytes` (the loader will say what is wrong; such a build is not cached)."""
        h = hashlib.sha256(code_digest())
        h.update(f"{kind}\0{Path.cwd()}\0".encode())  # paths in problems and entries are shown relative to cwd
        count = 0
        for file in sorted(files):
            raw = read_regular(file, max_bytes)
            if raw is None:
                return None
            h.update(f"{file.resolve()}\0{len(raw)}\0".encode() + raw)
            count += 1
        for item in extra:
            h.update(b"\1" + item.encode() + b"\0")
        return h.hexdigest() if count else None

    def get_or_build(self, kind: str, key: str | None, build: Callable[[], T], *, keep: Callable[[T], bool] = bool) -> T:
        """The stored build for `key`, or `build()` (stored when `keep(result)`)."""
        if key is not None:
            found = self.load(kind, key)
            if found is not None:
                return found  # type: ignore[no-any-return]
        value = build()
        if key is not None and keep(value):
            self.store(kind, key, value)
        return value

    def _path(self, kind: str, key: str) -> Path | None:
        if self.directory is None or not self._ready():
            return None
        return self.directory / f"{kind}-{key[:40]}.cache"

    def load(self, kind: str, key: str) -> Any | None:
        """The stored value, or None: missing, or corrupt (then removed, so the next build replaces it)."""
        path = self._path(kind, key)
        if path is None:
            return None
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("build cache %s unreadable (%s); rebuilding", path, exc.strerror)
            return None
        payload = raw[len(_MAGIC) + _DIGEST:]
        if raw[: len(_MAGIC)] != _MAGIC or raw[len(_MAGIC): len(_MAGIC) + _DIGEST] != hashlib.sha256(payload).digest():
            return self._discard(path, "not a complete cache file")
        try:
            value = pickle.loads(payload)
        except Exception as exc:  # any failure to read back a cache is a rebuild, never a crash
            return self._discard(path, f"{type(exc).__name__}: {exc}")
        return value

    def store(self, kind: str, key: str, value: object) -> None:
        """Write atomically (a reader sees the old file or the new one, never half of one); drop older builds."""
        path = self._path(kind, key)
        if path is None:
            return
        try:
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            log.warning("build of %s not cached: %s", kind, exc)
            return
        tmp: str | None = None
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{kind}-", suffix=".tmp")
            with os.fdopen(fd, "wb") as out:
                out.write(_MAGIC + hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("build cache %s not written (%s); the next start builds again", path, exc.strerror)
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            return
        for old in path.parent.glob(f"{kind}-*.cache"):
            if old != path:
                with contextlib.suppress(OSError):
                    old.unlink()

    def _discard(self, path: Path, why: str) -> None:
        log.warning("build cache %s is corrupt (%s); rebuilding it", path, why)
        with contextlib.suppress(OSError):
            path.unlink()
        return None

    def _ready(self) -> bool:
        """Create the directory (0700) once; refuse one that others can write or that is not ours."""
        if self._usable is None:
            assert self.directory is not None
            try:
                self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
                info = self.directory.stat()
                ours = not hasattr(os, "getuid") or info.st_uid == os.getuid()
                self._usable = ours and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
                if not self._usable:
                    log.warning("build cache %s not used: it must belong to this user and be writable by nobody else",
                                self.directory)
            except OSError as exc:
                log.warning("build cache %s not usable (%s); building every time", self.directory, exc.strerror)
                self._usable = False
        return self._usable
