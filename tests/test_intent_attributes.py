"""`attributes:` of a category intent (the Open311 service definition admins edit): a good list loads in order,
and every mistake is reported as `path:line: what is wrong`, all at once, with nothing loaded."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.errors import IntentFileError
from bot.nlu.intent_files import load_intents

HEAD = """\
version: 1
id: noise
name: 噪声扰民
department: 派出所
deadline_hours: 48
keywords:
  - 噪音
"""
GOOD = HEAD + """\
attributes:
  - code: when
    name: 发生时段
    description: 噪声通常在什么时段出现？
    datatype: singlevaluelist
    values:
      - {key: day, name: 白天}
      - {key: night, name: 夜间}
  - code: floor
    name: 楼层
    description: 几楼？
    datatype: number
    required: true
"""


def load(tmp_path: Path, text: str, kind_line: str = "") -> None:
    (tmp_path / "noise.yaml").write_text(textwrap.dedent(text.replace("keywords:", kind_line + "keywords:", 1)),
                                         encoding="utf-8")
    load_intents(tmp_path)


def problems(tmp_path: Path, text: str, kind_line: str = "") -> list[tuple[int, str]]:
    with pytest.raises(IntentFileError) as info:
        load(tmp_path, text, kind_line)
    assert all(p.path.endswith("noise.yaml") for p in info.value.problems)
    return [(p.line, p.message) for p in info.value.problems]


def test_good_attributes_load_in_order(tmp_path: Path) -> None:
    load(tmp_path, GOOD)
    noise = load_intents(tmp_path).get("noise")
    assert noise is not None
    when, floor = noise.attributes
    assert (when.code, when.datatype, when.required, when.value_name("night")) == ("when", "singlevaluelist", False, "夜间")
    assert (floor.code, floor.datatype, floor.required, floor.values) == ("floor", "number", True, ())
    assert when.line == 9 and floor.line == 16


def test_the_shipped_intent_files_declare_attributes_for_noise() -> None:
    from bot.settings import load_settings

    noise = load_intents(load_settings(_env_file=None).intents_dir).get("noise")
    assert noise is not None and [a.code for a in noise.attributes] == ["when", "source"]


@pytest.mark.parametrize(("change", "line", "said"), [
    (("datatype: number", "datatype: colour"), 19, "datatype must be one of string, number, datetime"),
    (("datatype: singlevaluelist\n    values:\n      - {key: day, name: 白天}\n      - {key: night, name: 夜间}\n",
      "datatype: singlevaluelist\n"), 9, "a singlevaluelist attribute needs 'values'"),
    (("code: floor", "code: when"), 16, "attribute code 'when' is used twice (first at line 9)"),
    (("code: floor", "code: Floor-1"), 16, "attribute code 'Floor-1' must be lower-case ASCII"),
    (("    name: 楼层\n", ""), 16, "missing required key 'name' in an attribute"),
    (("required: true", "required: maybe"), 20, "'required' must be true or false"),
    (("required: true", "required: true\n    values: [{key: a, name: b}]"), 21, "'values' only go with datatype"),
    (("{key: night, name: 夜间}", "{key: day, name: 夜间}"), 15, "value key 'day' is listed twice"),
    (("{key: night, name: 夜间}", "{key: Night!, name: 夜间}"), 15, "value key 'Night!' must be lower-case ASCII"),
    (("{key: night, name: 夜间}", "{key: night}"), 15, "value 'night' needs a non-empty 'name'"),
    (("{key: night, name: 夜间}", "[night, 夜间]"), 15, "each value must be 'key: …, name: …'"),
    (("name: 楼层", "name: " + "楼" * 21), 17, "is 21 characters; keep it under 20"),
    (("description: 几楼？", "description: [几楼]"), 18, "'description' must be a non-empty text"),
    (("    datatype: number\n", "    datatype: number\n    colour: red\n"), 20, "unknown key 'colour' in an attribute"),
    (("  - code: floor\n    name: 楼层\n    description: 几楼？\n    datatype: number\n    required: true\n",
      "  - just a question\n"), 16, "an attribute must be a mapping"),
])
def test_each_mistake_is_reported_with_its_line(tmp_path: Path, change: tuple[str, str], line: int, said: str) -> None:
    old, new = change
    assert old in GOOD
    found = problems(tmp_path, GOOD.replace(old, new, 1))
    assert any(at == line and said in message for at, message in found), found


def test_attributes_belong_to_categories_and_are_a_list(tmp_path: Path) -> None:
    said = "'attributes' must be a list (one '- code: …' entry per question)"
    assert problems(tmp_path, HEAD + "attributes: when\n") == [(8, said)]
    act = GOOD.replace("id: noise", "id: ask").replace("department: 派出所\ndeadline_hours: 48\n", "")
    found = problems(tmp_path, act, "kind: act\n")
    assert any("'attributes' are for category intents only" in m for _, m in found), found
