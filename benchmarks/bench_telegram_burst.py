"""Burst benchmark: N residents report at once through the Bot API double to `griddesk run` (own process).

Phase 1: every resident sends a free-text report naming their building at the same moment → time from
each update to the bot's first reply. Phase 2: every resident presses the reply's button (skip the
photo) → time to the next reply (a case number, committed first, or a 附议 offer: similar reports from
one building are offered as the same case). Prints updates/s and p50/p95/max latencies.
The sender keeps Telegram's limit (TELEGRAM_MAX_RATE, 25 msg/s), so N replies need at least N/25 s
whatever the engine does; `--rate 100000` lifts the limit to show the bot's own capacity.
(`--rate 1000` still capped the bot at about half a 2,000/s echo bot).
`--echo` first runs phase 1 against a bare echo bot of the same framework (benchmarks/echo_bot.py) on the
same double and prints GridDesk's rate as a share of it (the machine may be shared: the ratio is the figure),
and each process's CPU per update (Linux: /proc), which a busy machine disturbs less than the rates.
Each bot has answered one message (from a chat outside the burst) before the burst: its start-up is over
(`--at-poll` sends the burst at the first getUpdates instead, as earlier runs of this benchmark did).

    .venv/bin/python benchmarks/bench_telegram_burst.py [--residents 200] [--framework aiogram|ptb|both] [--rate 25] [--echo]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from botapi_double import BotApiDouble
from telegram_e2e_support import CASE_NUMBER, BotProcess, bot_env, cleanup

BUILDINGS = ["梨园小区{n}栋", "翠竹苑{n}栋", "梨园小区{n}号楼"]
PROBLEMS = ["楼下垃圾好几天没人清运了，味道很大", "楼道里堆满了纸箱和旧家具，过不去人", "门口的路灯坏了一个星期，晚上很黑",
            "楼下有人天天晚上烧烤，油烟熏得没法开窗", "小区里的井盖松了，走上去咣当响，怕有人掉下去"]


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU of process `pid` so far (Linux /proc), or None where it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def cpu_per_update(before: float | None, after: float | None, updates: int) -> float | None:
    return None if before is None or after is None or not updates else (after - before) / updates


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(name: str, latencies: list[float], wall: float, expected: int) -> str:
    if not latencies:
        return f"{name}: no replies"
    return (f"{name}: {len(latencies)}/{expected} answered in {wall:.2f}s → {len(latencies) / wall:.1f} updates/s; "
            f"update→reply p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {percentile(latencies, 0.95) * 1000:.0f} ms, "
            f"max {max(latencies) * 1000:.0f} ms")


async def first_reply(tg: BotApiDouble, chat_id: int, after: int, since: float, needle: str | None,
                      deadline: float) -> float | None:
    while time.monotonic() < deadline:
        for sent in tg.sent:
            if sent.seq > after and sent.chat_id == chat_id and sent.method != "answerCallbackQuery" and (
                    needle is None or CASE_NUMBER.search(sent.text or "")):
                return sent.at - since
        await asyncio.sleep(0.02)
    return None


async def first_replies(tg: BotApiDouble, since: dict[int, float], after: int, deadline: float) -> dict[int, float]:
    """Each chat's first reply after mark `after` (a callback's answer is not one), as seconds from its `since`:
    one pass over the calls that came in since the last pass, every 20 ms. Each chat scanning every call made so
    far every 20 ms (200 chats, ~600 calls by phase 2) kept this process, whose event loop runs the double, busy
    beside the bot: the double answered the bot later, most of all in phase 2."""
    got: dict[int, float] = {}
    seen = next((i for i, record in enumerate(tg.sent) if record.seq > after), len(tg.sent))
    while time.monotonic() < deadline:
        sent = tg.sent
        for index in range(seen, len(sent)):
            record = sent[index]
            if record.chat_id in since and record.chat_id not in got and record.method != "answerCallbackQuery":
                got[record.chat_id] = record.at - since[record.chat_id]
        seen = len(sent)
        if len(got) == len(since):
            break
        await asyncio.sleep(0.02)
    return got


class EchoProcess(BotProcess):
    """benchmarks/echo_bot.py in place of `griddesk run`, watched the same way."""

    def __init__(self, tg: BotApiDouble, env: dict[str, str], workdir: Path, framework: str):
        super().__init__(tg, env, workdir, name=f"echo-{framework}")
        self.framework = framework

    async def start(self, *, ready: bool = True) -> None:
        self.runs += 1
        started = time.monotonic()
        log = self.log_path.open("wb")
        self.proc = await asyncio.create_subprocess_exec(sys.executable, str(Path(__file__).with_name("echo_bot.py")),
                                                         self.framework, env=self.env, cwd=self.workdir, stdout=log,
                                                         stderr=asyncio.subprocess.STDOUT)
        log.close()
        if ready:
            await self.wait_ready(started)


async def settled(tg: BotApiDouble, chat: int, timeout: float) -> None:
    """One message from a chat outside the burst, answered: the bot has finished starting. `griddesk run` polls
    before its start-up is done (aiogram's types, the web server and the heap's freeze run beside the first long
    poll, `bot.telegram.runner`); a burst sent at the first getUpdates had that work in phase 1's CPU and time
    (~0.2 s, ~1 ms of each of 200 updates), which the echo bot, whose start does it all before polling, never had."""
    mark, since = tg.mark, time.monotonic()
    tg.send_text(chat, "你好", first_name="预热")
    if await first_reply(tg, chat, mark, since, None, since + timeout) is None:
        raise TimeoutError(f"no answer to the settling message in {timeout:.0f}s")


async def burst(tg: BotApiDouble, ids: list[int], timeout: float) -> tuple[list[float], float]:
    """Everyone reports at once: (latencies, wall time until the last reply)."""
    mark, started = tg.mark, time.monotonic()
    injected: dict[int, float] = {}
    for i, chat in enumerate(ids):
        text = BUILDINGS[i % 3].format(n=i % 6 + 1) + PROBLEMS[i % len(PROBLEMS)]
        update = tg.send_text(chat, text, first_name=f"居民{i}")
        injected[chat] = tg.update_times[update["update_id"]]
    latencies = list((await first_replies(tg, injected, mark, started + timeout)).values())
    return latencies, (max(latencies) + (injected[ids[-1]] - started) if latencies else timeout)


async def echo_reference(framework: str, residents: int, timeout: float,
                         at_poll: bool = False) -> tuple[float, float, float | None]:
    """(updates/s, p95 s, CPU s per update) of the bare echo bot on phase 1."""
    workdir = Path(tempfile.mkdtemp(prefix="griddesk-echo-"))
    try:
        async with BotApiDouble() as tg:
            env = bot_env(tg, framework, "sqlite://")
            echo = EchoProcess(tg, env, workdir, framework)
            await echo.start()
            if not at_poll:
                await settled(tg, 899_999, timeout)
            pid = echo.proc.pid if echo.proc else None
            try:
                before = cpu_seconds(pid)
                lat, wall = await burst(tg, [800_000 + i for i in range(residents)], timeout)
                cpu = cpu_per_update(before, cpu_seconds(pid), len(lat))
            finally:
                await echo.stop()
        print(f"[{framework}] " + summary("echo bot, same burst", lat, wall, residents) + cpu_note(cpu))
        return (len(lat) / wall if lat else 0.0), (percentile(lat, 0.95) if lat else timeout), cpu
    finally:
        cleanup(workdir)


def cpu_note(cpu: float | None) -> str:
    return "" if cpu is None else f"; CPU {cpu * 1000:.2f} ms/update"


def versus(name: str, lat: list[float], wall: float, echo: tuple[float, float, float | None] | None,
           cpu: float | None = None) -> str:
    if echo is None or not lat or not echo[0]:
        return ""
    rate = len(lat) / wall
    by_cpu = f"; by CPU per update {echo[2] / cpu:.2f}× (echo's / ours)" if cpu and echo[2] else ""
    return (f"[{name}] vs echo bot: {rate / echo[0]:.2f}× its updates/s, p95 {percentile(lat, 0.95) / echo[1]:.1f}× "
            f"its p95 (target ≥ 0.5× the rate){by_cpu}")


async def run(framework: str, residents: int, timeout: float, rate: float, echo: bool = False,
              at_poll: bool = False) -> None:
    reference = await echo_reference(framework, residents, timeout, at_poll) if echo else None
    workdir = Path(tempfile.mkdtemp(prefix="griddesk-bench-"))
    try:
        async with BotApiDouble() as tg:
            bot = BotProcess(tg, bot_env(tg, framework, f"sqlite:///{workdir / 'bench.db'}", LOG_LEVEL="WARNING",
                                      TELEGRAM_MAX_RATE=str(rate)), workdir)
            await bot.start()
            if not at_poll:
                await settled(tg, 599_999, timeout)
            pid = bot.proc.pid if bot.proc else None
            ids = [600_000 + i for i in range(residents)]
            try:
                # phase 1: everyone reports at once
                before = cpu_seconds(pid)
                lat1, wall1 = await burst(tg, ids, timeout)
                after = cpu_seconds(pid)
                cpu1 = cpu_per_update(before, after, len(lat1))
                print(f"[{framework}] " + summary("phase 1 report → first reply", lat1, wall1, residents) + cpu_note(cpu1))
                if reference:
                    print(versus(f"{framework} phase 1", lat1, wall1, reference, cpu1))

                # phase 2: everyone presses the first button of the last message (skip photo / confirm) at once
                mark, started = tg.mark, time.monotonic()
                pressed = {}
                for chat in ids:
                    try:
                        last = tg.last_message(chat)
                    except LookupError:
                        continue
                    skip = next((b for b in last.buttons() if "跳过" in b["text"]), None) or (last.buttons() or [None])[0]
                    if skip is not None:
                        tg.press(chat, last, skip["callback_data"])
                        pressed[chat] = time.monotonic()
                lat2 = list((await first_replies(tg, pressed, mark, started + timeout)).values())
                cpu2 = cpu_per_update(after, cpu_seconds(pid), len(lat2))
                wall2 = max(lat2) if lat2 else timeout
                print(f"[{framework}] " + summary("phase 2 press → next reply", lat2, wall2, len(pressed)) + cpu_note(cpu2))
                if reference:
                    print(versus(f"{framework} phase 2 (files a case)", lat2, wall2, reference, cpu2))
                shown = [m.group(0) for s in tg.sent if s.seq > mark and "案件编号" in (s.text or "")
                         for m in [CASE_NUMBER.search(s.text or "")] if m]
                offers = sum(1 for s in tg.sent if s.seq > mark and "附议" in (s.text or "") + str(s.reply_markup))
                print(f"[{framework}] case numbers shown: {len(shown)} ({len(set(shown))} distinct); "
                      f"duplicate offers (附议): {offers}; rate floor for {residents} replies at {rate:g}/s ≈ "
                      f"{residents / rate:.1f}s")
            finally:
                await bot.stop()
    finally:
        cleanup(workdir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--framework", choices=["aiogram", "ptb", "both"], default="both")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait per phase")
    parser.add_argument("--rate", type=float, default=25.0, help="TELEGRAM_MAX_RATE for the bot (Telegram's limit: ~30)")
    parser.add_argument("--echo", action="store_true", help="also run a bare echo bot on the same burst (the ratio)")
    parser.add_argument("--at-poll", action="store_true",
                        help="burst at the bot's first getUpdates, before it has answered anything (start-up work done "
                             "beside the first poll then counts in phase 1), as this benchmark did before")
    args = parser.parse_args()
    for framework in (["aiogram", "ptb"] if args.framework == "both" else [args.framework]):
        asyncio.run(run(framework, args.residents, args.timeout, args.rate, args.echo, args.at_poll))


if __name__ == "__main__":
    main()
