"""Dispatchers dispatch from their list: /tasks carries 派给 <worker>（open load） on every queued case, also
for a case that escalated to them; admins dispatch what no dispatcher covers; a grid worker gets no 派给."""

from __future__ import annotations

from dialog_helpers import ADMIN_ID, bound_worker, case_number, driver_for

from bot.dialog.testing import texts_of


async def file_report(driver, who: str, text: str) -> str:
    await driver.send(who, text)
    return case_number(texts_of(await driver.press(who, "跳过，不传照片")))


def labels(persona) -> list[str]:
    return [label for label, _ in persona.buttons]


async def test_a_dispatcher_dispatches_from_tasks_with_each_workers_load(app) -> None:
    driver = driver_for(app)
    invite = await app.cases.create_invite("赵主任", community_id="liyuan")
    zhao = driver.persona("赵主任", "worker")
    await driver.send(zhao, f"/bind {invite.code}")
    number = await file_report(driver, "王阿姨", "梨园小区3栋楼下烧烤油烟太大了，熏得没法开窗")  # no grid worker yet
    zhang = await bound_worker(app, driver, "张三")
    await file_report(driver, "李大爷", "梨园小区3栋楼道里有人给电动车充电，还拉了飞线")  # 张三 now has one open case
    tasks = await driver.send(zhao, "/tasks")
    assert number in texts_of(tasks)
    assert "派给 张三（1）" in labels(zhao)
    assigned = await driver.press(zhao, "派给 张三（1）")
    assert number in texts_of(assigned) and "张三" in texts_of(assigned)
    assert (await app.cases.find_case(number)).assignee_name == "张三"
    await driver.deliver_pushes()
    assert any(number in r.text for r in zhang.inbox)  # the worker got the push
    await driver.send(zhang, "/tasks")
    assert not any(label.startswith("派给") for label in labels(zhang))  # a grid worker does not dispatch


async def test_an_admin_dispatches_what_no_dispatcher_covers(app) -> None:
    driver = driver_for(app)
    number = await file_report(driver, "王阿姨", "梨园小区3栋楼下烧烤油烟太大了，熏得没法开窗")
    admin = driver.persona("admin", "admin", user_id=ADMIN_ID)
    empty = await driver.send(admin, "/tasks")
    assert number in texts_of(empty) and "暂无可派的网格员" in texts_of(empty)
    await bound_worker(app, driver, "张三")
    await driver.send(admin, "/tasks")
    assigned = await driver.press(admin, "派给 张三（0）")
    assert "已派单" in texts_of(assigned)
    assert (await app.cases.find_case(number)).state == "assigned"
    assert "只对已绑定的网格员开放" in texts_of(await driver.send("路人", "/tasks"))
