"""The CLI contracts of understanding: `griddesk classify`, `intents check`, `eval` as real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def griddesk(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin, capture_output=True, text=True, timeout=120, cwd=ROOT, env={**os.environ, **(env or {})},
    )


def test_classify_reads_lines_and_writes_json_lines() -> None:
    lines = ["楼上半夜装修电钻响,吵得睡不着", "樓下廣場舞音響太大聲", "", "🙂", "推荐一只股票"]
    done = griddesk("classify", stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["text"] for o in out] == lines
    for o in out:
        assert set(o) == {"text", "intent", "subtype", "act", "confidence", "matched", "alternatives"}
        assert 0 <= o["confidence"] <= 1
    assert out[0]["intent"] == "noise" and out[0]["matched"]
    assert out[1]["intent"] == "noise"
    assert out[2]["intent"] is None and out[3]["intent"] is None and out[4]["intent"] is None


def test_intents_check_passes_on_shipped_files() -> None:
    done = griddesk("intents", "check", "intents")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "all pass" in done.stdout


def test_intents_check_reports_path_line_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("version: 1\nid: Noise!\nname: 噪声\nkeywords:\n  - [oops\n", encoding="utf-8")
    (tmp_path / "bad.yaml").write_text("version: 1\nid: bad\nname: 坏\ndepartment: 社区\ndeadline_hours: x\n"
                                       "keywords: [a]\n", encoding="utf-8")
    done = griddesk("intents", "check", str(tmp_path))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert any(line.startswith(f"{tmp_path / 'broken.yaml'}:") and "YAML syntax" in line for line in lines)
    assert any(line.startswith(f"{tmp_path / 'bad.yaml'}:5:") and "deadline_hours" in line for line in lines)


def test_intents_check_fails_on_a_failing_example(tmp_path: Path) -> None:
    (tmp_path / "noise.yaml").write_text(
        "version: 1\nid: noise\nname: 噪声\ndepartment: 派出所\ndeadline_hours: 24\nkeywords: [噪音]\n"
        "examples:\n  - 楼上漏水\n", encoding="utf-8")
    done = griddesk("intents", "check", str(tmp_path))
    assert done.returncode == 1
    assert f"{tmp_path / 'noise.yaml'}:8: example should be noise" in done.stdout


def test_eval_prints_the_headline_figures(tmp_path: Path) -> None:
    labelled = tmp_path / "dev.jsonl"
    rows = [{"text": "楼上装修噪音太大", "cat": "noise"}, {"text": "社保卡怎么补办", "cat": "other"}]
    labelled.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    done = griddesk("eval", str(labelled))
    assert done.returncode == 0, done.stderr
    for needle in ("macro-F1", "headline F1", "other left unclassified", "expected calibration error"):
        assert needle in done.stdout


def test_eval_splits_figures_by_the_labellers_sure_flag(tmp_path: Path) -> None:
    labelled = tmp_path / "dev.jsonl"
    rows = [
        {"text": "楼上装修噪音太大", "cat": "noise", "sure": True},
        {"text": "社保卡怎么补办", "cat": "other", "sure": True},
        {"text": "社保卡怎么补办", "cat": "noise", "sure": False},  # a judgement call the classifier cannot share
    ]
    labelled.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    done = griddesk("eval", str(labelled))
    assert done.returncode == 0, done.stderr
    lines = {line.split(":")[0]: line for line in done.stdout.splitlines() if line.startswith("items labelled")}
    assert "2, accuracy 1.000" in lines["items labelled sure=true"]
    assert "1, accuracy 0.000" in lines["items labelled sure=false"]


def test_bad_config_value_is_a_clear_error_not_a_traceback() -> None:
    done = griddesk("classify", stdin="噪音\n", env={"MAX_MESSAGE_CHARS": "lots"})
    assert done.returncode == 2
    assert "MAX_MESSAGE_CHARS" in done.stderr and "Traceback" not in done.stderr
