"""Knowledge entry loader: a good entry loads; every kind of mistake is reported with its exact line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.errors import KnowledgeFileError
from bot.kb.entries import load_entries

TODAY = dt.date(2026, 11, 22)

GOOD = """---
id: {id}
title: 装修几点可以干活
questions:
  - 晚上几点以后不能装修
  - 周末能装修吗
intents: [noise]
tags: [装修]
source: 《噪声污染防治法》第66条
checked: 2026-11-01
---
国家法律没有规定具体钟点,由各地规定。
依据:《噪声污染防治法》第66条
"""


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp: Path) -> list[tuple[int, str]]:
    with pytest.raises(KnowledgeFileError) as info:
        load_entries(tmp, today=TODAY)
    return [(p.line, p.message) for p in info.value.problems]


def only_problem(tmp: Path) -> tuple[int, str]:
    found = problems_of(tmp)
    assert len(found) == 1, found
    return found[0]


def test_good_entry_loads_with_fields_and_lines(tmp_path: Path) -> None:
    write(tmp_path, "reno", GOOD.format(id="reno"))
    (tmp_path / "README.md").write_text("# not an entry", encoding="utf-8")
    [entry] = load_entries(tmp_path, today=TODAY)
    assert entry.id == "reno"
    assert [q.line for q in entry.questions] == [5, 6]
    assert entry.intents == ("noise",)
    assert entry.checked == dt.date(2026, 11, 1)
    assert entry.body.endswith("依据:《噪声污染防治法》第66条")
    assert "噪声污染防治法" in entry.key_terms


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("id: {id}", "id: Reno!", 2, "id must be lower-case"),
        ("id: {id}", "id: other", 2, "must match the file name"),
        ("intents: [noise]", "intents: [noise, weather]", 7, "unknown intent 'weather'"),
        ("source: 《噪声污染防治法》第66条", "source: 噪声法66条", 9, "name the law in 《》"),
        ("checked: 2026-11-01", "checked: 2027-01-01", 10, "in the future"),
        ("checked: 2026-11-01", "checked: last week", 10, "YYYY-MM-DD"),
        ("tags: [装修]", "tags: [装修]\ncolour: red", 9, "unknown key 'colour'"),
        ("  - 周末能装修吗", "  - 晚上几点以后不能装修", 6, "listed twice"),
        ("  - 周末能装修吗", "  - " + "很长" * 50, 6, "keep it under"),
        ("tags: [装修]", "tags: [" + "装修" * 5000 + "]", 8, "a tag is a key term"),
        ("questions:\n  - 晚上几点以后不能装修\n  - 周末能装修吗", "questions: 周末能装修吗", 4, "non-empty list"),
        ("title: 装修几点可以干活\n", "", 1, "missing required key 'title'"),
        ("依据:《噪声污染防治法》第66条\n", "来源不明\n", 13, "must end with a source line"),
        ("title: 装修几点可以干活", "title: 装修: 几点", 3, "YAML syntax"),
    ],
)
def test_each_mistake_is_reported_at_its_line(tmp_path: Path, old: str, new: str, line: int, words: str) -> None:
    text = GOOD if "{id}" in old else GOOD.format(id="reno")
    assert old in text, old
    write(tmp_path, "reno", text.replace(old, new, 1).replace("{id}", "reno"))
    got_line, message = only_problem(tmp_path)
    assert words in message
    assert got_line == line, message


def test_missing_fences_and_empty_body(tmp_path: Path) -> None:
    write(tmp_path, "nofence", "id: nofence\n")
    write(tmp_path, "open", "---\nid: open\ntitle: x\n")
    front = GOOD.format(id="nobody").split("---\n")[1]
    write(tmp_path, "nobody", "---\n" + front + "---\n\n")
    found = sorted((p.path.split("/")[-1], p.line, p.message) for p in _raise(tmp_path).problems)
    assert [(name, line) for name, line, _ in found] == [("nobody.md", 12), ("nofence.md", 1), ("open.md", 1)]
    assert "empty" in found[0][2] and "start with a '---'" in found[1][2] and "not closed" in found[2][2]


def test_all_problems_of_all_files_at_once(tmp_path: Path) -> None:
    write(tmp_path, "a", GOOD.format(id="a").replace("intents: [noise]", "intents: [nope]"))
    write(tmp_path, "b", GOOD.format(id="b").replace("checked: 2026-11-01", "checked: soon"))
    problems = _raise(tmp_path).problems
    assert len(problems) == 2  # one per file: nothing stops at the first broken file
    messages = " ".join(str(p) for p in problems)
    assert "a.md:7: unknown intent" in messages and "b.md:10: checked" in messages


def test_question_listed_by_two_entries(tmp_path: Path) -> None:
    write(tmp_path, "a", GOOD.format(id="a"))
    write(tmp_path, "b", GOOD.format(id="b").replace("  - 周末能装修吗", "  - 周末装修行吗"))
    line, message = only_problem(tmp_path)
    assert line == 5 and "also listed by" in message and "a.md:5" in message


def test_binary_and_not_utf8_files(tmp_path: Path) -> None:
    (tmp_path / "bin.md").write_bytes(b"---\nid: bin\n\x00\x01\x02")
    (tmp_path / "latin.md").write_bytes("---\ntitle: caf\u00e9\n".encode("latin-1"))
    found = {p.path.split("/")[-1]: (p.line, p.message) for p in _raise(tmp_path).problems}
    assert found["bin.md"][0] == 3 and "NUL" in found["bin.md"][1]
    assert found["latin.md"][0] == 2 and "UTF-8" in found["latin.md"][1]


def test_a_huge_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    write(tmp_path, "huge", GOOD.format(id="huge") + "很长的正文" * 100_000)
    line, message = only_problem(tmp_path)
    assert line == 1 and "bytes" in message


def test_empty_or_missing_directory(tmp_path: Path) -> None:
    assert "no *.md" in str(_raise(tmp_path))
    assert "not a directory" in str(_raise(tmp_path / "missing"))


def _raise(directory: Path) -> KnowledgeFileError:
    with pytest.raises(KnowledgeFileError) as info:
        load_entries(directory, today=TODAY)
    return info.value
