"""Engine behaviour around the main flows: odd input, questions, outside-the-desk, buttons, roles, admin."""

from __future__ import annotations

import shutil

from dialog_helpers import ADMIN_ID, case_number, driver_for

from bot.dialog.testing import texts_of
from bot.kb import Answer
from bot.messages import MAX_CALLBACK_BYTES, Incoming, Sender

QUESTION = "请问电动车在楼道充电违法吗？"


class FakeKB:
    """A knowledge base with one entry, so the test controls what is answered."""

    entries = ("one",)

    def answer(self, question):
        if "充电" in question:
            return Answer(question, "楼道内禁止给电动车充电。", "ebike", "电动车充电", 0.9, "《消防法》第二十八条")
        return Answer(question, None, None, None, 0.1, None)


async def test_bad_input_gets_clear_replies(app):
    driver = driver_for(app)
    assert "没看到文字" in texts_of(await driver.send("a", "😀😀🎉"))
    assert "没看到文字" in texts_of(await driver.send("a", "   "))
    assert "读不懂" in texts_of(await driver.send("a", "\x00\x01\x02\ufffd\ufffd\x03"))
    long = "梨园小区3栋楼下烧烤油烟太大了。" + "真的受不了。" * 2000
    replies = await driver.send("a", long)
    assert "只读取了前" in replies[0].text
    weird = await driver.send("a", "<script>alert(1)</script>' OR 1=1; --")
    assert weird and all(r.text for r in weird)


async def test_unsupported_event_and_unknown_command(app):
    engine = app.engine
    sender = Sender(user_id=77, first_name="x")
    replies = await engine.handle(Incoming(chat_id=77, sender=sender, kind="location"))  # no coordinates
    assert "处理不了" in texts_of(replies)
    assert "没有这个命令" in texts_of(await engine.handle(Incoming(77, sender, "command", command="frobnicate")))


async def test_question_answered_with_source_and_offer_to_file(app):
    app.understanding.kb, saved = FakeKB(), app.understanding.kb
    try:
        c = app.understanding.classifier.classify(QUESTION)
        assert (c.act, c.intent) == ("ask", "fire_hazard"), "precondition: the classifier reads this as a question"
        driver = driver_for(app)
        replies = await driver.send("a", QUESTION)
        text = texts_of(replies)
        assert "禁止" in text and "《消防法》第二十八条" in text
        assert any(b.text == "我要反映这个问题" for r in replies for row in r.buttons for b in row)
        asked = await driver.press("a", "我要反映这个问题")
        assert "地址" in texts_of(asked)
    finally:
        app.understanding.kb = saved


async def test_question_without_knowledge_base_says_not_yet(app):
    app.understanding.kb, saved = None, app.understanding.kb
    try:
        replies = await driver_for(app).send("a", QUESTION)
        assert "还在准备中" in texts_of(replies) and "12345" in texts_of(replies)
    finally:
        app.understanding.kb = saved


async def test_outside_points_to_12345_and_still_files(app):
    driver = driver_for(app)
    replies = await driver.send("a", "社保卡丢了要补办，去哪里办")
    assert "12345" in texts_of(replies)
    assert "地址" in texts_of(await driver.press("a", "仍按一般诉求提交"))
    await driver.send("a", "梨园小区2栋")
    filed = await driver.press("a", "跳过，不传照片")
    case = await app.cases.find_case(case_number(texts_of(filed)))
    assert case.intent == "other"


async def test_vague_report_offers_category_picker(app):
    driver = driver_for(app)
    replies = await driver.send("a", "有个事想反映一下")
    labels = [b.text for r in replies for row in r.buttons for b in row]
    assert "噪声扰民" in labels and "其他诉求" in labels
    assert "噪声扰民" in texts_of(await driver.press("a", "噪声扰民"))  # 记下了【噪声扰民】, asks the address


async def test_typing_a_button_label_presses_it(app):
    driver = driver_for(app)
    await driver.send("a", "梨园小区3栋楼下烧烤油烟太大了")
    filed = await driver.send("a", "跳过，不传照片")
    assert case_number(texts_of(filed))


async def test_stale_and_forged_buttons(app):
    driver = driver_for(app)
    assert "过期" in texts_of(await driver.press_data("a", "d:skip"))
    assert "过期" in texts_of(await driver.press_data("a", "no-such:thing"))
    refused = await driver.press_data("a", "acc:999999")
    assert "网格员" in texts_of(refused)  # not a worker: clear refusal, no crash
    assert "只有反映人" in texts_of(await driver.press_data("a", "rate:1:s")) or "找不到" in texts_of(
        await driver.press_data("a", "rate:1:s"))


async def test_rating_someone_elses_case_is_refused(app):
    driver = driver_for(app)
    await driver.send("a", "梨园小区3栋楼下烧烤油烟太大了")
    filed = await driver.press("a", "跳过，不传照片")
    case = await app.cases.find_case(case_number(texts_of(filed)))
    refused = await driver.press_data("b", f"rate:{case.id}:s")
    assert "只有反映人" in texts_of(refused)


async def test_photo_then_description(app):
    driver = driver_for(app)
    assert "照片收到了" in texts_of(await driver.photo("a", "file-abc"))
    filed = await driver.send("a", "梨园小区3栋楼下烧烤油烟太大了")  # photo given: nothing else missing
    case = await app.cases.find_case(case_number(texts_of(filed)))
    assert case.photos == ("file-abc",) or list(case.photos) == ["file-abc"]


async def test_location_answers_the_address_question(app):
    driver = driver_for(app)
    await driver.send("a", "楼道里堆满了杂物")
    asked = await driver.location("a", 30.27480, 120.15390)
    assert "照片" in texts_of(asked)
    filed = await driver.press("a", "跳过，不传照片")
    case = await app.cases.find_case(case_number(texts_of(filed)))
    assert case.grid_id == "liyuan-01"


async def test_worker_commands_need_binding(app):
    driver = driver_for(app)
    assert "已绑定的网格员" in texts_of(await driver.send("a", "/tasks"))
    assert "邀请码无效" in texts_of(await driver.send("a", "/bind NOPE2345"))
    assert "/bind 邀请码" in texts_of(await driver.send("a", "/bind"))


async def test_admin_commands(app, tmp_path):
    driver = driver_for(app)
    assert "管理员" in texts_of(await driver.send("a", "/stats"))
    admin = driver.persona("admin", "admin", user_id=ADMIN_ID)
    await driver.send("a", "梨园小区3栋楼下烧烤油烟太大了")
    await driver.press("a", "跳过，不传照片")
    stats = texts_of(await driver.send(admin, "/stats"))
    assert "油烟异味" in stats and "工作量 1" in stats
    assert "响应率" in stats and "（人员）" not in stats  # no worker bound: no per-worker row

    understanding = app.understanding
    before = understanding.classifier
    broken = tmp_path / "intents"
    shutil.copytree(understanding.intents_dir, broken)
    (broken / "noise.yaml").write_text("version: 1\nid: noise\nname: [broken\n", encoding="utf-8")
    understanding.intents_dir = broken
    failed = texts_of(await driver.send(admin, "/reload"))
    assert "重新加载失败" in failed and "noise.yaml:" in failed
    assert understanding.classifier is before  # the old set stays


def test_every_dialog_button_fits_telegram():
    from bot.dialog import resident, worker

    for data in (resident.PICK, resident.SKIP_PHOTO, resident.FILE_IT, resident.NO_THANKS, resident.FILE_NEW,
                 resident.RETRY, resident.CANCEL, worker.SKIP_RESOLVE_PHOTO, resident.CATEGORY_PREFIX + "x" * 40):
        assert len(data.encode()) <= MAX_CALLBACK_BYTES
