"""Whole conversations on the real engine, case service and SQLite database (no Telegram)."""

from __future__ import annotations

from datetime import timedelta

from dialog_helpers import bound_worker, case_number, driver_for, make_app

from bot.dialog.testing import texts_of

REPORT = "梨园小区3栋楼下烧烤油烟太大了，熏得没法开窗"


async def file_report(driver, who="王阿姨", text=REPORT) -> str:
    """Report with the place in the words, skip the photo; returns the case number shown."""
    first = await driver.send(who, text)
    assert "照片" in texts_of(first), texts_of(first)  # the address was in the words: only the photo is asked
    filed = await driver.press(who, "跳过，不传照片")
    return case_number(texts_of(filed))


async def test_report_accept_resolve_rate(app):
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张三")
    number = await file_report(driver)
    case = await app.cases.find_case(number)
    assert case is not None and case.intent == "fumes_odor" and case.state == "assigned"
    assert case.assignee_name == "张三"

    pushes = await driver.deliver_pushes()
    assert any(p.chat_id == worker.chat_id and number in p.text for p in pushes)
    assert "已接单" in texts_of(await driver.press(worker, "接单"))
    ask_note = await driver.press(worker, "办结")
    assert "处理结果" in texts_of(ask_note)
    assert "照片" in texts_of(await driver.send(worker, "已联系店主，烧烤摊已搬走"))
    assert "已办结" in texts_of(await driver.press(worker, "跳过，直接办结"))

    await driver.deliver_pushes()
    resident = driver.persona("王阿姨")
    assert any("评价" in r.text for r in resident.inbox)
    rated = await driver.press(resident, "满意")
    assert "感谢评价" in texts_of(rated)
    case = await app.cases.find_case(number)
    assert case.state == "rated" and case.resolution_note == "已联系店主，烧烤摊已搬走"


async def test_unsatisfied_rating_reopens(app):
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张三")
    number = await file_report(driver)
    await driver.deliver_pushes()
    await driver.press(worker, "办结")
    await driver.send(worker, "已经劝离了")
    await driver.press(worker, "跳过，直接办结")
    await driver.deliver_pushes()
    reopened = await driver.press("王阿姨", "不满意")
    assert "重办" in texts_of(reopened)
    case = await app.cases.find_case(number)
    assert case.state == "assigned" and case.reopen_count == 1
    pushes = await driver.deliver_pushes()
    assert any(p.chat_id == worker.chat_id and "重办" in p.text for p in pushes)


async def test_return_then_dispatcher_reassigns(app):
    driver = driver_for(app)
    first = await bound_worker(app, driver, "张三")
    second = await bound_worker(app, driver, "李四", grid_id="liyuan-02")
    invite = await app.cases.create_invite("赵主任", community_id="liyuan")
    dispatcher = driver.persona("赵主任", "worker")
    await driver.send(dispatcher, f"/start bind_{invite.code}")  # the deep-link form
    number = await file_report(driver)
    await driver.deliver_pushes()

    assert "退单原因" in texts_of(await driver.press(first, "退单"))
    assert "太短" in texts_of(await driver.send(first, "错"))
    returned = await driver.send(first, "不属于本网格，应为第二网格")
    assert "已退单" in texts_of(returned)
    case = await app.cases.find_case(number)
    assert case.state == "returned" and case.level == "community"

    await driver.deliver_pushes()
    assigned = await driver.press(dispatcher, "派给 李四（0）")  # the push names each worker's open load
    assert "已派单" in texts_of(assigned)
    case = await app.cases.find_case(number)
    assert case.state == "assigned" and case.assignee_name == "李四"
    await driver.deliver_pushes()
    assert "已接单" in texts_of(await driver.press(second, "接单"))


async def test_deadline_passes_escalates(app):
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    number = await file_report(driver)
    case = await app.cases.find_case(number)
    _, escalated = await app.cases.run_deadlines(now=case.deadline_at + timedelta(hours=1))
    assert escalated == 1
    case = await app.cases.find_case(number)
    assert case.level == "community"
    await driver.deliver_pushes()
    assert any("升级" in r.text for r in driver.persona("王阿姨").inbox)
    mine = await driver.send("王阿姨", "/my")
    assert number in texts_of(mine)


async def test_duplicate_offers_join(app):
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    number = await file_report(driver, "王阿姨")
    await driver.send("刘先生", "梨园小区3栋楼下有人烧烤，油烟很大")
    offer = await driver.press("刘先生", "跳过，不传照片")
    assert number in texts_of(offer) and "附议" in texts_of(offer)
    joined = await driver.press("刘先生", "附议（加入这件）")
    assert "已加入案件" in texts_of(joined)
    case = await app.cases.find_case(number)
    assert case.supporter_count == 1
    mine = await driver.send("刘先生", "/my")
    assert number in texts_of(mine) and "附议" in texts_of(mine)


async def test_duplicate_can_still_file_new(app):
    driver = driver_for(app)
    number = await file_report(driver, "王阿姨")
    await driver.send("刘先生", "梨园小区3栋楼下有人烧烤，油烟很大")
    await driver.press("刘先生", "跳过，不传照片")
    filed = await driver.press("刘先生", "另立新案")
    assert case_number(texts_of(filed)) != number


async def test_emergency_tells_numbers_first_then_files_urgent(app):
    driver = driver_for(app)
    replies = await driver.send("陈先生", "梨园小区5栋着火了，有浓烟")
    assert "119" in replies[0].text
    number = case_number(texts_of(replies[1:]))
    case = await app.cases.find_case(number)
    assert case.urgent


async def test_emergency_without_place_asks_for_it_then_files(app):
    driver = driver_for(app)
    replies = await driver.send("陈先生", "有人在楼道里打人，还拿着刀")
    assert "110" in replies[0].text and replies[-1].request_location
    filed = await driver.send("陈先生", "翠竹苑2栋")
    number = case_number(texts_of(filed))
    assert (await app.cases.find_case(number)).urgent


async def test_cancel_anywhere(app):
    driver = driver_for(app)
    await driver.send("王阿姨", "楼道里堆满了杂物")  # no place yet: asks for the address
    cancelled = await driver.send("王阿姨", "取消")
    assert "已取消" in texts_of(cancelled)
    assert "没有进行中" in texts_of(await driver.send("王阿姨", "/cancel"))
    assert await app.cases.cases_of_resident(driver.persona("王阿姨").user_id) == []


async def test_traditional_gets_traditional(app):
    driver = driver_for(app)
    first = await driver.send("陳太太", "梨園小區3棟樓下燒烤油煙太大了，熏得沒法開窗")
    text = texts_of(first)
    assert "請" in text and "请" not in text
    assert any(b.text == "跳過，不傳照片" for r in first for row in r.buttons for b in row)
    filed = await driver.press("陳太太", "跳過，不傳照片")
    assert "編號" in texts_of(filed)


async def test_restart_mid_dialog_resumes(tmp_path):
    db = tmp_path / "restart.db"
    app1 = await make_app(db)
    driver1 = driver_for(app1)
    await driver1.send("王阿姨", "楼道里堆满了杂物，过不去人")
    user_id = driver1.persona("王阿姨").user_id
    await app1.close()

    app2 = await make_app(db)  # a new engine on the same database file
    try:
        driver2 = driver_for(app2)
        resident = driver2.persona("王阿姨", user_id=user_id)
        asked_photo = await driver2.send(resident, "翠竹苑5栋")  # the address the first engine asked for
        assert "照片" in texts_of(asked_photo)
        filed = await driver2.send(resident, "跳过")
        number = case_number(texts_of(filed))
        case = await app2.cases.find_case(number)
        assert case.address == "翠竹苑5栋" and "杂物" in case.text
    finally:
        await app2.close()


# -- what the resident QA pass found: every step listens for danger, corrections and new problems -----------


async def test_emergency_while_the_bot_waits_for_an_address_gets_the_numbers_first(app):
    driver = driver_for(app)
    await driver.send("王阿姨", "楼上装修太吵")  # the bot now waits for an address
    replies = await driver.send("王阿姨", "着火了")
    said = texts_of(replies)
    assert "119" in said and said.index("119") < said.index("已放下")  # numbers before anything else
    assert "出事地点" in said  # the emergency is now the report, asking where
    filed = await driver.send("王阿姨", "桂花苑2栋")
    number = case_number(texts_of(filed))
    case = await app.cases.find_case(number)
    assert case.urgent and "装修" not in case.text


async def test_second_emergency_in_the_emergency_flow_is_not_taken_as_the_address(app):
    driver = driver_for(app)
    assert "119" in texts_of(await driver.send("王阿姨", "着火了"))
    again = texts_of(await driver.send("王阿姨", "有人晕倒了"))
    assert "120" in again and "出事地点" in again
    number = case_number(texts_of(await driver.send("王阿姨", "桂花苑2栋")))
    case = await app.cases.find_case(number)
    assert case.address == "桂花苑2栋" and "晕倒" in case.text


async def test_traditional_skip_words_skip_the_photo(app):
    driver = driver_for(app)
    await driver.send("陳先生", "樓上裝修太吵，桂花苑3棟")
    number = case_number(texts_of(await driver.send("陳先生", "跳過，不傳照片")))
    case = await app.cases.find_case(number)
    assert "跳過" not in case.text


async def test_an_address_routing_cannot_place_is_asked_once_more(app):
    driver = driver_for(app)
    await driver.send("王阿姨", "楼下烧烤油烟很大")
    assert "没能在本街道" in texts_of(await driver.send("王阿姨", "我家门口"))
    assert "照片" in texts_of(await driver.send("王阿姨", "翠竹苑4栋"))  # a place it knows goes straight on


async def test_a_correction_at_the_address_step_replaces_the_category_and_keeps_the_words(app):
    driver = driver_for(app)
    await driver.send("王阿姨", "楼下烧烤摊占道经营")
    said = texts_of(await driver.send("王阿姨", "不对，主要是油烟熏得受不了"))
    assert "从【占道经营】改为【油烟异味】" in said and "地址" in said
    await driver.send("王阿姨", "翠竹苑4栋")
    number = case_number(texts_of(await driver.press("王阿姨", "跳过，不传照片")))
    case = await app.cases.find_case(number)
    assert "油烟" in case.text and case.intent == "fumes_odor"


async def test_more_about_the_problem_at_the_address_step_is_kept_as_description(app):
    driver = driver_for(app)
    await driver.send("王阿姨", "楼下烧烤摊占道经营")
    assert "补充到问题描述" in texts_of(await driver.send("王阿姨", "主要是晚上油烟熏得受不了"))
    await driver.send("王阿姨", "翠竹苑4栋")
    number = case_number(texts_of(await driver.press("王阿姨", "跳过，不传照片")))
    assert "油烟" in (await app.cases.find_case(number)).text


async def test_a_corrected_address_at_the_photo_step_moves_the_case(app):
    driver = driver_for(app)
    await driver.send("王阿姨", "楼下乱停车，梨园小区3栋")
    assert "地址已改为：梨园小区8栋" in texts_of(await driver.send("王阿姨", "地址说错了，是梨园小区8栋"))
    # (parking asks about the fire lane before the photo; the label typed skips both)
    number = case_number(texts_of(await driver.send("王阿姨", "跳过，不传照片")))
    case = await app.cases.find_case(number)
    assert case.address == "梨园小区8栋" and case.grid_id == "liyuan-02"


async def test_a_new_problem_at_the_photo_step_is_filed_on_its_own(app):
    driver = driver_for(app)
    await driver.send("王阿姨", "梨园小区3栋楼下烧烤油烟太大了")
    replies = texts_of(await driver.send("王阿姨", "还有梨园小区5栋的电梯坏了，困过人"))
    first = case_number(replies)
    assert (await app.cases.find_case(first)).intent == "fumes_odor"
    assert "照片" in replies  # the lift is now its own report
    second = case_number(texts_of(await driver.press("王阿姨", "跳过，不传照片")))
    assert second != first and (await app.cases.find_case(second)).intent == "elevator"


async def test_a_question_worded_like_a_report_is_answered_first(app):
    driver = driver_for(app)
    replies = texts_of(await driver.send("王阿姨", "电动车能在楼道充电吗"))
    assert "依据" in replies and "登记【消防隐患】" in replies  # the answer with its law, then the offer to file


async def test_the_same_resident_reporting_again_is_told_about_their_case(app):
    driver = driver_for(app)
    number = await file_report(driver)
    await driver.send("王阿姨", REPORT)
    again = texts_of(await driver.press("王阿姨", "跳过，不传照片"))
    assert "您已经反映过" in again and number in again
    other = case_number(texts_of(await driver.press("王阿姨", "另立新案")))
    assert other != number


async def test_report_command_takes_the_text_after_it_and_start_names_a_dropped_draft(app):
    driver = driver_for(app)
    assert "消防通道" in texts_of(await driver.send("王阿姨", "/report 梨园小区3栋楼下乱停车"))  # parking's question
    assert "已放下" in texts_of(await driver.send("王阿姨", "/start"))
