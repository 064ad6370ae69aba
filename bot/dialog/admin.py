"""Admin and staff flows: /stats and /reload (intents, knowledge and the grids; Settings.admin_ids), /console (a
login link for staff)."""

from __future__ import annotations

import asyncio

from bot import wording as texts
from bot.dialog.turn import Turn
from bot.runtime import frozen
from bot.wording.names import UNSATISFIED_REASONS

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
            hours="—" if row.get("avg_hours") is None else texts.STATS_HOURS.format(hours=row["avg_hours"]),
        ))
    total = rows[0]  # the total comes first: how often residents pressed 催办, and why ratings were 不满意
    if total.get("urged") or total.get("unsatisfied_reasons"):
        why = texts.STATS_REASON_SEP.join(
            texts.STATS_REASON.format(reason=UNSATISFIED_REASONS.get(k, texts.STATS_REASON_UNSAID), count=n)
            for k, n in sorted(total["unsatisfied_reasons"].items()))
        lines.append(texts.STATS_SELF_SERVICE.format(urged=total.get("urged", 0), reasons=why or "—"))
    turn.say("\n".join(lines))


async def reload(turn: Turn) -> None:
    if not turn.is_admin:
        turn.say(texts.NOT_ADMIN)
        return
    # Loading builds a jieba tokenizer and an index: keep it off the event loop.
    result = await asyncio.to_thread(turn.services.understanding.reload)
    await turn.services.cases.reload_places()  # grids an admin imported since the start
    frozen.refreeze()  # what the reload replaced must not stay in the permanent generation (the runner froze it)
    if result.ok:
        text = texts.RELOADED.format(intents=result.intents, knowledge=result.knowledge)
        if result.skipped:
            text += "\n" + texts.RELOAD_SKIPPED.format(problems="\n".join(_shown(result.skipped)))
        if result.stale:
            text += "\n" + texts.RELOAD_STALE_WEIGHTS.format(problems="\n".join(_shown(result.stale)))
        turn.say(text)
        return
    turn.say(texts.RELOAD_FAILED.format(problems="\n".join(_shown(result.problems))))


def _shown(problems: tuple[str, ...]) -> list[str]:
    shown = list(problems[:MAX_PROBLEMS_SHOWN])
    if len(problems) > MAX_PROBLEMS_SHOWN:
        shown.append(texts.RELOAD_MORE.format(more=len(problems) - MAX_PROBLEMS_SHOWN))
    return shown


async def console(turn: Turn) -> None:
    """/console: a one-time login link to the staff console, for admins and bound workers, in a private chat only
    (a link shown in a group would let the whole group in)."""
    port = turn.services.console_link
    if port is None:
        turn.say(texts.CONSOLE_UNAVAILABLE)
        return
    if turn.chat_id != turn.user_id:
        turn.say(texts.CONSOLE_PRIVATE_ONLY)
        return
    link = await port(turn.user_id, channel=turn.channel)
    if link is None:
        turn.say(texts.CONSOLE_NOT_STAFF)
        return
    turn.say(texts.CONSOLE_LINK.format(minutes=f"{turn.services.console_link_minutes:g}", link=link))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"
