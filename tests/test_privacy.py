"""Privacy: phone numbers, ID numbers, plates and other flats' numbers in free text are masked for everyone
but the assignee (one function, `bot.cases.privacy.mask`, tried on many shapes); the resident's phone goes to
the assignee only with consent; `/privacy` shows what is stored and withdraws the phone."""

from __future__ import annotations

import pytest
from dialog_helpers import ADMIN_ID, bound_worker, case_number, driver_for

from bot.cases.privacy import mask
from bot.dialog.testing import texts_of

SECRET_REPORT = "梨园小区3栋楼下烧烤油烟太大了，我住3单元502，电话13812345678，老板的车浙A12345停在门口"


@pytest.mark.parametrize(("text", "masked"), [
    ("电话13812345678", "电话138****5678"),
    ("打我手机 138 1234 5678 谢谢", "打我手机 138****5678 谢谢"),
    ("+86 139-8765-4321", "+86 139****4321"),
    ("8613812345678", "86138****5678"),
    ("１３８１２３４５６７８", "１３８****５６７８"),
    ("座机0571-88886666", "座机0571-****6666"),
    ("物业电话 021 6666 8888", "物业电话 021-****8888"),
    ("联系电话：88886666", "联系电话：******66"),
    ("身份证330102199001011234", "身份证330102********1234"),
    ("身份证号33010219900101123X", "身份证号330102********123X"),
    ("老证330102900101123", "老证330102*********"),
    ("浙A12345乱停", "浙A*****乱停"),
    ("车牌粤B·D12345", "车牌粤B******"),
    ("京a 8k2m9 天天停这", "京a***** 天天停这"),
    ("滬C88888", "滬C*****"),
    ("3栋2单元1502", "3栋2单元****"),
    ("3棟2單元1502樓上", "3棟2單元****樓上"),
    ("住在3-2-501", "住在3-2-***"),
    ("5号楼1201天天剁肉", "5号楼****天天剁肉"),
    ("502室漏水", "***室漏水"),
    ("1201房的狗", "****房的狗"),
    ("隔壁602家", "隔壁***家"),
    ("楼上1502半夜装修", "楼上****半夜装修"),
    ("对门 303 的", "对门 *** 的"),
    ("我电话13812345678，住3单元502", "我电话138****5678，住3单元***"),
])
def test_mask_hides_the_shapes_people_write(text: str, masked: str) -> None:
    assert mask(text) == masked


@pytest.mark.parametrize("text", [
    "梨园小区3栋楼下烧烤油烟很大",
    "案件 20261201-0003 怎么样了",
    "楼下200米有个坑",
    "物业费一年1200元",
    "晚上11点到凌晨2点",
    "2026-12-01 下午",
    "12345热线打不通",
    "住3栋",
    "来了100多人",
    "",
])
def test_mask_leaves_what_is_not_personal(text: str) -> None:
    assert mask(text) == text


def test_mask_of_nothing_and_of_odd_input() -> None:
    assert mask(None) == ""
    assert mask("😡" * 10) == "😡" * 10
    huge = "13812345678 " * 1000
    assert "12345678" not in mask(huge) and mask(huge).count("138****5678") == 1000


async def file_report(driver, who: str, text: str) -> str:
    await driver.send(who, text)
    return case_number(texts_of(await driver.press(who, "跳过，不传照片")))


async def test_only_the_assignee_reads_the_details(app) -> None:
    driver = driver_for(app)
    invite = await app.cases.create_invite("赵主任", community_id="liyuan")
    zhao = driver.persona("赵主任", "worker")
    await driver.send(zhao, f"/bind {invite.code}")
    zhang = await bound_worker(app, driver, "张三")
    li = await bound_worker(app, driver, "李四", grid_id="liyuan-02")
    number = await file_report(driver, "王阿姨", SECRET_REPORT)
    pushes = await driver.deliver_pushes()
    to_assignee = next(p for p in pushes if p.chat_id == zhang.chat_id and number in p.text)
    assert "13812345678" in to_assignee.text and "3单元502" in to_assignee.text  # the assignee needs them
    assert "13812345678" in texts_of(await driver.send(zhang, "/tasks"))
    await driver.press(zhang, "退单")
    await driver.send(zhang, "不属于本网格")
    pushes = await driver.deliver_pushes()
    queue_push = next(p for p in pushes if p.chat_id == zhao.chat_id and number in p.text)
    for secret in ("13812345678", "502", "浙A12345"):
        assert secret not in queue_push.text  # the dispatcher re-assigns; he does not hold the case
    assert "138****5678" in queue_push.text
    queue = texts_of(await driver.send(zhao, "/tasks"))
    assert number in queue and "13812345678" not in queue and "浙A12345" not in queue
    await driver.press(zhao, "派给 李四（0）")
    pushes = await driver.deliver_pushes()
    assert "13812345678" in texts_of([p for p in pushes if p.chat_id == li.chat_id and number in p.text])
    rows = await app.cases.export_rows()
    exported = next(r for r in rows if r["number"] == number)
    assert "13812345678" not in exported["text"] and "浙A12345" not in exported["text"]


async def test_an_admins_queue_is_masked(app) -> None:
    driver = driver_for(app)
    number = await file_report(driver, "王阿姨", SECRET_REPORT)  # nobody bound: it waits in the queue
    admin = driver.persona("admin", "admin", user_id=ADMIN_ID)
    queue = texts_of(await driver.send(admin, "/tasks"))
    assert number in queue and "13812345678" not in queue and "3单元***" in queue


async def test_a_supporter_never_reads_the_filers_details(app) -> None:
    driver = driver_for(app)
    zhang = await bound_worker(app, driver, "张三")
    number = await file_report(driver, "王阿姨", SECRET_REPORT)
    neighbour = driver.persona("邻居")
    offered = await driver.send(neighbour, "梨园小区3栋楼下的烧烤油烟太大了，熏得不敢开窗")
    if "照片" in texts_of(offered):
        offered = await driver.press(neighbour, "跳过，不传照片")
    assert "13812345678" not in texts_of(offered)
    await driver.press(neighbour, "附议（加入这件）")
    mine = texts_of(await driver.send(neighbour, "/my"))
    assert number in mine and "13812345678" not in mine and "502" not in mine
    progress = texts_of(await driver.press(neighbour, "进度"))
    assert number in progress and "13812345678" not in progress
    own = texts_of(await driver.send("王阿姨", "/my"))
    assert "13812345678" in own  # the filer reads their own words
    await driver.deliver_pushes()
    await driver.press(zhang, "办结")
    await driver.send(zhang, "已联系店主，他电话13900001111，答应搬走")
    await driver.press(zhang, "跳过，直接办结")
    pushes = await driver.deliver_pushes()
    to_neighbour = texts_of([p for p in pushes if p.chat_id == neighbour.chat_id])
    to_filer = texts_of([p for p in pushes if p.chat_id == driver.persona("王阿姨").chat_id])
    assert "已办结" in to_neighbour and "13900001111" not in to_neighbour and "139****1111" in to_neighbour
    assert "13900001111" in to_filer


async def test_the_phone_goes_to_the_assignee_only_with_consent_and_privacy_withdraws_it(app) -> None:
    driver = driver_for(app)
    zhang = await bound_worker(app, driver, "张三")
    assert "还没有保存" in texts_of(await driver.send("小周", "/privacy"))
    first = await file_report(driver, "小周", "梨园小区3栋楼道里堆满了纸箱 过不去")
    pushes = await driver.deliver_pushes()
    assert "居民电话" not in texts_of([p for p in pushes if p.chat_id == zhang.chat_id and first in p.text])
    shown = texts_of(await driver.send("小周", "/privacy"))
    assert "未提供" in shown and "反映的案件 1 件" in shown
    await driver.contact("小周", "+86 139 0000 2222")  # sharing the contact is the consent
    shown = texts_of(await driver.send("小周", "/privacy"))
    assert "+8613900002222" in shown and "同意" in shown
    second = await file_report(driver, "小周", "梨园小区3栋电梯又坏了 一直停在8楼")
    pushes = await driver.deliver_pushes()
    push = next(p for p in pushes if p.chat_id == zhang.chat_id and second in p.text)
    assert "居民电话：+8613900002222" in push.text
    await driver.send("小周", "/privacy")
    withdrawn = texts_of(await driver.press("小周", "撤回电话授权并删除"))
    assert "已撤回" in withdrawn
    assert "未提供" in texts_of(await driver.send("小周", "/privacy"))
    await driver.send("小周", "/my")
    await driver.press("小周", "催办")  # the urge push to the assignee no longer carries it
    pushes = await driver.deliver_pushes()
    urged = texts_of([p for p in pushes if p.chat_id == zhang.chat_id])
    assert "催办" in urged and "13900002222" not in urged
    assert "没有保存您的电话" in texts_of(await driver.press_data("小周", "d:forget"))  # the old button again
