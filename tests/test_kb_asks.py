"""Questions no entry answers though they share its words, and a long story before a question."""

from __future__ import annotations

import pytest
import test_kb_heldout as held
from dialog_helpers import driver_for

from bot import wording as texts
from bot.dialog.testing import texts_of
from bot.kb import KnowledgeBase
from bot.kb.asks import asks_elsewhere

kb = held.kb  # the shipped knowledge base, one per module


@pytest.mark.parametrize(
    "text",
    ["灭火器哪里有卖", "电动车电池多少钱", "超市几点开门", "周末有什么活动", "明天会下雨吗", "狗粮买什么牌子好", "物业招不招人",
     "社区下个月有没有办什么读书活动", "在哪能报名学游泳", "买车好还是租车好", "陪我说说话吧", "一个人在家好无聊",
     "天冷了穿什么好", "这一片的房子以后还会升值吗"],
)
def test_market_hours_event_weather_and_job_asks_are_caught(text: str) -> None:
    assert asks_elsewhere(text) is not None


@pytest.mark.parametrize(
    "text",
    ["装修超时罚多少钱", "被狗咬了要赔多少钱", "加装电梯要多少人同意", "几点以后不能装修", "一下雨楼上就漏水到我家",
     "办狗证多少钱", "物业费一般多少钱一平", "加装电梯每户分摊多少钱", "噪音该找物业还是找居委会",
     "学校旁边的工地晚上施工合法吗", "活动室被人占了放杂物", "邻居家的狗乱吃垃圾 主人也不管"],
)
def test_questions_about_a_rule_are_not_caught(text: str) -> None:
    assert asks_elsewhere(text) is None


@pytest.mark.parametrize(
    "text",
    ["水费能不能用支付宝缴", "网格员姓什么", "离这最近的菜鸟驿站在哪", "卫生服务中心有义诊吗", "开业主大会发饮料吗"],
)
def test_how_to_pay_names_nearest_place_checkups_and_snacks_are_caught_even_with_a_fee_word(text: str) -> None:
    assert asks_elsewhere(text) is not None


@pytest.mark.parametrize("text", ["物业费不交会怎么样", "楼下奶茶店空调外机太吵", "物业不给开收据 现金交的费怎么证明"])
def test_paying_and_shops_in_a_rule_question_are_not_caught(text: str) -> None:
    assert asks_elsewhere(text) is None


def test_a_shopping_question_gets_no_answer_where_the_rule_question_does(kb: KnowledgeBase) -> None:
    assert kb.answer("灭火器过期了没人换 该谁管").doc_id == "fire_equipment"
    assert kb.answer("小区旁边哪里有卖灭火器").answer is None


def test_a_long_story_before_the_question_does_not_sink_the_answer(kb: KnowledgeBase) -> None:
    story = "我们家去年冬天搬到这个小区 一开始觉得环境挺好 邻里也客气 后来才发现问题 "
    got = kb.answer(story + "楼上装修把承重墙砸了 会不会有危险")
    assert got.doc_id == "construction_load_bearing"


def test_dev6_asks_about_every_entry(kb: KnowledgeBase) -> None:
    items = held.load("kb_dev6.yaml")
    expected = set()
    for i in items:
        expected.update(held._as_list(i["expect"]))
    assert expected == set(kb.by_id)


@pytest.mark.parametrize("typed", ["电动车电池多少钱", "灭火器哪里有卖？"])
async def test_a_market_question_is_not_offered_as_a_case_to_file(app, typed: str) -> None:
    driver = driver_for(app)
    said = texts_of(await driver.send("王阿姨", typed))
    assert texts.KB_NO_ANSWER in said, said
    assert texts.OFFER_FILE.split("【")[0] not in said, said


async def test_an_unanswered_question_naming_a_problem_is_still_offered(app) -> None:
    said = texts_of(await driver_for(app).send("王阿姨", "小区的雨水篦子被树叶糊住了怎么办？"))
    assert texts.KB_NO_ANSWER in said and texts.OFFER_FILE.split("【")[0] in said, said
