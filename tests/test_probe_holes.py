"""The holes the issue owner's probes found, each closed and pinned through the real engine and case service.

1. a worker whose chat refuses the bot swallows his grid's cases;  2. a forged 附议 button joins any case;
3. a dispatcher 派给 to another community's worker;  4. a resident who once blocked the bot never hears again;
5. the case-number receipt is lost when the process dies before the reply leaves;  6. smaller traps.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from dialog_helpers import bound_worker, case_number, driver_for

from bot.cases import callbacks
from bot.dialog.testing import texts_of
from bot.messages import OUTBOX_ID, Incoming, Sender
from bot.runtime.loops import OutboxLoop
from bot.telegram.sender import SEND_TIMEOUT, TelegramSender

REPORT = "梨园小区3栋楼下烧烤油烟太大了，熏得没法开窗"


async def file_report(driver, who: str, text: str = REPORT) -> str:
    first = await driver.send(who, text)
    assert "照片" in texts_of(first), texts_of(first)
    return case_number(texts_of(await driver.press(who, "跳过，不传照片")))


async def dispatcher(app, driver, name: str = "赵主任", community: str = "liyuan"):
    invite = await app.cases.create_invite(name, community_id=community)
    persona = driver.persona(name, "worker")
    assert "绑定成功" in texts_of(await driver.send(persona, f"/bind {invite.code}"))
    return persona


def later(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


# -- 1. a worker whose chat refuses the bot -------------------------------------------------------------


async def test_a_worker_who_blocked_the_bot_gets_no_work_and_his_cases_go_back_to_the_dispatcher(app) -> None:
    driver = driver_for(app)
    zhang = await bound_worker(app, driver, "张三")
    zhao = await dispatcher(app, driver)
    first = await file_report(driver, "王阿姨")
    assert (await app.cases.find_case(first)).assignee_name == "张三"

    handed = await app.cases.chat_refused(zhang.chat_id)  # what the sender calls on Telegram's 403
    assert handed == [first]
    case = await app.cases.find_case(first)
    assert (case.state, case.level, case.assignee_id) == ("returned", "community", None)
    pushes = await driver.deliver_pushes()
    to_zhao = [p for p in pushes if p.chat_id == zhao.chat_id and first in p.text]
    assert to_zhao and "张三 无法接收消息" in to_zhao[-1].text  # the dispatcher hears why
    assert "派给 张三" not in [b.text for row in to_zhao[-1].buttons for b in row]  # he is not offered
    assert not any(p.chat_id == zhang.chat_id for p in pushes)  # nothing is thrown at a closed door
    assert any(p.chat_id == driver.persona("王阿姨").chat_id and "重新派单" in p.text for p in pushes)

    second = await file_report(driver, "李大爷", "梨园小区3栋门口的路灯坏了好几天，晚上黑漆漆的")
    assert (await app.cases.find_case(second)).assignee_name != "张三"  # no new work for him
    forged = await driver.press_data(zhao, callbacks.make(callbacks.ASSIGN, case.id, (await zhang_id(app, zhang))))
    assert "无法接收消息" in texts_of(forged)

    await driver.send(zhang, "/tasks")  # he writes again: reachable at once
    await driver.deliver_pushes()
    assert not any(first in r.text and "新派单" in r.text for r in zhang.inbox)  # the stale push was dropped
    third = await file_report(driver, "陈阿姨", "梨园小区3栋有人在楼道里给电动车充电，拉了飞线")
    assert (await app.cases.find_case(third)).assignee_name == "张三"


async def zhang_id(app, persona) -> int:
    workers = await app.cases.workers_of(persona.user_id)
    return workers[0].id


# -- 2. a forged 附议 ----------------------------------------------------------------------------------


async def test_a_forged_support_button_cannot_join_a_strangers_case(app) -> None:
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    number = await file_report(driver, "王阿姨", "梨园小区3栋楼下烧烤油烟太大了，我住3单元502，电话13812345678")
    case = await app.cases.find_case(number)

    stranger = driver.persona("陌生人")
    refused = await driver.press_data(stranger, callbacks.make(callbacks.SUPPORT, case.id))
    assert "只能附议系统向您推荐的相似案件" in texts_of(refused)
    assert "502" not in texts_of(refused) and number not in texts_of(refused)
    assert "3单元502" not in texts_of(await driver.send(stranger, "/my"))
    assert (await app.cases.get_case(case.id)).supporter_count == 0

    neighbour = driver.persona("邻居")  # a resident who really was offered it can join
    offered = await driver.send(neighbour, "梨园小区3栋楼下的烧烤油烟太大了，熏得不敢开窗")
    if "照片" in texts_of(offered):
        offered = await driver.press(neighbour, "跳过，不传照片")
    assert number in texts_of(offered)
    assert "13812345678" not in texts_of(offered) and "3单元502" not in texts_of(offered)  # not the neighbour's words
    assert "梨园社区第一网格" in texts_of(offered)  # category, place and time instead
    assert "已加入案件" in texts_of(await driver.press(neighbour, "附议（加入这件）"))
    assert (await app.cases.get_case(case.id)).supporter_count == 1


# -- 3. cross-community 派给 ---------------------------------------------------------------------------


async def test_a_dispatcher_cannot_assign_to_another_communitys_worker(app) -> None:
    driver = driver_for(app)
    zhang = await bound_worker(app, driver, "张三")
    outsider = await bound_worker(app, driver, "钱望江", grid_id="wangjiang-01")
    zhao = await dispatcher(app, driver)
    number = await file_report(driver, "王阿姨")
    case = await app.cases.find_case(number)
    await driver.deliver_pushes()
    await driver.press(zhang, "退单")
    await driver.send(zhang, "不归我们网格管")
    outsider_id = (await app.cases.workers_of(outsider.user_id))[0].id

    refused = await driver.press_data(zhao, callbacks.make(callbacks.ASSIGN, case.id, outsider_id))
    assert "只能派给本社区的网格员" in texts_of(refused)
    after = await app.cases.get_case(case.id)
    assert (after.community_id, after.state, after.assignee_id) == ("liyuan", "returned", None)
    with pytest.raises(Exception, match="只能派给已绑定的在岗网格员"):  # nor to a dispatcher or an unknown id
        await app.cases.assign(case.id, (await app.cases.workers_of(zhao.user_id))[0].id, by_external_id=zhao.user_id)
    assigned = await driver.press_data(zhao, callbacks.make(callbacks.ASSIGN, case.id, await zhang_id(app, zhang)))
    assert "张三" in texts_of(assigned)
    assert (await app.cases.get_case(case.id)).state == "assigned"


# -- 4. a resident who blocked the bot and came back ------------------------------------------------------


async def test_a_resident_who_blocked_the_bot_hears_everything_once_they_write_again(app) -> None:
    driver = driver_for(app)
    zhang = await bound_worker(app, driver, "张三")
    resident = driver.persona("王阿姨")
    number = await file_report(driver, "王阿姨")
    await driver.deliver_pushes()
    await app.cases.chat_refused(resident.chat_id)
    await driver.press(zhang, "接单")
    assert not [p for p in await driver.deliver_pushes() if p.chat_id == resident.chat_id]  # held, not sent

    await driver.send(resident, "你好")  # they unblocked and wrote: what they missed goes out
    missed = [p for p in await driver.deliver_pushes() if p.chat_id == resident.chat_id]
    assert any(number in p.text and "已接单" in p.text for p in missed)
    await driver.press(zhang, "办结")
    await driver.send(zhang, "已联系店主整改")
    await driver.press(zhang, "跳过，直接办结")
    resolved = [p for p in await driver.deliver_pushes() if p.chat_id == resident.chat_id]
    assert any(number in p.text and any(b.text == "满意" for row in p.buttons for b in row) for p in resolved)


# -- 5. the receipt survives a crash ----------------------------------------------------------------------


async def test_the_case_number_reaches_the_resident_even_if_the_reply_never_left(app) -> None:
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    resident = driver.persona("王阿姨")
    await driver.send(resident, REPORT)
    skip = next(d for label, d in resident.buttons if label == "跳过，不传照片")
    # The engine commits the case and returns the reply — and the process dies before it is sent.
    replies = await app.engine.handle(Incoming(resident.chat_id, Sender(resident.user_id, "王阿姨"), "button",
                                               payload=skip, callback_id="cb-lost"))
    number = case_number(texts_of(replies))
    assert any(OUTBOX_ID in r.extra for r in replies)
    due = await app.cases.outbox.claim_due(now=later(app.settings.receipt_grace_seconds + 1), limit=100)
    receipts = [i.reply for i in due if i.chat_id == resident.chat_id and number in i.reply.text]
    assert len(receipts) == 1 and "案件编号" in receipts[0].text

    # The normal path: the reply went out, so the outbox copy is settled and never sent a second time.
    other = driver.persona("李大爷")
    sent = await file_report(driver, "李大爷", "梨园小区2栋门口的垃圾桶满了好几天没人清运，臭得不行")
    due = await app.cases.outbox.claim_due(now=later(app.settings.receipt_grace_seconds + 1), limit=100)
    assert not [i for i in due if i.chat_id == other.chat_id and sent in i.reply.text and "案件编号" in i.reply.text]


async def test_a_report_sent_again_with_an_unroutable_address_is_not_filed_twice(app) -> None:
    driver = driver_for(app)
    text = "我家楼下的烧烤摊油烟太大了，熏得没法开窗"
    for attempt in range(2):
        asked = await driver.send("王阿姨", text)
        if attempt == 1 and "已反映" in texts_of(asked):
            break
        assert "地址" in texts_of(asked) or "哪里" in texts_of(asked), texts_of(asked)
        answered = await driver.send("王阿姨", "火星路88号")
        if "没能" in texts_of(answered):
            answered = await driver.send("王阿姨", "火星路88号")
        if "照片" in texts_of(answered):
            answered = await driver.press("王阿姨", "跳过，不传照片")
        if attempt == 0:
            first = case_number(texts_of(answered))
    assert first in texts_of(answered) and "另立新案" in " ".join(lbl for lbl, _ in driver.persona("王阿姨").buttons)
    assert len(await app.cases.cases_of_resident(driver.persona("王阿姨").user_id)) == 1


# -- 6. smaller traps --------------------------------------------------------------------------------------


@pytest.mark.parametrize("phone", ["123", "²³⁴", "+", "abc"])
async def test_a_contact_with_an_unusable_phone_gets_a_clear_answer(app, phone: str) -> None:
    driver = driver_for(app)
    replies = await driver.contact("王阿姨", phone)
    assert "电话号码格式不对" in texts_of(replies)
    assert "系统刚才出了点问题" not in texts_of(replies)
    assert "已收到您的联系电话" in texts_of(await driver.contact("王阿姨", "１３８１２３４５６７８"))  # full-width digits count


def test_the_outbox_lease_outlasts_a_chats_sends_in_flight() -> None:
    loop = OutboxLoop(outbox=None, sender=TelegramSender(calls=None), send_timeout=SEND_TIMEOUT)  # type: ignore[arg-type]
    assert loop.lease_seconds > loop.per_chat * SEND_TIMEOUT


async def test_an_update_seen_again_is_not_handled_twice(app) -> None:
    """A replay (the poller re-fetching after a crash, a webhook retry) is recognised by its update id."""
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    resident = driver.persona("王阿姨")
    sender = Sender(resident.user_id, "王阿姨")
    await app.engine.handle(Incoming(resident.chat_id, sender, "text", text=REPORT, update_id=500))
    skip = Incoming(resident.chat_id, sender, "button", payload="d:skip", callback_id="cb1", update_id=501)
    first = await app.engine.handle(skip)
    number = case_number(texts_of(first))
    assert await app.engine.handle(skip) == []  # the same update again: nothing happens
    assert await app.engine.handle(Incoming(resident.chat_id, sender, "text", text=REPORT, update_id=499)) == []
    assert len(await app.cases.cases_of_resident(resident.user_id)) == 1
    fresh = await app.engine.handle(Incoming(resident.chat_id, sender, "command", command="my", text="", update_id=502))
    assert number in texts_of(fresh)
