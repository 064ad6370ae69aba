"""Short work orders and plain problem statements: a setting (学校, 医院, 单位) says where a named problem is, a
quoted department reply is not the opening, and a public structure with its broken state names the problem.
Mechanics on a small intent set written here; then our own wordings on the shipped intents."""

from __future__ import annotations

import pytest

from bot import PROJECT_ROOT
from bot.nlu.classifier import Classifier
from bot.nlu.intent_files import load_intents
from bot.nlu.normalize import Normalizer
from bot.nlu.sentence_zones import BODY, OPENING, rank_at, zones
from tests.intent_fixtures import classifier_from

FILES = {
    "facilities.yaml": """\
        version: 1
        id: public_facilities
        name: 市政设施
        department: 市政
        deadline_hours: 72
        keywords: [坑洼: 3, 保安亭: 1]
        """,
    "outside.yaml": """\
        version: 1
        id: other
        name: 其他诉求
        kind: outside
        keywords: [招生: 3]
        subtypes:
          - id: setting
            name: 场所单位
            keywords: [学校: 1.5, 医院: 1.5, 单位: 1.5]
        """,
}


@pytest.fixture(scope="module")
def clf(tmp_path_factory: pytest.TempPathFactory) -> Classifier:
    return classifier_from(tmp_path_factory.mktemp("short"), FILES)


def test_settings_do_not_outvote_the_problem_they_surround(clf: Classifier) -> None:
    # 4.5 of settings against 3 of the problem: the settings say where the road is broken.
    assert clf.classify("学校医院单位门前的路坑洼").intent == "public_facilities"
    # 保安亭 weighs 1: no problem is named strongly enough to make the hospital's own matter a community case,
    assert clf.classify("医院单位的保安亭").intent is None
    # and a topic word of `other` is no setting: 招生 3 + 学校 0.375 beats 坑洼 3.
    assert clf.classify("学校招生的路坑洼").intent is None


def test_a_date_stamp_starts_the_quoted_reply() -> None:
    text = "东街路面坑洼, 影响出行, 2026-11-20 10:15 某局答复: 附近有学校"
    starts, ranks = zones(text)
    assert rank_at(text.index("坑洼"), starts, ranks) == OPENING
    assert rank_at(text.index("学校"), starts, ranks) == BODY


@pytest.fixture(scope="module")
def shipped() -> Classifier:
    return Classifier.from_intents(load_intents(PROJECT_ROOT / "intents"), Normalizer())


@pytest.mark.parametrize("text", [
    "单元门口的台阶塌了一块",
    "五号楼前面的台阶裂开一道大缝",
    "地下通道口的台阶松动了，踩上去直晃",
    "桥上的栏杆断了两根",
    "河堤边的栏杆被撞歪了",
    "人行天桥的栏杆松动了",
    "公园那排座椅断了腿",
])
def test_a_public_structure_with_its_broken_state_is_public_facilities(shipped: Classifier, text: str) -> None:
    assert shipped.classify(text).intent == "public_facilities"


def test_a_work_order_quoting_a_reply_keeps_the_problem_it_opens_with(shipped: Classifier) -> None:
    text = ("幸福路东段路面坑洼不平，雨天车辆行人都难走，\n2026-11-20 10:15 区棚改办答复：经与安置房建设单位核实，"
            "该路沿线有小学、医院和多家单位，施工将分段进行，具体时间待定。\n市民再次来电反映：至今没有动工，")
    assert shipped.classify(text).intent == "public_facilities"
    assert shipped.classify("医院的保安态度很差").intent is None  # a weak word beside a setting: still other


@pytest.mark.parametrize(("text", "intent"), [
    ("小区里的树被砍了好几棵", "greening"),
    ("路边堆着几个破柜子没人要，需要清理", "sanitation"),
    ("小区东门晚上总有人放烟花", "public_order"),
    ("巷口那家杂货店一直偷偷卖烟花", "public_order"),
])
def test_mined_terms(shipped: Classifier, text: str, intent: str) -> None:
    assert shipped.classify(text).intent == intent
