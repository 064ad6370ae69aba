"""Self-service on a filed case, through the real engine and case service: 进度, 补充, 催办, 撤销, why 不满意,
the one reminder to rate — written the way residents type on a phone."""

from __future__ import annotations

from datetime import timedelta

from dialog_helpers import ADMIN_ID, bound_worker, case_number, driver_for

from bot import wording as texts
from bot.dialog.testing import texts_of

REPORT = "梨园小区3栋楼上天天半夜剁东西 咚咚咚的 吵死了"


async def filed(driver, who="周阿姨", text=REPORT) -> str:
    replies = await driver.send(who, text)
    while "照片" not in texts_of(replies):  # a category question may come first: answer it like a resident
        replies = await driver.send(who, "每天晚上十一点多")
    return case_number(texts_of(await driver.press(who, "跳过，不传照片")))


def old_button(driver, who: str, label: str) -> str:
    """The data of the newest button with this label anywhere in the persona's history (an old message's)."""
    return next(b.data for r in reversed(driver.persona(who).inbox) for row in r.buttons for b in row if b.text == label)


async def test_progress_shows_the_dated_timeline(app):
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张网格")
    number = await filed(driver)
    await driver.deliver_pushes()
    await driver.press(worker, "接单")
    await driver.deliver_pushes()
    mine = await driver.send("周阿姨", "/my")
    assert number in texts_of(mine)
    shown = await driver.press("周阿姨", "进度")
    text = texts_of(shown)
    assert number in text and "受理" in text and "接单" in text and "处置中" in text
    assert "张网格" in text
    # under the 接单 notice there are the same handles
    notice = next(r for r in driver.persona("周阿姨").inbox if "已接单" in r.text)
    assert {b.text for row in notice.buttons for b in row} >= {"进度", "补充", "催办", "撤销"}


async def test_supplement_words_and_photo_reach_the_assignee(app):
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张网格")
    number = await filed(driver)
    await driver.deliver_pushes()
    await driver.send("周阿姨", "/my")
    asked = await driver.press("周阿姨", "补充")
    assert "补充" in texts_of(asked)
    assert "没看到" in texts_of(await driver.send("周阿姨", "😡😡😡"))  # emoji only: asked again, step kept
    done = await driver.send("周阿姨", "是1502那家 昨晚一直到两点")
    assert "已补充" in texts_of(done)
    await driver.press("周阿姨", "补充")
    await driver.photo("周阿姨", "photo-night")
    assert "照片已补充" in texts_of(await driver.photo("周阿姨", "photo-night-2"))  # an album: the step stays
    pushes = await driver.deliver_pushes()
    to_worker = [p for p in pushes if p.chat_id == worker.chat_id]
    assert any("1502那家" in p.text and number in p.text for p in to_worker)  # the assignee reads it unmasked
    assert any(p.photo_file_id == "photo-night" for p in to_worker)
    case = await app.cases.find_case(number)
    assert "1502那家" in case.text and {"photo-night", "photo-night-2"} <= set(case.photos)
    assert texts.SUPPLEMENT_LEFT in texts_of(await driver.send("周阿姨", "取消"))  # the album is done, the case goes on
    later = await driver.send("周阿姨", "小区门口的路灯坏了好几天")  # later words are a new matter, not 补充
    assert "路灯" not in (await app.cases.find_case(number)).text and "补充" not in texts_of(later)
    # a long supplement is kept in part, and the resident is told
    await driver.send("周阿姨", "/my")
    await driver.press("周阿姨", "补充")
    long = await driver.send("周阿姨", "吵" * 5000)
    assert "只保存了前" in texts_of(long)


async def test_urge_once_per_deadline_and_counted(app):
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张网格")
    number = await filed(driver)
    await driver.deliver_pushes()
    await driver.send("周阿姨", "/my")
    urged = await driver.press("周阿姨", "催办")
    assert "已催办" in texts_of(urged)
    pushes = await driver.deliver_pushes()
    assert any(p.chat_id == worker.chat_id and "催办" in p.text and number in p.text for p in pushes)
    again = await driver.press("周阿姨", "催办")
    assert "已经催办过了" in texts_of(again)
    stats = await app.cases.stats()
    assert stats.total.urged == 1
    # a new time limit (escalation) allows one more
    case = await app.cases.find_case(number)
    await app.cases.run_deadlines(now=case.deadline_at + timedelta(minutes=5))
    assert "已催办" in texts_of(await driver.press_data("周阿姨", old_button(driver, "周阿姨", "催办")))
    assert (await app.cases.stats()).total.urged == 2


async def test_withdraw_with_a_reason_tells_the_assignee(app):
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张网格")
    number = await filed(driver)
    await driver.deliver_pushes()
    await driver.send("周阿姨", "/my")
    ask = await driver.press("周阿姨", "撤销")
    assert "原因" in texts_of(ask)
    assert "没看到文字" in texts_of(await driver.send("周阿姨", "   "))
    confirm = await driver.send("周阿姨", "跟楼上说好了 他们以后注意")
    assert "确定撤销吗" in texts_of(confirm)
    assert (await app.cases.find_case(number)).state != "cancelled"  # words alone never withdraw
    done = await driver.press("周阿姨", "确认撤销")
    assert "已撤销" in texts_of(done)
    case = await app.cases.find_case(number)
    assert case.state == "cancelled"
    events = await app.cases.events(case.id)
    assert events[-1].action == "cancel" and "说好了" in (events[-1].note or "")
    pushes = await driver.deliver_pushes()
    assert any(p.chat_id == worker.chat_id and "撤销" in p.text for p in pushes)
    # the 撤销 button of the old /my card now answers in words
    old = await driver.press_data("周阿姨", old_button(driver, "周阿姨", "撤销"))
    assert "不能撤销" in texts_of(old)
    old = await driver.press_data("周阿姨", old_button(driver, "周阿姨", "催办"))
    assert "不需要催办" in texts_of(old)


async def test_withdraw_with_other_reason_typed(app):
    driver = driver_for(app)
    await bound_worker(app, driver, "张网格")
    number = await filed(driver)
    await driver.send("周阿姨", "/my")
    await driver.press("周阿姨", "撤销")
    assert "写一句" in texts_of(await driver.press("周阿姨", "其他原因"))
    assert "已撤销" in texts_of(await driver.send("周阿姨", "搬家了 不住这了"))
    assert (await app.cases.find_case(number)).state == "cancelled"


async def test_withdraw_by_a_reason_button(app):
    driver = driver_for(app)
    await bound_worker(app, driver, "张网格")
    number = await filed(driver)
    await driver.send("周阿姨", "/my")
    await driver.press("周阿姨", "撤销")
    done = await driver.press("周阿姨", "重复反映了")
    assert "已撤销" in texts_of(done) and "重复反映了" in texts_of(done)
    assert (await app.cases.find_case(number)).state == "cancelled"


async def resolved(app, driver, worker, number):
    await driver.deliver_pushes()
    await driver.press(worker, "办结")
    await driver.send(worker, "已上门劝导 对方答应晚上十点后不再剁")
    await driver.press(worker, "跳过，直接办结")
    await driver.deliver_pushes()


async def test_unsatisfied_reason_reaches_the_worker_and_the_figures(app):
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张网格")
    number = await filed(driver)
    await resolved(app, driver, worker, number)
    asked = await driver.press("周阿姨", "不满意")
    assert "哪里不满意" in texts_of(asked)
    noted = await driver.press("周阿姨", "问题没解决")
    assert "已转告" in texts_of(noted)
    await driver.send("周阿姨", "昨晚又剁到一点 根本没用")
    pushes = await driver.deliver_pushes()
    to_worker = texts_of([p for p in pushes if p.chat_id == worker.chat_id])
    assert "问题没解决" in to_worker and "根本没用" in to_worker
    stats = await app.cases.stats()
    assert stats.total.unsatisfied_reasons == {"unsolved": 1}
    shown = texts_of(await driver.send(driver.persona("admin", "admin", user_id=ADMIN_ID), "/stats"))
    assert "不满意原因：问题没解决 1" in shown
    # the reason button of that old message again: answered, not counted twice
    again = await driver.press_data("周阿姨", old_button(driver, "周阿姨", "问题没解决"))
    assert "已经收到" in texts_of(again)
    assert (await app.cases.stats()).total.unsatisfied_reasons == {"unsolved": 1}


async def test_unsatisfied_in_own_words(app):
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张网格")
    number = await filed(driver)
    await resolved(app, driver, worker, number)
    await driver.press("周阿姨", "不满意")
    assert "写几句" in texts_of(await driver.press("周阿姨", "其他原因"))
    assert "没看到文字" in texts_of(await driver.send("周阿姨", "👎👎👎"))  # emoji only: asked again
    assert "已把您的话转告" in texts_of(await driver.send("周阿姨", "网格员都没上门 电话里说两句就办结了" + "！" * 5000))
    assert (await app.cases.stats()).total.unsatisfied_reasons == {"other": 1}
    pushes = await driver.deliver_pushes()
    told = [p for p in pushes if p.chat_id == worker.chat_id and "不满意的原因" in p.text]
    assert len(told) == 1 and "电话里说两句" in told[0].text and len(told[0].text) < 600  # kept short


async def test_a_resident_who_does_not_rate_is_reminded_once(app):
    driver = driver_for(app)
    worker = await bound_worker(app, driver, "张网格")
    number = await filed(driver)
    await resolved(app, driver, worker, number)
    case = await app.cases.find_case(number)
    assert await app.cases.run_deadlines(now=case.resolved_at + timedelta(hours=1)) == (0, 0)  # too early
    reminded, _ = await app.cases.run_deadlines(now=case.resolved_at + timedelta(hours=25))
    assert reminded == 1
    pushes = await driver.deliver_pushes()
    reminder = [p for p in pushes if p.chat_id == driver.persona("周阿姨").chat_id and "还没有收到您的评价" in p.text]
    assert len(reminder) == 1 and {b.text for row in reminder[0].buttons for b in row} >= {"满意", "不满意"}
    assert await app.cases.run_deadlines(now=case.resolved_at + timedelta(hours=50)) == (0, 0)  # once
    assert "感谢评价" in texts_of(await driver.press("周阿姨", "满意"))


async def test_neighbours_cannot_act_on_a_case_and_forged_buttons_answer(app):
    driver = driver_for(app)
    await bound_worker(app, driver, "张网格")
    number = await filed(driver)
    case = await app.cases.find_case(number)
    stranger = driver.persona("路人")
    for data in (f"urg:{case.id}", f"add:{case.id}", f"wd:{case.id}", f"tl:{case.id}", f"wdr:{case.id}:s"):
        text = texts_of(await driver.press_data(stranger, data))
        assert "只有反映人" in text or "只能查看" in text, (data, text)
    assert "找不到" in texts_of(await driver.press_data(stranger, "tl:999999")) or \
        "没有找到" in texts_of(await driver.press_data(stranger, "tl:999999"))
    assert "过期" in texts_of(await driver.press_data(stranger, "why:1:zz"))  # malformed: a stale button
    assert (await app.cases.find_case(number)).state != "cancelled"
