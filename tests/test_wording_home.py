"""Every word people read lives in bot/wording/, once, addressed by key.

Chinese string literals outside the folder fail the build unless the module is on the short, justified list in
`wording_support` (patterns of what people type, the console's HTML templates, one pending module).
"""

from __future__ import annotations

import ast

from wording_support import MATCHED_INPUT, PENDING, WORDING_HOME, allowed, chinese_literals, relative

from bot import PROJECT_ROOT, wording


def test_no_chinese_literal_outside_the_wording_home():
    bad = []
    for path in sorted((PROJECT_ROOT / "bot").rglob("*.py")):
        rel = relative(path)
        if path.is_relative_to(WORDING_HOME) or allowed(rel):
            continue
        bad += [f"{rel}:{line}: {text[:40]!r} (move it into bot/wording/)" for line, text in chinese_literals(path)]
    assert not bad, "\n".join(bad)


def test_the_check_finds_a_sentence_and_skips_english(tmp_path):
    """The check can fail: a sentence, a button label and an f-string's words are caught; English help with a
    Chinese term, and docstrings, are not."""
    probe = tmp_path / "probe.py"
    probe.write_text('"""说明。"""\nA = "已受理"\nB = f"案件 {n} 已办结"\nC = "list the grids (网格) with their areas"\n'
                     'def f():\n    """文档。"""\n    return ("取消", 1)\n', encoding="utf-8")
    assert sorted({line for line, _ in chinese_literals(probe)}) == [2, 3, 7]


def test_every_allowance_names_a_module_that_exists_and_still_needs_it():
    for rel in (*MATCHED_INPUT, *PENDING):
        path = PROJECT_ROOT / rel
        assert path.is_file(), f"{rel}: listed in wording_support but gone; drop it from the list"
        assert chinese_literals(path), f"{rel}: holds no Chinese any more; drop it from the list"


def test_each_key_is_defined_once_in_the_folder():
    """`bot.wording.KEY` names one text: no key is defined in two modules (a label spelt twice could drift)."""
    owners: dict[str, list[str]] = {}
    for path in sorted(WORDING_HOME.glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
            for target in targets:
                if isinstance(target, ast.Name) and target.id.isupper():
                    owners.setdefault(target.id, []).append(path.name)
    twice = {key: files for key, files in owners.items() if len(files) > 1}
    assert not twice, twice
    assert len(owners) > 250


def test_the_wording_modules_import_nothing_from_the_bot():
    """The folder is the bottom layer: any module may read it, and it reads no other part of the bot."""
    for path in sorted(WORDING_HOME.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bot") and path.name != "__init__.py":
                raise AssertionError(f"{relative(path)}:{node.lineno}: imports {node.module}")


def test_a_state_has_one_name_and_the_chat_adds_only_the_next_step():
    assert wording.state_in_chat("resolved") == wording.STATE_NAMES["resolved"] + "，" + wording.STATE_NEXT["resolved"]
    assert wording.state_in_chat("accepted") == wording.STATE_NAMES["accepted"] == "处置中"
    assert wording.CATEGORY_FALLBACK["other"] == wording.OTHER_NAME
    # The rating buttons are the score names; the worker's buttons are the button labels.
    from bot.cases import callbacks

    assert [b.text for b in callbacks.rating_buttons(1)[0]] == list(wording.SCORE_NAMES.values())
    assert [b.text for row in callbacks.worker_buttons(1) for b in row] == [
        wording.BTN_ACCEPT, wording.BTN_RESOLVE, wording.BTN_RETURN, wording.BTN_PROGRESS, wording.BTN_ASK]
