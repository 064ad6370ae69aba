"""What a second QA pass (residents and grid workers in the console chat) found while reports were made, each
end to end through the dialog engine's driver: junk typed for the address, a 退单 notice promising help nobody
could give, a category correction that kept the old problem's words, 附议 offered on a case already closed, a
report dressed as a question, a status question typed mid-report, a flat number lost from the address, and a
worker's chat flipping script on one line."""

from __future__ import annotations

import pytest
from dialog_helpers import bound_worker, case_number, driver_for

from bot import wording as texts
from bot.dialog.testing import texts_of
from bot.services import build_app
from bot.settings import load_settings


async def _say_all(driver, who, *lines):
    replies = []
    for line in lines:
        replies = await driver.send(who, line)
    return texts_of(replies)


async def _file(driver, who="王阿姨") -> str:
    return case_number(await _say_all(driver, who, "楼下垃圾好几天没人清运了，臭得很", "梨园小区3栋", "跳过"))


# -- 1. junk for the address ----------------------------------------------------------------------------------


@pytest.mark.parametrize("junk", ["随便", "123", "无所谓", "哈哈哈"])
async def test_junk_for_the_address_is_asked_again_not_taken_on_the_second_try(app, junk):
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    await driver.send("王阿姨", "楼下垃圾好几天没人清运了，臭得很")
    for _ in range(2):
        said = texts_of(await driver.send("王阿姨", junk))
        assert texts.ASK_PHOTO not in said and "已受理" not in said, said
        assert texts.NOT_AN_ADDRESS.format(text=junk) in said, said


async def test_an_address_of_digits_and_dashes_is_still_an_address(app):
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    await driver.send("王阿姨", "楼下垃圾好几天没人清运了，臭得很")
    said = texts_of(await driver.send("王阿姨", "3-2-501"))
    assert "不像是地址" not in said, said


async def test_after_repeated_junk_the_resident_is_told_what_happens_and_the_queue_sees_it(app):
    """Three tries with no place: the bot says it cannot route the case and offers to hand it over for the place
    to be checked (or to cancel); handed over, the receipt says the place waits to be checked (not 已转社区调度员分派,
    not 派给 a grid), and whoever covers the queue is told the place is missing."""
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    await driver.send("王阿姨", "楼下垃圾好几天没人清运了，臭得很")
    for junk in ("随便", "不知道", "123"):
        said = texts_of(await driver.send("王阿姨", junk))
    assert texts.ADDRESS_GIVE_UP in said, said
    await driver.press("王阿姨", texts.BTN_FILE_WITHOUT_PLACE)
    said = texts_of(await driver.send("王阿姨", "跳过"))  # the photo is still asked for
    number = case_number(said)
    assert texts.FILED_NO_PLACE in said and texts.FILED_DISPATCHER not in said, said
    case = await app.cases.find_case(number)
    assert case.address in (None, "") and case.grid_id is None
    pushes = await driver.deliver_pushes()
    queue = [p.text for p in pushes if number in p.text]
    assert queue and any(texts.ROUTE_NOTHING in t for t in queue), queue
    assert not any(texts.DISPATCH_NO_WORKERS in t for t in queue), queue  # the grid's worker exists: not "none bound"


# -- 2. 退单 with nobody to re-assign --------------------------------------------------------------------------


async def _returned(tmp_path, admin_ids: str):
    from dialog_helpers import shared_understanding as su

    app = await build_app(load_settings(database_url=f"sqlite:///{tmp_path / 'r.db'}", admin_ids=admin_ids),
                          understanding=su())
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张三")
    number = await _file(driver)
    await driver.deliver_pushes()
    await driver.press(worker, texts.BTN_RETURN)
    await driver.send(worker, "不属于本网格")
    notices = [p.text for p in await driver.deliver_pushes() if p.chat_id == driver.persona("王阿姨").chat_id]
    return app, number, "\n".join(notices)


async def test_a_returned_case_nobody_can_re_assign_does_not_say_the_community_is_arranging(tmp_path):
    app, number, notice = await _returned(tmp_path, admin_ids="")
    try:
        assert number in notice and "社区正在安排" not in notice, notice
        assert texts.RESIDENT_RETURNED_NOBODY.format(number=number) in notice, notice
    finally:
        await app.close()


async def test_a_returned_case_a_dispatcher_or_admin_was_told_of_says_so(tmp_path):
    app, number, notice = await _returned(tmp_path, admin_ids="4242")
    try:
        assert texts.RESIDENT_RETURNED_NOBODY.format(number=number) not in notice, notice
        assert number in notice and "重新" in notice, notice
    finally:
        await app.close()


# -- 3. a category correction -----------------------------------------------------------------------------------


async def test_a_category_correction_drops_the_old_problem_and_asks_for_the_new_one(app):
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    await driver.send("王阿姨", "楼下广场舞太吵了，天天晚上")
    said = texts_of(await driver.send("王阿姨", "不是噪音，是油烟"))
    assert "油烟异味" in said and texts.ASK_NEW_PROBLEM.format(category="油烟异味") in said, said
    said = await _say_all(driver, "王阿姨", "楼下饭店排风口对着我家窗户", "梨园小区3栋", "跳过")
    case = await app.cases.find_case(case_number(said))
    assert case.intent == "fumes_odor"
    assert "广场舞" not in case.text and "排风口" in case.text, case.text


async def test_a_correction_that_says_what_the_problem_is_needs_no_second_question(app):
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    await driver.send("王阿姨", "楼下广场舞太吵了，天天晚上")
    said = texts_of(await driver.send("王阿姨", "不对，不是噪音，是楼下饭店的油烟一直往我家窗户飘"))
    assert texts.ASK_NEW_PROBLEM.format(category="油烟异味") not in said, said
    said = await _say_all(driver, "王阿姨", "梨园小区3栋", "跳过")
    case = await app.cases.find_case(case_number(said))
    assert case.intent == "fumes_odor" and "广场舞" not in case.text and "油烟" in case.text, case.text


# -- 4. 附议 of a closed case ------------------------------------------------------------------------------------


async def test_a_case_just_resolved_is_not_offered_to_join(app):
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张三")
    first = await _file(driver)
    case = await app.cases.find_case(first)
    await app.cases.resolve(case.id, worker.user_id, "已清运")
    said = await _say_all(driver, "李大爷", "楼下垃圾没人清运，好臭", "梨园小区3栋", "跳过")
    assert texts.BTN_JOIN not in said and first not in said, said
    assert case_number(said) != first


async def test_join_pressed_after_the_case_closed_files_a_new_report_instead(app):
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张三")
    first = await _file(driver)
    said = await _say_all(driver, "李大爷", "楼下垃圾没人清运，好臭", "梨园小区3栋", "跳过")
    assert first in said, said  # offered while it was open
    case = await app.cases.find_case(first)
    await app.cases.resolve(case.id, worker.user_id, "已清运")
    said = texts_of(await driver.press("李大爷", texts.BTN_JOIN))
    assert texts.JOIN_CLOSED.format(number=first) in said, said
    assert case_number(said.replace(first, "")) != first  # filed as a new case
    assert (await app.cases.find_case(first)).supporter_count == 0


# -- 5. a report dressed as a question ---------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["我想问一下楼上天天半夜装修能不能管管", "想问下 楼下垃圾站臭得不得了 能不能处理一下"])
async def test_a_report_dressed_as_a_question_is_taken_as_a_report(app, typed):
    driver = driver_for(app)
    said = texts_of(await driver.send("王阿姨", typed))
    report_steps = (texts.ASK_ADDRESS.split("【")[0], texts.CONFIRM_ONE.split("【")[0], texts.CONFIRM_CATEGORY)
    assert any(head in said for head in report_steps), said  # the report flow: the place, or "is it this?"
    assert texts.OFFER_FILE.split("【")[0] not in said, said


async def test_a_real_question_is_still_answered(app):
    said = texts_of(await driver_for(app).send("王阿姨", "我想问一下晚上几点以后不能装修"))
    assert texts.ASK_ADDRESS.split("【")[0] not in said, said


# -- 6. a status question typed mid-report ------------------------------------------------------------------------


async def test_a_status_question_at_the_address_step_is_answered_and_the_report_goes_on(app):
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    first = await _file(driver)
    await driver.send("王阿姨", "楼道堆满纸箱")
    said = texts_of(await driver.send("王阿姨", "我上次那个投诉怎么样了"))
    assert first in said and texts.ASK_ADDRESS_AGAIN in said, said
    assert "不像是地址" not in said, said
    said = await _say_all(driver, "王阿姨", "梨园小区2栋", "跳过")
    second = case_number(said)
    assert second != first and (await app.cases.find_case(second)).intent == "fire_hazard"


# -- 7. the flat number ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "kept"), [("楼道堆满纸箱 梨园小区2栋502", "梨园小区2栋502"),
                                             ("楼道堆满纸箱 梨园小区3栋2单元301室", "梨园小区3栋2单元301")])
async def test_an_address_in_the_words_keeps_building_and_flat(app, typed, kept):
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    said = await _say_all(driver, "王阿姨", typed, "跳过")
    case = await app.cases.find_case(case_number(said))
    assert kept in (case.address or ""), case.address
    assert case.grid_id == "liyuan-01"


# -- 8. the script of a chat -----------------------------------------------------------------------------------


async def test_one_traditional_line_does_not_flip_a_simplified_chat(app):
    """The first clear message sets the chat's script; one line in the other does not flip it, two in a row do."""
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张三")
    assert texts_of(await driver.send(worker, "处理了")) == texts.WORKER_USE_BUTTONS  # Simplified (处), with evidence
    said = texts_of(await driver.send(worker, "已處理"))
    assert said == texts.WORKER_USE_BUTTONS, said  # still Simplified
    said = texts_of(await driver.send(worker, "/tasks"))
    assert "待辦" not in said and "待办" in said, said
    said = texts_of(await driver.send(worker, "處理了"))  # the second Traditional line in a row: it follows
    assert said != texts.WORKER_USE_BUTTONS and "請" in said, said


async def test_a_first_message_in_traditional_is_answered_in_traditional(app):
    said = texts_of(await driver_for(app).send("陳太太", "樓下垃圾好幾天沒人清運了"))
    assert "請" in said and "请" not in said, said
