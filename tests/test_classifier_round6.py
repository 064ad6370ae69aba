"""Round 6 of the classifier (fit splits only): each mechanism on our own wordings."""

from __future__ import annotations

import pytest

from bot import PROJECT_ROOT
from bot.nlu.classifier import Classifier
from bot.nlu.intent_files import load_intents
from bot.nlu.normalize import Normalizer


@pytest.fixture(scope="module")
def shipped() -> Classifier:
    return Classifier.from_intents(load_intents(PROJECT_ROOT / "intents"), Normalizer())


@pytest.mark.parametrize(("text", "kept"), [
    ("单元门被人打坏了", "打坏"),        # OpenCC's phrase table reads 打坏 as Traditional for 打坯
    ("车窗玻璃让熊孩子打坏了", "打坏"),
])
def test_simplified_characters_survive_the_traditional_conversion(text: str, kept: str) -> None:
    assert kept in Normalizer().normalize(text).text


def test_traditional_text_is_still_converted_by_phrase() -> None:
    norm = Normalizer()
    assert norm.normalize("樓道燈打壞了").text == "楼道灯打坏了"
    assert norm.normalize("地面不乾淨").text == "地面不干净"
    assert norm.simplify("門被打壞了") == norm.normalize("门被打坏了").text
