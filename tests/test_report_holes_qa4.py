"""What a fourth QA pass (residents and grid workers in the console chat) found, each end to end through the
dialog engine's driver: a place corrected right after filing read as a new report, and words typed at the photo
step filing the case at once whatever they said."""

from __future__ import annotations

from dialog_helpers import bound_worker, case_number, driver_for

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
