"""Migration 0006 (channel identity) on a database written by the release before it (revision 0007: 0006 was
chained last, after the branches merged first — API keys, self-service, questions, console logins).

The database is built in the old shape (`telegram_id` columns, `dialog_state` keyed by chat alone, outbox
rows without a channel) with every kind of row a running desk has (API keys, console logins, ratings with a reason, a case's
answers and open question included); after the upgrade each row is still
there, is Telegram's, and the service finds the same people, cases, states and pending pushes.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage.engine import Database, alembic_config, head_revision

_T = "'2026-11-30 08:00:00'"
_OLD_ROWS = [
    "INSERT INTO street (id, name) VALUES ('s1', '街道')",
    "INSERT INTO community (id, street_id, name) VALUES ('c1', 's1', '社区')",
    "INSERT INTO grid (id, community_id, name) VALUES ('g1', 'c1', '一网格')",
    "INSERT INTO worker (id, name, role, grid_id, community_id, street_id, telegram_id, invite_code, bound_at, active, "
    f"created_at) VALUES (7, '王网格', 'grid', 'g1', 'c1', 's1', 9001, 'AAAA2222BB', {_T}, true, {_T})",
    "INSERT INTO worker (id, name, role, community_id, street_id, telegram_id, bound_at, active, created_at) "
    f"VALUES (8, '李社区', 'community', 'c1', 's1', 9001, {_T}, true, {_T})",  # one account, two roles
    "INSERT INTO worker (id, name, role, grid_id, community_id, invite_code, invite_expires_at, active, created_at) "
    f"VALUES (9, '赵网格', 'grid', 'g1', 'c1', 'CCCC3333DD', '2026-12-30 08:00:00', true, {_T})",  # an open invite
    "INSERT INTO resident (id, telegram_id, chat_id, name, script, phone, created_at) "
    f"VALUES (3, 5001, 5001, '居民甲', 'simplified', '13800000000', {_T})",
    f"INSERT INTO resident (id, telegram_id, name, script, created_at) VALUES (4, 5002, '居民乙', 'traditional', {_T})",
    "INSERT INTO \"case\" (id, number, intent, text, photos, resident_id, street_id, community_id, grid_id, assignee_id, "
    "level, state, urgent, deadline_hours, deadline_at, supporter_count, reopen_count, created_at, updated_at) VALUES "
    "(11, '20261130-0001', 'noise', '楼上装修', '[]', 3, 's1', 'c1', 'g1', 7, 'grid', 'assigned', false, 72, "
    f"'2026-12-03 08:00:00', 1, 0, {_T}, {_T})",
    f"""UPDATE "case" SET answers = '{json.dumps({'floor': '3楼'})}', question_at = {_T} WHERE id = 11""",
    "INSERT INTO \"case\" (id, number, intent, text, photos, resident_id, community_id, level, state, urgent, "
    "deadline_hours, deadline_at, supporter_count, reopen_count, created_at, updated_at) VALUES "
    f"(12, '20261130-0002', 'parking', '占用消防通道', '[]', 4, 'c1', 'community', 'filed', false, 48, "
    f"'2026-12-02 08:00:00', 0, 0, {_T}, {_T})",
    f"INSERT INTO case_supporter (id, case_id, resident_id, created_at) VALUES (1, 11, 4, {_T})",
    f"INSERT INTO support_offer (id, case_id, resident_id, offered_at) VALUES (1, 11, 4, {_T})",
    f"INSERT INTO case_label (id, case_id, intent, source, created_at) VALUES (1, 12, 'parking', 'resident_pick', {_T})",
    f"INSERT INTO case_event (id, case_id, at, action, actor_kind, actor_id, to_state) VALUES (1, 11, {_T}, 'file', "
    "'resident', 5001, 'filed')",
    f"INSERT INTO case_event (id, case_id, at, action, actor_kind, from_state, to_state, note) VALUES (2, 11, {_T}, "
    "'assign', 'system', 'filed', 'assigned', '王网格')",
    f"INSERT INTO case_event (id, case_id, at, action, actor_kind, actor_id, to_state) VALUES (3, 12, {_T}, 'file', "
    "'resident', 5002, 'filed')",
    "INSERT INTO outbox (id, chat_id, payload, dedupe_key, case_id, status, attempts, next_attempt_at, created_at) "
    f"VALUES (21, 9001, '{json.dumps({'chat_id': 9001, 'text': '新案件'})}', 'ev2:w9001', 11, 'pending', 0, {_T}, {_T})",
    "INSERT INTO outbox (id, chat_id, payload, dedupe_key, case_id, status, attempts, next_attempt_at, created_at) "
    f"VALUES (22, 5002, '{json.dumps({'chat_id': 5002, 'text': '已受理'})}', 'ev3:r5002', 12, 'blocked', 1, {_T}, {_T})",
    "INSERT INTO outbox (id, chat_id, payload, case_id, status, attempts, next_attempt_at, created_at, sent_at) "
    f"VALUES (23, 5001, '{json.dumps({'chat_id': 5001, 'text': '已派单'})}', 11, 'sent', 1, {_T}, {_T}, {_T})",
    f"INSERT INTO rating (id, case_id, resident_id, score, reason, created_at) VALUES (1, 12, 4, 'unsatisfied', "
    f"'unsolved', {_T})",
    "INSERT INTO api_key (id, name, key_hash, prefix, scope, rate_limit, window_count, created_at) VALUES "
    f"(1, '市民热线', '{'a' * 64}', 'gd_abcd', 'own', 60, 0, {_T})",
    "INSERT INTO console_login (id, token_hash, staff_kind, staff_id, created_at, expires_at) VALUES "
    f"(1, '{'b' * 64}', 'worker', 7, {_T}, '2026-11-30 08:10:00')",
    f"INSERT INTO web_secret (name, value, created_at) VALUES ('session', 'not-a-real-secret', {_T})",
    "INSERT INTO dialog_state (chat_id, data, updated_at) VALUES "
    f"(5001, '{json.dumps({'step': 'idle', 'version': 1, 'script': 'traditional'})}', {_T})",
    "INSERT INTO dialog_state (chat_id, data, updated_at) VALUES "
    f"(9001, '{json.dumps({'step': 'idle', 'version': 1, 'last_update_id': 77})}', {_T})",
]


async def _old_database(url: str) -> Database:
    from alembic import command

    db = Database(url)
    async with db.engine.connect() as conn:
        await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0007"))
        await conn.commit()
    async with db.engine.begin() as conn:
        for statement in _OLD_ROWS:
            await conn.execute(text(statement))
    return db


async def _rows(db: Database, sql: str) -> list[tuple]:
    async with db.engine.connect() as conn:
        return [tuple(r) for r in await conn.execute(text(sql))]


async def test_0007_database_upgrades_with_every_row_kept_as_telegram(database_url: str) -> None:
    db = await _old_database(database_url)
    counts = {t: (await _rows(db, f'SELECT count(*) FROM "{t}"'))[0][0] for t in (
        "street", "grid", "worker", "resident", "case", "case_event", "case_supporter", "support_offer", "case_label",
        "outbox", "dialog_state", "rating", "api_key", "console_login", "web_secret")}
    try:
        report = await db.prepare(load_seed=False)
        assert (report.migrated_from, report.migrated_to) == ("0007", head_revision())  # 0006, or what follows it
        assert {t: (await _rows(db, f'SELECT count(*) FROM "{t}"'))[0][0] for t in counts} == counts
        assert await _rows(db, "SELECT id, channel, external_id, invite_code FROM worker ORDER BY id") == [
            (7, "telegram", 9001, "AAAA2222BB"), (8, "telegram", 9001, None), (9, "telegram", None, "CCCC3333DD")]
        assert await _rows(db, "SELECT id, channel, external_id, chat_id, name, phone FROM resident ORDER BY id") == [
            (3, "telegram", 5001, 5001, "居民甲", "13800000000"), (4, "telegram", 5002, None, "居民乙", None)]
        assert await _rows(db, 'SELECT id, resident_id, assignee_id, state FROM "case" ORDER BY id') == [
            (11, 3, 7, "assigned"), (12, 4, None, "filed")]
        assert await _rows(db, "SELECT id, channel, chat_id, status, dedupe_key FROM outbox ORDER BY id") == [
            (21, "telegram", 9001, "pending", "ev2:w9001"), (22, "telegram", 5002, "blocked", "ev3:r5002"),
            (23, "telegram", 5001, "sent", None)]
        states = await _rows(db, "SELECT channel, chat_id FROM dialog_state ORDER BY chat_id")
        assert states == [("telegram", 5001), ("telegram", 9001)]
        assert await _rows(db, "SELECT case_id, action, actor_id FROM case_event ORDER BY id") == [
            (11, "file", 5001), (11, "assign", None), (12, "file", 5002)]
        answers, asked = (await _rows(db, 'SELECT answers, question_at FROM "case" WHERE id = 11'))[0]
        assert (json.loads(answers) if isinstance(answers, str) else answers) == {"floor": "3楼"} and asked is not None
        assert await _rows(db, "SELECT id, case_id, resident_id, reason FROM rating") == [(1, 12, 4, "unsolved")]
        assert await _rows(db, "SELECT id, name, scope FROM api_key") == [(1, "市民热线", "own")]
        assert await _rows(db, "SELECT staff_kind, staff_id FROM console_login") == [("worker", 7)]
    finally:
        await db.dispose()


async def test_after_0006_the_service_finds_the_old_people_and_a_console_id_is_someone_else(database_url: str) -> None:
    """The same ids now mean Telegram's people; the console's 5001 is a different resident."""
    from bot.cases.service import CaseService
    from bot.dialog.state_store import DatabaseStateStore

    db = await _old_database(database_url)
    try:
        await db.prepare(load_seed=False)
        service = CaseService(db)
        await service.reload_grids()
        mine = await service.cases_of_resident(5001)
        assert [c.number for c in mine] == ["20261130-0001"] and mine[0].resident_channel == "telegram"
        assert [w.name for w in await service.workers_of(9001)] == ["王网格", "李社区"]
        assert await service.workers_of(9001, channel="console") == []
        assert await service.cases_of_resident(5001, channel="console") == []
        states = DatabaseStateStore(db)
        assert (await states.load(9001)).last_update_id == 77 and (await states.load(5001)).script == "traditional"
        assert (await states.load(9001, channel="console")).last_update_id is None
        due = await service.outbox.claim_due(limit=10)
        assert [(i.id, i.channel, i.chat_id) for i in due] == [(21, "telegram", 9001)]
        console = await service.ensure_resident(5001, channel="console", name="控制台居民")
        assert console.id not in (3, 4) and console.channel == "console"
        async with db.engine.connect() as conn:
            with pytest.raises(IntegrityError):  # (channel, external_id) stays unique
                await conn.execute(text("INSERT INTO resident (channel, external_id, name, script, created_at) "
                                        f"VALUES ('telegram', 5001, 'x', 'simplified', {_T})"))
    finally:
        await db.dispose()
