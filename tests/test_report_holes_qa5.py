"""What a fifth QA pass (residents and grid workers in the console chat) found, each end to end through the
dialog engine's driver: a building corrected alone ("不是3栋是5栋") re-asked or got the greeting; a place corrected
after filing reached the worker only as words, the case's address unchanged; a second problem in the same message
was filed inside the first one silently; a Traditional address counted as another building in the hotspots; a typo
or an unlisted building was told the estate was not in the street; 退单 and 催办 said someone was told when nobody
was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from dialog_helpers import bound_worker, case_number, driver_for, shared_understanding

from bot import wording as texts
from bot.dialog.testing import texts_of
from bot.services import build_app
from bot.settings import load_settings


async def _say_all(driver, who, *lines):
    replies = []
    for line in lines:
        replies = await driver.send(who, line)
    return texts_of(replies)


async def _cases(app, driver, who):
    return await app.cases.cases_of_resident(driver.persona(who).user_id)


# -- 1. a building corrected on its own ("不是3栋是5栋") -------------------------------------------------------


async def test_a_building_corrected_at_the_photo_step_replaces_the_building(app):
    driver = driver_for(app)
    said = await _say_all(driver, "赵姐", "楼下垃圾好几天没人清运了，臭得很", "梨园小区3栋")
    assert texts.ASK_PHOTO in said, said
    said = texts_of(await driver.send("赵姐", "不是3栋是5栋"))
    assert texts.ADDRESS_CORRECTED.format(address="梨园小区5栋") in said, said
    assert texts.ADDRESS_TO_CORRECT not in said, said
    number = case_number(texts_of(await driver.press("赵姐", texts.BTN_SKIP_PHOTO)))
    assert (await app.cases.find_case(number)).address == "梨园小区5栋"


@pytest.mark.parametrize("typed", ["5栋", "哦不对，应该是5栋的", "啊 说错了 是5号楼"])
async def test_a_building_in_other_words_at_the_photo_step_replaces_the_building(app, typed):
    driver = driver_for(app)
    await _say_all(driver, "赵姐", "楼下垃圾好几天没人清运了，臭得很", "梨园小区3栋")
    said = texts_of(await driver.send("赵姐", typed))
    assert texts.ADDRESS_CORRECTED.format(address="梨园小区5栋") in said, said


async def test_more_words_naming_a_building_at_the_photo_step_are_detail_not_a_new_place(app):
    driver = driver_for(app)
    await _say_all(driver, "赵姐", "楼下垃圾好几天没人清运了，臭得很", "梨园小区3栋")
    said = texts_of(await driver.send("赵姐", "5栋门口也堆了好多一样的垃圾"))
    assert texts.ADDRESS_CORRECTED.split("：")[0] not in said, said


async def test_a_building_said_alone_at_the_photo_step_is_not_taken_for_another_estate(app):
    """Only a building is swapped: words naming no building ("不对") still go the usual way."""
    driver = driver_for(app)
    await _say_all(driver, "赵姐", "楼下垃圾好几天没人清运了，臭得很", "梨园小区3栋")
    said = texts_of(await driver.send("赵姐", "地址不对"))
    assert texts.ADDRESS_TO_CORRECT in said, said


async def test_a_building_corrected_right_after_filing_corrects_the_case(app):
    driver = driver_for(app)
    number = case_number(await _say_all(driver, "赵姐", "楼下垃圾好几天没人清运了，臭得很", "梨园小区3栋", "跳过"))
    said = texts_of(await driver.send("赵姐", "不是3栋是5栋"))
    assert texts.PLACE_CORRECTED_AFTER_FILING.format(number=number, address="梨园小区5栋") in said, said
    assert texts.CHAT_REPLY not in said, said
    assert len(await _cases(app, driver, "赵姐")) == 1


# -- 2. the worker sees the corrected place, not only words in a 补充 -------------------------------------------


async def test_a_place_corrected_after_filing_is_the_cases_address_and_the_worker_reads_both(app):
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张三")
    number = case_number(await _say_all(driver, "赵姐", "楼下垃圾好几天没人清运了，臭得很", "梨园小区3栋", "跳过"))
    await driver.deliver_pushes()
    await driver.send("赵姐", "地址说错了 是梨园小区5栋")
    case = await app.cases.find_case(number)
    assert case.address == "梨园小区5栋", case.address
    pushes = [p.text for p in await driver.deliver_pushes() if p.chat_id == worker.chat_id]
    line = texts.PLACE_CORRECTED_FOR_WORKER.format(new="梨园小区5栋", old="梨园小区3栋")
    assert any(number in p and line in p for p in pushes), pushes
    tasks = texts_of(await driver.send("张三", "/tasks"))
    assert "梨园小区5栋" in tasks.split("居民原话", 1)[0], tasks


@pytest.mark.parametrize(("answer", "address"), [("梨园小区5栋", "梨园小区5栋"), ("5栋", "梨园小区5栋")])
async def test_the_place_asked_for_after_a_bare_wrong_address_corrects_the_cases_address(app, answer, address):
    """ "地址说错了" alone, then the place: it was a plain 补充 and the card kept the old address."""
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张三")
    number = case_number(await _say_all(driver, "赵姐", "楼下垃圾好几天没人清运了，臭得很", "梨园小区3栋", "跳过"))
    await driver.deliver_pushes()
    said = texts_of(await driver.send("赵姐", "地址说错了"))
    assert texts.ASK_PLACE_AFTER_FILING.format(number=number) in said, said
    said = texts_of(await driver.send("赵姐", answer))
    assert texts.PLACE_CORRECTED_AFTER_FILING.format(number=number, address=address) in said, said
    assert (await app.cases.find_case(number)).address == address
    pushes = [p.text for p in await driver.deliver_pushes() if p.chat_id == worker.chat_id]
    assert any(texts.PLACE_CORRECTED_FOR_WORKER.format(new=address, old="梨园小区3栋") in p for p in pushes), pushes


async def test_words_that_name_no_place_after_a_bare_wrong_address_are_still_a_supplement(app):
    driver = driver_for(app)
    number = case_number(await _say_all(driver, "赵姐", "楼下垃圾好几天没人清运了，臭得很", "梨园小区3栋", "跳过"))
    await driver.send("赵姐", "地址说错了")
    said = texts_of(await driver.send("赵姐", "就在垃圾站旁边那栋楼"))
    assert texts.SUPPLEMENTED_DONE.format(number=number) in said, said
    assert (await app.cases.find_case(number)).address == "梨园小区3栋"


async def test_a_place_correction_to_the_same_place_changes_nothing_for_the_worker(app):
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张三")
    number = case_number(await _say_all(driver, "赵姐", "楼下垃圾好几天没人清运了，臭得很", "梨园小区3栋", "跳过"))
    await driver.deliver_pushes()
    await driver.send("赵姐", "更正一下，是梨园小区3栋")
    pushes = [p.text for p in await driver.deliver_pushes() if p.chat_id == worker.chat_id]
    assert pushes and not any(texts.PLACE_CORRECTED_FOR_WORKER.split("{")[0] in p for p in pushes), pushes
    assert (await app.cases.find_case(number)).address == "梨园小区3栋"


# -- 3. two problems in one message -------------------------------------------------------------------------


async def test_a_second_problem_in_the_same_message_is_offered_next_not_dropped(app):
    driver = driver_for(app)
    said = await _say_all(driver, "钱叔", "梨园小区3栋楼下垃圾好几天没人清运了，另外小区路灯也坏了好几个", "跳过")
    number = case_number(said)
    assert texts.ALSO_NOT_FILED.format(text="小区路灯也坏了好几个") in said, said
    said = texts_of(await driver.press("钱叔", texts.BTN_FILE_ALSO))
    assert texts.ASK_PHOTO in said or texts.ASK_ADDRESS.split("【")[0] in said, said
    second = case_number(texts_of(await driver.press("钱叔", texts.BTN_SKIP_PHOTO)))
    assert second != number
    cases = {c.number: c for c in await _cases(app, driver, "钱叔")}
    assert cases[number].intent == "sanitation" and cases[second].intent == "public_facilities", cases
    assert cases[second].address == "梨园小区3栋", cases[second].address  # the place the message named


async def test_a_second_problem_named_first_is_offered_too(app):
    """ "乱停车，还有广场舞噪音" is filed as noise (what the words say most): the parking named first is offered."""
    driver = driver_for(app)
    said = await _say_all(driver, "钱叔", "小区门口有人乱停车堵住了，还有晚上广场舞噪音太大", "梨园小区2栋")
    while "已受理" not in said:  # the category's own questions and the photo, skipped
        label = texts.BTN_SKIP_PHOTO if texts.ASK_PHOTO in said else texts.BTN_SKIP_QUESTION
        said = texts_of(await driver.press("钱叔", label))
    assert texts.ALSO_NOT_FILED.format(text="小区门口有人乱停车堵住了") in said, said


async def test_one_problem_told_in_two_sentences_is_no_second_problem(app):
    driver = driver_for(app)
    said = await _say_all(driver, "钱叔", "梨园小区3栋楼道里堆满杂物，还有人在楼道给电动车充电", "跳过")
    assert "已受理" in said and texts.ALSO_NOT_FILED.split("“")[0] not in said, said


async def test_a_question_after_another_is_no_second_problem(app):
    """Whether the words are first answered as a question or filed, the question is never offered as a report."""
    driver = driver_for(app)
    said = texts_of(await driver.send("钱叔", "梨园小区3栋楼下垃圾好几天没人清运了，还有群租房怎么认定？"))
    if texts.BTN_FILE_IT in [label for label, _ in driver.persona("钱叔").buttons]:
        said += texts_of(await driver.press("钱叔", texts.BTN_FILE_IT))
    said += texts_of(await driver.send("钱叔", "跳过"))
    assert "已受理" in said and texts.ALSO_NOT_FILED.split("“")[0] not in said, said


async def test_the_offer_of_the_second_problem_goes_with_the_next_message(app):
    """Something else typed instead: the offer is gone (pressing it later is a stale button), nothing is filed."""
    driver = driver_for(app)
    await _say_all(driver, "钱叔", "梨园小区3栋楼下垃圾好几天没人清运了，另外小区路灯也坏了好几个", "跳过")
    await driver.send("钱叔", "谢谢")
    said = texts_of(await driver.press("钱叔", texts.BTN_FILE_ALSO))
    assert texts.STALE_BUTTON in said, said
    assert len(await _cases(app, driver, "钱叔")) == 1


# -- 4. a Traditional address counts with the same building in Simplified -------------------------------------


async def test_a_traditional_address_is_the_same_building_in_the_hotspots(app):
    driver = driver_for(app)
    await _say_all(driver, "陳伯", "樓下垃圾好幾天沒人清運了", "梨園小區3棟", "跳過")
    said = await _say_all(driver, "王阿姨", "楼下垃圾桶满了没人管，苍蝇很多", "梨园小区3栋", "跳过")
    if texts.DUPLICATE_FOUND.split("：", 1)[0] in said:  # offered the neighbour's case: filed as one of its own
        await driver.press("王阿姨", texts.BTN_FILE_NEW)
    now = datetime.now(UTC)
    spots = await app.cases.hotspots(since=now - timedelta(days=1), until=now + timedelta(days=1))
    buildings = {s.name: s.cases for s in spots.buildings}
    assert buildings.get("梨园小区3栋") == 2, buildings


async def test_a_place_corrected_into_another_grid_tells_the_holder_whose_it_is(app):
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张三")
    number = case_number(await _say_all(driver, "赵姐", "楼下垃圾好几天没人清运了，臭得很", "梨园小区3栋", "跳过"))
    await driver.deliver_pushes()
    await driver.send("赵姐", "地址说错了 是梨园小区9栋")
    case = await app.cases.find_case(number)
    other = app.cases.route(case.address).grid_id
    assert other and other != case.grid_id, (case.address, other)
    pushes = [p.text for p in await driver.deliver_pushes() if p.chat_id == worker.chat_id]
    line = texts.PLACE_IN_OTHER_GRID.format(grid=app.cases.router.grid_name(other))
    assert any(number in p and line in p for p in pushes), pushes


async def test_a_second_problem_is_offered_after_joining_a_neighbours_case_too(app):
    driver = driver_for(app)
    await _say_all(driver, "王阿姨", "楼下垃圾桶满了没人管，苍蝇很多", "梨园小区3栋", "跳过")
    said = await _say_all(driver, "钱叔", "梨园小区3栋楼下垃圾好几天没人清运了，另外小区路灯也坏了好几个", "跳过")
    assert texts.DUPLICATE_FOUND.split("：", 1)[0] in said, said
    said = texts_of(await driver.press("钱叔", texts.BTN_JOIN))
    assert texts.ALSO_NOT_FILED.format(text="小区路灯也坏了好几个") in said, said


# -- 5. an address routing knows only loosely, or an estate with a building it does not list ------------------


async def _at_address(driver, who="孙婆婆"):
    said = texts_of(await driver.send(who, "小区路灯坏了好几个，晚上黑漆漆的"))
    assert texts.ASK_ADDRESS.format(category="市政设施") in said, said


async def test_a_typo_in_the_address_is_offered_as_the_place_it_most_likely_is(app):
    driver = driver_for(app)
    await _at_address(driver)
    said = texts_of(await driver.send("孙婆婆", "梨圆小区2栋"))
    assert texts.ADDRESS_DID_YOU_MEAN.format(address="梨圆小区2栋", place="梨园小区2栋") in said, said
    said = texts_of(await driver.send("孙婆婆", "是的"))
    assert texts.ASK_PHOTO in said, said
    number = case_number(texts_of(await driver.press("孙婆婆", texts.BTN_SKIP_PHOTO)))
    assert (await app.cases.find_case(number)).address == "梨园小区2栋"


async def test_a_typo_offered_and_refused_takes_the_address_typed_next(app):
    driver = driver_for(app)
    await _at_address(driver)
    await driver.send("孙婆婆", "梨圆小区2栋")
    said = texts_of(await driver.send("孙婆婆", "翠竹苑5栋"))
    assert texts.ASK_PHOTO in said, said
    number = case_number(texts_of(await driver.press("孙婆婆", texts.BTN_SKIP_PHOTO)))
    assert (await app.cases.find_case(number)).address == "翠竹苑5栋"


async def test_a_building_the_estate_does_not_list_names_the_estate_and_takes_the_corrected_building(app):
    driver = driver_for(app)
    await _at_address(driver)
    said = texts_of(await driver.send("孙婆婆", "梨园小区30栋"))
    assert texts.ADDRESS_BUILDING_UNKNOWN.format(address="梨园小区30栋", estate="梨园小区") in said, said
    assert texts.ADDRESS_UNCLEAR.split("“")[0] not in said, said
    said = texts_of(await driver.send("孙婆婆", "不对，是3栋"))
    assert texts.ASK_PHOTO in said, said
    number = case_number(texts_of(await driver.press("孙婆婆", texts.BTN_SKIP_PHOTO)))
    assert (await app.cases.find_case(number)).address == "梨园小区3栋"


# -- 6. 退单 tells the worker who re-assigns the case, as the resident is told -----------------------------------


async def test_a_return_without_a_dispatcher_does_not_promise_one_to_the_worker(app):
    """No community dispatcher is bound: the resident read that the admins have it, the worker read "社区调度员会重新
    分派" — he is told the same as the resident."""
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张三")
    number = case_number(await _say_all(driver, "赵姐", "楼下垃圾好几天没人清运了，臭得很", "梨园小区3栋", "跳过"))
    await driver.deliver_pushes()
    await driver.press(worker, texts.BTN_RETURN)
    said = texts_of(await driver.send(worker, "不是我们网格的"))
    assert texts.RETURNED_TO_STAFF.format(number=number, reason="不是我们网格的", told=texts.TOLD_ADMIN) in said, said
    assert texts.RETURNED.format(number=number, reason="不是我们网格的") not in said, said


async def test_a_return_with_a_dispatcher_says_the_dispatcher_re_assigns_it(app):
    driver = driver_for(app)
    invite = await app.cases.create_invite("周调度", community_id="liyuan")
    await driver.send(driver.persona("周调度", role="worker"), f"/bind {invite.code}")
    worker = await bound_worker(app, driver, "张三")
    number = case_number(await _say_all(driver, "赵姐", "楼下垃圾好几天没人清运了，臭得很", "梨园小区3栋", "跳过"))
    await driver.deliver_pushes()
    await driver.press(worker, texts.BTN_RETURN)
    said = texts_of(await driver.send(worker, "不是我们网格的"))
    assert texts.RETURNED.format(number=number, reason="不是我们网格的") in said, said


# -- 7. 催办 when nobody holds the case nor covers its queue ---------------------------------------------------


async def test_urging_a_case_nobody_can_be_told_of_does_not_say_someone_was_reminded(tmp_path):
    """No worker, dispatcher, admin or on-call: "已提醒处理人员尽快处理" reminded nobody."""
    app = await build_app(load_settings(database_url=f"sqlite:///{tmp_path / 'qa5.db'}", admin_ids=""),
                          understanding=shared_understanding())
    try:
        driver = driver_for(app)
        number = case_number(await _say_all(driver, "王阿姨", "楼下垃圾好几天没人清运了，臭得很", "梨园小区3栋", "跳过"))
        said = texts_of(await driver.send("王阿姨", "催办"))
        assert number in said and texts.URGED_KEPT.split("。")[1] in said, said
        assert texts.URGED.split("，")[1].split("。")[0] not in said, said
    finally:
        await app.close()


async def test_urging_a_case_someone_covers_still_says_they_were_reminded(app):
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    number = case_number(await _say_all(driver, "王阿姨", "楼下垃圾好几天没人清运了，臭得很", "梨园小区3栋", "跳过"))
    said = texts_of(await driver.send("王阿姨", "催办"))
    assert texts.URGED.split("，")[1].split("。")[0] in said and number in said, said


# -- 8. a place corrected while a similar case is offered -------------------------------------------------------


async def test_a_place_corrected_while_a_similar_case_is_offered_replaces_the_address(app):
    """ "不是3栋是5栋" at the offer got "请选一下" and the same offer: the neighbour's case was at the wrong building."""
    driver = driver_for(app)
    await _say_all(driver, "李叔", "梨园小区3栋楼下垃圾没人清运", "跳过")
    said = await _say_all(driver, "王阿姨", "楼下垃圾好几天没人清运了", "梨园小区3栋", "跳过")
    assert texts.DUPLICATE_FOUND.split("：", 1)[0] in said, said
    said = texts_of(await driver.send("王阿姨", "不是3栋是5栋"))
    assert texts.ADDRESS_CORRECTED.format(address="梨园小区5栋") in said, said
    assert texts.DUPLICATE_CHOOSE not in said, said
    if texts.DUPLICATE_FOUND.split("：", 1)[0] in said:  # the same grid: the neighbour's case may still be offered
        said = texts_of(await driver.press("王阿姨", texts.BTN_FILE_NEW))
    assert (await app.cases.find_case(case_number(said))).address == "梨园小区5栋"
