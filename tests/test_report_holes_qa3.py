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


@pytest.fixture
def no_place_lines():
    return ("楼下垃圾好几天没人清运了，臭得很", "随便", "不知道", "123")
