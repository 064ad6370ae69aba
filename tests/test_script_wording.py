"""Every sentence the bot can send, through the Traditional path: each comes out Traditional, in the standard
forms (群, 裡, 為 — never OpenCC's rare 羣, 裏, 爲), and the script of a chat is judged on evidence only.

The sentences are collected from the wording modules themselves (every Chinese string literal that is not
a docstring), so a sentence added later is checked without anyone listing it here.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache

import opencc
import pytest
from dialog_helpers import driver_for, make_app
from wording_support import wording_modules
from zhon import cedict

from bot import PROJECT_ROOT
from bot.kb.entries import load_entries
from bot.nlu.normalize import SIMPLIFIED_ONLY, TRADITIONAL_ONLY, Normalizer

#: Modules whose strings reach residents or workers: every module of the wording folder (found by globbing the
#: folder, never listed, so a new wording module is covered the day it is added) and the pending ones.
WORDING_MODULES = wording_modules()
_CJK = re.compile(r"[\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def normalizer() -> Normalizer:
    n = Normalizer(2000)
    n.set_place_names(("丹桂里", "梨园小区", "翠竹苑", "桂花社区第二网格"))
    return n


@lru_cache(maxsize=1)
def rare_variants() -> frozenset[str]:
    """OpenCC's own Traditional forms that the standard (Taiwan/Hong Kong school) forms write differently."""
    s2t, s2tw, t2tw = opencc.OpenCC("s2t"), opencc.OpenCC("s2tw"), opencc.OpenCC("t2tw")
    every = frozenset(cedict.simplified) | frozenset(cedict.traditional)
    rare = {a for c in every if (a := s2t.convert(c)) != s2tw.convert(c)}
    rare |= {c for c in TRADITIONAL_ONLY if t2tw.convert(c) != c}
    return frozenset(rare)


def wording(path: str) -> list[tuple[str, int, str]]:
    """(path, line, text) of every string literal with Chinese in it, docstrings left out."""
    tree = ast.parse((PROJECT_ROOT / path).read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [(path, node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
            and _CJK.search(node.value)]


def all_wording() -> list[tuple[str, int, str]]:
    found = [item for path in WORDING_MODULES for item in wording(path)]
    for entry in load_entries(PROJECT_ROOT / "knowledge"):  # knowledge-base answers are sent too
        found += [(str(entry.path), 1, text) for text in (entry.title, entry.body)]
    return found


def problems(converted: str) -> list[str]:
    simplified = sorted({ch for ch in converted if ch in SIMPLIFIED_ONLY})
    rare = sorted({ch for ch in converted if ch in rare_variants()})
    return ([f"Simplified {''.join(simplified)}"] if simplified else []) + ([f"rare {''.join(rare)}"] if rare else [])


def test_the_wording_is_found_everywhere_it_lives():
    found = all_wording()
    texts_found = {text for _, _, text in found}
    # A few sentences from each kind of module: the collection reaches them all.
    for expected in ("也可以点下方按钮直接发送位置。", "📍 发送我的位置", "满意", "我的诉求和进度", "【新派单】请及时接单处理"):
        assert any(expected in t for t in texts_found), expected
    assert len(found) > 300


def test_every_reply_text_comes_out_traditional_in_standard_forms():
    to_trad = normalizer().to_script
    bad = [f"{path}:{line}: {text[:30]!r} → {'; '.join(p)}"
           for path, line, text in all_wording() if (p := problems(to_trad(text, "traditional")))]
    assert not bad, "\n".join(bad[:40])


def test_rare_variants_are_what_plain_opencc_would_have_written():
    plain = opencc.OpenCC("s2t")
    assert {"羣", "裏", "衆", "爲"} <= rare_variants()
    assert problems(plain.convert("群租房里为什么说")) and not problems(normalizer().to_script("群租房里为什么说", "traditional"))
    assert normalizer().to_script("群租房", "traditional") == "群租房"


def test_place_names_keep_their_shared_characters():
    to_trad = normalizer().to_script
    assert to_trad("地址：丹桂里3栋，院子里很吵", "traditional") == "地址：丹桂里3棟，院子裡很吵"
    assert to_trad("梨园小区", "traditional") == "梨園小區"


@pytest.mark.parametrize(("text", "before", "after"), [
    ("丹桂里3棟", "traditional", "traditional"),  # 里 is shared, 棟 is Traditional only
    ("丹桂里3栋", "traditional", "simplified"),  # 栋 is Simplified only: one clear character, outside the place name
    ("丹桂里", "traditional", "traditional"),
    ("丹桂里", "simplified", "simplified"),
    ("後面那個垃圾桶", "simplified", "traditional"),
    ("后面那个垃圾桶", "traditional", "simplified"),
    ("好的 👍", "traditional", "traditional"),
    ("3", "traditional", "traditional"),
    ("梨园小区3棟樓下", "traditional", "traditional"),  # a place typed off the estate's sign: still Traditional
    ("樓下乱停", "traditional", "traditional"),  # one of each: unclear, the chat keeps its script
    ("樓下乱停", "simplified", "simplified"),
    ("樓下乱停車", "simplified", "traditional"),  # twice as many Traditional-only characters: clear
])
def test_script_is_judged_on_evidence(text, before, after):
    assert normalizer().judge_script(text, before) == after


def test_one_script_characters_are_counted_outside_place_names():
    assert normalizer().script_evidence("丹桂里3棟") == (1, 0)
    assert normalizer().script_evidence("梨园小区") == (0, 0)
    assert normalizer().script_evidence("梨園小區門口") == (1, 0)  # 門; the estate's name counts for neither
    assert not (set("里台后群干面只") & (SIMPLIFIED_ONLY | TRADITIONAL_ONLY))


async def test_a_traditional_conversation_gets_every_part_of_every_reply_in_traditional(tmp_path):
    """Prompts, buttons, the location button and hint, the receipt: all Traditional, with the place kept."""
    app = await make_app(tmp_path / "gd.db")
    try:
        driver = driver_for(app)
        replies = []
        replies += await driver.send("阿珍", "樓上天天半夜拖櫃子，吵到睡唔著😩")
        replies += await driver.send("阿珍", "丹桂里3棟")
        replies += await driver.press("阿珍", "跳過，不傳照片")
        parts = []
        for r in replies:
            parts += [r.text, *(b.text for row in r.buttons for b in row), *(v for k, v in r.extra.items()
                                                                             if k.startswith("location_"))]
        assert any("丹桂里3棟" in p for p in parts), parts
        assert any(r.request_location and "位置" in r.extra.get("location_button", "") for r in replies)
        bad = [(p, problems(p)) for p in parts if problems(p)]
        assert not bad, bad
        assert any(ch in TRADITIONAL_ONLY for ch in replies[-1].text)
    finally:
        await app.close()
