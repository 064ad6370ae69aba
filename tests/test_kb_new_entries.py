"""The entries for street lights, manholes, water/power/heating, theft, gambling/drugs, public pipes and reporters' privacy.

Questions here are our own wording, not the ones listed in the entries, so they test matching, not lookup.
"""

from __future__ import annotations

import pytest
import test_kb_heldout as held

from bot.kb import KnowledgeBase

kb = held.kb  # the shipped knowledge base, one per module

OWN_QUESTIONS = [
    ("咱们小区东门那个灯杆不亮了 谁负责", "public_streetlight", "物业"),
    ("马路边路灯坏了半个月", "public_streetlight", "12345"),
    ("井盖不见了 会不会有人掉下去", "public_manhole_road", "产权单位"),
    ("人行道坑坑洼洼的 谁来修一下", "public_manhole_road", "养护单位"),
    ("街上的下水井盖被车压碎了", "public_manhole_road", "产权单位"),
    ("停水提前多少小时要通知居民", "utilities_water_cut", "24小时"),
    ("明天停水吗 怎么提前也没说一声", "utilities_water_cut", "24小时"),
    ("这周六停水 物业今天才贴通知 来得及吗", "utilities_water_cut", "24小时"),
    ("检修停电应该提前几天告诉我们", "utilities_power_cut", "7天"),
    ("昨晚突然停电了也没个通知", "utilities_power_cut", "事先通知"),
    ("停电了 冰箱的肉都臭了 电力公司赔不赔", "utilities_power_cut", "赔偿"),
    ("我们楼停电了 电梯也停了", "utilities_power_cut", "95598"),
    ("暖气一点都不热 该打给谁", "utilities_heating", "热力公司"),
    ("屋里暖气片冰凉的", "utilities_heating", "各地规定不同"),
    ("暖气费交了家里才15度", "utilities_heating", "各地规定不同"),
    ("有小偷在小区里偷电瓶", "public_order_theft", "110"),
    ("楼下有个陌生男的天天蹲着 看着不像好人", "public_order_theft", "110"),
    ("楼下车棚的电动车被人偷走了", "public_order_theft", "物业"),
    ("隔壁天天有人聚在一起赌博", "public_order_gambling_drugs", "110"),
    ("邻居好像在家吸毒", "public_order_gambling_drugs", "治安管理处罚"),
    ("一到晚上楼上就吆喝着赌钱", "public_order_gambling_drugs", "派出所"),
    ("楼道里的公共水管爆了 水流到电梯里了", "water_pipe_burst_public", "总阀门"),
    ("小区主供水管漏了好几天", "water_pipe_burst_public", "维修资金"),
    ("你们会告诉摊主是我举报的吗", "reporter_privacy", "不得向被反映的一方透露"),
    ("楼上会知道是我投诉的吗", "reporter_privacy", "不得向被反映的一方透露"),
    ("会不会泄露我的信息", "reporter_privacy", "/privacy"),
]


def test_own_questions_are_not_copied_from_the_entries(kb: KnowledgeBase) -> None:
    listed = {q.text for e in kb.entries for q in e.questions}
    assert [q for q, _, _ in OWN_QUESTIONS if q in listed] == []


@pytest.mark.parametrize(("question", "entry_id", "fact"), OWN_QUESTIONS)
def test_new_entries_answer_residents_questions(kb: KnowledgeBase, question: str, entry_id: str, fact: str) -> None:
    got = kb.answer(question)
    assert got.doc_id == entry_id, (question, got.doc_id, got.score)
    assert got.answer is not None and fact in got.answer


def test_a_street_light_question_no_longer_gets_the_fire_equipment_answer(kb: KnowledgeBase) -> None:
    got = kb.answer("小区门口的路灯坏了找谁？")
    assert got.doc_id == "public_streetlight"
    assert kb.answer("路灯黑了好几天 物业说不归他管").doc_id != "fire_equipment"


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [("灭火器过期了没人换 该谁管", "fire_equipment"), ("楼上卫生间漏水把我家吊顶泡了", "neighbor_water_leak"),
     ("没交物业费 物业就给我家停水", "property_fee")],
)
def test_neighbouring_entries_keep_their_questions(kb: KnowledgeBase, question: str, entry_id: str) -> None:
    assert kb.answer(question).doc_id == entry_id
