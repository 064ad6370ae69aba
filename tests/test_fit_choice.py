"""`griddesk intents fit` chooses against the YAML weights, is deterministic, refuses bad input by `path:line`,
and a stale or broken weights file is named at /reload without taking the bot down."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from dialog_helpers import ADMIN_ID, driver_for

from bot import PROJECT_ROOT
from bot.dialog.testing import texts_of
from bot.errors import DataFileError
from bot.nlu import labels
from bot.nlu.classifier import Classifier
from bot.nlu.fit import fit
from bot.nlu.fitted import default_path
from bot.nlu.labels import LabelledExample, read_label_file
from tests.intent_fixtures import write_intent_files
from tests.test_cli_nlu import griddesk
from tests.test_fit import FILES, NORM, _intents

MODEL = {"positions": {"opening": 1, "request": 0.8, "body": 0.5}, "outside_pull": 1, "topic": 1,
         "long_single": 1.25, "passing": 2, "calibration": [1, 0]}


@pytest.fixture()
def intents_dir(tmp_path: Path) -> Path:
    return write_intent_files(tmp_path / "intents", FILES)


def _text_file(path: Path, rows: list[LabelledExample] | list[dict[str, str]]) -> Path:
    lines = [json.dumps(r if isinstance(r, dict) else {"id": r.id, "text": r.text, "cat": r.label}, ensure_ascii=False)
             for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _easy() -> list[LabelledExample]:
    """Texts the YAML weights already get right: no model can beat them."""
    rows = []
    for k in range(20):
        rows.append(LabelledExample(f"楼上噪音吵闹第{k}天", "noise", f"mem:{k}", f"n{k}"))
        rows.append(LabelledExample(f"有人乱停占了车位第{k}次", "parking", f"mem:{50 + k}", f"p{k}"))
        rows.append(LabelledExample(f"社保怎么转第{k}问", "other", f"mem:{100 + k}", f"o{k}"))
    return rows


def test_the_yaml_weights_stay_when_no_model_beats_them(intents_dir: Path, tmp_path: Path) -> None:
    intents = _intents(intents_dir)
    result = fit(intents, _easy(), classifier=Classifier.from_intents(intents, NORM))
    assert not result.beats_yaml
    assert result.baseline == pytest.approx((1.0, 1.0, 1.0))
    assert set(result.out_of_fold) >= {"yaml", "numbers", "scales", "terms L2 100"}
    done = griddesk("intents", "fit", "--labels", str(_text_file(tmp_path / "easy.jsonl", _easy())),
                    env={"INTENTS_DIR": str(intents_dir)})
    assert done.returncode == 0, done.stderr
    assert "the YAML weights stay" in done.stdout
    assert not default_path(intents_dir).exists()


def _misleading() -> list[LabelledExample]:
    """车位 alone is never parking here (乱停 is): the YAML weights file these as parking, fitted term weights do not."""
    rows = _easy()
    rows += [LabelledExample(f"车位买卖合同第{k}份", "other", f"mem:{200 + k}", f"c{k}") for k in range(20)]
    return rows


def test_a_model_that_beats_the_yaml_is_written_the_same_way_every_time(intents_dir: Path, tmp_path: Path) -> None:
    labelled = _text_file(tmp_path / "texts.jsonl", _misleading())
    written = []
    for run in range(2):
        out = tmp_path / f"w{run}.json"
        done = griddesk("intents", "fit", "--labels", str(labelled), "--models", "terms", "--lambdas", "1",
                        "--out", str(out), env={"INTENTS_DIR": str(intents_dir)})
        assert done.returncode == 0, done.stderr
        assert "← best fitted" in done.stdout and f"wrote {out}" in done.stdout
        written.append(out.read_bytes())
    assert written[0] == written[1]  # deterministic: hashed folds, fixed starts, no clock in the file
    doc = json.loads(written[0])
    assert doc["model_name"] == "terms L2 1"
    assert doc["command"].startswith("griddesk intents fit --models terms --lambdas 1 --min-gain 0.01 --labels ")
    assert doc["out_of_fold"]["terms L2 1"][0] > doc["out_of_fold"]["yaml"][0]
    assert doc["weights"][[r[1] for r in doc["weights"]].index("车位")][3] < 1.0
    assert "买卖" not in written[0].decode("utf-8")  # numbers for terms only, no labelled text


def test_an_unknown_intent_in_a_labelled_file_is_named_by_line_and_nothing_is_written(tmp_path: Path) -> None:
    path = _text_file(tmp_path / "texts.jsonl", [{"text": "楼上噪音", "cat": "noise"}, {"text": "门口乱停", "cat": "parkin"},
                                                 {"text": "", "cat": "noise"}])
    out = tmp_path / "w.json"
    done = griddesk("intents", "fit", "--labels", str(path), "--out", str(out))
    assert done.returncode == 1
    assert "texts.jsonl:2: unknown intent id 'parkin'" in done.stderr
    assert "texts.jsonl:3: empty text" in done.stderr
    assert "nothing written" in done.stderr
    assert not out.exists() and not list(tmp_path.glob(".weights-*"))


def test_an_empty_text_behind_a_label_file_id_is_named_by_line(tmp_path: Path, monkeypatch) -> None:
    # The corpus has no empty text to point at; the join is what is under test, so give it one.
    monkeypatch.setattr(labels, "texts_for", lambda source, field: {"a": "楼上噪音", "b": "  "})
    path = tmp_path / "ids.jsonl"
    path.write_text("\n".join([json.dumps({"labeller": "a test", "source": "hotline_workorders.jsonl"}),
                               json.dumps({"id": "a", "cat": "noise"}), json.dumps({"id": "b", "cat": "noise"})]) + "\n",
                    encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        read_label_file(path, {"noise", "other"})
    assert [str(p) for p in caught.value.problems] == [f"{path}:3: empty text for id 'b'"]


def _weights(root: Path, rows: list[list[object]]) -> Path:
    path = default_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ['{"version": 1,', f' "model": {json.dumps(MODEL)},', ' "weights": [']
    lines += ["  " + json.dumps(r, ensure_ascii=False) + ("," if i < len(rows) - 1 else "") for i, r in enumerate(rows)]
    path.write_text("\n".join([*lines, " ]", "}"]) + "\n", encoding="utf-8")
    return path


async def test_reload_names_stale_and_broken_weights_and_keeps_serving(app, tmp_path: Path) -> None:
    driver = driver_for(app)
    admin = driver.persona("admin", "admin", user_id=ADMIN_ID)
    understanding = app.understanding
    folder = tmp_path / "intents"
    shutil.copytree(PROJECT_ROOT / "intents", folder)
    path = _weights(folder, [["noise", "噪音", 3.0, 3.5], ["noise", "没有这个词", 1.0, 2.0]])
    understanding.intents_dir = folder
    try:
        reply = texts_of(await driver.send(admin, "/reload"))
        assert "已重新加载" in reply and "拟合权重已过期" in reply
        assert f"{path}:5: weight for '没有这个词' of 'noise': no intent file has this term any more" in reply, reply
        fitted = understanding.classifier
        assert fitted.fitted is not None and fitted.fitted.weight("noise", "噪音", 3.0) == 3.5
        path.write_text('{"version": 1,\n "model": [\n', encoding="utf-8")
        reply = texts_of(await driver.send(admin, "/reload"))
        assert "重新加载失败" in reply and f"{path}:3: not valid JSON" in reply, reply
        assert understanding.classifier is fitted  # the previous set stays and keeps answering
        answered = texts_of(await driver.send("居民", "楼上装修噪音太大了，天天吵"))
        assert "噪声扰民" in answered
    finally:
        understanding.intents_dir = PROJECT_ROOT / "intents"
        understanding.reload()
