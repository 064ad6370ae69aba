"""Each thing once per update in the dialog engine: the message is normalised once (the engine, the flows,
the classifier and the knowledge base share the turn's form), one chat lock, one catch-all, one log line.
"""

from __future__ import annotations

import pytest
from dialog_helpers import case_number, driver_for, make_app

from bot.dialog.testing import texts_of
from bot.nlu.normalize import Normalizer


@pytest.fixture
async def app(tmp_path):
    app = await make_app(tmp_path / "gd.db")
    yield app
    await app.close()


@pytest.fixture
def normalisations(monkeypatch) -> list[str]:
    """Every text `Normalizer.normalize` is asked for, in order."""
    seen: list[str] = []
    original = Normalizer.normalize

    def counting(self, raw):
        seen.append(raw)
        return original(self, raw)

    monkeypatch.setattr(Normalizer, "normalize", counting)
    return seen


async def test_a_report_conversation_normalises_each_message_once(app, normalisations):
    driver = driver_for(app)
    turns = [
        "楼道里堆满了杂物，堵住了消防通道",  # classified (and checked for a question), then the address asked
        "梨园小区3栋2单元",  # the address step: danger check, the address read, the place looked up
        "跳过",  # the photo step: a one-word skip, then duplicates and filing
    ]
    replies = []
    for text in turns:
        normalisations.clear()
        replies = await driver.send("王阿姨", text)
        assert normalisations == [text], f"{text!r} was normalised {len(normalisations)} times"
    case_number(texts_of(replies))


async def test_a_question_is_normalised_once_for_the_classifier_and_the_knowledge_base(app, normalisations):
    reply = texts_of(await driver_for(app).send("李叔", "电动车能在楼道充电吗"))
    assert "电动" in reply  # answered from the knowledge base
    assert normalisations == ["电动车能在楼道充电吗"]


async def test_a_turn_without_text_normalises_nothing(app, normalisations):
    driver = driver_for(app)
    await driver.send("赵姐", "/bind")
    await driver.location("赵姐", 30.2748, 120.1539)
    assert normalisations == []
