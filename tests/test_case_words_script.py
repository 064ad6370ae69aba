"""The console's word search is script-blind (`storage.words`): a case typed in Traditional is found by a
Simplified search and the other way round, on SQLite and PostgreSQL; a text changed by 补充 or a corrected place is
searched in its new form; migration 0016 re-indexes the cases of a database of the release before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from bot.cases.views import ReportDraft
from bot.nlu.normalize import Normalizer, simplify_chars, t2s_converter
from bot.web.console.queue_query import QueueFilter, queue_page
from bot.web.console.staff import Staff
from storage.engine import Database, alembic_config
from storage.models import Case, CaseWord
from storage.words import case_pairs, pairs_of

T0 = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)
ADMIN = Staff("admin", 9001, "管理员", "admin", user_id=9001)
#: (text, address) as filed: one in each script, and one in Simplified that has no Traditional form to find.
TRADITIONAL = ("樓上裝修噪音，電鑽響個不停", "梨園小區3棟")
SIMPLIFIED = ("楼下烧烤油烟太大", "望江花园2栋")
PLAIN = ("车位被占", "丹桂里")


async def _search(db: Database, q: str) -> set[str]:
    async with db.session() as s:
        page = await queue_page(s, ADMIN, QueueFilter(state="all", q=q), now=T0, timezone="Asia/Shanghai",
                                page_size=100)
    return {r.number for r in page.rows}


async def _file(service, i: int, text_: str, address: str) -> str:
    case = await service.file_case(ReportDraft(resident_external_id=8600 + i, intent="noise", text=text_,
                                               deadline_hours=24, address=address), now=T0 + timedelta(hours=i))
    return case.number


async def test_a_case_is_found_whatever_script_either_side_typed(case_service) -> None:
    service = case_service
    trad, simp, plain = [await _file(service, i, *r) for i, r in enumerate((TRADITIONAL, SIMPLIFIED, PLAIN))]
    for q in ("梨园小区3栋", "梨園小區3棟", "梨园小區", "装修", "裝修", "电钻", "電鑽", "响", "樓 3栋"):
        assert await _search(service.db, q) == {trad}, q
    for q in ("烧烤油烟", "燒烤油煙", "望江花園", "烟"):
        assert await _search(service.db, q) == {simp}, q
    assert await _search(service.db, "栋") == {trad, simp}  # 棟 and 栋: one character for the search
    assert await _search(service.db, "车位") == await _search(service.db, "車位") == {plain}
    assert await _search(service.db, "装修 望江") == set()  # every word must match one case
    async with service.db.session() as s:
        forms = dict((await s.execute(select(Case.number, Case.search_text))).all())
    assert forms == {trad: "楼上装修噪音，电钻响个不停\n梨园小区3栋", simp: None, plain: None}  # typed as kept


async def test_a_changed_text_or_place_is_searched_in_its_new_form(case_service) -> None:
    service = case_service
    number = await _file(service, 0, *SIMPLIFIED)
    async with service.db.session() as s:
        case_id = (await s.execute(select(Case.id).where(Case.number == number))).scalar_one()
    assert await _search(service.db, "垃圾") == set()
    await service.supplement(case_id, 8600, "還有垃圾堆在門口", place="梨園小區3棟", now=T0 + timedelta(hours=2))
    for q in ("垃圾", "门口", "門口", "梨园小区", "梨園小區", "烧烤"):  # the new words, the new place, the old words
        assert await _search(service.db, q) == {number}, q
    assert await _search(service.db, "望江") == set()  # the old address is gone from the index and the form
    async with service.db.session() as s:
        case = await s.get(Case, case_id)
        entries = set((await s.execute(select(CaseWord.first_char, CaseWord.next_char)
                                       .where(CaseWord.case_id == case_id))).all())
    assert entries == case_pairs(case.text, case.address)
    assert case.search_text == f"{simplify_chars(case.text)}\n梨园小区3栋"


# A database of the release before 0016 (revision 0015): one case in each script, indexed as typed (0013's index).
_T = "'2026-11-30 08:00:00'"
_ROWS_0015 = [
    "INSERT INTO street (id, name) VALUES ('s1', '街道')",
    "INSERT INTO community (id, street_id, name) VALUES ('c1', 's1', '社区')",
    "INSERT INTO resident (id, channel, external_id, chat_id, name, script, created_at) "
    f"VALUES (3, 'telegram', 5001, 5001, '居民甲', 'simplified', {_T})",
    *[("INSERT INTO \"case\" (id, number, intent, text, address, photos, resident_id, street_id, community_id, level, "
       "state, urgent, deadline_hours, deadline_at, supporter_count, reopen_count, created_at, updated_at) "
       f"VALUES ({i}, '20261130-000{i}', 'noise', '{words}', '{place}', '[]', 3, 's1', 'c1', 'grid', 'filed', false, "
       f"72, '2026-12-03 08:00:00', 0, 0, {_T}, {_T})")
      for i, (words, place) in ((1, TRADITIONAL), (2, SIMPLIFIED))],
]


async def test_migration_0016_reindexes_the_cases_of_a_0015_database(database_url: str) -> None:
    from alembic import command

    db = Database(database_url)
    try:
        async with db.engine.connect() as conn:
            await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0015"))
            await conn.commit()
        async with db.engine.begin() as conn:
            for statement in _ROWS_0015:
                await conn.execute(text(statement))
            await conn.execute(text("INSERT INTO case_word (first_char, next_char, case_id) VALUES "
                                    + ", ".join(f"('{a}', '{b}', {i})" for i, (t, p) in ((1, TRADITIONAL), (2, SIMPLIFIED))
                                                for a, b in sorted(pairs_of(t, p)))))
        report = await db.prepare(load_seed=False)
        assert report.migrated_from == "0015"
        assert await _search(db, "梨园小区3栋") == await _search(db, "梨園小區3棟") == {"20261130-0001"}
        assert await _search(db, "烧烤") == await _search(db, "燒烤") == {"20261130-0002"}
        async with db.session() as s:
            entries = (await s.execute(select(CaseWord.case_id, CaseWord.first_char, CaseWord.next_char))).all()
            forms = dict((await s.execute(select(Case.id, Case.search_text))).all())
        assert sorted(entries) == sorted((i, a, b) for i, r in ((1, TRADITIONAL), (2, SIMPLIFIED))
                                         for a, b in case_pairs(*r))
        assert forms == {1: "\n".join(simplify_chars(v) for v in TRADITIONAL), 2: None}

        async with db.engine.connect() as conn:  # and back: the index as typed, as the release before reads it
            await conn.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0015"))
            await conn.commit()
        async with db.engine.connect() as conn:
            back = (await conn.execute(text("SELECT case_id, first_char, next_char FROM case_word"))).all()
        assert sorted(back) == sorted((i, a, b) for i, r in ((1, TRADITIONAL), (2, SIMPLIFIED)) for a, b in pairs_of(*r))
    finally:
        await db.dispose()


def test_the_search_form_changes_traditional_characters_only() -> None:
    """Character by character: a Simplified text is its own form (OpenCC's phrases would turn 打坏 into 打坯), and a
    word's form is a substring of its text's form."""
    for typed in ("东西被打坏了", "乾隆路后面的里弄", "KTV 吵到12点😡"):
        assert simplify_chars(typed) == typed
    assert simplify_chars("梨園小區3棟 電梯壞了") == "梨园小区3栋 电梯坏了"
    assert simplify_chars("壞了") in simplify_chars("電梯壞了")
    assert Normalizer()._t2s is Normalizer()._t2s is t2s_converter()  # one converter loaded, not one per user
