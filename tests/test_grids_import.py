"""`griddesk grids import FILE` through the real command line on a real database: every problem of a bad file at
once with `path:line` and nothing changed; a diff of grids and buildings; nothing applied without --apply; a
removed grid still holding an open case refused; a removed grid with closed cases retired, one with none deleted;
existing cases kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot import PROJECT_ROOT
from bot.cases.service import open_service
from bot.cases.views import ReportDraft
from bot.settings import load_settings

SEED = (PROJECT_ROOT / "storage" / "seed" / "grids.yaml").read_text(encoding="utf-8")
GUIHUA_02 = SEED[SEED.index("      - id: guihua-02"):]
WANGJIANG_03 = SEED[SEED.index("      - id: wangjiang-03"):SEED.index("  - id: guihua\n")]
LIYUAN_03 = SEED[SEED.index("      - id: liyuan-03"):SEED.index("  - id: wangjiang\n")]
LIYUAN_04 = """      - id: liyuan-04
        name: 梨园社区第四网格
        centre: [30.27200, 120.15500]
        areas:
          - name: 梨园小区
            aliases: [梨园新村, 梨园, 梨苑小区]
            buildings: [13, 14]
"""


def cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "TELEGRAM_BOT_TOKEN": ""}
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env,
                          cwd=PROJECT_ROOT, timeout=120, stdin=subprocess.DEVNULL)


async def service(db: Path):
    return await open_service(load_settings(database_url=f"sqlite:///{db}", _env_file=None))


async def grid_rows(db: Path) -> tuple[list[str], dict[str, tuple[str, ...]]]:
    s = await service(db)
    try:
        return s.router.grid_ids(), {g.id: g.areas for g in await s.list_grids()}
    finally:
        await s.close()


async def test_a_file_with_errors_reports_every_one_and_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    before = await grid_rows(db)
    bad = SEED.replace("id: liyuan-02", "id: Liyuan 02").replace("name: 望江社区第二网格", "name: ''")
    bad = bad.replace("buildings: [13, 14, 15]", "buildings: [13, 14, 15]\n            extra: {}")
    bad = bad.replace("buildings: [1, 2, 3, 4, 5, 6]\n      - id: liyuan-02",
                      "buildings: [1, 2, 3, 4, 5, 6, 7]\n      - id: liyuan-02")
    bad += LIYUAN_04.replace("liyuan-04", "liyuan-01")  # the same id twice
    bad += LIYUAN_04.replace("[13, 14]", "[2]")  # a building another grid has
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    lines = bad.splitlines()
    run = cli(db, "grids", "import", str(path), "--apply")
    assert run.returncode == 1
    reported = [line for line in run.stderr.splitlines() if line.startswith(f"{path}:")]
    assert f"{path}:{lines.index('      - id: Liyuan 02') + 1}: id 'Liyuan 02' must be lower-case" in run.stderr
    empty_name = lines.index("        name: ''") + 1
    assert f"{path}:{empty_name}:" in run.stderr
    assert "is used twice" in run.stderr
    assert f"{path}:{len(lines) - 6}: building 梨园小区2 is in grid liyuan-01 and in grid liyuan-04" in run.stderr
    assert len(reported) >= 3, run.stderr  # every problem at once, each with its line
    assert "nothing was changed" in run.stderr
    assert await grid_rows(db) == before
    garbage = tmp_path / "binary.yaml"
    garbage.write_bytes(b"\x00\xff\xfe" * 100)
    run = cli(db, "grids", "import", str(garbage))
    assert run.returncode == 1 and f"{garbage}:" in run.stderr
    assert "usage:" in cli(db, "grids", "import").stderr  # no file: how to use it


async def test_the_diff_is_shown_and_applied_only_with_apply_keeping_cases(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    s = await service(db)
    try:  # an open case in wangjiang-03, a closed one in liyuan-03, none in guihua-02
        open_case = await s.file_case(ReportDraft(resident_external_id=701, intent="noise", text="楼上装修太吵",
                                                  deadline_hours=48, grid_id="wangjiang-03"))
        closed = await s.file_case(ReportDraft(resident_external_id=702, intent="sanitation", text="垃圾没人清",
                                               deadline_hours=48, grid_id="liyuan-03"))
        await s.cancel(closed.id, 702)
    finally:
        await s.close()
    before = await grid_rows(db)

    refused = SEED.replace(WANGJIANG_03, "").replace(GUIHUA_02, "")
    path = tmp_path / "refused.yaml"
    path.write_text(refused, encoding="utf-8")
    run = cli(db, "grids", "import", str(path), "--apply")
    communities_line = refused.splitlines().index("communities:") + 1
    assert run.returncode == 1
    assert f"{path}:{communities_line}: grid wangjiang-03" in run.stderr and open_case.number in run.stderr
    assert await grid_rows(db) == before  # refused: nothing changed

    new = SEED.replace(GUIHUA_02, "").replace(LIYUAN_03, LIYUAN_04)
    new = new.replace("buildings: [7, 8, 9, 10, 11, 12]", "buildings: [7, 8, 9, 10, 11, 12, 15]")
    path = tmp_path / "new.yaml"
    path.write_text(new, encoding="utf-8")
    dry = cli(db, "grids", "import", str(path))  # not a terminal, no --apply: a dry run
    assert dry.returncode == 0, dry.stderr
    out = dry.stdout
    assert "1 added, 1 changed, 2 removed" in out
    assert "+ grid liyuan-04 梨园社区第四网格 (梨园社区): 梨园小区 13、14栋" in out
    assert "~ grid liyuan-02 梨园社区第二网格: + 梨园小区 15栋" in out
    assert "− grid guihua-02 桂花社区第二网格: deleted (no cases)" in out
    assert "− grid liyuan-03 梨园社区第三网格: retired (1 closed case(s)" in out
    assert "nothing was changed" in out and await grid_rows(db) == before

    applied = cli(db, "grids", "import", str(path), "--apply")
    assert applied.returncode == 0, applied.stderr
    ids, areas = await grid_rows(db)
    assert "liyuan-04" in ids and "guihua-02" not in ids and "liyuan-03" not in ids
    assert areas["liyuan-02"][0] == "梨园小区 7-12,15栋", areas["liyuan-02"]
    s = await service(db)
    try:
        assert s.route("梨园小区13栋").grid_id == "liyuan-04"
        kept = await s.get_case(closed.id)
        assert kept.grid_id == "liyuan-03" and kept.grid_name == "梨园社区第三网格"  # history keeps its name
        assert (await s.get_case(open_case.id)).state == "filed"
    finally:
        await s.close()
    retired = cli(db, "worker", "invite", "--grid", "liyuan-03", "--name", "新人")
    assert retired.returncode != 0 and "unknown grid 'liyuan-03'" in retired.stderr  # a retired grid takes no one
    again = cli(db, "grids", "import", str(path), "--apply")
    assert again.returncode == 0 and "nothing to do" in again.stdout
