"""Admin files as bad luck writes them: a FIFO, a symlink to /dev/zero, 20,000-deep nesting, 100,000-character
fields. Each must give `path:line: what is wrong` (every problem at once), never a hang, a traceback or an
out-of-memory bot: in `griddesk intents check`, `griddesk kb check` and `/reload`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dialog_helpers import ADMIN_ID, driver_for, make_app

from bot import PROJECT_ROOT
from bot.dialog.testing import texts_of
from bot.errors import IntentFileError, KnowledgeFileError
from bot.kb.entries import load_entries
from bot.nlu.intent_files import load_intents

INTENT = """\
version: 1
id: noise
name: 噪声扰民
department: 派出所
deadline_hours: 48
keywords:
  - 噪音
subtypes:
  - id: renovation
    name: 装修噪音
    keywords: [电钻]
examples:
  - 楼上噪音
"""

ENTRY = """\
---
id: quiet_hours
title: 装修时间
questions:
  - 装修几点可以施工？
intents: [noise]
source: 《噪声污染防治法》第六十六条
checked: 2024-01-01
---
晚上不能装修。周末也要注意。
依据:《噪声污染防治法》第六十六条
"""

CLI_TIMEOUT = 60  # seconds; the fixed code answers in a few, the old one waited forever


def _griddesk(*args: str, memory_gb: int = 3) -> subprocess.CompletedProcess[str]:
    """Run the real CLI; memory is capped so a runaway read fails fast instead of swapping the test machine."""

    def cap_memory() -> None:
        limit = memory_gb * 1024**3
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, timeout=CLI_TIMEOUT,
                          cwd=PROJECT_ROOT, preexec_fn=cap_memory, env={**os.environ, "PYTHONUNBUFFERED": "1"})


def _intents_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "intents"
    directory.mkdir()
    (directory / "noise.yaml").write_text(INTENT, encoding="utf-8")
    return directory


def _knowledge_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "knowledge"
    directory.mkdir()
    (directory / "quiet_hours.md").write_text(ENTRY, encoding="utf-8")
    return directory


def _intent_problems(directory: Path) -> list[str]:
    with pytest.raises(IntentFileError) as info:
        load_intents(directory)
    return [f"{Path(p.path).name}:{p.line}: {p.message}" for p in info.value.problems]


def _entry_problems(directory: Path) -> list[str]:
    with pytest.raises(KnowledgeFileError) as info:
        load_entries(directory, intent_ids=frozenset({"noise"}))
    return [f"{Path(p.path).name}:{p.line}: {p.message}" for p in info.value.problems]


# --- not a regular file -------------------------------------------------------------------------------


@pytest.mark.parametrize(("command", "make_dir", "name"), [
    (("intents", "check"), _intents_dir, "pipe.yaml"),
    (("kb", "check"), _knowledge_dir, "pipe.md"),
])
def test_a_fifo_is_refused_not_waited_for(tmp_path: Path, command: tuple[str, ...], make_dir, name: str) -> None:
    directory = make_dir(tmp_path)
    os.mkfifo(directory / name)
    done = _griddesk(*command, str(directory))
    assert done.returncode != 0
    assert f"{name}:0: a named pipe (FIFO), not a regular file" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("command", "make_dir", "name"), [
    (("intents", "check"), _intents_dir, "zero.yaml"),
    (("kb", "check"), _knowledge_dir, "zero.md"),
])
def test_a_symlink_to_dev_zero_is_not_read(tmp_path: Path, command: tuple[str, ...], make_dir, name: str) -> None:
    directory = make_dir(tmp_path)
    (directory / name).symlink_to("/dev/zero")
    done = _griddesk(*command, str(directory))
    assert done.returncode != 0
    assert f"{name}:0: a device, not a regular file" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr


def test_a_symlink_to_a_regular_file_still_loads(tmp_path: Path) -> None:
    directory = tmp_path / "intents"
    directory.mkdir()
    (tmp_path / "real.yaml").write_text(INTENT, encoding="utf-8")
    (directory / "noise.yaml").symlink_to(tmp_path / "real.yaml")
    assert load_intents(directory).get("noise") is not None


def test_a_directory_named_like_a_file_is_reported(tmp_path: Path) -> None:
    directory = _intents_dir(tmp_path)
    (directory / "folder.yaml").mkdir()
    assert "folder.yaml:0: a directory, not a regular file: intent files must be plain text files" in _intent_problems(directory)


async def test_reload_with_a_fifo_reports_it_and_keeps_the_old_set(tmp_path: Path) -> None:
    """Through the engine: /reload must answer, not hang the bot's worker thread on a FIFO."""
    app = await make_app(tmp_path / "gd.db")
    fifo: Path | None = None
    try:
        understanding = app.understanding
        before = understanding.classifier
        broken = tmp_path / "intents"
        shutil.copytree(PROJECT_ROOT / "intents", broken)
        fifo = broken / "zz_pipe.yaml"
        os.mkfifo(fifo)
        understanding.intents_dir = broken
        admin = driver_for(app).persona("admin", "admin", user_id=ADMIN_ID)
        try:
            replies = await asyncio.wait_for(driver_for(app).send(admin, "/reload"), timeout=20)
        except TimeoutError:
            pytest.fail("/reload hangs on a FIFO in INTENTS_DIR")
        failed = texts_of(replies)
        assert "重新加载失败" in failed and "zz_pipe.yaml:0: a named pipe (FIFO)" in failed
        assert understanding.classifier is before
    finally:
        if fifo is not None:  # the old code sits in open(); a writer lets its thread finish
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        app.understanding.intents_dir = PROJECT_ROOT / "intents"
        await app.close()


# --- nesting ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("nested", "line"), [
    ("[" * 20_000 + "]" * 20_000, 4),
    ("\n  " + "- " * 20_000 + "x", 5),  # compact block sequences: `- - - x` nests too
], ids=["flow", "block"])
def test_deep_yaml_nesting_gives_path_line_not_a_traceback(tmp_path: Path, nested: str, line: int) -> None:
    directory = _intents_dir(tmp_path)
    (directory / "deep.yaml").write_text("version: 1\nid: deep\nname: 深\nkeywords: " + nested + "\n", encoding="utf-8")
    problems = _intent_problems(directory)
    assert len(problems) == 1 and problems[0].startswith(f"deep.yaml:{line}: YAML syntax: nested more than 20 levels deep")


def test_deep_nesting_in_front_matter_gives_path_line(tmp_path: Path) -> None:
    directory = _knowledge_dir(tmp_path)
    deep = ENTRY.replace("quiet_hours", "deep").replace("tags", "x").replace(
        "intents: [noise]", "intents: [noise]\ntags: " + "[" * 20_000 + "]" * 20_000)
    (directory / "deep.md").write_text(deep, encoding="utf-8")
    problems = _entry_problems(directory)
    assert len(problems) == 1 and problems[0].startswith("deep.md:7: YAML syntax in the front matter: nested more than 20")


def test_the_shipped_files_are_well_within_the_depth_limit() -> None:
    assert load_intents(PROJECT_ROOT / "intents").categories
    assert load_entries(PROJECT_ROOT / "knowledge")


# --- length of every text field ------------------------------------------------------------------------

LONG = "长" * 100_000
#: Long enough for every limit, short enough that ten of them stay under the file-size limits.
LONGISH = "长" * 5_000


def test_every_intent_text_field_has_a_limit_all_reported_at_once(tmp_path: Path) -> None:
    directory = _intents_dir(tmp_path)
    (directory / "long.yaml").write_text(f"""\
version: 1
id: long
name: {LONGISH}
department: {LONGISH}
description: {LONGISH}
deadline_hours: 48
keywords:
  - 很长
subtypes:
  - id: sub
    name: {LONGISH}
    description: {LONGISH}
    keywords: [更长]
examples:
  - {LONGISH}
  - text: {LONGISH}
    subtype: {LONGISH}
not_examples:
  - {LONGISH}
{"k" * 500}: 1
""", encoding="utf-8")
    problems = [p for p in _intent_problems(directory) if p.startswith("long.yaml")]
    lines = {int(p.split(":")[1]) for p in problems}
    assert {3, 4, 5, 11, 12, 15, 16, 19, 20} <= lines, problems
    assert any("unknown subtype" in p for p in problems)
    assert any(p.startswith("long.yaml:3: 'name' '长长") and "5,000 characters; keep it under 20" in p for p in problems)
    assert all(len(p) < 300 for p in problems), "a message must not repeat the 100,000 characters"


def test_a_100k_character_category_name_is_refused(tmp_path: Path) -> None:
    directory = tmp_path / "intents"
    directory.mkdir()
    (directory / "noise.yaml").write_text(INTENT.replace("name: 噪声扰民", f"name: {LONG}"), encoding="utf-8")
    assert _intent_problems(directory) == [
        f"noise.yaml:3: 'name' '{'长' * 36}... is 100,000 characters; keep it under 20"
    ]


def test_every_entry_text_field_has_a_limit_all_reported_at_once(tmp_path: Path) -> None:
    directory = _knowledge_dir(tmp_path)
    long_source = f"《噪声污染防治法》{LONGISH}"
    (directory / "long.md").write_text(f"""\
---
id: long
title: {LONGISH}
questions:
  - {LONGISH}
intents: [noise, {LONGISH}]
tags: [{LONGISH}]
source: {long_source}
supersedes: {LONGISH}
checked: 2024-01-01
{"k" * 500}: 1
---
很长的回答。第二句。
依据:《噪声污染防治法》
""", encoding="utf-8")
    problems = [p for p in _entry_problems(directory) if p.startswith("long.md")]
    lines = {int(p.split(":")[1]) for p in problems}
    assert {3, 5, 6, 7, 8, 9, 11} <= lines, problems
    assert all(len(p) < 300 for p in problems)


# --- end to end: /reload on Telegram, both frameworks ----------------------------------------------------------


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
async def test_reload_on_telegram_reports_a_fifo_and_keeps_answering(tg, tmp_path: Path, framework: str) -> None:
    from telegram_e2e_support import STEP_TIMEOUT, BotProcess, bot_env

    admin, resident = 9301, 5301
    intents = tmp_path / "intents"
    shutil.copytree(PROJECT_ROOT / "intents", intents)
    env = bot_env(tg, framework, f"sqlite:///{tmp_path / 'griddesk.db'}", ADMIN_IDS=str(admin), INTENTS_DIR=str(intents))
    bot = BotProcess(tg, env, tmp_path)
    await bot.start()
    fifo = intents / "zz_pipe.yaml"
    try:
        os.mkfifo(fifo)
        mark = tg.mark
        tg.send_text(admin, "/reload")
        failed = await tg.wait_text(admin, "重新加载失败", timeout=STEP_TIMEOUT, after=mark)
        assert "zz_pipe.yaml:0: a named pipe (FIFO)" in failed.text
        mark = tg.mark
        tg.send_text(resident, "/start")  # the bot is not stuck
        await tg.wait_for(lambda s: s.chat_id == resident, timeout=STEP_TIMEOUT, after=mark)
    finally:
        with contextlib.suppress(OSError):  # the old code sits in open(); a writer lets it finish
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        await bot.stop()
    assert "Traceback" not in bot.log(100_000)
