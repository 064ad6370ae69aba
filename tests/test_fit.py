"""Fitted numbers: label files, the fit, the weights file (fresh, stale, broken), suggest — on small sets written here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.dialog.understanding import Understanding
from bot.errors import DataFileError, IntentFileError
from bot.nlu.classifier import Classifier
from bot.nlu.fit import build_design, fit
from bot.nlu.fitted import default_path, load_fitted, write_fitted
from bot.nlu.intent_files import IntentSet, load_intents
from bot.nlu.labels import SHARED_DATA, LabelledExample, read_label_file
from bot.nlu.loading import load_classifier
from bot.nlu.normalize import Normalizer
from bot.nlu.suggest import suggest
from tests.intent_fixtures import write_intent_files
from tests.test_cli_nlu import griddesk

FILES = {
    "noise.yaml": """\
        version: 1
        id: noise
        name: 噪声扰民
        department: 派出所
        deadline_hours: 48
        keywords: [噪音, 吵闹, 音响: 0.5]
        """,
    "parking.yaml": """\
        version: 1
        id: parking
        name: 停车秩序
        department: 物业
        deadline_hours: 48
        keywords: [乱停, 车位, 挡路: 0.5]
        """,
    "outside.yaml": """\
        version: 1
        id: other
        name: 其他诉求
        kind: outside
        keywords: [社保: 3, 学校]
        """,
}

NORM = Normalizer(max_chars=500)


@pytest.fixture()
def intents_dir(tmp_path: Path) -> Path:
    return write_intent_files(tmp_path / "intents", FILES)


def _intents(root: Path) -> IntentSet:
    return load_intents(root, NORM)


def _examples() -> list[LabelledExample]:
    """音响 is nearly always noise in these, 挡路 nearly always other: the fit should move them."""
    rows = []
    for k in range(30):
        rows.append(LabelledExample(f"楼下音响开到半夜第{k}次", "noise", f"mem:{k}", f"n{k}"))
        rows.append(LabelledExample(f"门口那堆杂物挡路了第{k}回", "other", f"mem:{100 + k}", f"o{k}"))
        rows.append(LabelledExample(f"小区里有人乱停第{k}辆", "parking", f"mem:{200 + k}", f"p{k}"))
    return rows


def test_fit_moves_terms_with_evidence_and_keeps_the_rest(intents_dir: Path) -> None:
    intents = _intents(intents_dir)
    result = fit(intents, _examples(), classifier=Classifier.from_intents(intents, NORM),
                 models=("terms",), lambdas=(1.0,))
    weights = result.fitted.weights
    assert weights[("noise", "音响")] > 0.5  # seen 30 times as noise
    assert weights[("parking", "挡路")] < 0.5  # seen 30 times in items that are not parking
    assert weights[("noise", "吵闹")] == pytest.approx(1.0)  # never seen: keeps its YAML weight
    assert weights[("other", "社保")] == pytest.approx(3.0)


def test_fitted_file_round_trips_and_decides(intents_dir: Path) -> None:
    intents = _intents(intents_dir)
    result = fit(intents, _examples(), classifier=Classifier.from_intents(intents, NORM),
                 models=("terms",), lambdas=(1.0,))
    path = default_path(intents_dir)
    write_fitted(path, result.fitted, intents)
    loaded = load_fitted(intents_dir, intents)
    assert loaded is not None and not loaded.stale
    assert loaded.weights == pytest.approx(result.fitted.weights, abs=1e-3)
    assert "门口" not in path.read_text(encoding="utf-8")  # numbers for terms only, no labelled text
    _, fitted_clf = load_classifier(intents_dir, NORM)
    _, yaml_clf = load_classifier(intents_dir, NORM, use_fitted=False)
    text = "过道里杂物挡路"
    assert yaml_clf.classify(text).intent is None  # 0.5 is under the hand threshold either way …
    assert fitted_clf.fitted is not None
    assert fitted_clf.lexicon.automaton.get("挡路")[1][0].weight < 0.5  # … and the fitted weight is lower still


def _write_weights(root: Path, rows: list[list[object]]) -> Path:
    path = default_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    model = {"positions": {"opening": 1, "request": 0.8, "body": 0.5}, "outside_pull": 1, "topic": 1,
             "long_single": 1.25, "passing": 2, "calibration": [1, 0]}
    lines = ['{"version": 1,', f' "model": {json.dumps(model)},', ' "weights": [']
    lines += ["  " + json.dumps(r, ensure_ascii=False) + ("," if i < len(rows) - 1 else "") for i, r in enumerate(rows)]
    lines += [" ]", "}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_stale_weights_are_reported_with_their_line_and_yaml_wins(intents_dir: Path) -> None:
    _write_weights(intents_dir, [["noise", "噪音", 1.0, 2.0], ["noise", "广场舞", 1.0, 3.0], ["parking", "车位", 2.0, 4.0]])
    fitted = load_fitted(intents_dir, _intents(intents_dir))
    assert fitted is not None
    messages = [str(p) for p in fitted.stale]
    assert any(m.endswith("weights.json:5: weight for '广场舞' of 'noise': no intent file has this term any more "
                          "(run griddesk intents fit)") for m in messages)
    assert any(":6:" in m and "'车位' of 'parking' now weighs 1" in m for m in messages)
    assert fitted.weight("noise", "噪音", 1.0) == 2.0
    assert fitted.weight("parking", "车位", 1.0) == 1.0  # the admin changed it since the fit: the YAML weight decides


def test_check_reports_a_weight_for_a_removed_term(intents_dir: Path) -> None:
    _write_weights(intents_dir, [["noise", "广场舞", 1.0, 3.0]])
    done = griddesk("intents", "check", str(intents_dir))
    assert "weights.json:4: weight for '广场舞' of 'noise': no intent file has this term any more" in done.stdout


@pytest.mark.parametrize(("content", "line", "what"), [
    ('{"version": 1,\n "model": {,\n}', 2, "not valid JSON"),
    ('{"version": 2, "model": {}, "weights": []}', 1, "unsupported version 2"),
])
def test_broken_weights_file_is_an_error_with_its_line(intents_dir: Path, content: str, line: int, what: str) -> None:
    path = default_path(intents_dir)
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    with pytest.raises(IntentFileError) as caught:
        load_fitted(intents_dir, _intents(intents_dir))
    assert any(p.line == line and what in p.message for p in caught.value.problems)


def test_bad_weight_row_names_its_line(intents_dir: Path) -> None:
    _write_weights(intents_dir, [["noise", "噪音", 1.0, 2.0], ["noise", "吵闹", 1.0, "heavy"]])
    with pytest.raises(IntentFileError) as caught:
        load_fitted(intents_dir, _intents(intents_dir))
    assert [p.line for p in caught.value.problems] == [5]


def test_broken_weights_never_take_the_bot_down(intents_dir: Path) -> None:
    understanding = Understanding.load(intents_dir, intents_dir / "no-kb", NORM)
    assert understanding.classifier.fitted is None
    _write_weights(intents_dir, [["noise", "噪音", 1.0, 2.0]])
    assert understanding.reload().ok and understanding.classifier.fitted is not None
    before = understanding.classifier
    default_path(intents_dir).write_text("{not json", encoding="utf-8")
    result = understanding.reload()
    assert not result.ok and "weights.json:1: not valid JSON" in result.problems[0]
    assert understanding.classifier is before  # the previous set stays
    # At start there is no previous set: the YAML weights decide.
    fresh = Understanding.load(intents_dir, intents_dir / "no-kb", NORM)
    assert fresh.classifier.fitted is None and fresh.classifier.classify("噪音太大").intent == "noise"


def test_label_file_problems_are_reported_by_line(tmp_path: Path) -> None:
    known_id = json.loads((SHARED_DATA / "hotline_workorders.jsonl").open(encoding="utf-8").readline())["id"]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join([
        json.dumps({"labeller": "a test", "source": "hotline_workorders.jsonl", "text_field": "text_clean"}),
        json.dumps({"id": known_id, "cat": "noise", "split": "fit"}),
        "{not json",
        json.dumps({"id": known_id, "cat": "no_such_intent"}),
        json.dumps({"id": "no-such-id", "cat": "noise"}),
        json.dumps({"id": known_id, "cat": "noise", "split": "later"}),
    ]) + "\n", encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        read_label_file(path, {"noise", "other"})
    got = {(p.line, p.message.split(" ")[0]) for p in caught.value.problems}
    assert got == {(3, "not"), (4, "unknown"), (5, "id"), (6, "split")}


def test_fit_refuses_a_bad_label_file_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"labeller": "x", "source": "hotline_workorders.jsonl"}) + "\n{\"id\": 1}\n", encoding="utf-8")
    out = tmp_path / "weights.json"
    done = griddesk("intents", "fit", "--labels", str(path), "--out", str(out))
    assert done.returncode == 1
    assert "bad.jsonl:2: not a JSON object with 'id' and 'cat'" in done.stderr
    assert not out.exists() and not list(tmp_path.glob(".weights-*"))


def test_fit_refuses_the_dev_set(tmp_path: Path) -> None:
    done = griddesk("intents", "fit", "--labels", str(SHARED_DATA / "dev_labeled.jsonl"), "--out", str(tmp_path / "w.json"))
    assert done.returncode == 2 and "never fitted on" in done.stderr


def test_an_empty_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "texts.jsonl"
    path.write_text(json.dumps({"text": "  ", "cat": "noise"}) + "\n", encoding="utf-8")
    done = griddesk("intents", "fit", "--labels", str(path), "--out", str(tmp_path / "w.json"))
    assert done.returncode == 1 and "texts.jsonl:1: empty text" in done.stderr


def test_design_keeps_what_the_classifier_counts(intents_dir: Path) -> None:
    intents = _intents(intents_dir)
    d = build_design(intents, [LabelledExample("不是噪音的问题，是车位被占", "parking", "mem:1")])
    counted = {d.terms[c] for c in d.cols}
    assert counted == {("parking", "车位")}  # the negated 噪音 is not evidence


def test_suggest_lists_separating_words_with_ids_only(intents_dir: Path) -> None:
    intents = _intents(intents_dir)
    clf = Classifier.from_intents(intents, NORM)
    rows = [LabelledExample(f"晚上邻居家狗一直叫唤第{k}天", "noise", f"mem:{k}", f"n{k}") for k in range(5)]
    rows += [LabelledExample(f"路边乱停第{k}辆", "parking", f"mem:{10 + k}", f"p{k}") for k in range(5)]
    found = suggest(clf, rows, "noise")
    terms = {c.term: c for c in found["noise"]}
    assert "叫唤" in terms
    assert terms["叫唤"].in_category == 5 and terms["叫唤"].elsewhere == 0
    assert set(terms["叫唤"].example_ids) <= {f"n{k}" for k in range(5)}
    assert "乱停" not in terms  # already a term


def test_eval_reports_every_set_marked_held_out_or_fitted_on(tmp_path: Path) -> None:
    done = griddesk("eval", "--brief")
    assert done.returncode == 0, done.stderr
    summary = done.stdout.split("summary")[1].splitlines()[1:]
    names = [line.split()[1] for line in summary]
    assert names[0] == "dev_labeled" and summary[0].startswith("held-out")
    assert any(line.startswith("held-out") and "workorders_operator (held)" in line for line in summary)
    # A held split is never marked fitted-on, whatever the weights file says.
    assert not any(line.startswith("FITTED-ON") and "(held)" in line for line in summary)


def test_fit_scores_and_decides_as_the_classifier_and_eval_do(intents_dir: Path) -> None:
    from bot.nlu.evaluate import HEADLINE, Report
    from bot.nlu.fit import decide_rules, score
    from bot.nlu.fitted import Numbers

    intents = _intents(intents_dir)
    clf = Classifier.from_intents(intents, NORM)
    # The last two tie: the category mentioned first goes first, as the classifier's stable sort has it.
    texts = ["楼上噪音吵闹", "车位被占，乱停", "社保怎么转", "不是噪音，是乱停", "今天天气不错", "学校门口车位紧张",
             "乱停，噪音", "噪音，乱停"]
    labels = ["noise", "parking", "other", "noise", "other", "parking", "parking", "noise"]
    examples = [LabelledExample(t, g, f"mem:{k}", str(k)) for k, (t, g) in enumerate(zip(texts, labels, strict=True))]
    d = build_design(intents, examples, clf)
    predicted, _ = decide_rules(d, d.prior[d.cols], Numbers())
    assert [d.classes[p] for p in predicted] == [clf.classify(t).intent or "other" for t in texts]
    report = Report()
    for t, g in zip(texts, labels, strict=True):
        report.add(g, clf.classify(t).intent)
    categories = [i.id for i in intents.categories]
    assert score(d, predicted) == pytest.approx((report.macro_f1(categories), report.macro_f1(HEADLINE),
                                                 report.other_kept_out()))


def test_check_fails_on_a_broken_weights_file_with_its_line(intents_dir: Path) -> None:
    path = default_path(intents_dir)
    path.parent.mkdir(parents=True)
    path.write_text('{"version": 1,\n "model": [\n', encoding="utf-8")
    done = griddesk("intents", "check", str(intents_dir))
    assert done.returncode == 1
    assert "weights.json:3: not valid JSON" in done.stdout
