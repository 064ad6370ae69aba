"""What a sixth QA pass (a case's whole life for the resident, the worker and the dispatcher, and bad input at
every step) found, each end to end through the dialog engine's driver: "我报的那个修好了吗" and "编号是多少来着" got the
category picker or the greeting; "五星" and "不满意 没人来" were no rating; "我不想报了" after filing and 撤销 on a
resolved case got the greeting; at the 撤销 prompt "是的" and "催办" became the reason; a photo at the 办结 note step
was dropped; emoji were a 退单 reason; "<script>…" was taken as an address; a question the knowledge base cannot
answer at the address step and "算了，还是说说…漏水吧" were added to the report's words; 补充 with its words and a
case number typed by a dispatcher got the picker or "no open case"."""

from __future__ import annotations

import pytest
from dialog_helpers import ADMIN_ID, bound_worker, case_number, driver_for
from sqlalchemy import select

from bot import wording as texts
from bot.dialog.state import Step
from bot.dialog.testing import texts_of
from storage.models import Case, CaseEvent, Rating

LAMP = "梨园小区3栋楼道灯坏了好几天了"


async def _say_all(driver, who, *lines):
    replies = []
    for line in lines:
        replies = await driver.send(who, line)
    return texts_of(replies)


async def _filed(driver, who="钱阿姨", text=LAMP):
    await driver.send(who, text)
    return case_number(texts_of(await driver.press(who, texts.BTN_SKIP_PHOTO)))


async def _resolved(app, driver, who="钱阿姨"):
    """A case filed by `who`, accepted and resolved by 张网格; the rating push delivered."""
    worker = await bound_worker(app, driver, "张网格")
    number = await _filed(driver, who)
    await driver.deliver_pushes()
    await driver.send(worker, texts.BTN_ACCEPT)
    await driver.send(worker, texts.BTN_RESOLVE)
    await driver.send(worker, "已更换灯泡")
    await driver.press(worker, texts.BTN_SKIP_RESOLVE_PHOTO)
    await driver.deliver_pushes()
    assert (await app.cases.find_case(number)).state == "resolved"
    return worker, number


async def _ratings(app, number):
    async with app.cases.db.session() as s:
        case = (await s.execute(select(Case).where(Case.number == number))).scalar_one()
        return list((await s.execute(select(Rating).where(Rating.case_id == case.id))).scalars())


# -- 1. the case asked about in the resident's words -------------------------------------------------------


@pytest.mark.parametrize("typed", ["我报的那个修好了吗", "编号是多少来着", "我的案件号"])
async def test_the_residents_case_asked_in_own_words_shows_its_number_and_state(app, typed):
    driver = driver_for(app)
    number = await _filed(driver)
    said = texts_of(await driver.send("钱阿姨", typed))
    assert number in said and "状态" in said, said
    assert texts.CHAT_REPLY not in said, said


async def test_mended_yet_asks_about_the_case_but_a_new_problem_asking_when_is_no_status_question(app):
    driver = driver_for(app)
    number = await _filed(driver)
    said = texts_of(await driver.send("钱阿姨", "我报的那个搞定了吗"))
    assert number in said and "状态" in said, said
    said = texts_of(await driver.send("钱阿姨", "楼道灯坏了 什么时候修好"))
    assert "状态：" not in said, said


# -- 2. ratings in other words -------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "score"), [("五星", "satisfied"), ("5星好评", "satisfied"), ("三星", "basic"),
                                              ("一星", "unsatisfied")])
async def test_stars_are_a_rating(app, typed, score):
    driver = driver_for(app)
    _, number = await _resolved(app, driver)
    await driver.send("钱阿姨", typed)
    assert [r.score for r in await _ratings(app, number)] == [score]


async def test_unsatisfied_with_why_reopens_and_passes_the_words_on_without_asking_again(app):
    driver = driver_for(app)
    worker, number = await _resolved(app, driver)
    said = texts_of(await driver.send("钱阿姨", "不满意 没人来"))
    assert texts.RATED_REOPENED.format(number=number) in said, said
    assert texts.ASK_UNSATISFIED_WHY not in said, said
    (rating,) = await _ratings(app, number)
    assert (rating.score, rating.reason, rating.comment) == ("unsatisfied", "unsolved", "没人来")
    pushed = [p.text for p in await driver.deliver_pushes() if p.chat_id == worker.chat_id]
    assert any("没人来" in t for t in pushed), pushed
    assert (await app.engine.states.load(driver.persona("钱阿姨").chat_id)).step is Step.IDLE


async def test_satisfied_with_words_keeps_them_on_the_rating(app):
    driver = driver_for(app)
    _, number = await _resolved(app, driver)
    said = texts_of(await driver.send("钱阿姨", "满意，师傅很快"))
    assert texts.RATED_WITH_WORDS.format(score="满意") in said, said
    (rating,) = await _ratings(app, number)
    assert (rating.score, rating.comment) == ("satisfied", "师傅很快")


@pytest.mark.parametrize("typed", ["根本没修", "没人来"])
async def test_not_mended_typed_shows_how_to_send_it_back(app, typed):
    driver = driver_for(app)
    _, number = await _resolved(app, driver)
    said = texts_of(await driver.send("钱阿姨", typed))
    assert texts.RATE_STILL_THERE.format(number=number) in said, said
    assert await _ratings(app, number) == []


async def test_a_rating_typed_mid_report_rates_the_case_and_the_report_goes_on(app):
    driver = driver_for(app)
    _, number = await _resolved(app, driver)
    await driver.send("钱阿姨", "楼下有人占道摆摊")  # a new report, waiting for its place
    said = texts_of(await driver.send("钱阿姨", "五星"))
    assert texts.RATED.format(score="满意") in said, said
    assert [r.score for r in await _ratings(app, number)] == ["satisfied"]
    state = await app.engine.states.load(driver.persona("钱阿姨").chat_id)
    assert state.step is Step.AWAIT_ADDRESS and "五星" not in state.draft.text
    # someone with no case waiting for a rating: the step reads the word as ever
    await driver.send("孙大爷", "楼下有人占道摆摊")
    said = texts_of(await driver.send("孙大爷", "满意"))
    assert texts.RATED.format(score="满意") not in said, said


# -- 3. 撤销 and 催办 at every state ----------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["我不想报了", "算了不报了", "取消刚才那个", "不用来了"])
async def test_giving_up_a_case_just_filed_asks_to_confirm_its_withdrawal(app, typed):
    driver = driver_for(app)
    number = await _filed(driver)
    said = texts_of(await driver.send("钱阿姨", typed))
    assert texts.ASK_WITHDRAW.format(number=number) in said, said
    assert (await app.cases.find_case(number)).state != "cancelled"


async def test_a_yes_at_the_withdraw_prompt_is_no_reason(app):
    driver = driver_for(app)
    number = await _filed(driver)
    await driver.send("钱阿姨", "撤销")
    said = texts_of(await driver.send("钱阿姨", "是的"))
    assert texts.WITHDRAW_WHICH_REASON in said and "撤销原因：是的" not in said, said
    said = texts_of(await driver.send("钱阿姨", "重复反映了"))
    assert (await app.cases.find_case(number)).state == "cancelled", said


async def test_a_yes_after_the_typed_reason_withdraws_with_that_reason(app):
    driver = driver_for(app)
    number = await _filed(driver)
    await _say_all(driver, "钱阿姨", "撤销", "邻居已经弄好了")
    said = texts_of(await driver.send("钱阿姨", "是的"))
    assert texts.WITHDRAWN.format(number=number, reason="邻居已经弄好了") in said, said


async def test_urging_at_the_withdraw_prompt_urges_instead(app):
    driver = driver_for(app)
    number = await _filed(driver)
    await driver.send("钱阿姨", "撤销")
    said = texts_of(await driver.send("钱阿姨", "催办"))
    assert texts.WITHDRAW_LEFT_FOR in said and number in said, said
    case = await app.cases.find_case(number)
    assert case.state != "cancelled"
    async with app.cases.db.session() as s:
        urged = (await s.execute(select(CaseEvent).where(CaseEvent.action == "urge"))).scalars().all()
    assert len(urged) == 1


@pytest.mark.parametrize("typed", ["撤销", "催办"])
async def test_withdraw_or_urge_on_a_resolved_case_offers_the_rating(app, typed):
    driver = driver_for(app)
    _, number = await _resolved(app, driver)
    replies = await driver.send("钱阿姨", typed)
    assert texts.RATE_STILL_THERE.format(number=number) in texts_of(replies), texts_of(replies)
    assert texts.SCORE_NAMES["unsatisfied"] in [b.text for r in replies for row in r.buttons for b in row]


async def test_urge_at_the_end_of_a_complaint_urges(app):
    driver = driver_for(app)
    number = await _filed(driver)
    said = texts_of(await driver.send("钱阿姨", "怎么还没人来 催办"))
    assert number in said and "已催办" in said, said


async def test_a_supplement_with_its_words_in_one_message_goes_onto_the_case(app):
    driver = driver_for(app)
    number = await _filed(driver)
    said = texts_of(await driver.send("钱阿姨", "补充一下 灯是3楼的"))
    assert texts.SUPPLEMENTED_DONE.format(number=number) in said or number in said, said
    async with app.cases.db.session() as s:
        notes = [e.note for e in (await s.execute(select(CaseEvent).where(CaseEvent.action == "supplement"))).scalars()]
    assert notes and "灯是3楼的" in notes[0], notes


# -- 4. the worker's side -------------------------------------------------------------------------------------


async def _worker_at_the_note(app, driver):
    worker = await bound_worker(app, driver, "张网格")
    number = await _filed(driver)
    await driver.deliver_pushes()
    await driver.send(worker, texts.BTN_RESOLVE)
    return worker, number


async def _resolution(app, number):
    async with app.cases.db.session() as s:
        case = (await s.execute(select(Case).where(Case.number == number))).scalar_one()
        return case.state, case.resolution_note, case.resolution_photo


async def test_a_photo_with_a_caption_at_the_note_step_resolves_with_both(app):
    driver = driver_for(app)
    worker, number = await _worker_at_the_note(app, driver)
    said = texts_of(await driver.photo(worker, "after-1", "灯泡已更换"))
    assert texts.RESOLVED.format(number=number) in said, said
    assert await _resolution(app, number) == ("resolved", "灯泡已更换", "after-1")


async def test_a_photo_without_a_caption_at_the_note_step_is_kept_for_the_resolution(app):
    driver = driver_for(app)
    worker, number = await _worker_at_the_note(app, driver)
    said = texts_of(await driver.photo(worker, "after-2"))
    assert texts.RESOLVE_PHOTO_KEPT.format(number=number) in said, said
    said = texts_of(await driver.send(worker, "灯泡已更换"))
    assert texts.RESOLVED.format(number=number) in said, said
    assert await _resolution(app, number) == ("resolved", "灯泡已更换", "after-2")


@pytest.mark.parametrize("typed", ["😡😡😡", "\x00\x01\x02"])
async def test_emoji_or_control_characters_are_no_note_nor_reason(app, typed):
    driver = driver_for(app)
    worker, number = await _worker_at_the_note(app, driver)
    said = texts_of(await driver.send(worker, typed))
    assert texts.NOTE_TOO_SHORT in said, said
    await driver.send(worker, "/cancel")
    await driver.send(worker, texts.BTN_RETURN)
    said = texts_of(await driver.send(worker, typed))
    assert texts.NOTE_TOO_SHORT in said, said
    assert (await app.cases.find_case(number)).state == "assigned"


async def test_an_over_long_note_is_said_to_be_cut(app):
    driver = driver_for(app)
    worker, _ = await _worker_at_the_note(app, driver)
    said = texts_of(await driver.send(worker, "已处理" * 500))
    assert texts.NOTE_CUT.format(limit=1000) in said, said


async def test_a_dispatcher_typing_a_case_number_gets_its_card(app):
    driver = driver_for(app)
    await bound_worker(app, driver, "张网格")
    number = await _filed(driver)
    admin = driver.persona("管理员", "admin", user_id=ADMIN_ID)
    said = texts_of(await driver.send(admin, f"督办 {number}"))
    assert number in said and texts.STATUS_NONE not in said and "居民原话" in said, said


async def test_case_with_trailing_words_finds_the_case(app):
    driver = driver_for(app)
    await bound_worker(app, driver, "张网格")
    number = await _filed(driver)
    admin = driver.persona("管理员", "admin", user_id=ADMIN_ID)
    said = texts_of(await driver.send(admin, f"/case {number} 改派 李网格"))  # nobody of that name is bound
    assert texts.NO_SUCH_CASE.format(number=number) not in said and "居民原话" in said, said
    assert texts.NO_WORKER_NAMED.format(name="李网格") in said, said


async def test_a_resident_typing_someone_elses_case_number_is_not_shown_it(app):
    driver = driver_for(app)
    number = await _filed(driver)
    said = texts_of(await driver.send("路人", number))
    assert texts.NO_SUCH_CASE.format(number=number) in said and "状态" not in said, said


# -- 5. the address step ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["<script>alert(1)</script>", "'; DROP TABLE cases; --"])
async def test_words_with_no_chinese_are_never_taken_as_the_address(app, typed):
    driver = driver_for(app)
    await driver.send("钱阿姨", "楼下垃圾好几天没人清了")
    for _ in range(2):  # not taken "as written" the second time either
        said = texts_of(await driver.send("钱阿姨", typed))
        assert texts.ASK_PHOTO not in said, said
    state = await app.engine.states.load(driver.persona("钱阿姨").chat_id)
    assert state.step is Step.AWAIT_ADDRESS and not state.draft.address


async def test_a_question_the_desk_cannot_answer_at_the_address_step_is_not_detail(app):
    driver = driver_for(app)
    await driver.send("钱阿姨", "楼下有人占道摆摊")
    said = texts_of(await driver.send("钱阿姨", "摆摊归谁管啊"))
    assert texts.ADDRESS_NOTED_DETAIL not in said, said
    state = await app.engine.states.load(driver.persona("钱阿姨").chat_id)
    assert state.step is Step.AWAIT_ADDRESS and "归谁管" not in state.draft.text


async def test_another_problem_instead_at_the_address_step_replaces_the_category(app):
    driver = driver_for(app)
    await driver.send("钱阿姨", "楼下垃圾好几天没人清了")
    said = texts_of(await driver.send("钱阿姨", "算了 还是说说我家楼上漏水吧"))
    assert "漏水渗水" in said, said
    state = await app.engine.states.load(driver.persona("钱阿姨").chat_id)
    assert state.draft.intent == "water_leak"


# -- 6. two open cases: the words say which one -------------------------------------------------------------------


async def _two_open(driver):
    lamp = await _filed(driver)
    await driver.send("钱阿姨", "翠竹苑2栋楼上天天半夜装修")
    noise = case_number(texts_of(await driver.press("钱阿姨", texts.BTN_SKIP_PHOTO)))
    return lamp, noise


async def test_with_two_open_cases_the_kind_named_picks_the_one_urged_or_added_to(app):
    driver = driver_for(app)
    lamp, noise = await _two_open(driver)
    said = texts_of(await driver.send("钱阿姨", "装修那个催一下"))
    assert noise in said and "已催办" in said and lamp not in said, said
    said = texts_of(await driver.send("钱阿姨", "补充一下 是周末也装修"))
    assert texts.SUPPLEMENTED_DONE.format(number=noise) in said or f"已补充到案件 {noise}" in said, said
    said = texts_of(await driver.send("钱阿姨", "催办路灯的"))
    assert lamp in said and "已催办" in said, said


async def test_with_two_open_cases_words_naming_neither_still_show_both(app):
    driver = driver_for(app)
    lamp, noise = await _two_open(driver)
    said = texts_of(await driver.send("钱阿姨", "帮我催一下"))
    assert lamp in said and noise in said and "已催办" not in said, said


async def test_the_kind_and_that_one_asks_how_it_stands(app):
    driver = driver_for(app)
    lamp, _ = await _two_open(driver)
    said = texts_of(await driver.send("钱阿姨", "路灯那个怎么样了"))
    assert lamp in said and "状态" in said, said
    assert (await app.engine.states.load(driver.persona("钱阿姨").chat_id)).step is Step.IDLE


# -- 7. voice, files and stickers where a step about a case wants words ----------------------------------------------


@pytest.mark.parametrize("kind", ["voice", "file", "sticker"])
async def test_media_at_the_note_step_is_told_the_step_wants_words_and_the_step_stays(app, kind):
    driver = driver_for(app)
    worker, _ = await _worker_at_the_note(app, driver)
    said = texts_of(await driver.content(worker, kind, file_id=f"{kind}-1" if kind != "sticker" else None))
    assert texts.CASE_MEDIA_NOT_HERE in said, said
    assert (await app.engine.states.load(worker.chat_id)).step is Step.WORKER_RESOLVE_NOTE
    said = texts_of(await driver.send(worker, "灯泡已更换"))
    assert texts.ASK_RESOLVE_PHOTO in said, said


async def test_media_at_the_resolve_photo_step_keeps_the_skip_button(app):
    driver = driver_for(app)
    worker, number = await _worker_at_the_note(app, driver)
    await driver.send(worker, "灯泡已更换")
    replies = await driver.content(worker, "voice", file_id="voice-1")
    assert texts.RESOLVE_PHOTO_MEDIA in texts_of(replies), texts_of(replies)
    said = texts_of(await driver.press(worker, texts.BTN_SKIP_RESOLVE_PHOTO))
    assert texts.RESOLVED.format(number=number) in said, said


async def test_a_case_number_with_an_action_word_acts_on_that_case(app):
    driver = driver_for(app)
    lamp, noise = await _two_open(driver)
    said = texts_of(await driver.send("钱阿姨", f"{lamp} 催办"))
    assert lamp in said and "已催办" in said and noise not in said, said
    said = texts_of(await driver.send("钱阿姨", noise))
    assert noise in said and "状态" in said, said


# -- 8. a dispatcher's words after the case number: 督办, 改类, 派给 ------------------------------------------------


async def _admin_over_a_case(app, driver):
    await bound_worker(app, driver, "张网格")
    await bound_worker(app, driver, "李网格")
    number = await _filed(driver)
    await driver.deliver_pushes()
    return driver.persona("管理员", "admin", user_id=ADMIN_ID), number


async def test_supervise_typed_with_the_number_presses_the_assignee(app):
    driver = driver_for(app)
    admin, number = await _admin_over_a_case(app, driver)
    said = texts_of(await driver.send(admin, f"督办 {number}"))
    assert texts.SUPERVISED_DONE.format(number=number) in said, said
    pushed = [p.text for p in await driver.deliver_pushes() if p.chat_id == driver.persona("张网格").chat_id]
    assert any("督办" in t and number in t for t in pushed), pushed


async def test_recategorise_after_the_number_changes_the_category_and_the_card_shows_it(app):
    driver = driver_for(app)
    admin, number = await _admin_over_a_case(app, driver)
    said = texts_of(await driver.send(admin, f"/case {number} 改类 物业服务"))
    assert texts.RECATEGORIZED_DONE.format(number=number, old="市政设施", new="物业服务") in said, said
    assert "【物业服务】" in said.split(texts.RECATEGORIZED_DONE.split("：")[0])[-1], said
    assert (await app.cases.find_case(number)).intent == "property_service"
    said = texts_of(await driver.send(admin, f"/case {number} 改类 火星"))
    assert texts.NO_CATEGORY_NAMED.split("“")[0] in said and "火星" in said, said


async def test_assign_by_name_after_the_number_places_the_case(app):
    driver = driver_for(app)
    admin, number = await _admin_over_a_case(app, driver)
    said = texts_of(await driver.send(admin, f"/case {number} 改派 李网格"))
    assert (await app.cases.find_case(number)).assignee_name == "李网格", said
    said = texts_of(await driver.send(admin, f"/case {number} 派给 赵六"))
    assert texts.NO_WORKER_NAMED.format(name="赵六") in said, said
    assert (await app.cases.find_case(number)).assignee_name == "李网格"


async def test_a_grid_worker_cannot_supervise_or_recategorise_in_chat(app):
    driver = driver_for(app)
    _, number = await _admin_over_a_case(app, driver)
    worker = driver.persona("张网格")
    said = texts_of(await driver.send(worker, f"/case {number} 改类 物业服务"))
    assert texts.RECATEGORIZED_DONE.split("：")[0] not in said and "居民原话" in said, said  # his card, unchanged
    assert (await app.cases.find_case(number)).intent == "public_facilities"


async def test_i_reported_it_wrong_then_the_building_corrects_the_case_just_filed(app):
    driver = driver_for(app)
    number = await _filed(driver)
    said = texts_of(await driver.send("钱阿姨", "我刚才报错了 不是3栋是5栋"))
    assert texts.PLACE_CORRECTED_AFTER_FILING.format(number=number, address="梨园小区5栋") in said, said
    assert (await app.cases.find_case(number)).address == "梨园小区5栋"


async def test_a_rating_typed_with_two_cases_waiting_asks_which(app):
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张网格")
    lamp = await _filed(driver)
    rubbish = await _filed(driver, text="梨园小区5栋楼下垃圾好几天没人清运了")
    await driver.deliver_pushes()
    for number in (lamp, rubbish):
        case = await app.cases.find_case(number)
        await app.cases.resolve(case.id, worker.user_id, "处理好了")
    said = texts_of(await driver.send("钱阿姨", "满意"))
    assert texts.RATE_WHICH.format(count=2) in said and lamp in said and rubbish in said, said
    assert await _ratings(app, lamp) == [] and await _ratings(app, rubbish) == []


# -- 9. danger typed where a step about a case waits for words ---------------------------------------------------


@pytest.mark.parametrize(("press", "typed", "number_called"), [("撤销", "楼道着火了 好大的烟", "119"),
                                                               ("补充", "有人晕倒了 快来人", "120")])
async def test_danger_at_a_case_step_gets_the_emergency_numbers_not_the_step(app, press, typed, number_called):
    driver = driver_for(app)
    number = await _filed(driver)
    await driver.send("钱阿姨", press)
    said = texts_of(await driver.send("钱阿姨", typed))
    assert number_called in said and "撤销原因" not in said and "已补充" not in said, said
    assert (await app.cases.find_case(number)).state != "cancelled"
