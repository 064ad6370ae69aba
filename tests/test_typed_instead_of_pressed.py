"""What people type where the bot expected a button or a known phrase, found by a QA pass in the console chat:
a status question the classifier reads (进度, a case number and 怎么样了, 处理到哪一步了) shows the case in words (it
once crashed the turn: the flow called a function that had moved); a typed rating rates; a worker's typed 接单 is
shown the buttons; a receipt never claims a dispatcher has a case nobody could be told of; no "已有 0 位居民附议"."""

from __future__ import annotations

import pytest
from dialog_helpers import bound_worker, case_number, driver_for

from bot import wording as texts
from bot.dialog.testing import texts_of


async def _file(driver) -> str:
    for text in ("楼下垃圾好几天没人清运了，臭得很", "梨园小区3栋", "跳过"):
        replies = await driver.send("王阿姨", text)
    return case_number(texts_of(replies))


@pytest.mark.parametrize("typed", ["进度", "進度", "处理到哪一步了", "{number}怎么样了", "查一下{number}"])
async def test_a_typed_status_question_shows_the_case(app, typed):
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    number = await _file(driver)
    said = texts_of(await driver.send("王阿姨", typed.format(number=number)))
    assert number in said, said
    assert texts.ERROR_REPLY not in said


async def test_a_typed_status_question_without_a_case_says_there_is_none(app):
    driver = driver_for(app)
    said = texts_of(await driver.send("李大爷", "处理到哪一步了"))
    assert texts.ERROR_REPLY not in said
    assert any(line in said for line in (texts.STATUS_NONE, texts.MY_NONE)), said


@pytest.mark.parametrize(("typed", "score"), [("满意", "satisfied"), ("滿意！", "satisfied"), ("基本满意", "basic"),
                                              ("不满意", "unsatisfied")])
async def test_a_rating_typed_instead_of_pressed_rates_the_case_waiting_for_it(app, typed, score):
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张三")
    number = await _file(driver)
    case = await app.cases.find_case(number)
    await app.cases.resolve(case.id, worker.user_id, "已清运")
    said = texts_of(await driver.send("王阿姨", typed))
    rated = await app.cases.find_case(number)
    if score == "unsatisfied":
        assert rated.state != "resolved" and number in said  # 重办: back to work, and asked why
    else:
        assert rated.state == "rated" and ("感谢评价" in said or "感謝評價" in said), said  # in the script they typed


async def test_a_rating_word_without_a_case_waiting_is_read_as_usual(app):
    driver = driver_for(app)
    said = texts_of(await driver.send("李大爷", "满意"))
    assert texts.ERROR_REPLY not in said and "评价" not in said


async def test_a_case_nobody_could_be_told_of_is_not_said_to_be_with_a_dispatcher(tmp_path):
    """No worker bound, no dispatcher, no admin: the receipt says the case waits in the queue, not that a
    dispatcher has it (QA: "已转社区调度员分派" while the log said it reached nobody)."""
    from dialog_helpers import shared_understanding

    from bot.services import build_app
    from bot.settings import load_settings

    app = await build_app(load_settings(database_url=f"sqlite:///{tmp_path / 'gd.db'}", admin_ids=""),
                          understanding=shared_understanding())
    try:
        for text in ("楼下垃圾好几天没人清运了，臭得很", "梨园小区3栋", "跳过"):
            replies = await driver_for(app).send("王阿姨", text)
        said = texts_of(replies)
        assert texts.FILED_QUEUED in said and texts.FILED_DISPATCHER not in said, said
    finally:
        await app.close()


async def test_a_neighbours_case_with_no_supporters_yet_does_not_count_zero(app):
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    await _file(driver)
    for text in ("楼下垃圾没人清运，好臭", "梨园小区3栋", "跳过"):
        replies = await driver.send("李大爷", text)
    said = texts_of(replies)
    assert "您可以加入这件" in said and "已有 0 位" not in said, said


@pytest.mark.parametrize(("typed", "expected"), [("接单", texts.WORKER_NOTHING_TO.format(action="接单")),
                                                 ("办结。", texts.WORKER_NOTHING_TO.format(action="办结")),
                                                 ("收到", texts.WORKER_USE_BUTTONS)])
async def test_a_worker_typing_an_action_is_shown_the_buttons_not_the_residents_greeting(app, typed, expected):
    """With no case where the word applies, he is told there is none (not to press a push he does not have)."""
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张三")
    said = texts_of(await driver.send(worker, typed))
    assert said == expected, said


async def test_a_resident_typing_the_same_word_is_not_told_about_worker_buttons(app):
    said = texts_of(await driver_for(app).send("王阿姨", "收到"))
    assert texts.WORKER_USE_BUTTONS not in said and texts.ERROR_REPLY not in said


@pytest.mark.parametrize(("typed", "expected"), [("催办", "URGED"), ("能快点处理吗？", "URGED"),
                                                ("补充", "ASK_SUPPLEMENT"), ("我要撤销投诉", "ASK_WITHDRAW")])
async def test_self_service_typed_on_the_one_open_case_does_what_its_button_does(app, typed, expected):
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    number = await _file(driver)
    said = texts_of(await driver.send("王阿姨", typed))
    head = getattr(texts, expected).split("{")[0]
    assert head in said and number in said, said


async def test_a_typed_supplement_is_attached_to_the_case(app):
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    number = await _file(driver)
    await driver.send("王阿姨", "补充")
    await driver.send("王阿姨", "垃圾堆在2单元门口")
    case = await app.cases.find_case(number)
    assert "垃圾堆在2单元门口" in case.text


async def test_self_service_words_without_an_open_case_are_read_as_usual(app):
    said = texts_of(await driver_for(app).send("李大爷", "催办"))
    assert texts.ERROR_REPLY not in said and texts.URGED.split("{")[0] not in said
