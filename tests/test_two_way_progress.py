"""Two-way progress through the real engine: a worker's 进展 (words or a photo) reaches the filer and every
supporter; 需要补充 asks the filer, whose next message — whatever step their chat is in — is attached to the
case and sent on to the assignee; an emergency typed instead is not swallowed as an answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dialog_helpers import bound_worker, case_number, driver_for

from bot.cases import callbacks
from bot.dialog.testing import texts_of

REPORT = "梨园小区3栋楼下烧烤油烟太大了，熏得没法开窗"


async def filed(app, driver):
    worker = await bound_worker(app, driver, "张三")
    await driver.send("王阿姨", REPORT)
    number = case_number(texts_of(await driver.press("王阿姨", "跳过，不传照片")))
    await driver.deliver_pushes()
    return worker, number


async def test_progress_in_words_and_a_photo_reaches_the_filer_and_supporters(app) -> None:
    driver = driver_for(app)
    worker, number = await filed(app, driver)
    case = await app.cases.find_case(number)
    await app.cases.find_duplicates(case.intent, "三栋楼下烧烤油烟很大", case.grid_id, offer_to=driver.persona("李大爷").user_id)
    await app.cases.support(case.id, driver.persona("李大爷").user_id)
    await driver.deliver_pushes()
    asked = await driver.press(worker, "进展")  # on the push
    assert "进展" in texts_of(asked)
    assert "太短" in texts_of(await driver.send(worker, "好"))
    sent = await driver.send(worker, "已联系烧烤店老板，今晚起加装油烟净化器")
    assert "共 2 人" in texts_of(sent)
    await driver.deliver_pushes()
    for who in ("王阿姨", "李大爷"):
        assert any(number in r.text and "加装油烟净化器" in r.text for r in driver.persona(who).inbox), who
    await driver.send(worker, "/tasks")
    await driver.press(worker, "进展")  # on the /tasks card
    await driver.photo(worker, "after-photo", caption="净化器已装好")
    notices = await driver.deliver_pushes()
    photos = [r for r in notices if r.photo_file_id == "after-photo"]
    assert {r.chat_id for r in photos} == {driver.persona("王阿姨").chat_id, driver.persona("李大爷").chat_id}
    assert [e.action for e in await app.cases.events(case.id)].count("progress") == 2
    assert (await app.cases.find_case(number)).state == "assigned"  # progress keeps the state


async def test_a_question_is_answered_by_the_filers_next_message_in_any_step(app) -> None:
    driver = driver_for(app)
    worker, number = await filed(app, driver)
    case = await app.cases.find_case(number)
    await driver.press(worker, "需要补充")
    assert "已把问题发给" in texts_of(await driver.send(worker, "烧烤摊具体在几单元门口？"))
    await driver.deliver_pushes()
    resident = driver.persona("王阿姨")
    assert any("几单元门口" in r.text and "下一条消息" in r.text for r in resident.inbox)
    # The resident had started another report meanwhile: the answer is taken, the draft stays.
    await driver.send(resident, "/report")
    answered = await driver.send(resident, "在二单元门口，晚上八点以后")
    assert "已把您的补充转给" in texts_of(answered) and number in texts_of(answered)
    assert (await app.cases.events(case.id))[-1].action == "answer"
    pushed = await driver.deliver_pushes()
    assert any(r.chat_id == worker.chat_id and "【居民补充】" in r.text and "二单元门口" in r.text for r in pushed)
    # Answered once: the next message is the resident's own again (it continues the /report draft).
    after = await driver.send(resident, "小区门口的路灯坏了好几天了")
    assert "已把您的补充转给" not in texts_of(after)
    # A photo answers too, and is kept with the case.
    await driver.press_data(worker, callbacks.make(callbacks.ASK, case.id))
    await driver.send(worker, "能拍一张现场照片吗？")
    await driver.deliver_pushes()
    await driver.send(resident, "/cancel")
    await driver.photo(resident, "scene-2")
    assert "scene-2" in (await app.cases.find_case(number)).photos
    assert any(r.photo_file_id == "scene-2" and r.chat_id == worker.chat_id for r in await driver.deliver_pushes())


async def test_a_photo_where_the_question_was_expected_asks_again_naming_the_case(app) -> None:
    driver = driver_for(app)
    worker, number = await filed(app, driver)
    await driver.press(worker, "需要补充")
    again = texts_of(await driver.photo(worker, "photo-9"))
    assert "要问反映人的问题" in again and number in again  # the case number people see, not its database id
    assert "已把问题发给" in texts_of(await driver.send(worker, "烧烤摊具体在几单元门口？"))


async def test_an_emergency_is_not_taken_as_an_answer_and_a_closed_case_asks_nothing(app) -> None:
    driver = driver_for(app)
    worker, number = await filed(app, driver)
    await driver.press(worker, "需要补充")
    await driver.send(worker, "烧烤摊具体在几单元门口？")
    await driver.deliver_pushes()
    danger = await driver.send("王阿姨", "梨园小区3栋二楼着火了，有浓烟")
    assert "119" in texts_of(danger) and "已把您的补充" not in texts_of(danger)
    case = await app.cases.find_case(number)
    assert (await app.cases.events(case.id))[-1].action != "answer"
    # The case is resolved before the filer answers: the next message is theirs again.
    await app.cases.resolve(case.id, worker.user_id, "已处理")
    assert await app.cases.open_question(driver.persona("王阿姨").user_id) is None
    # A worker's 进展 on a case that is not his is refused; one on a closed case too.
    other = await bound_worker(app, driver, "李四", grid_id="liyuan-02")
    refused = await driver.press_data(other, callbacks.make(callbacks.PROGRESS, case.id))
    assert "不在您的待办里" in texts_of(refused)
    await driver.press_data(worker, callbacks.make(callbacks.PROGRESS, case.id))
    late = await driver.send(worker, "又去看了一次")
    assert "不能再发进展" in texts_of(late)


async def test_the_answer_after_a_return_goes_to_the_queue(app) -> None:
    """Asked, then handed back before the filer answered: the answer reaches the community queue, not nobody."""
    driver = driver_for(app)
    worker, number = await filed(app, driver)
    invite = await app.cases.create_invite("赵主任", community_id="liyuan")
    zhao = driver.persona("赵主任", "worker")
    await driver.send(zhao, f"/bind {invite.code}")
    case = await app.cases.find_case(number)
    t0 = datetime.now(UTC)
    await app.cases.ask_filer(case.id, worker.user_id, "几单元？", now=t0)
    await app.cases.return_case(case.id, worker.user_id, "不属于本网格", now=t0 + timedelta(minutes=5))
    await driver.deliver_pushes()
    await driver.send("王阿姨", "二单元")
    pushed = await driver.deliver_pushes()
    assert any(r.chat_id == zhao.chat_id and "居民补充：二单元" in r.text for r in pushed)
