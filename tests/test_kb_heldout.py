"""Knowledge base on HELD-OUT questions (tests/data/kb_heldout.yaml, never tuned on): the key fact, and no answer off-topic."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from bot import PROJECT_ROOT
from bot.kb import KnowledgeBase
from bot.kb.base import outside_terms
from bot.nlu.intent_files import load_intents
from bot.nlu.normalize import Normalizer

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    norm = Normalizer()
    outside = outside_terms(load_intents(PROJECT_ROOT / "intents", norm))
    return KnowledgeBase.load(PROJECT_ROOT / "knowledge", norm, outside=outside)


def load(name: str) -> list[dict]:
    return YAML(typ="safe").load((DATA / name).read_text(encoding="utf-8"))


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)  # type: ignore[arg-type]


def has_key_fact(kb: KnowledgeBase, item: dict) -> bool:
    got = kb.answer(item["q"])
    return (got.answer is not None and got.doc_id in _as_list(item["expect"])
            and any(fact in got.answer for fact in _as_list(item["fact"])))


def test_held_out_set_is_big_apart_from_dev_and_from_the_entries(kb: KnowledgeBase) -> None:
    held = load("kb_heldout.yaml")
    on = [i for i in held if i["expect"] is not None]
    assert len(on) >= 120 and len(held) - len(on) >= 40
    assert all(i.get("fact") for i in on)
    dev = {i["q"] for i in load("kb_questions.yaml")}
    listed = {q.text for e in kb.entries for q in e.questions}
    assert {i["q"] for i in held} & (dev | listed) == set()
    assert set().union(*(_as_list(i["expect"]) for i in on)) <= set(kb.by_id)


def test_unseen_on_topic_questions_get_the_key_fact(kb: KnowledgeBase) -> None:
    on = [i for i in load("kb_heldout.yaml") if i["expect"] is not None]
    wrong = [i["q"] for i in on if not has_key_fact(kb, i)]
    assert len(wrong) <= 0.10 * len(on), wrong


def test_unseen_off_topic_questions_mostly_get_no_answer(kb: KnowledgeBase) -> None:
    off = [i["q"] for i in load("kb_heldout.yaml") if i["expect"] is None]
    answered = [q for q in off if kb.answer(q).answer is not None]
    assert len(answered) <= len(off) / 6, answered


@pytest.mark.parametrize(
    ("question", "entry", "fact"),
    [
        ("请问晚上几点以后不能制造噪音？", "noise_night_hours", "22点"),
        ("邻居家老人晕倒了 叫救护车打什么电话", "emergency_numbers", "120"),
        ("群租房被查到，房东罚多少钱", "group_rental_rules", "5000元以上3万元以下"),
    ],
)
def test_questions_named_in_issue_11(kb: KnowledgeBase, question: str, entry: str, fact: str) -> None:
    got = kb.answer(question)
    assert got.doc_id == entry
    assert got.answer is not None and fact in got.answer


def test_outside_words_lower_the_confidence() -> None:
    norm = Normalizer()
    plain = KnowledgeBase.load(PROJECT_ROOT / "knowledge", norm)
    aware = KnowledgeBase.load(PROJECT_ROOT / "knowledge", norm, outside=("大学",))
    question = "邻居家孩子考上了哪个大学"
    assert aware.answer(question).score < plain.answer(question).score
    # A word the chosen entry itself has is not outside: the score stays.
    assert aware.answer("邻居吵架找谁调解").score == plain.answer("邻居吵架找谁调解").score
