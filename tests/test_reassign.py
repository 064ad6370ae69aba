"""改派 in chat: a dispatcher (or an admin) moves a case a grid worker holds — accepted or not — to another
worker from /tasks or /case, with each worker's open load on the buttons; the previous worker and the resident
are told, the old push stops working, and an urgent case's acknowledge clock starts again for the new worker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dialog_helpers import ADMIN_ID, bound_worker, case_number, driver_for

from bot.cases import callbacks
from bot.dialog.testing import texts_of

REPORT = "梨园小区3栋楼下烧烤油烟太大了，熏得没法开窗"


async def desk(app, driver):
    """张三 and 李四 in two grids of 梨园社区, 赵主任 its dispatcher, and a case 张三 has accepted."""
    zhang = await bound_worker(app, driver, "张三")
    li = await bound_worker(app, driver, "李四", grid_id="liyuan-02")
    invite = await app.cases.create_invite("赵主任", community_id="liyuan")
    zhao = driver.persona("赵主任", "worker")
    await driver.send(zhao, f"/bind {invite.code}")
    await driver.send("王阿姨", REPORT)
    number = case_number(texts_of(await driver.press("王阿姨", "跳过，不传照片")))
    await driver.deliver_pushes()
    assert "已接单" in texts_of(await driver.press(zhang, "接单"))
    await driver.deliver_pushes()
    return zhang, li, zhao, number


async def test_a_dispatcher_reassigns_an_accepted_case_and_everyone_concerned_is_told(app) -> None:
    driver = driver_for(app)
    zhang, li, zhao, number = await desk(app, driver)
    tasks = await driver.send(zhao, "/tasks")
    assert number in texts_of(tasks) and "处理人：张三" in texts_of(tasks)
    labels = [label for label, _ in zhao.buttons]
    assert "改派 李四（0）" in labels and not any("张三" in label for label in labels)  # not back to the holder
    done = await driver.press(zhao, "改派 李四（0）")
    assert "已改派" in texts_of(done) and "李四" in texts_of(done)
    case = await app.cases.find_case(number)
    assert case.state == "assigned" and case.assignee_name == "李四"
    await driver.deliver_pushes()
    assert any(number in r.text and "改派给 李四" in r.text for r in zhang.inbox)
    assert any(number in r.text and "【改派】" in r.text for r in li.inbox)
    assert any(number in r.text and "改由另一位网格员" in r.text for r in driver.persona("王阿姨").inbox)
    assert [e.action for e in await app.cases.events(case.id)][-1] == "reassign"
    # 张三's old buttons no longer act on the case; 李四's do.
    refused = await driver.press_data(zhang, callbacks.make(callbacks.RESOLVE, case.id))
    assert "不在您的待办里" in texts_of(refused)
    assert "已接单" in texts_of(await driver.press(li, "接单"))


async def test_who_may_reassign_and_what_is_refused(app) -> None:
    driver = driver_for(app)
    zhang, li, zhao, number = await desk(app, driver)
    case = await app.cases.find_case(number)
    li_id = (await app.cases.workers_of(li.user_id))[0].id
    zhang_id = (await app.cases.workers_of(zhang.user_id))[0].id
    # A grid worker holds cases; he does not place them.
    refused = await driver.press_data(zhang, callbacks.make(callbacks.ASSIGN, case.id, li_id))
    assert "只有社区或街道的派单员可以派单" in texts_of(refused)
    # Not to the worker who already has it.
    same = await driver.press_data(zhao, callbacks.make(callbacks.ASSIGN, case.id, zhang_id))
    assert "无需改派" in texts_of(same)
    # Another community's dispatcher cannot take it.
    other = await app.cases.create_invite("钱主任", community_id="wangjiang")
    qian = driver.persona("钱主任", "worker")
    await driver.send(qian, f"/bind {other.code}")
    away = await driver.press_data(qian, callbacks.make(callbacks.ASSIGN, case.id, li_id))
    assert "只有社区或街道的派单员可以派单" in texts_of(away)
    assert (await app.cases.find_case(number)).assignee_name == "张三"
    # /case without a number, or with one they do not cover, answers how to use it.
    assert "用法：/case" in texts_of(await driver.send(zhao, "/case"))
    assert "没有找到案件" in texts_of(await driver.send(qian, f"/case {number}"))
    assert "只对已绑定的网格员开放" in texts_of(await driver.send("王阿姨", f"/case {number}"))


async def test_an_admin_reassigns_from_case_and_a_resolved_case_cannot_move(app) -> None:
    driver = driver_for(app)
    zhang, li, _, number = await desk(app, driver)
    admin = driver.persona("admin", "admin", user_id=ADMIN_ID)
    shown = await driver.send(admin, f"/case {number}")
    assert number in texts_of(shown) and "改派 李四（0）" in [label for label, _ in admin.buttons]
    assert "已改派" in texts_of(await driver.press(admin, "改派 李四（0）"))
    await driver.deliver_pushes()
    assert "已接单" in texts_of(await driver.press(li, "接单"))
    await driver.press(li, "办结")
    await driver.send(li, "已联系商户整改")
    await driver.press(li, "跳过，直接办结")
    await driver.send(admin, f"/case {number}")
    zhang_id = (await app.cases.workers_of(zhang.user_id))[0].id
    late = await driver.press_data(admin, callbacks.make(callbacks.ASSIGN, (await app.cases.find_case(number)).id, zhang_id))
    assert "不能改派" in texts_of(late)


async def test_an_urgent_case_reassigned_starts_the_acknowledge_clock_for_the_new_worker(app) -> None:
    driver = driver_for(app)
    zhang = await bound_worker(app, driver, "张三")
    li = await bound_worker(app, driver, "李四", grid_id="liyuan-02")
    invite = await app.cases.create_invite("赵主任", community_id="liyuan")
    zhao = driver.persona("赵主任", "worker")
    await driver.send(zhao, f"/bind {invite.code}")
    filed = await driver.send("陈先生", "梨园小区3栋楼道里有很浓的煤气味")
    number = case_number(texts_of(filed))
    case = await app.cases.find_case(number)
    assert case.urgent and case.assignee_name == "张三"
    await driver.send(zhao, f"/case {number}")
    await driver.press(zhao, "改派 李四（0）")
    await driver.deliver_pushes()
    moved = datetime.now(UTC)
    ack = app.settings.urgent_ack_minutes
    assert await app.cases.run_deadlines(moved + timedelta(minutes=ack - 1)) == (0, 0)
    reminded, _ = await app.cases.run_deadlines(moved + timedelta(minutes=ack + 1))
    assert reminded == 1
    chased = await driver.deliver_pushes()
    assert any(r.chat_id == li.chat_id and "请立即接单" in r.text for r in chased)
    assert not any(r.chat_id == zhang.chat_id and "请立即接单" in r.text for r in chased)
