"""What a third QA pass (residents and grid workers in the console chat) found, each end to end through the
dialog engine's driver: a status card promising someone was arranging a case nobody could be told of, a case
filed without a place that stayed unrouted after the resident added the address through 补充, and /reload
leaving what it dropped frozen for ever."""

from __future__ import annotations

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


async def _app(tmp_path, admin_ids: str):
    return await build_app(load_settings(database_url=f"sqlite:///{tmp_path / 'qa3.db'}", admin_ids=admin_ids),
                           understanding=shared_understanding())


# -- 1. the status card says who was told, as the receipt did -------------------------------------------------


async def test_a_case_nobody_can_be_told_of_is_not_said_to_be_arranged_on_the_status_card(tmp_path):
    """No worker, no dispatcher, no admin, no on-call: the receipt says the case waits in the queue, and so does
    the status card (it said "社区正在安排处理人员")."""
    app = await _app(tmp_path, admin_ids="")
    try:
        driver = driver_for(app)
        receipt = await _say_all(driver, "王阿姨", "楼下垃圾好几天没人清运了，臭得很", "梨园小区3栋", "跳过")
        case_number(receipt)
        assert texts.FILED_QUEUED in receipt, receipt
        card = texts_of(await driver.send("王阿姨", "我那个投诉怎么样了"))
        assert "正在安排" not in card and texts.STATUS_WHO_WAITING in card, card
    finally:
        await app.close()


async def test_the_status_card_names_who_the_desk_told_as_the_receipt_did(tmp_path):
    """No worker bound, an admin covers the queue: the receipt and the status card both name the admins."""
    app = await _app(tmp_path, admin_ids="4242")
    try:
        driver = driver_for(app)
        receipt = await _say_all(driver, "王阿姨", "楼下垃圾好几天没人清运了，臭得很", "梨园小区3栋", "跳过")
        assert texts.FILED_TOLD.format(told=texts.TOLD_ADMIN) in receipt, receipt
        card = texts_of(await driver.send("王阿姨", "我那个投诉怎么样了"))
        assert texts.STATUS_WHO_QUEUE.format(told=texts.TOLD_ADMIN) in card, card
    finally:
        await app.close()


async def test_the_status_card_of_a_case_a_grid_worker_holds_names_him(app):
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    await _say_all(driver, "王阿姨", "楼下垃圾好几天没人清运了，臭得很", "梨园小区3栋", "跳过")
    card = texts_of(await driver.send("王阿姨", "我那个投诉怎么样了"))
    assert "网格员 张三" in card and "正在安排" not in card, card


# -- 2. a case filed without a place is routed when 补充 gives one -------------------------------------------


async def _filed_without_place(driver) -> str:
    await driver.send("王阿姨", "楼下垃圾好几天没人清运了，臭得很")
    for junk in ("随便", "不知道", "123"):
        await driver.send("王阿姨", junk)
    await driver.press("王阿姨", texts.BTN_FILE_WITHOUT_PLACE)
    said = texts_of(await driver.send("王阿姨", "跳过"))
    assert texts.FILED_NO_PLACE in said, said
    return case_number(said)


async def _supplement(driver, words: str) -> str:
    await driver.send("王阿姨", "/my")
    await driver.press("王阿姨", texts.BTN_SUPPLEMENT)
    return texts_of(await driver.send("王阿姨", words))


async def test_a_case_filed_without_a_place_is_routed_when_the_supplement_gives_one(app):
    """Filed with 地点待核实; the resident adds "梨园小区3栋" through 补充: the case gets the grid and its worker (his
    push with the words), the move is on the case's events, and the resident is told who has it now."""
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张三")
    number = await _filed_without_place(driver)
    await driver.deliver_pushes()
    said = await _supplement(driver, "在梨园小区3栋楼下")
    assert texts.SUPPLEMENTED_ROUTED.format(number=number, told=texts.ROUTED_WORKER.format(name="张三")) in said, said
    case = await app.cases.find_case(number)
    assert case.grid_id == "liyuan-01" and case.assignee_name == "张三" and case.state == "assigned", case
    assert case.address and "梨园小区" in case.address, case.address
    actions = [e.action for e in await app.cases.events(case.id)]
    assert actions[-3:] == ["supplement", "locate", "assign"], actions
    pushes = [p for p in await driver.deliver_pushes() if p.chat_id == worker.chat_id]
    assert any(number in p.text and "梨园小区3栋" in p.text for p in pushes), [p.text for p in pushes]
    card = texts_of(await driver.send("王阿姨", "我那个投诉怎么样了"))
    assert "网格员 张三" in card, card


async def test_a_supplement_that_names_no_place_leaves_the_case_in_the_queue(app):
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    number = await _filed_without_place(driver)
    said = await _supplement(driver, "垃圾越堆越多了，味道很大")
    assert texts.SUPPLEMENTED_DONE.format(number=number) in said, said
    case = await app.cases.find_case(number)
    assert case.grid_id is None and case.assignee_name is None and case.state == "filed", case
    assert "locate" not in [e.action for e in await app.cases.events(case.id)]
    card = texts_of(await driver.send("王阿姨", "我那个投诉怎么样了"))
    assert texts.STATUS_WHO_NO_PLACE in card, card


async def test_a_supplement_nobody_can_be_told_of_does_not_say_it_was_passed_on(tmp_path):
    """No place, no admin, no dispatcher: the 补充 is kept, and the resident is not told staff were told."""
    app = await _app(tmp_path, admin_ids="")
    try:
        driver = driver_for(app)
        number = await _filed_without_place(driver)
        said = await _supplement(driver, "垃圾越堆越多了，味道很大")
        assert texts.SUPPLEMENTED_KEPT.format(number=number) in said and "已转告" not in said, said
    finally:
        await app.close()


# -- 3. /reload leaves no frozen garbage ----------------------------------------------------------------------


class _Node:
    """A cycle: only the collector frees it (reference counting never reaches zero)."""

    def __init__(self) -> None:
        self.me = self


async def test_reload_collects_what_the_frozen_generation_held_and_freezes_again(app):
    """The runner froze everything at start; /reload drops the old intents and index. A dropped cycle frozen with
    them stays for ever unless /reload unfreezes, collects and freezes again."""
    import gc
    import weakref

    from dialog_helpers import ADMIN_ID

    driver = driver_for(app)
    admin = driver.persona("admin", "admin", user_id=ADMIN_ID)
    old = _Node()
    probe = weakref.ref(old)
    gc.freeze()
    try:
        del old
        gc.collect()
        assert probe() is not None  # frozen: an ordinary collection does not see it (the leak)
        said = texts_of(await driver.send(admin, "/reload"))
        assert texts.RELOADED.split("{")[0] in said, said
        assert probe() is None, "the dropped cycle stayed frozen"
        assert gc.get_freeze_count() > 0  # the survivors are frozen again
    finally:
        gc.unfreeze()


def test_refreeze_does_nothing_in_a_process_that_never_froze():
    import gc

    from bot.runtime import frozen

    assert gc.get_freeze_count() == 0
    assert frozen.refreeze() == 0 and gc.get_freeze_count() == 0


# -- 4. QA: what residents typed ---------------------------------------------------------------------------------


async def test_a_pinyin_slip_for_the_building_still_routes(app):
    """"梨园小区3懂" (懂 for 栋, same sound): the resident was told the estate could not be found."""
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    await driver.send("李奶奶", "楼上天天半夜装修吵死了睡不着")
    said = texts_of(await driver.send("李奶奶", "梨园小区3懂"))
    assert "没能在本街道" not in said and texts.ASK_PHOTO in said, said
    receipt = texts_of(await driver.send("李奶奶", "跳过"))
    assert "网格员 张三" in receipt, receipt


def test_building_slips_are_mended_only_after_a_number():
    from bot.cases.routing import building_numbers, canonical

    assert building_numbers(canonical("梨园小区5动2单元")) == ["5"]
    assert canonical("2号搂302") == "2号楼302"
    assert canonical("3动车组") == "3动车组" and canonical("一动不动") == "一动不动"


async def _worker_with_one_case(app):
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张三")
    number = case_number(await _say_all(driver, "刘阿姨", "梨园小区5栋楼下烧烤油烟太大了", "跳过"))
    await driver.deliver_pushes()
    return driver, worker, number


async def test_a_worker_typing_jiedan_on_his_only_waiting_case_accepts_it(app):
    """QA: a worker typed 接单 (and then 进展 and his note) on the one case he held and was told to press buttons;
    his note then went into a resident's report flow."""
    driver, worker, number = await _worker_with_one_case(app)
    said = texts_of(await driver.send(worker, "接单"))
    assert texts.ACCEPTED.format(number=number) in said, said
    assert (await app.cases.find_case(number)).state == "accepted"
    said = texts_of(await driver.send(worker, "进展"))
    assert texts.ASK_PROGRESS.format(number=number) in said, said
    said = texts_of(await driver.send(worker, "已经联系店主，明天整改"))
    assert number in said and texts.REPORT_NEEDS_DETAIL not in said, said
    notices = [p.text for p in await driver.deliver_pushes() if p.chat_id == driver.persona("刘阿姨").chat_id]
    assert any("明天整改" in t for t in notices), notices


async def test_a_typed_button_word_with_several_cases_points_to_the_buttons(app):
    """Several cases it applies to: each is shown with that button (QA5: it said to press a push's buttons)."""
    driver, worker, first = await _worker_with_one_case(app)
    second = case_number(await _say_all(driver, "王阿姨", "梨园小区3栋楼下垃圾没人清运", "跳过"))
    said = texts_of(await driver.send(worker, "接单"))
    assert texts.WORKER_WHICH_CASE.format(count=2, action="接单") in said and second in said, said
    said = texts_of(await driver.press(worker, "接单"))  # one card's button: that case, and only it, is accepted
    states = sorted([(await app.cases.find_case(n)).state for n in (first, second)])
    assert states == ["accepted", "assigned"], (states, said)


async def test_an_estate_of_several_grids_without_a_building_is_asked_for_the_building(app):
    """"梨园小区" alone: the estate spans two grids, so the bot needs the building — it said the estate could not
    be found in the street ("没能在本街道的小区里找到“梨园小区”")."""
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    await driver.send("戊", "楼上漏水，天花板都湿了")
    said = texts_of(await driver.send("戊", "梨园小区"))
    assert texts.ADDRESS_NEEDS_BUILDING.format(estate="梨园小区") in said and "没能在本街道" not in said, said
    said = await _say_all(driver, "戊", "梨园小区3栋", "跳过")
    assert "网格员 张三" in said, said


async def test_the_building_alone_after_the_estate_is_that_estates_building(app):
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    await driver.send("戊", "楼上漏水，天花板都湿了")
    await driver.send("戊", "梨园小区")
    said = await _say_all(driver, "戊", "3栋", "跳过")
    number = case_number(said)
    assert "网格员 张三" in said, said
    case = await app.cases.find_case(number)
    assert case.address == "梨园小区3栋" and case.grid_id == "liyuan-01", case


def test_only_an_estate_of_several_grids_asks_for_the_building(case_service):
    router = case_service.router
    assert router.spanning_estate("梨园小区") == "梨园小区"
    assert router.spanning_estate("梨园小区3栋") is None  # found
    assert router.spanning_estate("火星小区") is None  # unknown: "not found" is the truth


async def _resolved(app):
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张三")
    number = case_number(await _say_all(driver, "王阿姨", "楼下垃圾好几天没人清运了，臭得很", "梨园小区3栋", "跳过"))
    case = await app.cases.find_case(number)
    await app.cases.resolve(case.id, worker.user_id, "已清运")
    await driver.deliver_pushes()
    return driver, number


@pytest.mark.parametrize(("typed", "state"), [("非常满意", "rated"), ("满意，谢谢", "rated"), ("好评！", "rated"),
                                              ("还行", "rated"), ("一般般", "rated"), ("不太满意", "assigned"),
                                              ("差评", "assigned")])
async def test_a_rating_in_other_words_rates_the_case_waiting_for_it(app, typed, state):
    """QA: "非常满意", "不太满意", "还行"… typed while the case waited for its rating got the greeting."""
    driver, number = await _resolved(app)
    said = texts_of(await driver.send("王阿姨", typed))
    assert texts.CHAT_REPLY not in said, said
    assert (await app.cases.find_case(number)).state == state, said


async def test_still_not_solved_typed_shows_how_to_send_it_back(app):
    driver, number = await _resolved(app)
    replies = await driver.send("王阿姨", "还是没解决")
    said = texts_of(replies)
    assert texts.RATE_STILL_THERE.format(number=number) in said, said
    assert any(b.text == texts.SCORE_NAMES["unsatisfied"] for r in replies for row in r.buttons for b in row)
    assert (await app.cases.find_case(number)).state == "resolved"  # not rated on a guess


async def test_rating_words_without_a_case_waiting_are_read_as_usual(app):
    said = texts_of(await driver_for(app).send("李大爷", "非常满意"))
    assert "感谢评价" not in said, said


async def test_a_workers_note_outside_a_step_is_not_taken_for_a_residents_report(app):
    """QA: a worker typed "已经清理完毕" without pressing 进展 and got the residents' category picker."""
    driver, worker, number = await _worker_with_one_case(app)
    replies = await driver.send(worker, "已经清理完毕")
    said = texts_of(replies)
    assert texts.WORKER_NOTE_ONE_CASE.format(number=number) in said and texts.REPORT_NEEDS_DETAIL not in said, said
    pressed = await driver.press(worker, texts.BTN_PROGRESS)
    assert texts.ASK_PROGRESS.format(number=number) in texts_of(pressed)


async def test_a_worker_with_no_case_who_reports_gets_the_residents_flow(app):
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张三")
    said = texts_of(await driver.send(worker, "已经清理完毕"))
    assert texts.WORKER_NOTE_ONE_CASE.split("{")[0] not in said, said


async def test_what_happens_if_is_a_question_the_knowledge_base_answers(app):
    """QA: "物业费不交会怎么样" was filed as a 物业服务 report (the address asked), though the answer is known."""
    driver = driver_for(app)
    said = texts_of(await driver.send("丁", "物业费不交会怎么样"))
    assert "物业费" in said and texts.ASK_ADDRESS.split("{")[0] not in said, said


async def test_a_push_about_an_accepted_case_offers_no_accept_button(app):
    """QA: the 居民补充 push on a case already accepted carried 接单, which only answered with a refusal."""
    driver, worker, number = await _worker_with_one_case(app)
    await driver.send(worker, "接单")
    await driver.deliver_pushes()
    await driver.send("刘阿姨", "/my")
    await driver.press("刘阿姨", texts.BTN_SUPPLEMENT)
    await driver.send("刘阿姨", "是东门那家烧烤店")
    pushes = [p for p in await driver.deliver_pushes() if p.chat_id == worker.chat_id and number in p.text]
    labels = {b.text for p in pushes for row in p.buttons for b in row}
    assert pushes and texts.BTN_RESOLVE in labels and texts.BTN_ACCEPT not in labels, labels


async def test_a_case_a_dispatcher_holds_is_named_as_his_on_the_receipt_and_the_status_card(app):
    """No grid worker, a community dispatcher bound: both say 社区派单员 赵主任 (the card said 网格员 赵主任)."""
    driver = driver_for(app)
    invite = await app.cases.create_invite("赵主任", community_id="liyuan")
    assert "绑定成功" in texts_of(await driver.send(driver.persona("赵主任", "worker"), f"/bind {invite.code}"))
    receipt = await _say_all(driver, "王阿姨", "楼下垃圾好几天没人清运了，臭得很", "梨园小区3栋", "跳过")
    who = texts.ROUTED_DISPATCHER.format(level=texts.LEVEL_NAMES["community"], name="赵主任")
    assert texts.FILED_TOLD.format(told=who) in receipt, receipt
    card = texts_of(await driver.send("王阿姨", "我那个投诉怎么样了"))
    assert who in card and "网格员 赵主任" not in card, card
