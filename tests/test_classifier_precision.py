"""Precision rules of the classifier: a landmark names where, a who-failed term yields to a named problem, and of
two overlapping terms the longer counts. Mechanics on a small intent set written here; then the resident QA
pass's cases (in our own words) on the shipped intents."""

from __future__ import annotations

import pytest

from bot import PROJECT_ROOT
from bot.nlu.classifier import Classifier
from bot.nlu.intent_files import load_intents
from bot.nlu.lexicon import TermRef
from bot.nlu.normalize import Normalizer
from bot.nlu.term_matches import as_place, longest
from tests.intent_fixtures import classifier_from

FILES = {
    "facilities.yaml": """\
        version: 1
        id: public_facilities
        name: 市政设施
        department: 市政
        deadline_hours: 72
        keywords: [路灯: 2, 井盖: 2]
        """,
    "elevator.yaml": """\
        version: 1
        id: elevator
        name: 电梯问题
        department: 物业
        deadline_hours: 48
        keywords: [电梯坏: 1.2]
        """,
    "property.yaml": """\
        version: 1
        id: property_service
        name: 物业服务
        department: 物业
        deadline_hours: 120
        keywords: [物业不管: 1.5, 物业费: 3, 充电费: 1.5]
        """,
    "fire.yaml": """\
        version: 1
        id: fire_hazard
        name: 消防隐患
        department: 消防
        deadline_hours: 24
        keywords: [电动车充电: 2]
        """,
    "outside.yaml": """\
        version: 1
        id: other
        name: 其他诉求
        kind: outside
        keywords: [公交站: 3, 线路: 1]
        """,
}


@pytest.fixture(scope="module")
def clf(tmp_path_factory: pytest.TempPathFactory) -> Classifier:
    return classifier_from(tmp_path_factory.mktemp("intents"), FILES)


@pytest.mark.parametrize(
    ("text", "term", "place"),
    [
        ("红绿灯处的井盖", "红绿灯", True),
        ("公交站旁边", "公交站", True),
        ("公交站台那里", "公交站", True),
        ("隧道出口附近", "隧道", True),
        ("靠近信号灯的人行道", "信号灯", True),
        ("学校处理不公", "学校", False),  # 处 as the verb 处理 is not a place
        ("公交站太远了", "公交站", False),
    ],
)
def test_a_landmark_frame_is_a_place(text: str, term: str, place: bool) -> None:
    start = text.index(term)
    assert as_place(text, start, start + len(term)) is place


def test_an_outside_landmark_that_says_where_does_not_outvote_the_problem(clf: Classifier) -> None:
    assert clf.classify("公交站旁边的路灯坏了").intent == "public_facilities"
    # The same landmark as the topic still wins: a bus stop that should move is not a street light case.
    assert clf.classify("公交站应该挪一挪，路灯也暗").intent is None


def test_a_landmark_frame_in_a_sentence_without_a_problem_keeps_its_weight(clf: Classifier) -> None:
    # The letter is about the crowded bus stop; the street light comes later, in a sentence of its own.
    assert clf.classify("公交站旁边太挤了。路灯坏了，井盖也丢了").intent is None
    assert clf.classify("公交站旁边的路灯坏了。").intent == "public_facilities"


def test_a_who_failed_term_yields_to_the_problem_named(clf: Classifier) -> None:
    result = clf.classify("电梯坏了三天，物业不管")
    assert result.intent == "elevator" and "物业不管" not in result.matched


def test_a_who_failed_term_still_names_its_category_alone_or_with_its_own_problem(clf: Classifier) -> None:
    assert clf.classify("反映多少次了物业不管").intent == "property_service"
    result = clf.classify("物业费照收，电梯坏了也是物业不管")
    assert result.intent == "property_service" and "物业不管" in result.matched


def test_of_two_overlapping_terms_the_longer_counts() -> None:
    def ref(intent: str, term: str) -> tuple[TermRef, ...]:
        return (TermRef(intent, None, 1.0, "topic", term),)

    text = "楼道灯坏了电动车充电费"
    spans = [
        (0, 2, "楼道", ref("fire_hazard", "楼道")),
        (1, 5, "道灯坏了", ref("public_facilities", "道灯坏了")),
        (5, 10, "电动车充电", ref("fire_hazard", "电动车充电")),
        (8, 11, "充电费", ref("property_service", "充电费")),
    ]
    # A later, longer term replaces the shorter one it overlaps; an earlier longer one keeps its place.
    assert sorted(longest(spans, text)) == ["电动车充电", "道灯坏了"]


def test_a_fee_term_beside_a_charging_term(clf: Classifier) -> None:
    assert clf.classify("小区的充电费太贵").intent == "property_service"


@pytest.fixture(scope="module")
def shipped() -> Classifier:
    return Classifier.from_intents(load_intents(PROJECT_ROOT / "intents"), Normalizer())


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # barking is pets, however much noise the message says it makes
        ("隔壁那条狗狂叫了一整晚，噪音扰民太严重", "pets"),
        ("楼上的狗整天叫，吵得老人睡不好", "pets"),
        ("小区里犬吠声一阵接一阵，严重扰民", "pets"),
        # a landmark names where the community problem is
        ("红绿灯路口那里的窨井盖丢了一个", "public_facilities"),
        ("公交站旁边的垃圾桶好几天没人倒，全溢出来了", "sanitation"),
        ("隧道口附近的人行道砖碎了一地", "public_facilities"),
        # charging fees are the estate's fees
        ("电动车充电费一个月要一百多，太离谱", "property_service"),
        ("充电桩收费太高了，谁定的价", "property_service"),
        # a fallen tree
        ("门口那棵树倒了，把路都挡住了", "greening"),
        ("昨晚风大，院子里一棵树倒了", "greening"),
        # goods in a fire lane are a fire hazard, cars in it are parking
        ("楼下商店的货物全堆在消防通道上", "fire_hazard"),
        ("有辆车一直停在消防通道上", "parking"),
        # a stairwell light is a broken facility, the property's silence does not outvote it
        ("二单元楼道灯坏了，晚上黑漆漆的", "public_facilities"),
        ("我们楼的声控灯坏了半个月，物业也不管", "public_facilities"),
        # a weak complaint about the property does not beat the named problem
        ("垃圾桶满了三天，物业也不管", "sanitation"),
        ("电梯又坏了，打了好几次物业电话也没人来", "elevator"),
        ("物业费年年涨，物业也不管事", "property_service"),
    ],
)
def test_resident_qa_cases(shipped: Classifier, text: str, intent: str) -> None:
    result = shipped.classify(text)
    assert result.intent == intent, (result.intent, result.matched)
