"""Open311 GeoReport v2, every endpoint in JSON and XML over real HTTP: discovery, services, a service definition,
filing a request that reaches the right grid worker's push, and reading requests back (one, by ids, by service,
dates and status)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from botapi_double import BotApiDouble
from fixtures_open311 import LI, WANG, ZHAO, Api, bind_desk, intents, recent, xml_of
from openapi_spec_validator import validate
from sqlalchemy import select

from bot.runtime.loops import OutboxLoop
from bot.telegram.aiogram_adapter import AiogramAdapter
from bot.telegram.sender import TelegramSender
from bot.web.open311.app import build_open311_app
from bot.web.open311.openapi import openapi_document
from storage.models import OutboxMessage

NOISE = {"service_code": "noise", "description": "3栋楼上每天半夜装修，电钻声吵得睡不着", "address_string": "梨园小区3栋",
         "attribute[when]": "3", "attribute[often]": "1"}  # 半夜/凌晨 and 每天: the choices' positions


async def test_discovery_and_the_openapi_document_need_no_key(api: Api) -> None:
    found = await api.get("discovery.json")
    assert found.status == 200 and found.content_type == "application/json"
    endpoint = (await found.json())["endpoints"][0]
    assert endpoint["url"] == api.base and endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    xml = xml_of(await (await api.get("discovery.xml")).read())
    assert xml.tag == "discovery"
    assert [f.text for f in xml.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]
    doc = await (await api.get("openapi.json")).json()
    assert doc["openapi"].startswith("3.") and doc == openapi_document()
    validate(doc)  # a valid OpenAPI 3.1 document (raises on the first problem)


def test_the_openapi_document_describes_every_route_and_no_other() -> None:
    app = build_open311_app(_FakeCases(), None)  # type: ignore[arg-type]
    routes = {(r.method.lower(), r.resource.canonical) for r in app.router.routes() if r.method != "HEAD"}
    described = {(m, p.replace("{service_code}", "{id}").replace("{service_request_id}", "{id}").replace("{format}", "{fmt}"))
                 for p, ops in openapi_document()["paths"].items() for m in ops}
    assert routes == described


class _FakeCases:
    """Only what building the app reads (no database is touched until a request comes)."""

    intents = intents()
    db = None


async def test_services_one_per_category_with_department_as_group(api: Api) -> None:
    data = await (await api.get("services.json", api_key=api.key)).json()
    by_code = {s["service_code"]: s for s in data}
    assert set(by_code) == {i.id for i in intents().categories}
    assert by_code["noise"]["group"] == intents().get("noise").department  # type: ignore[union-attr]
    assert by_code["noise"]["metadata"] is True and by_code["parking"]["metadata"] is True
    assert by_code["pets"]["metadata"] is False and by_code["water_leak"]["metadata"] is False  # no questions
    assert by_code["noise"]["service_name"] == "噪声扰民" and by_code["noise"]["type"] == "realtime"
    xml = xml_of(await (await api.get("services.xml", api_key=api.key)).read())
    assert xml.tag == "services"
    codes = [s.findtext("service_code") for s in xml.findall("service")]
    assert codes == [s["service_code"] for s in data]
    noise = next(s for s in xml.findall("service") if s.findtext("service_code") == "noise")
    assert noise.findtext("metadata") == "true" and noise.findtext("group") == by_code["noise"]["group"]


async def test_a_service_definition_lists_the_categorys_questions(api: Api) -> None:
    data = await (await api.get("services/noise.json", api_key=api.key)).json()
    noise = intents().get("noise")
    assert data["service_code"] == "noise" and noise is not None
    assert [(a["code"], a["description"], a["order"]) for a in data["attributes"]] == [
        (q.id, q.ask, n) for n, q in enumerate(noise.questions, start=1)]
    when = data["attributes"][0]
    assert (when["code"], when["datatype"], when["required"]) == ("when", "singlevaluelist", False)
    assert when["values"] == [{"key": "1", "name": "白天"}, {"key": "2", "name": "晚上"}, {"key": "3", "name": "半夜/凌晨"}]
    xml = xml_of(await (await api.get("services/parking.xml", api_key=api.key)).read())
    assert xml.tag == "service_definition" and xml.findtext("service_code") == "parking"
    by_code = {a.findtext("code"): a for a in xml.findall("attributes/attribute")}
    assert list(by_code) == ["fire_lane", "plate"]
    assert by_code["fire_lane"].findtext("required") == "false"
    assert [v.findtext("name") for v in by_code["fire_lane"].findall("values/value")] == ["堵了消防通道", "堵了出入口", "都没有"]
    assert by_code["plate"].findtext("datatype") == "string" and by_code["plate"].findall("values/value") == []
    for plain in ("pets", "water_leak"):
        assert await (await api.get(f"services/{plain}.json", api_key=api.key)).json() == {
            "service_code": plain, "attributes": []}


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_a_request_filed_through_the_api_reaches_the_grid_worker(api: Api, fmt: str) -> None:
    await bind_desk(api.cases)
    response = await api.post(f"requests.{fmt}", {**NOISE, "api_key": api.key, "media_url": "https://example.org/a.jpg"})
    assert response.status == 201
    body = await response.read()
    if fmt == "xml":
        root = xml_of(body)
        assert root.tag == "service_requests"
        number = root.findtext("request/service_request_id")
        notice = root.findtext("request/service_notice") or ""
    else:
        created = (await response.json())[0]
        number, notice = created["service_request_id"], created["service_notice"]
    case = await api.cases.find_case(number or "")
    assert case is not None and case.intent == "noise" and case.grid_id == "liyuan-01" and case.assignee_name == "王网格"
    assert case.answers == {"发生时间": "半夜/凌晨", "频率": "每天"}  # as the chat keeps them: label → the choice
    assert "王网格" in notice
    pushes = await api.pushes_to(WANG)
    assert len(pushes) == 1 and number in pushes[0]
    assert "发生时间：半夜/凌晨" in pushes[0] and "频率：每天" in pushes[0]
    assert await api.pushes_to(LI) == [] and await api.pushes_to(ZHAO) == []
    # the client has no chat: nothing queued for anyone but the worker
    assert (await api.counts())[1] == 1


async def test_filing_by_coordinates_routes_by_the_grid_polygon(api: Api) -> None:
    await bind_desk(api.cases)
    response = await api.post("requests.json", {"api_key": api.key, "service_code": "sanitation", "lat": "30.2748",
                                                "long": "120.1539", "description": "路边垃圾堆了三天没人清运"})
    assert response.status == 201
    number = (await response.json())[0]["service_request_id"]
    case = await api.cases.find_case(number)
    assert case is not None and case.grid_id == "liyuan-01" and (case.latitude, case.longitude) == (30.2748, 120.1539)
    assert any(number in text for text in await api.pushes_to(WANG))


async def test_one_request_in_both_formats(api: Api) -> None:
    await bind_desk(api.cases)
    number = (await (await api.post("requests.json", {**NOISE, "api_key": api.key})).json())[0]["service_request_id"]
    case = await api.cases.find_case(number)
    assert case is not None
    [one] = await (await api.get(f"requests/{number}.json", api_key=api.key)).json()
    assert (one["service_request_id"], one["status"], one["service_code"]) == (number, "open", "noise")
    assert datetime.fromisoformat(one["expected_datetime"]) == case.deadline_at.replace(microsecond=0)
    assert one["expected_datetime"].endswith("+08:00")  # the desk's zone (TIMEZONE, Asia/Shanghai by default)
    assert datetime.fromisoformat(one["requested_datetime"]) == case.created_at.replace(microsecond=0)
    assert one["agency_responsible"] == "梨园社区 梨园社区第一网格" and one["address"] == "梨园小区3栋"
    assert one["status_notes"] == "已派单" and one["description"].startswith(NOISE["description"])
    xml = xml_of(await (await api.get(f"requests/{number}.xml", api_key=api.key)).read())
    request = xml.find("request")
    assert xml.tag == "service_requests" and request is not None
    assert request.findtext("service_request_id") == number and request.findtext("status") == "open"
    assert request.findtext("expected_datetime") == one["expected_datetime"]
    assert request.find("lat") is not None and request.findtext("lat") == ""  # filed by address: empty element

    later = datetime.now(UTC) + timedelta(hours=2)
    await api.cases.accept(case.id, WANG, now=later)
    await api.cases.resolve(case.id, WANG, "已联系施工方，夜间停工", now=later)
    [closed] = await (await api.get(f"requests/{number}.json", api_key=api.key)).json()
    assert closed["status"] == "closed" and closed["status_notes"] == "已办结：已联系施工方，夜间停工"
    assert closed["updated_datetime"] > one["updated_datetime"]
    # 接单 and 办结 tell the filer in chat; an API client has no chat, so nothing is queued for it
    async with api.cases.db.session() as s:
        chats = set((await s.execute(select(OutboxMessage.chat_id))).scalars())
    assert chats and chats <= {WANG, LI, ZHAO}


async def test_requests_by_ids_service_dates_and_status(api: Api) -> None:
    await bind_desk(api.cases)
    filed = []
    for code, text, extra in (("noise", "广场舞音响太吵", {"attribute[when]": "1"}),
                              ("parking", "消防通道被车堵了", {"attribute[fire_lane]": "1", "attribute[plate]": "浙A12345"}),
                              ("noise", "半夜KTV唱歌", {})):
        response = await api.post("requests.json", {"api_key": api.key, "service_code": code, "description": text,
                                                    "address_string": "梨园小区2栋", **extra})
        assert response.status == 201, await response.text()
        filed.append((await response.json())[0]["service_request_id"])
    first = await api.cases.find_case(filed[0])
    await api.cases.accept(first.id, WANG)  # type: ignore[union-attr]
    await api.cases.resolve(first.id, WANG, "已劝导")  # type: ignore[union-attr]

    async def numbers(fmt: str = "json", **params: str) -> list[str]:
        response = await api.get(f"requests.{fmt}", api_key=api.key, **params)
        assert response.status == 200, await response.text()
        if fmt == "xml":
            return [r.findtext("service_request_id") or "" for r in xml_of(await response.read()).findall("request")]
        return [r["service_request_id"] for r in await response.json()]

    assert await numbers() == filed[::-1]  # newest first, the last 90 days
    assert await numbers("xml") == filed[::-1]
    assert await numbers(service_code="noise") == [filed[2], filed[0]]
    assert await numbers("xml", service_code="parking") == [filed[1]]
    assert await numbers(status="closed") == [filed[0]]
    assert await numbers(status="open", service_code="noise") == [filed[2]]
    assert await numbers(status="open,closed") == filed[::-1]
    assert await numbers(service_request_id=f"{filed[1]},{filed[0]}") == [filed[1], filed[0]]
    assert await numbers(start_date=recent(-1), end_date=recent(1)) == filed[::-1]
    assert await numbers(start_date=recent(1)) == []
    assert await numbers("xml", end_date=recent(-1)) == []


async def test_a_key_reads_only_the_requests_it_filed_unless_its_scope_is_all(api: Api) -> None:
    await bind_desk(api.cases)
    other = await api.new_key("other-client")
    trusted = await api.new_key("city-platform", scope="all")
    number = (await (await api.post("requests.json", {**NOISE, "api_key": api.key})).json())[0]["service_request_id"]
    assert (await api.get(f"requests/{number}.json", api_key=other)).status == 404
    assert await (await api.get("requests.json", api_key=other)).json() == []
    assert [r["service_request_id"] for r in await (await api.get("requests.json", api_key=trusted)).json()] == [number]
    assert (await api.get(f"requests/{number}.xml", api_key=trusted)).status == 200


async def test_the_app_mounts_where_the_server_puts_it(api: Api) -> None:
    """Under another prefix, discovery names that prefix (the lead mounts it at /open311/v2/)."""
    root = web.Application()
    root.add_subapp("/elsewhere/", build_open311_app(api.cases, None))  # type: ignore[arg-type]
    from aiohttp.test_utils import TestServer

    server = TestServer(root, host="127.0.0.1")
    await server.start_server()
    try:
        async with api.session.get(f"http://127.0.0.1:{server.port}/elsewhere/discovery.json") as found:
            assert (await found.json())["endpoints"][0]["url"] == f"http://127.0.0.1:{server.port}/elsewhere/"
    finally:
        await server.close()


async def test_the_push_reaches_the_grid_workers_chat_through_the_bot_api(api: Api, tg: BotApiDouble) -> None:
    """Filed over HTTP, delivered by the bot's own outbox loop to Telegram (the Bot API double): 王网格's chat gets
    the case with its answers, nobody else's chat gets anything."""
    await bind_desk(api.cases)
    for chat in (WANG, LI, ZHAO):
        tg.user(chat)
    response = await api.post("requests.json", {**NOISE, "api_key": api.key})
    number = (await response.json())[0]["service_request_id"]
    adapter = AiogramAdapter(tg.token, tg.url, lambda item: asyncio.sleep(0))
    await adapter.start()
    stop = asyncio.Event()
    task = asyncio.create_task(OutboxLoop(api.cases.outbox, TelegramSender(adapter), idle_seconds=0.2).run(stop))
    try:
        push = await tg.wait_text(WANG, number, timeout=15)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
        await adapter.close()
    assert "发生时间：半夜/凌晨" in (push.text or "") and "接单" in str(push.reply_markup)
    assert tg.sent_to(LI) == [] and tg.sent_to(ZHAO) == []
    assert await api.cases.outbox.counts() == {"sent": 1}
