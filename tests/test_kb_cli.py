"""`griddesk ask` and `griddesk kb check` as a user runs them: subprocesses, JSON lines, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bot import PROJECT_ROOT

KEYS = {"question", "answer", "doc_id", "score", "source"}


def griddesk(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, cwd=PROJECT_ROOT, timeout=120
    )


def test_ask_reads_stdin_one_json_object_per_line() -> None:
    lines = ["小区车位该归谁", "推荐只股票", "樓下廣場舞太吵了有人管嗎", "😀"]
    proc = griddesk("ask", stdin=("\n".join(lines) + "\n").encode() + b"\xff\xfe bad bytes\n")
    assert proc.returncode == 0, proc.stderr.decode()
    out = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert len(out) == 5
    assert all(set(o) == KEYS for o in out)
    assert [o["question"] for o in out[:4]] == lines
    assert out[0]["doc_id"] == "parking_space_ownership" and out[0]["source"].startswith("《民法典》")
    assert out[1]["answer"] is None and out[1]["doc_id"] is None
    assert out[2]["doc_id"] == "noise_square_dance" and "廣場舞" in out[2]["answer"]
    assert out[3]["answer"] is None and out[4]["answer"] is None
    assert all(0 <= o["score"] <= 1 for o in out)


def test_ask_takes_questions_as_arguments() -> None:
    proc = griddesk("ask", "群租房怎么举报", "被狗咬了谁赔")
    assert proc.returncode == 0, proc.stderr.decode()
    out = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [o["doc_id"] for o in out] == ["group_rental_report", "dog_bite"]


def test_kb_check_passes_on_shipped_entries() -> None:
    proc = griddesk("kb", "check")
    assert proc.returncode == 0, proc.stderr.decode()
    assert "entries OK" in proc.stdout.decode()


def test_kb_check_reports_every_broken_file_with_line(tmp_path: Path) -> None:
    good = (PROJECT_ROOT / "knowledge" / "dog_bite.md").read_text(encoding="utf-8")
    (tmp_path / "dog_bite.md").write_text(good.replace("intents: [pets]", "intents: [pets, cats]"), encoding="utf-8")
    (tmp_path / "broken.md").write_text("no front matter\n", encoding="utf-8")
    proc = griddesk("kb", "check", str(tmp_path))
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert f"{tmp_path}/broken.md:1:" in err
    line = next(i for i, t in enumerate(good.splitlines(), 1) if t.startswith("intents:"))
    assert f"{tmp_path}/dog_bite.md:{line}: unknown intent 'cats'" in err


def test_kb_check_fails_when_a_listed_question_goes_to_another_entry(tmp_path: Path) -> None:
    source = PROJECT_ROOT / "knowledge"
    for name in ("dog_bite.md", "parking_space_ownership.md"):
        (tmp_path / name).write_text((source / name).read_text(encoding="utf-8"), encoding="utf-8")
    bite = tmp_path / "dog_bite.md"
    text = bite.read_text(encoding="utf-8")
    bite.write_text(text.replace("  - 流浪狗咬人找谁赔", "  - 地下车库的车位是开发商的还是业主的"), encoding="utf-8")
    proc = griddesk("kb", "check", str(tmp_path))
    assert proc.returncode == 1
    line = next(i for i, t in enumerate(bite.read_text(encoding="utf-8").splitlines(), 1) if "地下车库的车位" in t)
    assert f"dog_bite.md:{line}:" in proc.stderr.decode()
    assert "parking_space_ownership" in proc.stderr.decode()
