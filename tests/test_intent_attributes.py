"""The Open311 service definition is derived from a category's `questions:` (there is no second declaration):
code = id, description = ask, a choice's key = its position from 1; an `attributes:` key left in an old file is
refused with a pointer to questions, as `path:line: what`."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.errors import IntentFileError
from bot.nlu.intent_files import load_intents
from bot.settings import load_settings
from bot.web.open311.attributes import attributes_of, definition, read_answers

FILE = """\
version: 1
id: noise
name: 噪声扰民
department: 派出所
deadline_hours: 48
keywords:
  - 噪音
questions:
  - id: when
    label: 发生时间
    ask: 一般什么时候吵？
    answered_if: [晚上]
    choices: [白天, 晚上]
  - id: who
    label: 声源
    ask: 是谁在吵？
    answered_if: [装修]
"""


def _noise(tmp_path: Path, text: str = FILE):
    (tmp_path / "noise.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    intent = load_intents(tmp_path).get("noise")
    assert intent is not None
    return intent


def test_each_question_is_an_attribute_in_its_order(tmp_path: Path) -> None:
    when, who = attributes_of(_noise(tmp_path))
    assert (when.code, when.label, when.description, when.datatype, when.required) == (
        "when", "发生时间", "一般什么时候吵？", "singlevaluelist", False)
    assert [(v.key, v.name) for v in when.values] == [("1", "白天"), ("2", "晚上")]
    assert (who.code, who.datatype, who.values) == ("who", "string", ())
    body = definition(_noise(tmp_path))
    assert [(a["code"], a["order"]) for a in body["attributes"]] == [("when", 1), ("who", 2)]  # type: ignore[index]


def test_answers_are_keyed_by_label_with_the_choices_words(tmp_path: Path) -> None:
    problems: list[str] = []
    pairs = [("attribute[who]", " 楼上装修 "), ("attribute[when]", "2"), ("description", "吵")]
    assert read_answers(pairs, _noise(tmp_path), problems) == {"发生时间": "晚上", "声源": "楼上装修"}
    assert problems == []
    for pairs, said in (([("attribute[when]", "晚上")], "'晚上' is not one of its values (1 = 白天, 2 = 晚上)"),
                        ([("attribute[when]", "3")], "'3' is not one of its values"),
                        ([("attribute[when]", "1"), ("attribute[when][]", "2")], "takes one value, got 2"),
                        ([("attribute[who]", "吵" * 201)], "is 201 characters; at most 200"),
                        ([("attribute[colour]", "red")], "'colour' is not an attribute of service 'noise'")):
        problems = []
        assert read_answers(pairs, _noise(tmp_path), problems) == {}
        assert len(problems) == 1 and said in problems[0], problems


def test_the_shipped_definitions_come_from_the_shipped_questions() -> None:
    shipped = load_intents(load_settings(_env_file=None).intents_dir)
    for intent in shipped.categories:
        assert [a.code for a in attributes_of(intent)] == [q.id for q in intent.questions]
    noise, parking, water = (shipped.get(i) for i in ("noise", "parking", "water_leak"))
    assert noise is not None and parking is not None and water is not None
    assert [a.code for a in attributes_of(noise)] == ["when", "often"]
    assert {a.code: a.datatype for a in attributes_of(parking)} == {"fire_lane": "singlevaluelist", "plate": "string"}
    assert attributes_of(water) == ()


def test_an_attributes_key_is_refused_with_a_pointer_to_questions(tmp_path: Path) -> None:
    old = FILE + "attributes:\n  - code: floor\n    name: 楼层\n    description: 几楼？\n    datatype: number\n"
    with pytest.raises(IntentFileError) as info:
        _noise(tmp_path, old)
    [problem] = info.value.problems
    assert problem.path.endswith("noise.yaml") and problem.line == 18
    assert "'attributes' is no longer read" in problem.message and "questions:" in problem.message


def test_two_questions_may_not_share_a_label(tmp_path: Path) -> None:
    """The answers are kept under the label: a second question of the same label would overwrite the first."""
    with pytest.raises(IntentFileError) as info:
        _noise(tmp_path, FILE.replace("label: 声源", "label: 发生时间"))
    assert [(p.line, p.message) for p in info.value.problems] == [
        (14, "question label '发生时间' is used twice (first at line 9)")]
