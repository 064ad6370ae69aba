"""Case photos for the console: fetched through each adapter's getFile from the Bot API double, cached on disk
(asked of the channel once), refused when too big or not an image."""

from __future__ import annotations

from pathlib import Path

import pytest
from botapi_double import BotApiDouble

from bot.telegram.sender import SendFailure
from bot.web.photos import PhotoCache, PhotoUnavailable, image_type

JPEG = b"\xff\xd8\xff\xe0" + b"scene" * 200


def _adapter(framework: str, tg: BotApiDouble):
    async def dispatch(item: object) -> None:
        return None

    if framework == "ptb":
        from bot.telegram.ptb_adapter import PtbAdapter

        return PtbAdapter(tg.token, tg.url, dispatch, poll_timeout=1)
    from bot.telegram.aiogram_adapter import AiogramAdapter

    return AiogramAdapter(tg.token, tg.url, dispatch, poll_timeout=1)


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
async def test_each_adapter_downloads_a_photo_people_sent(tg: BotApiDouble, tmp_path: Path, framework: str) -> None:
    file_id = tg._register_file(JPEG, "photos", "jpg")["file_id"]
    adapter = _adapter(framework, tg)
    await adapter.start()
    try:
        cache = PhotoCache(adapter.download, tmp_path / "cache")
        assert await cache.get(file_id) == JPEG
        assert await cache.get(file_id) == JPEG and cache.fetched == 1  # the second time from disk
        assert sum(1 for m, _ in tg.arrivals if m == "getFile") == 1
        with pytest.raises(SendFailure):
            await adapter.download(file_id, 100)  # more than the limit
        with pytest.raises(PhotoUnavailable):
            await cache.get("no-such-file-id")
        assert next(iter((tmp_path / "cache").iterdir())).name.isalnum()  # ids are hashed, never used as paths
    finally:
        await adapter.close()


def test_only_images_are_shown() -> None:
    assert image_type(JPEG) == "image/jpeg"
    assert image_type(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert image_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert image_type(b"RIFF\x00\x00\x00\x00WAVEfmt ") is None
    assert image_type(b"<html><script>") is None and image_type(b"") is None
