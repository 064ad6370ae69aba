"""Faults that used to lose work, through the real engine and database:

- a disk I/O error during a turn (injected into the real SQLAlchemy engine, as SQLite raises it): the
  resident's draft is kept, the reply says only what is true (nothing filed, nothing saved), and once the disk
  is back the same draft is filed — once;
- a broken knowledge entry at start-up or at /reload: the rest of the knowledge base keeps answering, and the
  entry is named with `path:line` in the log and in the admin's /reload reply.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from pathlib import Path

from dialog_helpers import ADMIN_ID, bound_worker, case_number, driver_for, shared_understanding
from sqlalchemy import event

from bot import PROJECT_ROOT
from bot import wording as texts
from bot.dialog.testing import texts_of
from bot.dialog.understanding import Understanding
from bot.nlu.normalize import Normalizer

REPORT = "梨园小区3栋楼下烧烤油烟太大了，熏得没法开窗"
WRITES = ("INSERT", "UPDATE", "DELETE")


class FailingDisk:
    """Makes every write (or every statement) of the real engine fail as a full or broken disk does."""

    def __init__(self, engine) -> None:
        self.on, self.reads_too, self.failed = False, False, 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._check)

    def _check(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if self.on and (self.reads_too or statement.lstrip().upper().startswith(WRITES)):
            self.failed += 1
            raise sqlite3.OperationalError("disk I/O error")


async def test_a_disk_error_while_filing_keeps_the_draft_and_says_only_what_is_true(app) -> None:
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    disk = FailingDisk(app.cases.db.engine)
    asked = await driver.send("王阿姨", REPORT)
    assert "照片" in texts_of(asked)
    disk.on = True
    failed = texts_of(await driver.press("王阿姨", "跳过，不传照片"))
    assert disk.failed and failed == texts.STORAGE_FAILED_DRAFT  # no "已受理", no "没有丢失" promise beyond the draft
    assert await app.cases.cases_of_resident(driver.persona("王阿姨").user_id) == []  # nothing filed
    disk.on = False
    filed = texts_of(await driver.press("王阿姨", "跳过，不传照片"))  # the same button, once the disk is back
    number = case_number(filed)
    case = await app.cases.find_case(number)
    assert case.text.startswith("梨园小区3栋楼下烧烤油烟") and case.assignee_name == "张三"
    assert len(await app.cases.cases_of_resident(driver.persona("王阿姨").user_id)) == 1  # filed once


async def test_a_disk_error_when_the_draft_is_made_keeps_it_in_memory_until_the_disk_is_back(app) -> None:
    driver = driver_for(app)
    disk = FailingDisk(app.cases.db.engine)
    disk.on = True  # every write fails: the draft this message makes cannot be saved
    asked = await driver.send("王阿姨", REPORT)
    assert "照片" in texts_of(asked)  # the question asked is true: the draft exists (in memory)
    assert disk.failed
    disk.reads_too = True  # now even reading fails: the kept draft still answers
    failed = texts_of(await driver.press("王阿姨", "跳过，不传照片"))
    assert failed == texts.STORAGE_FAILED_DRAFT
    disk.on = False
    number = case_number(texts_of(await driver.press("王阿姨", "跳过，不传照片")))
    assert (await app.cases.find_case(number)).text.startswith("梨园小区3栋楼下烧烤油烟")
    again = await driver.send("王阿姨", "/my")  # saved now: nothing pending, the chat is idle
    assert number in texts_of(again)


async def test_a_disk_error_outside_a_report_promises_nothing(app) -> None:
    driver = driver_for(app)
    admin = driver.persona("admin", "admin", user_id=ADMIN_ID)
    await driver.send(admin, "/stats")
    disk = FailingDisk(app.cases.db.engine)
    disk.on = disk.reads_too = True
    said = texts_of(await driver.send(admin, "/stats"))
    assert said in (texts.ERROR_REPLY, texts.STORAGE_FAILED) and "没有丢失" not in said


def broken_knowledge(tmp_path: Path, name: str, old: str, new: str) -> tuple[Path, int]:
    folder = tmp_path / "knowledge"
    if not folder.exists():
        shutil.copytree(PROJECT_ROOT / "knowledge", folder)
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return path, text.splitlines().index(new.splitlines()[0]) + 1


def test_a_broken_entry_at_start_up_is_named_and_the_rest_serves(tmp_path: Path, caplog) -> None:
    path, line = broken_knowledge(tmp_path, "garbage_sorting.md", "intents: [sanitation]", "intents: [no_such_topic]")
    with caplog.at_level(logging.WARNING, logger="bot.dialog.understanding"):
        understanding = Understanding.load(PROJECT_ROOT / "intents", tmp_path / "knowledge", Normalizer(2000))
    assert understanding.kb is not None
    assert any(f"{path}:{line}:" in r.getMessage() and "no_such_topic" in r.getMessage() for r in caplog.records)
    assert "garbage_sorting" not in understanding.kb.by_id and len(understanding.kb.entries) >= 60
    answer = understanding.kb.answer("养狗需要办狗证吗")
    assert answer.doc_id == "dog_leash_registration"


async def test_a_broken_entry_at_reload_is_named_to_the_admin_and_the_rest_serves(app, tmp_path: Path, caplog) -> None:
    driver = driver_for(app)
    admin = driver.persona("admin", "admin", user_id=ADMIN_ID)
    understanding = app.understanding
    path, line = broken_knowledge(tmp_path, "dog_droppings.md", "intents: [pets, sanitation]", "intents: [no_such_topic]")
    understanding.knowledge_dir = tmp_path / "knowledge"
    try:
        with caplog.at_level(logging.WARNING, logger="bot.dialog.understanding"):
            reply = texts_of(await driver.send(admin, "/reload"))
        assert "已重新加载" in reply and "已跳过" in reply
        assert f"{path}:{line}: unknown intent 'no_such_topic'" in reply, reply
        assert any(str(path) in r.getMessage() for r in caplog.records)
        assert "dog_droppings" not in understanding.kb.by_id
        answered = texts_of(await driver.send("居民", "养狗需要办狗证吗"))
        assert "动物防疫法" in answered  # the rest of the knowledge base still answers
    finally:
        fresh = shared_understanding()
        fresh.knowledge_dir = PROJECT_ROOT / "knowledge"
        fresh.reload()
