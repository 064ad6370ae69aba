"""Loader errors: every kind of problem is reported with the exact line, all at once."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.errors import IntentFileError
from bot.nlu.intent_files import load_intents

GOOD = """\
version: 1
id: noise
name: 噪声扰民
department: 派出所
deadline_hours: 48
keywords:
  - 噪音
  - 擾民: 0.5
subtypes:
  - id: renovation
    name: 装修噪音
    keywords: [电钻, 冲击钻]
    deadline_hours: 24
examples:
  - 楼上噪音
  - text: 电钻太吵
    subtype: renovation
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(tmp_path: Path) -> list[tuple[str, int, str]]:
    with pytest.raises(IntentFileError) as info:
        load_intents(tmp_path)
    return [(Path(p.path).name, p.line, p.message) for p in info.value.problems]


def test_good_file_loads_with_normalised_terms(tmp_path: Path) -> None:
    write(tmp_path, "noise.yaml", GOOD)
    intents = load_intents(tmp_path)
    noise = intents.get("noise")
    assert noise is not None
    assert [(t.text, t.weight, t.line) for t in noise.keywords] == [("噪音", 1.0, 7), ("扰民", 0.5, 8)]
    assert noise.deadline_for("renovation") == 24
    assert noise.deadline_for(None) == 48
    assert noise.examples[1].subtype == "renovation"


def test_yaml_syntax_error_reports_its_line(tmp_path: Path) -> None:
    write(tmp_path, "noise.yaml", GOOD.replace("  - 噪音\n", "  - 噪音\n  bad: [unclosed\n"))
    (name, line, message), = problems(tmp_path)
    assert name == "noise.yaml" and message.startswith("YAML syntax")
    assert line in (8, 9)


def test_unknown_and_missing_keys_and_types_all_reported(tmp_path: Path) -> None:
    write(tmp_path, "noise.yaml", """\
        version: 1
        id: noise
        name: 噪声扰民
        deadline_hours: -3
        colour: red
        keywords:
          - 噪音: heavy
          - 吵闹
        """)
    found = problems(tmp_path)
    by_line = {line: msg for _, line, msg in found}
    assert "missing required key 'department'" in by_line[1]
    assert "deadline_hours" in by_line[4] and "> 0" in by_line[4]
    assert "unknown key 'colour'" in by_line[5]
    assert "weight of '噪音'" in by_line[7]
    assert len(found) == 4


def test_missing_version_and_wrong_version(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD.replace("version: 1\n", ""))
    write(tmp_path, "b.yaml", GOOD.replace("version: 1", "version: 7").replace("id: noise", "id: parking")
          .replace("噪音", "乱停").replace("擾民", "占位").replace("电钻", "车位").replace("冲击钻", "挪车"))
    found = problems(tmp_path)
    assert ("a.yaml", 1) in [(n, line) for n, line, _ in found]
    assert any(n == "b.yaml" and line == 1 and "unsupported version 7" in m for n, line, m in found)


def test_duplicate_intent_id_names_both_files(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", GOOD.replace("噪音", "吵闹").replace("擾民", "喧哗").replace("电钻", "切割机")
          .replace("冲击钻", "敲墙"))
    found = problems(tmp_path)
    dup = [f for f in found if "duplicate intent id" in f[2]]
    assert dup and dup[0][0] == "b.yaml" and "a.yaml:1" in dup[0][2]


def test_same_keyword_in_two_intents_says_where_both_are(tmp_path: Path) -> None:
    write(tmp_path, "noise.yaml", GOOD)
    write(tmp_path, "parking.yaml", """\
        version: 1
        id: parking
        name: 停车
        department: 物业
        deadline_hours: 48
        keywords:
          - 乱停
          - 噪音
        """)
    (name, line, message), = problems(tmp_path)
    assert (name, line) == ("parking.yaml", 8)
    assert "'噪音'" in message and "noise.yaml:7" in message


def test_traditional_and_simplified_spelling_count_as_the_same_keyword(tmp_path: Path) -> None:
    write(tmp_path, "noise.yaml", GOOD.replace("  - 擾民: 0.5\n", "  - 擾民: 0.5\n  - 扰民\n"))
    (_, line, message), = problems(tmp_path)
    assert line == 9 and "listed twice" in message


def test_act_keywords_may_repeat_category_keywords(tmp_path: Path) -> None:
    write(tmp_path, "noise.yaml", GOOD)
    write(tmp_path, "ask.yaml", "version: 1\nid: ask\nname: 咨询\nkind: act\nkeywords:\n  - 噪音\n  - 吗\n")
    assert load_intents(tmp_path).get("ask") is not None


def test_empty_intent_and_empty_file(tmp_path: Path) -> None:
    write(tmp_path, "empty.yaml", "")
    write(tmp_path, "hollow.yaml", "version: 1\nid: hollow\nname: 空\ndepartment: 社区\ndeadline_hours: 24\n")
    found = problems(tmp_path)
    assert ("empty.yaml", 1) in [(n, line) for n, line, _ in found]
    assert any(n == "hollow.yaml" and "can never match" in m for n, _, m in found)


def test_binary_and_non_utf8_files_are_reported_not_crashed(tmp_path: Path) -> None:
    (tmp_path / "bin.yaml").write_bytes(b"version: 1\n\x00\x01\x02")
    (tmp_path / "gbk.yaml").write_bytes("version: 1\nid: noise\nname: 噪声\n".encode("gbk"))
    found = problems(tmp_path)
    assert ("bin.yaml", 2) in [(n, line) for n, line, _ in found]
    assert any(n == "gbk.yaml" and "UTF-8" in m for n, _, m in found)


def test_bad_examples_and_subtypes(tmp_path: Path) -> None:
    write(tmp_path, "noise.yaml", GOOD + "not_examples:\n  - text: 漏水\n    subtype: nosuch\n  - 42\n  - ''\n")
    found = problems(tmp_path)
    lines = sorted(line for _, line, _ in found)
    assert lines == [19, 21, 22]
    assert any("unknown subtype 'nosuch'" in m for *_, m in found)


def test_overlong_terms_and_huge_files_are_refused_with_their_line(tmp_path: Path) -> None:
    # A pasted-in blob once passed the check and then crashed the segmenter on reload.
    write(tmp_path, "noise.yaml", GOOD.replace("  - 噪音\n", "  - " + "噪音" * 10_000 + "\n"))
    write(tmp_path, "parking.yaml", GOOD.replace("noise", "parking").replace("噪音", "乱停").replace("擾民", "违停")
          .replace("电钻, 冲击钻", "占道, 堵路") + "phrases:\n  - " + "车停在门口" * 30 + "\n")
    (tmp_path / "huge.yaml").write_text("version: 1\n# " + "x" * 2_000_000 + "\n", encoding="utf-8")
    found = {(name, line): message for name, line, message in problems(tmp_path)}
    assert "keep it under 30" in found[("noise.yaml", 7)]
    assert "keep it under 80" in found[("parking.yaml", 19)]
    assert "limited to" in found[("huge.yaml", 1)]


def test_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(IntentFileError) as info:
        load_intents(tmp_path / "missing")
    assert "not a directory" in str(info.value)
