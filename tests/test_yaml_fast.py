"""The fast YAML path (libyaml, `bot.yaml_fast`) reads admin files into exactly what ruamel's round-trip loader
gives — values, types that matter, and the lines problems are reported at — and hands everything else back to
ruamel: a file with a problem is reported as ruamel reads it, `path:line` included."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from bot import PROJECT_ROOT, yaml_fast
from bot.admin_files import load_yaml, yaml_files, yaml_loader
from bot.errors import IntentFileError
from bot.kb.entries import entry_files, load_entries_partial
from bot.nlu.intent_files import load_intents

pytestmark = pytest.mark.skipif(not yaml_fast.available(), reason="PyYAML without libyaml")


def same(fast: Any, slow: Any, where: str = "$") -> None:
    """Equal values, containers of the same kind, and the same recorded line/column of every key and item."""
    if isinstance(slow, CommentedMap | CommentedSeq):
        assert type(fast) is type(slow), where
        assert (fast.lc.line, fast.lc.col) == (slow.lc.line, slow.lc.col), where
        keys = list(slow) if isinstance(slow, CommentedMap) else range(len(slow))
        assert list(fast) == list(slow) if isinstance(slow, CommentedMap) else len(fast) == len(slow), where
        for key in keys:
            assert fast.lc.data[key] == slow.lc.data[key], f"{where}.{key}"
            same(fast[key], slow[key], f"{where}.{key}")
        return
    assert fast == slow or (fast != fast and slow != slow), f"{where}: {fast!r} != {slow!r}"  # nan
    assert isinstance(fast, bool) == isinstance(slow, bool), where
    for kind in (str, int, float, dt.datetime, dt.date, type(None)):
        assert isinstance(fast, kind) == isinstance(slow, kind), f"{where}: {type(fast)} vs {type(slow)}"


def front_matter(path: Path) -> str:
    lines = path.read_text(encoding="utf-8").split("\n")
    return "\n".join(lines[1:lines.index("---", 1)])


SHIPPED = [*yaml_files(PROJECT_ROOT / "intents"), *entry_files(PROJECT_ROOT / "knowledge")]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_file_reads_as_ruamel_reads_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8") if path.suffix != ".md" else front_matter(path)
    same(yaml_fast.load(text), yaml_loader().load(text))


SCALARS = ["yes", "no", "on", "off", "y", "010", "0o17", "0x1f", "1_000", "1e3", ".5", "1.5", "-3", "+7", ".inf",
           "-.inf", ".nan", "~", "null", "Null", "", "true", "False", "TRUE", "2024-01-01", "2024-01-01 10:00:00",
           "1:30", "12:30:00", "'quoted 1'", '"双引号 2"', "中文词", "a # comment", "0", "00", "1.", "<", "@x",
           "|\n  第一行\n  第二行\n", ">\n  折叠\n  的行\n", "[a, 1, 1.5, null]", "{a: 1, b: [x, y]}"]


@pytest.mark.parametrize("value", SCALARS)
def test_values_resolve_as_yaml_1_2_does_in_ruamel(value: str) -> None:
    text = f"version: 1\nkey: {value}\nlist:\n  - {value.splitlines()[0] if value else ''}\n  - 词: 1.5\n"
    try:
        slow = yaml_loader().load(text)
    except YAMLError:
        with pytest.raises(yaml_fast.NotPlain):
            yaml_fast.load(text)
        return
    try:
        fast = yaml_fast.load(text)
    except yaml_fast.NotPlain:  # left to ruamel (an empty value): the loaders get ruamel's reading
        fast = load_yaml(text, fast=True)
    same(fast, slow)


NOT_PLAIN = {
    "anchor and alias": "a: &x [1, 2]\nb: *x\n",
    "explicit tag": "a: !!str 1\n",
    "a value ruamel tags": "a: =\n",
    "an empty value": "a:\nb: 1\n",
    "merge key": "base: &b {x: 1}\nm:\n  <<: *b\n",
    "duplicate key": "id: noise\nname: 噪音\nid: other\n",
    "complex key": "? [a, b]\n: 1\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "too deep": "a: " + "[" * 30 + "]" * 30 + "\n",
    "syntax error": "keywords:\n  - 噪音\n - 装修\n",
    "tab indentation": "a:\n\t- b\n",
}


@pytest.mark.parametrize("text", NOT_PLAIN.values(), ids=NOT_PLAIN.keys())
def test_what_is_not_built_here_goes_to_ruamel(text: str) -> None:
    with pytest.raises(yaml_fast.NotPlain):
        yaml_fast.load(text)
    try:
        slow = yaml_loader().load(text)
    except YAMLError as exc:  # ruamel's own error, as the loaders report it
        with pytest.raises(type(exc)):
            load_yaml(text, fast=True)
        return
    assert repr(load_yaml(text, fast=True)) == repr(slow)


def test_shipped_intents_and_knowledge_load_the_same_either_way() -> None:
    assert load_intents(PROJECT_ROOT / "intents", fast=True) == load_intents(PROJECT_ROOT / "intents")
    fast = load_entries_partial(PROJECT_ROOT / "knowledge", fast=True)
    assert fast == load_entries_partial(PROJECT_ROOT / "knowledge") and fast[0] and not fast[1]


BROKEN_INTENT = {
    "a bad weight": ("keywords:\n", "keywords:\n  - 新词: 99\n"),
    "a duplicate key": ("name:", "name: 又一个名字\nname:"),
    "a syntax error": ("keywords:\n", "keywords: [装修\n"),
    "an alias": ("keywords:\n", "department: &d 城管\nkeywords:\n  - *d\n"),
}


@pytest.mark.parametrize(("old", "new"), BROKEN_INTENT.values(), ids=BROKEN_INTENT.keys())
def test_a_broken_intent_file_is_reported_as_the_check_reports_it(tmp_path: Path, old: str, new: str) -> None:
    intents = tmp_path / "intents"
    shutil.copytree(PROJECT_ROOT / "intents", intents, ignore=shutil.ignore_patterns("labels", "fitted"))
    noise = intents / "noise.yaml"
    noise.write_text(noise.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(IntentFileError) as fast:
        load_intents(intents, fast=True)
    with pytest.raises(IntentFileError) as checked:
        load_intents(intents)
    assert [str(p) for p in fast.value.problems] == [str(p) for p in checked.value.problems]
    assert fast.value.problems and all(p.path.endswith("noise.yaml") and p.line > 0 for p in fast.value.problems)


def test_a_broken_knowledge_entry_is_reported_with_its_line(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(PROJECT_ROOT / "knowledge", knowledge)
    entry = entry_files(knowledge)[0]
    lines = entry.read_text(encoding="utf-8").split("\n")
    lines.insert(2, "title: 第二个标题")  # a duplicate key on file line 3
    entry.write_text("\n".join(lines), encoding="utf-8")
    fast_entries, fast_problems = load_entries_partial(knowledge, fast=True)
    entries, problems = load_entries_partial(knowledge)
    assert (fast_entries, fast_problems) == (entries, problems)
    assert len(problems) == 1 and problems[0].line == 4 and entry.name in problems[0].path  # the second title
    assert all(e.path != problems[0].path for e in entries)  # left out; the rest serves
