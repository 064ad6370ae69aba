"""A case's photos, fetched through the channel once and cached (`bot.web.photos`), for whoever may see the case."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.web.console.guard import STAFF
from bot.web.console.layout import message_page
from bot.web.console.state import console_of
from bot.web.photos import PhotoUnavailable, image_type

log = logging.getLogger(__name__)
routes = web.RouteTableDef()


@routes.get("/photo/{number}/{index:[0-9]{1,2}}")
async def photo(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    number = request.match_info["number"][:20]
    photos = await console.desk.photo_ids(request[STAFF], number)
    index = int(request.match_info["index"])
    if not photos or index >= len(photos):
        return message_page(request, "找不到照片", "没有这张照片，或您无权查看。", status=404)
    if console.photos is None:
        return message_page(request, "无法取回照片", "控制台聊天模式下无法取回照片。", status=404)
    try:
        data = await console.photos.get(str(photos[index]))
    except PhotoUnavailable as exc:
        log.warning("console: photo %s of case %s could not be fetched: %s", index, number, exc)
        return message_page(request, "无法取回照片", "暂时无法从 Telegram 取回这张照片，请稍后再试。", status=502)
    kind = image_type(data)
    if kind is None:
        return message_page(request, "无法显示", "这个文件不是图片。", status=415)
    return web.Response(body=data, content_type=kind, headers={"Cache-Control": "private, max-age=86400"})
