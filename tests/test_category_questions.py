"""Category questions: declared in an intent file, validated with path:line, asked only when the report's words
leave them open, kept on the case and shown to the worker (push and /tasks) — the same whether the resident
answered in the chat or an Open311 client sent them as attribute[code]."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
from dialog_helpers import bound_worker, case_number, driver_for

from bot import PROJECT_ROOT
from bot.dialog.testing import texts_of
from bot.errors import IntentFileError
from bot.nlu.intent_files import load_intents
from bot.nlu.normalize import Normalizer
from bot.web.open311.app import build_open311_app
from bot.web.open311.keys import ApiKeys


async def test_noise_asks_when_and_how_often_then_the_worker_reads_the_answers(app):
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张网格")
    when = await driver.send("小林", "梨园小区3栋 楼上装修的电钻声太吵了")
    assert "什么时候" in texts_of(when)
    assert {"白天", "晚上", "跳过这个问题"} <= {lbl for lbl, _ in driver.persona("小林").buttons}
    often = await driver.press("小林", "晚上")
    assert "多久一次" in texts_of(often)
    photo = await driver.send("小林", "基本天天 周末更厉害")
    assert "照片" in texts_of(photo)
    number = case_number(texts_of(await driver.press("小林", "跳过，不传照片")))
    case = await app.cases.find_case(number)
    assert case.answers == {"发生时间": "晚上", "频率": "基本天天 周末更厉害"}
    pushes = await driver.deliver_pushes()
    push = next(p for p in pushes if p.chat_id == worker.chat_id and number in p.text)
    assert "发生时间：晚上" in push.text and "频率：基本天天" in push.text
    tasks = texts_of(await driver.send(worker, "/tasks"))
    assert "发生时间：晚上" in tasks


async def test_answers_sent_over_open311_reach_the_worker_as_the_chats_do(app):
    """A noise case answered in the chat (晚上, 每天) and one filed by an API client with attribute[when]=2 and
    attribute[often]=1 (the same choices by position) carry the same answers, in the push and in /tasks."""
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张网格")
    await driver.send("小林", "梨园小区3栋 楼上装修的电钻声太吵了")
    await driver.press("小林", "晚上")
    await driver.press("小林", "每天")
    chat_number = case_number(texts_of(await driver.press("小林", "跳过，不传照片")))
    root = web.Application()
    root.add_subapp("/open311/v2/", build_open311_app(app.cases, app.settings))
    server = TestServer(root, host="127.0.0.1")
    await server.start_server()
    key, _ = await ApiKeys(app.cases.db).create("city-platform")
    try:
        form = {"api_key": key, "service_code": "noise", "description": "梨园小区5栋 楼上装修电钻声太吵了",
                "address_string": "梨园小区5栋", "attribute[when]": "2", "attribute[often]": "1"}
        async with ClientSession() as http, http.post(f"http://127.0.0.1:{server.port}/open311/v2/requests.json",
                                                      data=form) as response:
            assert response.status == 201, await response.text()
            api_number = (await response.json())[0]["service_request_id"]
    finally:
        await server.close()
    chat_case, api_case = await app.cases.find_case(chat_number), await app.cases.find_case(api_number)
    assert chat_case.answers == api_case.answers == {"发生时间": "晚上", "频率": "每天"}
    assert "发生时间" not in api_case.text  # the answers are not written into the words any more

    def answer_lines(text: str) -> list[str]:
        return re.findall(r"(?:发生时间|频率)：\S+", text)

    pushes = {n: p.text for p in await driver.deliver_pushes() if p.chat_id == worker.chat_id
              for n in (chat_number, api_number) if n in p.text}
    assert answer_lines(pushes[chat_number]) == answer_lines(pushes[api_number]) == ["发生时间：晚上", "频率：每天"]
    cards = {n: r.text for r in await driver.send(worker, "/tasks") for n in (chat_number, api_number) if n in r.text}
    assert answer_lines(cards[chat_number]) == answer_lines(cards[api_number]) == ["发生时间：晚上", "频率：每天"]


async def test_what_the_report_already_says_is_not_asked(app):
    driver = driver_for(app)
    first = await driver.send("老陈", "梨园小区3栋楼下广场舞每天晚上八点放到十点 音响巨响")
    assert "什么时候" not in texts_of(first) and "多久一次" not in texts_of(first)
    assert "照片" in texts_of(first)
    # half said: only the other question
    second = await driver.send("小吴", "梨园小区5栋有人半夜在楼道里唱k歌 吵得睡不着")
    assert "什么时候" not in texts_of(second) and "多久一次" in texts_of(second)


async def test_parking_asks_the_plate_only_when_not_given(app):
    driver = driver_for(app)
    asked = await driver.send("赵姐", "梨园小区2栋门口消防通道又被一辆白色轿车堵了")
    assert "车牌" in texts_of(asked) and "消防通道" not in texts_of(asked).split("车牌")[0][-10:]
    await driver.send("赵姐", "浙A·3K9X2")
    number = case_number(texts_of(await driver.press("赵姐", "跳过，不传照片")))
    case = await app.cases.find_case(number)
    assert case.answers == {"车牌": "浙A·3K9X2"}
    given = await driver.send("钱叔", "梨园小区2栋消防通道上浙B12345停了三天了")
    assert "车牌" not in texts_of(given) and "照片" in texts_of(given)


async def test_bad_answers_get_a_clear_reply_and_the_draft_stays(app):
    driver = driver_for(app)
    await driver.send("小林", "梨园小区3栋 楼上装修电钻太吵了")
    assert "没看到文字" in texts_of(await driver.send("小林", "🙄🙄"))
    assert "没看到文字" in texts_of(await driver.send("小林", "   "))  # the draft is still there
    long = await driver.send("小林", "晚" * 5000)
    assert "只记下了前 200 个字" in texts_of(long) and "多久一次" in texts_of(long)
    await driver.press("小林", "跳过这个问题")
    number = case_number(texts_of(await driver.press("小林", "跳过，不传照片")))
    case = await app.cases.find_case(number)
    assert case.answers == {"发生时间": "晚" * 200}
    # the question's buttons of that old message, pressed now: stale
    assert "过期" in texts_of(await driver.press_data("小林", "d:a:0"))


async def test_a_typed_skip_or_a_photo_ends_the_questions(app):
    driver = driver_for(app)
    await driver.send("小林", "梨园小区3栋 楼上装修电钻太吵了")
    filed = await driver.send("小林", "跳过")  # wants it filed: no second question, no photo prompt
    number = case_number(texts_of(filed))
    assert (await app.cases.find_case(number)).answers == {}
    await driver.send("老王", "翠竹苑4栋楼上装修电钻太吵了")
    filed = await driver.photo("老王", "photo-drill")
    case = await app.cases.find_case(case_number(texts_of(filed)))
    assert list(case.photos) == ["photo-drill"] and case.answers == {}


async def test_an_emergency_is_never_asked(app):
    driver = driver_for(app)
    replies = await driver.send("阿婆", "梨园小区3栋有人打架 拿刀了 快来人")
    assert "什么时候" not in texts_of(replies) and "多久一次" not in texts_of(replies)


def _write(tmp_path: Path, body: str) -> Path:
    base = (PROJECT_ROOT / "intents" / "noise.yaml").read_text(encoding="utf-8")
    head, _, rest = base.partition("\nquestions:")
    rest = rest.split("\nkeywords:", 1)[1]
    (tmp_path / "noise.yaml").write_text(head + "\n" + body + "keywords:" + rest, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("body", "problem"), [
    ("questions:\n  - id: when\n    label: 时间\n    ask: 几点？\n", "needs answered_if"),
    ("questions:\n  - id: when\n    label: 时间\n    answered_if: [晚上]\n", "missing required key 'ask'"),
    ("questions:\n  - id: When\n    label: 时间\n    ask: 几点？\n    answered_if: [晚上]\n", "lower-case"),
    ("questions:\n  - id: w\n    label: 时间\n    ask: 几点？\n    answered_pattern: '[点'\n", "not a valid regular"),
    ("questions:\n  - id: w\n    label: 时间\n    ask: 几点？\n    answered_if: [晚上]\n    choices: [a, b, c, d, e]\n",
     "at most 4"),
    ("questions:\n  - id: w\n    label: 时间\n    ask: 几点？\n    answered_if: [晚上]\n    colour: red\n", "unknown key"),
    ("questions:\n  - id: w\n    label: 时间\n    ask: 几点？\n    answered_if: [晚上]\n"
     "  - id: w\n    label: 频率\n    ask: 多久？\n    answered_if: [每天]\n", "used twice"),
    ("questions:\n  - just a sentence\n", "must be a mapping"),
    ("questions:\n" + "".join(f"  - id: q{i}\n    label: 问{i}\n    ask: 问？\n    answered_if: [晚]\n" for i in range(4)),
     "keep it to 3"),
])
def test_question_problems_name_the_file_and_line(tmp_path, body, problem):
    folder = _write(tmp_path, body)
    with pytest.raises(IntentFileError) as err:
        load_intents(folder, Normalizer(2000))
    text = str(err.value)
    assert problem in text and "noise.yaml:" in text, text

