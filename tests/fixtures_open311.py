"""The Open311 sub-application in a real aiohttp server on 127.0.0.1, mounted at /open311/v2/ as the bot's web
server mounts it, with real HTTP requests from an aiohttp client; plus a seeded desk with bound workers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from aiohttp import ClientResponse, ClientSession, web
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot.cases.service import CaseService
from bot.nlu.intent_files import IntentSet, load_intents
from bot.settings import load_settings
from bot.web.open311.app import build_open311_app
from bot.web.open311.keys import ApiKeys
from storage.models import ApiKey, Case, OutboxMessage, Resident

WANG, LI, ZHAO = 1901, 1902, 2901  # a grid worker of liyuan-01, one of another grid, the liyuan dispatcher
_INTENTS: list[IntentSet] = []


def intents() -> IntentSet:
    if not _INTENTS:
        _INTENTS.append(load_intents(load_settings(_env_file=None).intents_dir))
    return _INTENTS[0]


@dataclass
class Api:
    """A running API: `get`/`post` relative to /open311/v2/, the service behind it, and a key."""

    session: ClientSession
    base: str
    cases: CaseService
    keys: ApiKeys
    key: str

    async def get(self, path: str, **params: Any) -> ClientResponse:
        return await self.session.get(self.base + path, params=params)

    async def post(self, path: str, data: Any, **kwargs: Any) -> ClientResponse:
        return await self.session.post(self.base + path, data=data, **kwargs)

    async def new_key(self, name: str, **kwargs: Any) -> str:
        return (await self.keys.create(name, **kwargs))[0]

    async def counts(self) -> tuple[int, int, int]:
        """(cases, outbox rows, residents): what filing would have stored."""
        async with self.cases.db.session() as s:
            return tuple([(await s.execute(select(func.count()).select_from(t))).scalar_one()  # type: ignore[return-value]
                          for t in (Case, OutboxMessage, Resident)])

    async def pushes_to(self, chat_id: int) -> list[str]:
        async with self.cases.db.session() as s:
            rows = (await s.execute(select(OutboxMessage).where(OutboxMessage.chat_id == chat_id))).scalars().all()
            return [r.payload.get("text", "") for r in rows]

    async def key_row(self, name: str) -> ApiKey:
        async with self.cases.db.session() as s:
            return (await s.execute(select(ApiKey).where(ApiKey.name == name))).scalar_one()


async def bind_desk(s: CaseService) -> None:
    for name, chat, where in (("王网格", WANG, {"grid_id": "liyuan-01"}), ("李网格", LI, {"grid_id": "liyuan-02"}),
                              ("赵主任", ZHAO, {"community_id": "liyuan"})):
        invite = await s.create_invite(name, **where)
        await s.bind_worker(invite.code, chat)


@pytest.fixture
async def api(case_service: CaseService) -> AsyncIterator[Api]:
    case_service.intents = intents()
    root = web.Application()
    root.add_subapp("/open311/v2/", build_open311_app(case_service, load_settings(_env_file=None)))
    server = TestServer(root, host="127.0.0.1")
    await server.start_server()
    keys = ApiKeys(case_service.db)
    key, _ = await keys.create("test-client")
    try:
        async with ClientSession() as session:
            yield Api(session, f"http://127.0.0.1:{server.port}/open311/v2/", case_service, keys, key)
    finally:
        await server.close()


def xml_of(body: bytes) -> ET.Element:
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(body)


async def errors_of(response: ClientResponse, fmt: str) -> list[tuple[int, str]]:
    """The spec's error list, in either format: [(code, description)]."""
    body = await response.read()
    if fmt == "xml":
        root = xml_of(body)
        assert root.tag == "errors" and response.content_type == "text/xml"
        return [(int(e.findtext("code") or 0), e.findtext("description") or "") for e in root.findall("error")]
    assert response.content_type == "application/json"
    data = await response.json()
    assert isinstance(data, list) and data and all(set(e) == {"code", "description"} for e in data)
    return [(e["code"], e["description"]) for e in data]


def recent(hours: float = 0) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat(timespec="seconds")
