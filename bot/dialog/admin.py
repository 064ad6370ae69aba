"""Admin flows (Settings.admin_ids): /stats and /reload (intents, knowledge and the grids)."""

from __future__ import annotations

import asyncio

from bot.dialog import texts
from bot.dialog.turn import Turn

MAX_PROBLEMS_SHOWN = 15


async def stats(turn: Turn) -> None:
    if not turn.is_admin:
        turn.say(texts.NOT_ADMIN)
        return
    rows = await turn.services.cases.stats_rows()
    if not rows:
        turn.say(texts.STATS_EMPTY)
        return
    lines = [texts.STATS_HEADER]
    for row in rows:
        lines.append(texts.STATS_LINE.format(
            name=row["name"], total=row["total"], resolved=_pct(row.get("resolved_rate")),
            responded=_pct(row.get("response_rate")),
            on_time=_pct(row.get("on_time_rate")), satisfied=_pct(row.get("satisfied_rate")),
            hours="—" if row.get("avg_hours") is None else f"{row['avg_hours']:.1f} 小时",
        ))
    turn.say("\n".join(lines))


async def reload(turn: Turn) -> None:
    if not turn.is_admin:
        turn.say(texts.NOT_ADMIN)
        return
    # Loading builds a jieba tokenizer and an index: keep it off the event loop.
    result = await asyncio.to_thread(turn.services.understanding.reload)
    await turn.services.cases.reload_places()  # grids an admin imported since the start
    if result.ok:
        turn.say(texts.RELOADED.format(intents=result.intents, knowledge=result.knowledge))
        return
    shown = list(result.problems[:MAX_PROBLEMS_SHOWN])
    if len(result.problems) > MAX_PROBLEMS_SHOWN:
        shown.append(f"…（另有 {len(result.problems) - MAX_PROBLEMS_SHOWN} 个问题，运行 griddesk intents check 查看全部）")
    turn.say(texts.RELOAD_FAILED.format(problems="\n".join(shown)))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"
