"""Photos people sent, for the console: fetched once through the channel (Telegram's getFile) and kept on disk.

A file id names one file forever on Telegram, so the cache never goes stale; the file name is the SHA-256 of
the id (ids are not path-safe). Only images are served (the first bytes are checked), at most `max_bytes`.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

log = logging.getLogger(__name__)

Fetch = Callable[[str, int], Awaitable[bytes]]
MAX_PHOTO_BYTES = 10 * 1024 * 1024
#: Leading bytes → content type; anything else is not shown.
IMAGE_MAGIC = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"GIF8", "image/gif"),
               (b"RIFF", "image/webp"))


def image_type(data: bytes) -> str | None:
    for magic, kind in IMAGE_MAGIC:
        if data.startswith(magic) and (kind != "image/webp" or data[8:12] == b"WEBP"):
            return kind
    return None


class PhotoUnavailable(Exception):
    """The channel could not give the photo now (refused, too big, unreachable); the page says so."""


class PhotoCache:
    def __init__(self, fetch: Fetch, folder: Path, *, max_bytes: int = MAX_PHOTO_BYTES):
        self.fetch = fetch
        self.folder = folder
        self.max_bytes = max_bytes
        self._locks: dict[str, asyncio.Lock] = {}
        self.fetched = 0  # how many times the channel was asked (the rest came from disk)

    def _path(self, file_id: str) -> Path:
        return self.folder / hashlib.sha256(file_id.encode("utf-8", "replace")).hexdigest()

    async def get(self, file_id: str) -> bytes:
        """The photo's bytes, from disk or (once) from the channel; `PhotoUnavailable` when the channel fails."""
        path = self._path(file_id)
        lock = self._locks.setdefault(path.name, asyncio.Lock())
        async with lock:
            try:
                return await asyncio.to_thread(path.read_bytes)
            except FileNotFoundError:
                pass
            try:
                data = await self.fetch(file_id, self.max_bytes)
            except Exception as exc:  # whatever the channel raises, the page shows a notice, never a traceback
                raise PhotoUnavailable(str(exc)[:200]) from exc
            self.fetched += 1
            await asyncio.to_thread(self._store, path, data)
            return data

    def _store(self, path: Path, data: bytes) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(data)
            partial.replace(path)
        except OSError as exc:  # a full disk costs a re-fetch later, not the page
            log.warning("photo cache %s: cannot store (%s)", self.folder, exc)
