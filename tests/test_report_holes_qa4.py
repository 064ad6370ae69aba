"""What a fourth QA pass (residents and grid workers in the console chat) found, each end to end through the
dialog engine's driver: a place corrected right after filing read as a new report, and words typed at the photo
step filing the case at once whatever they said."""

from __future__ import annotations

import pytest
from dialog_helpers import ADMIN_ID, bound_worker, case_number, driver_for

from bot import wording as texts
from bot.dialog.testing import texts_of


async def _say_all(driver, who, *lines):
    replies = []
    for line in lines:
        replies = await driver.send(who, line)
    return texts_of(replies)


async def _filed(driver, who="王阿姨", *lines) -> str:
    said = await _say_all(driver, who, *(lines or ("楼下垃圾好几天没人清运了，臭得很", "梨园小区3栋", "跳过")))
    return case_number(said)


# -- 1. a place corrected right after filing belongs to the case just filed ---------------------------------


async def test_a_place_corrected_right_after_filing_is_added_to_that_case(app):
    """ "地址说错了 是梨园小区5栋" got the category picker: it is a 补充 of the case just filed, its holder is told,
    and the resident is told so — no second case."""
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张三")
    number = await _filed(driver)
    await driver.deliver_pushes()
    said = texts_of(await driver.send("王阿姨", "地址说错了 是梨园小区5栋"))
    assert texts.PLACE_CORRECTED_AFTER_FILING.format(number=number, address="梨园小区5栋") in said, said
    assert texts.REPORT_NEEDS_DETAIL not in said, said
    case = await app.cases.find_case(number)
    assert "梨园小区5栋" in case.text, case.text
    assert [e.action for e in await app.cases.events(case.id)][-1] == "supplement"
    assert len(await app.cases.cases_of_resident(driver.persona("王阿姨").user_id)) == 1
    pushes = [p for p in await driver.deliver_pushes() if p.chat_id == worker.chat_id]
    assert any(number in p.text and "梨园小区5栋" in p.text for p in pushes), [p.text for p in pushes]


async def test_a_traditional_place_correction_is_understood_too(app):
    driver = driver_for(app)
    number = await _filed(driver)
    said = texts_of(await driver.send("王阿姨", "不對，地址寫錯了，應該是梨園小區5棟"))
    assert texts.PLACE_CORRECTED_AFTER_FILING.format(number=number, address="梨园小区5栋") in said, said
    assert len(await app.cases.cases_of_resident(driver.persona("王阿姨").user_id)) == 1


async def test_a_new_problem_after_filing_is_still_a_new_report(app):
    """Only a correction is taken for the case just filed: a new problem with a place starts a new report."""
    driver = driver_for(app)
    number = await _filed(driver)
    said = texts_of(await driver.send("王阿姨", "梨园小区5栋楼下有人乱停车"))
    assert number not in said, said
    case = await app.cases.find_case(number)
    assert "乱停车" not in case.text, case.text


# -- 2. words at the photo step are read, not filed at once ------------------------------------------------


async def _at_photo(driver, who="李叔"):
    said = await _say_all(driver, who, "小区路灯坏了好几个，晚上黑漆漆的", "梨园小区2栋")
    assert texts.ASK_PHOTO in said, said


async def _filed_count(app, driver, who="李叔") -> int:
    return len(await app.cases.cases_of_resident(driver.persona(who).user_id))


async def test_more_detail_at_the_photo_step_is_kept_and_the_photo_still_asked(app):
    driver = driver_for(app)
    await _at_photo(driver)
    said = texts_of(await driver.send("李叔", "已经坏了一个多星期了"))
    assert texts.PHOTO_STEP_DETAIL_NOTED in said and texts.ASK_PHOTO in said, said
    assert await _filed_count(app, driver) == 0
    number = case_number(texts_of(await driver.press("李叔", texts.BTN_SKIP_PHOTO)))
    assert "一个多星期" in (await app.cases.find_case(number)).text


@pytest.mark.parametrize("typed", ["好的", "1", "哈哈"])
async def test_an_acknowledgement_at_the_photo_step_is_not_the_description(app, typed):
    driver = driver_for(app)
    await _at_photo(driver)
    said = texts_of(await driver.send("李叔", typed))
    assert texts.PHOTO_OR_SKIP in said and await _filed_count(app, driver) == 0, said
    number = case_number(texts_of(await driver.press("李叔", texts.BTN_SKIP_PHOTO)))
    assert typed not in (await app.cases.find_case(number)).text


@pytest.mark.parametrize("typed", ["没有照片", "没拍照片", "手机拍不了", "直接提交吧", "沒有照片"])
async def test_no_photo_in_a_sentence_files_without_the_words_in_the_description(app, typed):
    driver = driver_for(app)
    await _at_photo(driver)
    number = case_number(texts_of(await driver.send("李叔", typed)))
    case = await app.cases.find_case(number)
    assert typed not in case.text and "照片" not in case.text, case.text


async def test_how_long_at_the_photo_step_gets_the_time_limit_not_a_knowledge_base_guess(app):
    """ "这个多久能处理？" got an answer about 业委会 terms: it asks about this report, whose category has a time limit."""
    driver = driver_for(app)
    await _at_photo(driver)
    said = texts_of(await driver.send("李叔", "这个多久能处理？"))
    assert texts.ASK_PHOTO in said and await _filed_count(app, driver) == 0, said
    receipt = texts_of(await driver.press("李叔", texts.BTN_SKIP_PHOTO))
    deadline = receipt.split("办结时限：", 1)[1].split("。", 1)[0]  # the time limit the receipt states
    assert texts.HOW_LONG_ANSWER.format(category="市政设施", deadline=deadline) in said, (said, receipt)


async def test_how_to_send_a_photo_is_answered_at_the_photo_step(app):
    driver = driver_for(app)
    await _at_photo(driver)
    said = texts_of(await driver.send("李叔", "照片怎么发？"))
    assert texts.PHOTO_HOW in said and texts.ASK_PHOTO in said and await _filed_count(app, driver) == 0, said


async def test_a_wrong_place_without_the_right_one_asks_for_it_again(app):
    """ "地址错了" with no place in it: the address is asked again (it was added to the description and filed)."""
    driver = driver_for(app)
    await _at_photo(driver)
    said = texts_of(await driver.send("李叔", "地址错了"))
    assert texts.ADDRESS_TO_CORRECT in said and await _filed_count(app, driver) == 0, said
    said = texts_of(await driver.send("李叔", "梨园小区5栋"))
    assert texts.ASK_PHOTO in said, said
    number = case_number(texts_of(await driver.press("李叔", texts.BTN_SKIP_PHOTO)))
    case = await app.cases.find_case(number)
    assert case.address == "梨园小区5栋" and "地址错了" not in case.text, case


async def test_a_corrected_place_at_the_photo_step_replaces_the_address(app):
    driver = driver_for(app)
    await _at_photo(driver)
    said = texts_of(await driver.send("李叔", "地址说错了，是梨园小区6栋"))
    assert texts.ADDRESS_CORRECTED.format(address="梨园小区6栋") in said and await _filed_count(app, driver) == 0, said


async def test_a_new_problem_at_the_photo_step_files_this_one_and_takes_up_the_new_one(app):
    driver = driver_for(app)
    await _at_photo(driver)
    said = texts_of(await driver.send("李叔", "还有楼下有人乱停车"))
    number = case_number(said)
    assert "乱停车" not in (await app.cases.find_case(number)).text
    state = await app.engine.states.load(driver.persona("李叔").chat_id)
    assert state.draft is not None and state.draft.intent == "parking" and "乱停车" in state.draft.text, state


# -- 3. the QA pass ----------------------------------------------------------------------------------------


async def test_the_queue_push_after_a_return_gives_the_reason_once(app):
    """A grid worker's 退单 with a reason: the dispatcher's push read "原因：退单原因：…" (the reason labelled twice)."""
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张三")
    number = await _filed(driver)
    await driver.deliver_pushes()
    await driver.press(worker, texts.BTN_RETURN)
    said = texts_of(await driver.send(worker, "这个是物业的事情，不归网格管"))
    assert number in said, said
    queue = [p.text for p in await driver.deliver_pushes() if p.chat_id == ADMIN_ID and number in p.text]
    assert queue, "the admin covering the queue got no push"
    reason = texts.NOTE_RETURN_REASON.format(reason="这个是物业的事情，不归网格管")
    assert any(texts.QUEUE_WHY.format(why=reason) in t for t in queue), queue
    assert not any("原因：退单原因" in t for t in queue), queue


async def _worker_holding_a_case(app, driver):
    worker = await bound_worker(app, driver, "张三")
    number = await _filed(driver)
    await driver.deliver_pushes()
    return worker, number


@pytest.mark.parametrize("typed", ["跳过", "好的"])
async def test_a_return_reason_cannot_be_skipped(app, typed):
    """ "跳过" typed at the 退单 reason was the reason ("已退单…原因：跳过"): the dispatcher could not tell why."""
    driver = driver_for(app)
    worker, number = await _worker_holding_a_case(app, driver)
    await driver.press(worker, texts.BTN_RETURN)
    said = texts_of(await driver.send(worker, typed))
    assert texts.RETURN_REASON_NEEDED in said, said
    assert (await app.cases.find_case(number)).state == "assigned"
    said = texts_of(await driver.send(worker, "不是我们网格的"))
    assert texts.RETURNED_TO_STAFF.format(number=number, reason="不是我们网格的", told=texts.TOLD_ADMIN) in said, said


async def test_a_resolve_note_cannot_be_skipped_and_its_prompt_names_the_case_number(app):
    """ "跳过" at the 办结 note is asked again; a photo there got a prompt naming the database id, not the number."""
    driver = driver_for(app)
    worker, number = await _worker_holding_a_case(app, driver)
    await driver.press(worker, texts.BTN_RESOLVE)
    said = texts_of(await driver.send(worker, "跳过"))
    assert texts.RESOLVE_NOTE_NEEDED in said and (await app.cases.find_case(number)).state == "assigned", said
    said = texts_of(await driver.photo(worker))  # QA6: the photo is kept for the 办结, the note still asked for
    assert texts.RESOLVE_PHOTO_KEPT.format(number=number) in said, said
    said = texts_of(await driver.send(worker, "换了新灯泡"))
    assert number in said and (await app.cases.find_case(number)).resolution_note == "换了新灯泡", said


async def test_withdraw_and_its_reason_in_one_message_asks_to_confirm_that_reason(app):
    """ "撤销，已经有人清理了" got the category picker: it is 撤销 with its reason, confirmed before it is done."""
    driver = driver_for(app)
    number = await _filed(driver)
    said = texts_of(await driver.send("王阿姨", "撤销，已经有人清理了"))
    assert texts.WITHDRAW_CONFIRM.format(reason="已经有人清理了") in said, said
    assert (await app.cases.find_case(number)).state != "cancelled"
    said = texts_of(await driver.press("王阿姨", texts.BTN_CONFIRM_WITHDRAW))
    assert texts.WITHDRAWN.format(number=number, reason="已经有人清理了") in said, said
    assert (await app.cases.find_case(number)).state == "cancelled"


async def test_a_withdraw_word_inside_a_report_is_still_a_report(app):
    driver = driver_for(app)
    await _filed(driver)
    said = texts_of(await driver.send("王阿姨", "梨园小区5栋楼下有人乱停车，撤销了好几次罚单还停"))
    assert texts.WITHDRAW_CONFIRM.split("{")[0] not in said, said


async def test_not_withdrawing_says_the_case_goes_on(app):
    """不撤销了 answered "已取消，刚才的内容不会提交" — as if the case had been withdrawn."""
    driver = driver_for(app)
    number = await _filed(driver)
    await driver.send("王阿姨", "撤销")
    said = texts_of(await driver.press("王阿姨", texts.BTN_NOT_WITHDRAW))
    assert texts.WITHDRAW_KEPT in said and texts.CANCELLED not in said, said
    assert (await app.cases.find_case(number)).state not in ("cancelled",)


async def test_cancel_while_adding_to_a_case_says_the_case_goes_on(app):
    driver = driver_for(app)
    await _filed(driver)
    await driver.send("王阿姨", "补充")
    said = texts_of(await driver.send("王阿姨", "取消"))
    assert texts.SUPPLEMENT_LEFT in said and texts.CANCELLED not in said, said


async def test_cancel_while_drafting_still_says_nothing_is_filed(app):
    driver = driver_for(app)
    await driver.send("王阿姨", "楼下垃圾好几天没人清运了，臭得很")
    assert texts.CANCELLED in texts_of(await driver.send("王阿姨", "取消"))


async def _resolved(app, driver):
    worker = await bound_worker(app, driver, "张三")
    number = await _filed(driver)
    case = await app.cases.find_case(number)
    await app.cases.resolve(case.id, worker.user_id, "已清运")
    await driver.deliver_pushes()
    return number


@pytest.mark.parametrize(("typed", "state"), [("还行吧", "rated"), ("满意啊", "rated"), ("不太满意呢", "assigned")])
async def test_a_rating_with_a_particle_after_it_is_still_a_rating(app, typed, state):
    """ "还行吧" while the case waited for its rating got the greeting."""
    driver = driver_for(app)
    number = await _resolved(app, driver)
    said = texts_of(await driver.send("王阿姨", typed))
    assert texts.CHAT_REPLY not in said, said
    assert (await app.cases.find_case(number)).state == state, said


def test_a_particle_alone_is_no_rating():
    from bot.dialog.resident.intake import rating_in_words

    assert rating_in_words("吧") is None and rating_in_words("好吧") is None


async def _offered_a_similar_case(driver) -> str:
    first = await _filed(driver, "王阿姨", "梨园小区2栋门口垃圾堆了好久没人清", "跳过")
    said = await _say_all(driver, "李叔", "梨园小区2栋门口垃圾堆了好久", "跳过")
    assert texts.BTN_FILE_NEW in said or first in said, said
    return first


async def test_a_short_word_while_a_similar_case_is_offered_keeps_the_draft(app):
    """ "补充" at the 附议 offer set the draft aside and got the greeting: the choice is explained, the offer stays."""
    driver = driver_for(app)
    await _offered_a_similar_case(driver)
    said = texts_of(await driver.send("李叔", "补充"))
    assert texts.DUPLICATE_CHOOSE in said and texts.CHAT_REPLY not in said, said
    assert texts.DRAFT_SET_ASIDE.split("“")[0] not in said, said
    said = texts_of(await driver.press("李叔", texts.BTN_FILE_NEW))
    case = await app.cases.find_case(case_number(said))
    assert case.address == "梨园小区2栋" and case.resident_external_id == driver.persona("李叔").user_id, case


async def test_more_of_the_same_problem_while_a_similar_case_is_offered_joins_the_draft(app):
    driver = driver_for(app)
    await _offered_a_similar_case(driver)
    said = texts_of(await driver.send("李叔", "垃圾堆旁边还有老鼠"))
    assert texts.DETAIL_NOTED in said and texts.BTN_FILE_NEW in [b for b, _ in driver.persona("李叔").buttons], said
    case = await app.cases.find_case(case_number(texts_of(await driver.press("李叔", texts.BTN_FILE_NEW))))
    assert "老鼠" in case.text and case.address == "梨园小区2栋", case


async def test_another_problem_while_a_similar_case_is_offered_still_starts_afresh(app):
    driver = driver_for(app)
    await _offered_a_similar_case(driver)
    said = texts_of(await driver.send("李叔", "还有楼上天天半夜装修，吵得睡不着"))
    assert texts.DETAIL_NOTED not in said and texts.DUPLICATE_CHOOSE not in said, said


@pytest.mark.parametrize("typed", ["我上次那个怎么样了", "之前那件事现在怎么样了？"])
async def test_the_one_from_last_time_is_a_status_question(app, typed):
    """ "我上次那个怎么样了" (no word for a case) got the category picker, mid-report and fresh alike."""
    driver = driver_for(app)
    number = await _filed(driver)
    said = texts_of(await driver.send("王阿姨", typed))
    assert number in said and texts.REPORT_NEEDS_DETAIL not in said, said
    await driver.send("王阿姨", "楼道灯坏了好几天")
    said = texts_of(await driver.send("王阿姨", typed))
    assert number in said and texts.CATEGORY_TEXT_HINT not in said, said


async def test_a_wrong_place_said_right_after_filing_without_the_right_one_asks_for_it(app):
    """ "地址说错了" alone right after filing got the greeting, and so did the place sent next."""
    driver = driver_for(app)
    number = await _filed(driver)
    said = texts_of(await driver.send("王阿姨", "地址说错了"))
    assert texts.ASK_PLACE_AFTER_FILING.format(number=number) in said, said
    said = texts_of(await driver.send("王阿姨", "是梨园小区5栋"))
    assert texts.SUPPLEMENTED_DONE.format(number=number) in said or number in said, said
    assert "梨园小区5栋" in (await app.cases.find_case(number)).text
    assert len(await app.cases.cases_of_resident(driver.persona("王阿姨").user_id)) == 1


async def test_a_bare_no_right_after_filing_is_not_taken_for_a_place_correction(app):
    driver = driver_for(app)
    number = await _filed(driver)
    said = texts_of(await driver.send("王阿姨", "不对"))
    assert texts.ASK_PLACE_AFTER_FILING.format(number=number) not in said, said
