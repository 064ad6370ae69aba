"""Classifier mechanics on a small intent set written here, so each rule is tested in isolation."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlu.classifier import Classifier
from bot.nlu.intent_files import load_intents
from bot.nlu.normalize import Normalizer
from tests.intent_fixtures import classifier_from

FILES = {
    "noise.yaml": """\
        version: 1
        id: noise
        name: 噪声扰民
        department: 派出所
        deadline_hours: 48
        keywords: [噪音, 扰民, 吵]
        phrases: [半夜还在装修]
        veto: [噪声污染防治法培训]
        subtypes:
          - id: square_dance
            name: 广场舞
            keywords: [广场舞: 2]
        """,
    "parking.yaml": """\
        version: 1
        id: parking
        name: 停车秩序
        department: 物业
        deadline_hours: 48
        keywords: [车位, 停车位: 2, 乱停, 消防通道: 2]
        """,
    "utilities.yaml": """\
        version: 1
        id: utilities
        name: 水电气暖
        department: 供电公司
        deadline_hours: 24
        keywords: [停电: 2, 停水: 2]
        """,
    "outside.yaml": """\
        version: 1
        id: other
        name: 其他诉求
        kind: outside
        keywords: [社保: 3, 公积金: 3]
        """,
    "acts.yaml": """\
        version: 1
        id: ask
        name: 咨询
        kind: act
        keywords: [请问, 吗: 0.6, 能不能]
        """,
    "emergency.yaml": """\
        version: 1
        id: emergency
        name: 紧急
        kind: act
        keywords: [着火: 2, 煤气味: 2]
        """,
}


@pytest.fixture(scope="module")
def clf(tmp_path_factory: pytest.TempPathFactory) -> Classifier:
    return classifier_from(tmp_path_factory.mktemp("intents"), FILES)


def test_keyword_gives_intent_and_matched_terms(clf: Classifier) -> None:
    result = clf.classify("楼上噪音太大了")
    assert result.intent == "noise" and result.matched == ["噪音"] and result.act == "report"


def test_match_across_a_word_boundary_is_rejected(clf: Classifier) -> None:
    # "停电动车" = park an e-bike; "停电" (power cut) straddles the words 停|电动车.
    assert clf.classify("楼下有人乱停电动车").intent == "parking"
    assert clf.classify("小区又停电了").intent == "utilities"


def test_longest_term_wins_inside_another(clf: Classifier) -> None:
    result = clf.classify("停车位被占")
    assert result.matched == ["停车位"]


def test_one_character_keyword_only_as_a_word(clf: Classifier) -> None:
    assert clf.classify("楼上太吵了").intent == "noise"
    assert clf.classify("吵架的邻居把车位占了").intent == "parking"  # 吵架 is a word of its own


def test_veto_cancels_the_intent(clf: Classifier) -> None:
    assert clf.classify("社区组织噪声污染防治法培训,讲了噪音").intent is None


def test_negation_removes_the_term(clf: Classifier) -> None:
    result = clf.classify("不是噪音的问题,是消防通道被堵")
    assert result.intent == "parking"
    assert "噪音" not in result.matched


def test_a_rhetorical_question_asserts_the_term(clf: Classifier) -> None:
    # "难道不是违章建筑?" says it is one; the plain denial stays a denial.
    result = clf.classify("楼上天天半夜敲,难道不是噪音?")
    assert result.intent == "noise" and "噪音" in result.matched
    assert "噪音" not in clf.classify("这根本不是噪音,是乱停").matched


def test_typo_in_a_phrase_still_matches(clf: Classifier) -> None:
    result = clf.classify("楼上半夜还再装修")
    assert result.intent == "noise" and "半夜还在装修" in result.matched


def test_a_near_miss_that_the_text_says_exactly_as_another_term_is_not_a_typo(tmp_path: Path) -> None:
    # "电动车上牌" (registering an e-bike) is one character from the fire hazard "电动车上楼"; once the
    # outside intent knows the word exactly, the near-miss is not counted.
    files = {
        "fire.yaml": "version: 1\nid: fire_hazard\nname: 消防隐患\ndepartment: 消防\ndeadline_hours: 24\n"
                     "keywords: [电动车上楼: 3]\n",
        "outside.yaml": "version: 1\nid: other\nname: 其他诉求\nkind: outside\nkeywords: [社保: 3]\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    norm = Normalizer(max_chars=500)
    assert Classifier.from_intents(load_intents(tmp_path, norm), norm).classify("电动车上牌去哪办").intent == "fire_hazard"
    (tmp_path / "outside.yaml").write_text(files["outside.yaml"].replace("[社保: 3]", "[社保: 3, 电动车上牌: 3]"),
                                           encoding="utf-8")
    clf = Classifier.from_intents(load_intents(tmp_path, norm), norm)
    assert clf.classify("电动车上牌去哪办").intent is None
    assert clf.classify("三楼有人把电动车上楼充电").intent == "fire_hazard"


def test_traditional_input_matches_and_is_remembered(clf: Classifier) -> None:
    result = clf.classify("廣場舞擾民，太吵")
    assert (result.intent, result.subtype, result.script) == ("noise", "square_dance", "traditional")


def test_outside_topic_is_other(clf: Classifier) -> None:
    result = clf.classify("社保和公积金怎么转移,小区停车位也紧张")
    assert result.intent is None
    assert result.alternatives and result.alternatives[0].intent == "parking"


def test_nothing_matched_is_other_not_the_nearest(clf: Classifier) -> None:
    result = clf.classify("推荐一只股票")
    assert result.intent is None and result.matched == []


def test_primary_problem_of_a_long_letter(clf: Classifier) -> None:
    letter = "尊敬的领导:我们小区消防通道长期被乱停的车堵死,车位也被占。" + "情况说明。" * 40 + "另外偶尔有点噪音。"
    result = clf.classify(letter)
    assert result.intent == "parking"
    assert result.alternatives[0].intent == "noise"


def test_opening_sentence_outweighs_the_setting_described_later(clf: Classifier) -> None:
    # Raw evidence favours parking (停车位 2 + 车位 1 + 消防通道 2 against 噪音 + 扰民 + 吵), but the
    # parking words only describe where the resident lives; the opening says what is wrong.
    letter = "楼上半夜噪音扰民,吵得没法睡。我家车停在停车位上,车位是买的,旁边就是消防通道。"
    result = clf.classify(letter)
    assert result.intent == "noise"
    assert result.alternatives[0].intent == "parking"


def test_a_problem_stated_strongly_up_front_is_not_outvoted_by_the_setting(clf: Classifier) -> None:
    # The opening states noise with four terms; the rest of the letter is about 社保/公积金, which add up
    # to more than noise's whole score. The opening says what the resident wants handled.
    setting = "我在这里交社保,交公积金。社保交了十年,公积金也交了十年。社保和公积金的事另说,社保公积金都正常。"
    letter = "楼上半夜还在装修,噪音扰民,吵得没法睡。" + setting
    assert clf.classify(letter).intent == "noise"
    # Named once up front, noise does not outweigh the same setting.
    assert clf.classify("楼上有点噪音。" + setting).intent is None


def test_a_category_named_once_in_passing_is_other(clf: Classifier) -> None:
    story = "我父亲去年退休后一直在办手续,跑了好几趟。那天回家时小区停电了,他摸黑爬了六楼。手续到现在也没办好,不知道找谁。"
    assert clf.classify(story).intent is None
    # The same power cut as the opening sentence is the problem itself.
    assert clf.classify("小区停电了,他摸黑爬了六楼。").intent == "utilities"


def test_acts(clf: Classifier) -> None:
    assert clf.classify("请问晚上几点以后不能有噪音吗").act == "ask"
    assert clf.classify("楼道里着火了").act == "emergency"
    assert clf.classify("20261122-0003 办得怎么样了").act == "status"
    assert clf.classify("20261122-0003怎么样了").act == "status"  # no space: \b would not see the number
    assert clf.classify("120261122-00031").act != "status"  # digits around it: not a case number
    assert clf.classify("").act == "chat"
    assert clf.classify("你好").act == "chat"
    assert clf.classify("社保断了").act == "report"  # short, but names an outside topic: a request, not small talk


def test_a_report_dressed_as_a_question_is_a_report(clf: Classifier) -> None:
    # Shaped as a question, naming a problem the desk handles, asking the desk to act on it: filed, not answered.
    dressed = clf.classify("我想问一下楼上半夜的噪音能不能管管")
    assert dressed.intent == "noise" and dressed.act == "report" and dressed.asks_action
    # A question about the rule asks nothing of the desk; one that names no category is no report to file.
    rule = clf.classify("请问晚上几点以后不能有噪音吗")
    assert rule.act == "ask" and not rule.asks_action
    outside = clf.classify("请问社保断了能不能管管")
    assert outside.intent is None and outside.act == "ask" and not outside.asks_action


def test_confidence_grows_with_evidence(clf: Classifier) -> None:
    weak = clf.classify("有点吵").confidence
    strong = clf.classify("广场舞噪音扰民,天天吵").confidence
    assert 0 < weak < strong <= 1


@pytest.mark.parametrize("raw", ["", "🙂🙂", "\x00\x01", b"\xff\xfe", "吵" * 100_000, "<script>alert(1)</script>"])
def test_bad_input_never_crashes(clf: Classifier, raw: object) -> None:
    result = clf.classify(raw)  # type: ignore[arg-type]
    assert 0 <= result.confidence <= 1
    assert set(result.to_json()) == {"text", "intent", "subtype", "act", "confidence", "matched", "alternatives"}


def test_huge_input_is_truncated(clf: Classifier) -> None:
    assert clf.classify("吵" * 10_000).truncated


def test_growing_the_vocabulary_does_not_change_answers(tmp_path: Path, clf: Classifier) -> None:
    extra = "\n".join(f"  - 测试词{i:04d}" for i in range(2000))
    filler = f"version: 1\nid: filler\nname: 填充\nkind: outside\nkeywords:\n{extra}\n"
    big = classifier_from(tmp_path, {**FILES, "filler.yaml": filler})
    for text in ["楼上噪音太大了", "停车位被占", "小区又停电了", "推荐一只股票"]:
        assert big.classify(text).intent == clf.classify(text).intent


def test_a_status_word_in_a_long_letter_is_part_of_the_story(tmp_path: Path) -> None:
    files = {**FILES, "status.yaml": """\
        version: 1
        id: status
        name: 查进度
        kind: act
        keywords: [进度: 2, 处理结果: 2]
        """}
    clf = classifier_from(tmp_path, files, max_chars=1000)
    # A short question about a filed request, naming no category: the resident's case list.
    assert clf.classify("上次反映的那件事有进度了吗").act == "status"
    # A letter telling a long story (an outside topic) with a status word inside is a request, not a case lookup.
    story = ("我在一家公司上了八年班,去年公司搬走以后,社保一直没有人给我们续交,我们几个老员工找过公司很多次。"
             "公司一开始说在办,后来就不接电话了。我们又去了劳动部门,工作人员说会去核实,让我们回家等。"
             "等了三个多月,到现在也没有任何处理结果,我们每个月还要自己垫钱交,家里老人孩子都要养,压力很大。"
             "我们想知道这种情况到底应该找哪个部门,公司不在了责任由谁来承担,能不能帮我们把这几年欠缴的社保都补上,"
             "也希望有关部门能给我们一个明确的答复,谢谢。")
    assert len(story) > 200
    result = clf.classify(story)
    assert result.intent is None and result.act == "report"
