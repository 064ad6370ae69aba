"""One trip per turn, as a behaviour of the code (statement counts, not timing), on SQLite and PostgreSQL.

A listener on the real engine records every statement and every transaction begun while one update is
handled: a plain message is one transaction of two statements (the chat's state with what the turn needs
to know, then the save); filing a case is at most seven statements, with a confirmed category too, and at most
eight when the grid has no worker; a 附议 offer at most four (five when the
case has supporters); the turn that files is still one transaction, and the case, its receipt and the chat's
state are committed together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from dialog_helpers import ADMIN_ID, bound_worker, case_number, driver_for, shared_understanding
from sqlalchemy import event, select

from bot.cases.views import ReportDraft
from bot.dialog.testing import texts_of
from bot.services import build_app
from bot.settings import load_settings
from storage.models import RESIDENT_PICK, Case, CaseEvent, CaseLabel, OutboxMessage

REPORT = "梨园小区3栋楼下垃圾好几天没人清运了，味道很大"
CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")


@dataclass
class Statements:
    """What the engine ran while `on` (transaction control apart: BEGIN is counted as `begins`)."""

    sql: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)  # the statements with "BEGIN" where a transaction began
    begins: int = 0
    on: bool = False

    def attach(self, engine) -> None:
        event.listen(engine.sync_engine, "before_cursor_execute", self._statement)
        event.listen(engine.sync_engine, "begin", self._begin)

    def _statement(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if self.on and not statement.lstrip().upper().startswith(CONTROL):
            self.sql.append(" ".join(statement.split()))
            self.log.append(self.sql[-1])

    def _begin(self, conn) -> None:
        if self.on:
            self.begins += 1
            self.log.append("BEGIN")

    def start(self) -> None:
        self.sql, self.log, self.begins, self.on = [], [], 0, True

    def stop(self) -> list[str]:
        self.on = False
        return self.sql


@pytest.fixture
async def app(database_url: str):
    settings = load_settings(database_url=database_url, admin_ids=str(ADMIN_ID), _env_file=None)
    app = await build_app(settings, understanding=shared_understanding())
    yield app
    await app.close()


async def test_a_plain_message_is_one_transaction_of_two_statements(app) -> None:
    driver = driver_for(app)
    seen = Statements()
    seen.attach(app.cases.db.engine)
    await driver.send("王阿姨", "你好")  # the chat's first words: no state row yet
    for words in ("你好", "谢谢"):
        seen.start()
        replies = await driver.send("王阿姨", words)
        sql = seen.stop()
        assert texts_of(replies)
        assert seen.begins == 1, sql
        assert len(sql) == 2, sql
        assert "dialog_state" in sql[0] and sql[0].startswith("SELECT")  # the state, with the turn's facts
        assert "dialog_state" in sql[1] and sql[1].startswith(("INSERT", "DELETE"))  # the save



async def test_the_turns_read_reaches_a_residents_cases_by_index_not_every_open_case(app) -> None:
    """The state's statement asks whether a worker's question waits for the person: on SQLite that must look
    their cases up by `resident_id`, not walk every open case (it did, by state, at every turn)."""
    if app.cases.db.dialect != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    driver = driver_for(app)
    await driver.send("王阿姨", "你好")
    first: list[tuple[str, object]] = []

    def grab(conn, cursor, statement, parameters, context, executemany) -> None:
        if not first and "dialog_state" in statement and statement.lstrip().upper().startswith("SELECT"):
            first.append((statement, parameters))

    event.listen(app.cases.db.engine.sync_engine, "before_cursor_execute", grab)
    try:
        await driver.send("王阿姨", "谢谢")
    finally:
        event.remove(app.cases.db.engine.sync_engine, "before_cursor_execute", grab)
    (statement, parameters), = first
    assert '"case"' in statement  # the question's fact is in it
    async with app.cases.db.reader() as s:
        plan = (await (await s.connection()).exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)).all()
    on_cases = [row[3] for row in plan if " case " in f" {row[3]} "]
    assert on_cases and all("resident_id" in detail for detail in on_cases), plan

async def test_filing_a_case_takes_at_most_seven_statements(app) -> None:
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    seen = Statements()
    seen.attach(app.cases.db.engine)
    for i, resident in enumerate((7001, 7001, 7002)):  # a new resident, the same one again, another one
        seen.start()
        case = await app.cases.file_case(ReportDraft(resident_external_id=resident, intent="sanitation", deadline_hours=24,
                                                     text=f"楼下垃圾没人清运 第{i}次", address="梨园小区3栋",
                                                     resident_name="王阿姨"),
                                         receipt=lambda view: _receipt(view))
        sql = seen.stop()
        assert case.assignee_name == "张三" and case.receipt_id is not None
        assert seen.begins == 1, sql
        assert len(sql) <= 7, "\n".join(sql)
    found = await app.cases.find_case(case.number)
    assert found is not None and found.state == "assigned" and found.assignee_name == "张三"


async def test_filing_with_a_confirmed_category_takes_at_most_seven_statements_and_keeps_the_label(app) -> None:
    """The resident picked the category (the label path): still seven statements, the label written once, the case
    marked as picked."""
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    seen = Statements()
    seen.attach(app.cases.db.engine)
    seen.start()
    case = await app.cases.file_case(ReportDraft(resident_external_id=7011, intent="sanitation", deadline_hours=24,
                                                 text="楼下垃圾没人清运", address="梨园小区3栋",
                                                 confirmed_by=RESIDENT_PICK), receipt=lambda view: _receipt(view))
    sql = seen.stop()
    assert case.assignee_name == "张三" and case.receipt_id is not None
    assert seen.begins == 1, sql
    assert len(sql) <= 7, "\n".join(sql)
    assert sum(q.startswith("INSERT INTO case_label") for q in sql) == 1, sql
    async with app.cases.db.session() as s:
        labels = (await s.execute(select(CaseLabel.intent, CaseLabel.source).where(CaseLabel.case_id == case.id))).all()
        picked = (await s.execute(select(Case.picked).where(Case.id == case.id))).scalar_one()
    assert [tuple(r) for r in labels] == [("sanitation", RESIDENT_PICK)] and picked is True


async def test_filing_without_a_grid_worker_is_a_few_statements_and_reaches_the_dispatcher_or_the_admins(app) -> None:
    """No worker in the grid: the case goes to the community's dispatcher (his push, the 派给 choices read with
    their loads in one statement), or, with no dispatcher either, waits in the queue and the admins are told — in
    eight statements, none of them an ORM flush of the case."""
    driver = driver_for(app)
    seen = Statements()
    seen.attach(app.cases.db.engine)

    async def file(resident: int) -> tuple[object, list[str]]:
        seen.start()
        case = await app.cases.file_case(ReportDraft(resident_external_id=resident, intent="sanitation",
                                                     deadline_hours=24, text="楼下垃圾没人清运", address="梨园小区3栋"),
                                         receipt=lambda view: _receipt(view))
        sql = seen.stop()
        assert seen.begins == 1, sql
        assert len(sql) <= 8, "\n".join(sql)
        assert sum(q.startswith('INSERT INTO "case"') for q in sql) == 1 and not any(
            q.startswith(('UPDATE "case"', "UPDATE case_event")) for q in sql), sql
        return case, sql

    queued, _ = await file(7201)  # nobody bound: the queue, the admin told
    assert (queued.state, queued.level, queued.assignee_id) == ("filed", "community", None)
    assert queued.receipt_id is not None and queued.told
    invite = await app.cases.create_invite("梨园社区派单员", community_id="liyuan")
    dispatcher = driver.persona("梨园社区派单员", "worker")
    assert "绑定成功" in texts_of(await driver.send(dispatcher, f"/bind {invite.code}"))
    held, _ = await file(7202)
    assert (held.state, held.level, held.assignee_name) == ("assigned", "community", "梨园社区派单员")
    pushes = {}
    async with app.cases.db.session() as s:
        for case in (queued, held):
            pushes[case.id] = [(int(chat), key) for chat, key in await s.execute(
                select(OutboxMessage.chat_id, OutboxMessage.dedupe_key).where(OutboxMessage.case_id == case.id))]
    assert {chat for chat, key in pushes[queued.id] if not key.startswith("receipt:")} == {ADMIN_ID}
    assert [key for _, key in pushes[held.id] if not key.startswith("receipt:")] == [
        f"ev{e}:w{held.assignee_external_id}" for e in await _events_of(app, held.id, "assign")]
    found = await app.cases.find_case(held.number)
    assert found is not None and found.assignee_name == "梨园社区派单员" and found.level == "community"


async def _events_of(app, case_id: int, action: str) -> list[int]:
    async with app.cases.db.session() as s:
        return [int(i) for (i,) in await s.execute(select(CaseEvent.id).where(CaseEvent.case_id == case_id,
                                                                             CaseEvent.action == action))]


async def test_a_duplicate_offer_takes_at_most_four_statements_and_shows_who_is_in(app) -> None:
    """The 附议 offer (most of a burst's second phase): the candidates, the resident and the offer, the one found with
    its assignee and filer; its supporters are read only for a case that has any, and then they are shown. With the
    resident's own cases left out (`exclude_resident`: marked in the candidates' statement), still four."""
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    first = await app.cases.file_case(ReportDraft(resident_external_id=7101, intent="sanitation", deadline_hours=24,
                                                  text="3栋楼下垃圾好几天没人清运了", address="梨园小区3栋"))
    grid = app.cases.route("梨园小区3栋").grid_id
    seen = Statements()
    seen.attach(app.cases.db.engine)
    seen.start()
    found = await app.cases.find_duplicates("sanitation", "三栋楼下的垃圾没人清运", grid, offer_to=7102,
                                            exclude_resident=7102)
    sql = seen.stop()
    assert [c.number for c in found] == [first.number] and found[0].assignee_name == "张三"
    assert found[0].resident_external_id == 7101 and found[0].supporters == ()
    assert seen.begins == 1, sql
    assert len(sql) <= 4, "\n".join(sql)
    await app.cases.support(first.id, 7102)
    seen.start()
    again = await app.cases.find_duplicates("sanitation", "三栋楼下的垃圾没人清运", grid, offer_to=7103,
                                            exclude_resident=7103)
    sql = seen.stop()
    assert again[0].supporter_count == 1 and again[0].involves("telegram", 7102) and not again[0].involves("telegram", 7103)
    assert len(sql) <= 5, "\n".join(sql)  # the supporters too
    for own in (7101, 7102):  # the filer and the supporter are not offered what they are already in
        assert await app.cases.find_duplicates("sanitation", "三栋楼下的垃圾没人清运", grid, exclude_resident=own) == []


async def test_the_turn_that_files_is_one_transaction_and_shows_a_committed_case(app) -> None:
    driver = driver_for(app)
    await bound_worker(app, driver, "张三")
    assert "照片" in texts_of(await driver.send("王阿姨", REPORT))
    seen = Statements()
    seen.attach(app.cases.db.engine)
    seen.start()
    filed = texts_of(await driver.press("王阿姨", "跳过，不传照片"))
    sql = seen.stop()
    saved = max(i for i, q in enumerate(sql) if "dialog_state" in q)
    turn = sql[:saved + 1]  # after it, only the reply's delivery: its receipt's outbox copy marked sent
    assert seen.log[0] == "BEGIN" and seen.log.count("BEGIN") == 2, seen.log
    assert seen.log.index("BEGIN", 1) > seen.log.index(turn[-1]), seen.log  # one transaction for the whole turn
    assert any(q.startswith('INSERT INTO "case"') for q in turn) and sql[saved + 1:] == [
        q for q in sql[saved + 1:] if q.startswith("UPDATE outbox")]
    number = case_number(filed)
    case = await app.cases.find_case(number)  # another connection: committed before the number was shown
    assert case is not None and case.assignee_name == "张三"


def _receipt(view):
    from bot.messages import Reply

    return Reply(chat_id=view.resident_external_id, text=f"已受理 {view.number}")
