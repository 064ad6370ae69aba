"""`griddesk worker invite --valid-hours`: 0 made a code that never expires; every bad value is now refused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _invite(db: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "TELEGRAM_BOT_TOKEN": ""}
    return subprocess.run([sys.executable, "-m", "bot", "worker", "invite", "--grid", "liyuan-01", "--name", "王网格", *extra],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


@pytest.mark.parametrize("hours", ["0", "-5", "0.0", "nan", "inf", "-inf", "721", "1e9", "abc", "²"])
def test_bad_valid_hours_are_refused_in_one_line(tmp_path: Path, hours: str) -> None:
    done = _invite(tmp_path / "gd.db", f"--valid-hours={hours}")
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""  # no code was made
    error = [line for line in done.stderr.splitlines() if "error:" in line]
    assert len(error) == 1 and "--valid-hours" in error[0], done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "gd.db").exists()  # refused before the database is touched


def test_good_valid_hours_make_a_code_that_expires(tmp_path: Path) -> None:
    done = _invite(tmp_path / "gd.db", "--valid-hours", "1.5")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().isalnum() and "UTC 前有效" in done.stderr
