"""Questions with no entry of their own must not get a wrong nearest entry through same-sounding tags."""

from __future__ import annotations

import pytest

from bot import PROJECT_ROOT
from bot.kb import KnowledgeBase
from bot.kb.base import outside_terms
from bot.kb.index import COMMON_WORD_FREQ, Analyzer, Document, Index
from bot.nlu.intent_files import load_intents
from bot.nlu.normalize import Normalizer

TAGS = ("可疑", "水管", "滴水", "广场舞", "打架", "维修资金")


@pytest.fixture(scope="module")
def index() -> Index:
    docs = [Document(head=t, body=t, questions=(t,), topics=(t,)) for t in TAGS]
    return Index(docs, Analyzer(TAGS))


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    norm = Normalizer()
    return KnowledgeBase.load(PROJECT_ROOT / "knowledge", norm,
                              outside=outside_terms(load_intents(PROJECT_ROOT / "intents", norm)))


@pytest.mark.parametrize("text", ["小区里可以养鸡吗", "业主大会要通知大家吗"])
def test_a_common_word_is_not_a_typo_of_a_tag(index: Index, text: str) -> None:
    assert index._typo_fixes(text) == set()


@pytest.mark.parametrize("text", ["这事归谁管", "楼上的水漏下来了"])
def test_a_changed_function_word_is_not_a_typo(index: Index, text: str) -> None:
    assert index._typo_fixes(text) == set()


@pytest.mark.parametrize(("text", "tag"), [("广场午太吵了", "广场舞"), ("维修资今能用吗", "维修资金")])
def test_a_real_slip_still_counts(index: Index, text: str, tag: str) -> None:
    assert tag in index._typo_fixes(text)


def test_a_slip_does_not_also_count_as_an_unknown_word(index: Index) -> None:
    """"资今" stands for 维修资金: weighed as a word no entry has as well, it sank "去哪投素" below the threshold."""
    assert index._typo_slips("维修资今") == {"维修资今": "维修资金"}
    assert index.search("维修资今")[0].unknown == 0.0


def test_the_frequency_cut_sits_between_slips_and_words(index: Index) -> None:
    """The slips the dev sets fix are rare or no words; the words wrongly taken for tags are common."""
    freq = index.analyzer.base_frequency
    assert all(freq(w) < COMMON_WORD_FREQ for w in ("燥音", "磁砖", "群组", "广场午"))
    assert all(freq(w) >= COMMON_WORD_FREQ for w in ("可以", "大家", "听说", "水果"))


@pytest.mark.parametrize(("question", "want"), [
    ("健身器材坏了找谁", "public_fitness_equipment"),
    ("小区里那个单杠晃得厉害 谁来修", "public_fitness_equipment"),
    ("下水道堵了找谁", "public_drain_blocked"),
    ("楼下的排水管堵死了 一楼都返水了", "public_drain_blocked"),
])
def test_new_entries_answer_their_topic(kb: KnowledgeBase, question: str, want: str) -> None:
    assert kb.answer(question).doc_id == want


def test_raising_chickens_does_not_get_the_theft_entry(kb: KnowledgeBase) -> None:
    assert kb.answer("小区里可以养鸡吗").doc_id != "public_order_theft"


@pytest.mark.xfail(reason="search-mode parts (邻居家 → 邻居, 居家; 自行车 → 自行, 行车) count a compound "
                          "two or three times in coverage; a fix moved dev questions, left for a tuned round",
                   strict=True)
@pytest.mark.parametrize(("question", "want"), [
    ("小区里的自行车老丢", "public_order_theft"),
])
def test_compound_words_do_not_outweigh_the_topic(kb: KnowledgeBase, question: str, want: str) -> None:
    assert kb.answer(question).doc_id == want


def test_a_power_cut_next_door_is_still_a_power_cut(kb: KnowledgeBase) -> None:
    """Was xfail with the bicycle above; the kb7 power-cut questions tipped it, by the BM25 tie-break only
    (0.461 + 0.1 x 1.00 against fumes_neighbor's 0.481 + 0.1 x 0.65): the compound weak spot is still there."""
    assert kb.answer("家里突然没电了 邻居家也没电").doc_id == "utilities_power_cut"


def test_a_chunk_cutting_a_known_word_in_half_is_not_a_slip(kb: KnowledgeBase) -> None:
    """In 被投诉 the chunk 被投 sounds like the tag 被偷 but cuts 投诉 in half: the resident wrote 投诉."""
    index = kb.index
    text = "装修公司晚上干活被投诉了"
    assert "被偷" not in index._typo_fixes(text)
    assert "被偷" in index._typo_fixes("家里电瓶车被投了")
    assert index._typo_fixes("小区里哪里可以打羽毛球") == set()  # 以打 cuts the function word 可以, not 私搭


def test_a_glued_function_word_does_not_weigh_as_an_unknown_word(kb: KnowledgeBase) -> None:
    """jieba cuts 要罚 as one word no entry has; its core 罚 is a word entries have."""
    index = kb.index
    glued = index.search("单位要罚多少", limit=1)[0]
    apart = index.search("单位罚多少", limit=1)[0]
    assert glued.unknown == apart.unknown == 0.0
    assert glued.doc == apart.doc


def test_cantonese_words_are_read_as_the_entries_mandarin(kb: KnowledgeBase) -> None:
    got = kb.answer("屋企畀人爆格 佢哋要唔要負責")
    assert got.doc_id == "public_order_theft"
    assert kb.answer("家里被人入室盗窃 他们要不要负责").doc_id == got.doc_id
