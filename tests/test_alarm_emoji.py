"""A cry of alarm emoji with no words ("🆘", "🔥🔥🔥") is an emergency: the numbers first, at any step.

The normaliser drops emoji, so such a message used to be "empty" and got "没看到文字内容" — the one answer a
resident in danger must never get.
"""

from __future__ import annotations

import pytest
from dialog_helpers import driver_for, shared_understanding

from bot import wording as texts
from bot.dialog.testing import texts_of


@pytest.mark.parametrize("message", ["🆘", "🆘🆘🆘", "🔥🔥🔥", "🚑", "🚒🚒"])
def test_alarm_emoji_alone_are_an_emergency(message):
    c = shared_understanding().classifier.classify(message)
    assert c.empty and c.act == "emergency", c


@pytest.mark.parametrize("message", ["😀", "👍👍", "🔥", "🙏", "   "])
def test_other_emoji_alone_stay_a_chat(message):
    """One 🔥 also says "hot, popular"; a smile or a thumbs-up is no alarm."""
    assert shared_understanding().classifier.classify(message).act == "chat"


def _numbers_said(said: str) -> bool:
    return all(texts.EMERGENCY_NUMBERS[k] in said for k in ("fire", "medical", "police"))


async def test_sos_from_a_fresh_chat_gets_the_emergency_numbers(app):
    said = texts_of(await driver_for(app).send("王阿姨", "🆘"))
    assert "119" in said and _numbers_said(said), said
    assert texts.EMPTY_INPUT not in said, said


async def test_sos_in_the_middle_of_a_report_gets_the_numbers_and_sets_the_draft_aside(app):
    driver = driver_for(app)
    await driver.send("王阿姨", "楼下垃圾好几天没人清运了，臭得很")
    said = texts_of(await driver.send("王阿姨", "🔥🔥🔥"))
    assert _numbers_said(said), said
    assert texts.EMPTY_INPUT not in said, said


async def test_a_smile_in_the_middle_of_a_report_is_still_asked_for_words(app):
    driver = driver_for(app)
    await driver.send("王阿姨", "楼下垃圾好几天没人清运了，臭得很")
    said = texts_of(await driver.send("王阿姨", "😀"))
    assert texts.EMPTY_MIDWAY in said and "119" not in said, said
    assert texts.EMPTY_INPUT not in said, said  # "describe the problem" while the address is asked (QA5)
