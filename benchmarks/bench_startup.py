"""Start-up and memory of `griddesk run` against the Bot API double: how long until it polls, until it
answers a first question and a first report, and how much memory it holds then.

The framework import alone is measured first, aiogram eager (as before, and as the echo bot) and deferred.
Runs: a first start on an empty understanding cache (what a fresh install or changed files cost), then
starts with the files unchanged, then a restart after SIGKILL. `--messages N` also sends N messages
(residents asking and reporting) and prints the memory after them.

    .venv/bin/python benchmarks/bench_startup.py [--framework aiogram|ptb|both] [--warm 2] [--messages 0] [--root DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_telegram_burst import EchoProcess, cpu_seconds
from botapi_double import BotApiDouble
from telegram_e2e_support import BotProcess, bot_env, cleanup

#: An installed bot starts from its modules' bytecode, written by its first start; a shell with
#: PYTHONDONTWRITEBYTECODE set (as this machine's sessions have) would otherwise make every "unchanged" start
#: compile the project's ~150 modules again (~0.2 s CPU). `--no-bytecode` keeps the caller's setting.
BYTECODE_ENV = {"PYTHONDONTWRITEBYTECODE": ""}

QUESTION = "晚上几点以后不能装修"
REPORT = "梨园小区3栋楼下垃圾好几天没人清运了，味道很大"


def memory(pid: int) -> tuple[float, float]:
    """(resident MiB now, peak resident MiB) of a process, from /proc."""
    now = peak = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            now = int(line.split()[1]) / 1024
        elif line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
    return now, peak


async def reply_to(tg: BotApiDouble, chat: int, text: str, timeout: float = 60.0) -> float:
    """Send `text` as `chat`; seconds until the bot's first message back."""
    mark = tg.mark
    sent_at = time.monotonic()
    tg.send_text(chat, text)
    await tg.wait_for(lambda s: s.chat_id == chat and s.method != "answerCallbackQuery", timeout=timeout, after=mark)
    return time.monotonic() - sent_at


async def one_start(tg: BotApiDouble, bot: BotProcess, chat: int, *, kill: bool = False) -> dict[str, float]:
    """Start (or SIGKILL and start again) and time the way to the first answers."""
    if kill:
        await bot.kill()
    began = time.monotonic()
    await bot.start()
    ready = time.monotonic() - began
    assert bot.proc is not None
    cpu = cpu_seconds(bot.proc.pid) or 0.0  # what a busy machine disturbs less than the wall clock
    await reply_to(tg, chat, QUESTION)
    answered = time.monotonic() - began
    cpu_answered = cpu_seconds(bot.proc.pid) or 0.0  # start-up work done beside the first poll is in here
    await reply_to(tg, chat + 1, REPORT)
    rss, peak = memory(bot.proc.pid)
    return {"ready": ready, "answered": answered, "rss": rss, "peak": peak, "cpu": cpu, "cpu_answered": cpu_answered}


def line(name: str, got: dict[str, float]) -> str:
    return (f"{name}: polling after {got['ready']:.2f}s (CPU {got['cpu']:.2f}s), first answer {got['answered']:.2f}s "
            f"(CPU {got['cpu_answered']:.2f}s) after spawn; RSS {got['rss']:.0f} MiB (peak {got['peak']:.0f} MiB)")


async def load(tg: BotApiDouble, bot: BotProcess, messages: int) -> None:
    """`messages` turns from 200 residents, 20 at a time; memory after."""
    texts = [QUESTION, REPORT, "取消", "/my", "小区车位该归谁", "楼上半夜还在装修"]
    started = time.monotonic()
    for start in range(0, messages, 20):
        await asyncio.gather(*(reply_to(tg, 700_000 + (start + k) % 200, texts[(start + k) % len(texts)])
                               for k in range(min(20, messages - start))))
    assert bot.proc is not None
    rss, peak = memory(bot.proc.pid)
    wall = time.monotonic() - started
    print(f"after {messages} messages ({messages / wall:.0f}/s, 20 in flight): RSS {rss:.0f} MiB (peak {peak:.0f} MiB)")


async def echo_start(tg: BotApiDouble, framework: str, workdir: Path) -> dict[str, float]:
    """The bare echo bot of the same framework: how long it takes to poll and answer, and its memory."""
    echo = EchoProcess(tg, bot_env(tg, framework, "sqlite://"), workdir, framework)
    began = time.monotonic()
    await echo.start()
    ready = time.monotonic() - began
    assert echo.proc is not None
    cpu = cpu_seconds(echo.proc.pid) or 0.0
    await reply_to(tg, 499_999, QUESTION)
    answered = time.monotonic() - began
    cpu_answered = cpu_seconds(echo.proc.pid) or 0.0
    rss, peak = memory(echo.proc.pid)
    await echo.stop()
    return {"ready": ready, "answered": answered, "rss": rss, "peak": peak, "cpu": cpu, "cpu_answered": cpu_answered}


_IMPORT = """
import json, sys, time
def rss():
    return int(next(l for l in open('/proc/self/status') if l.startswith('VmRSS')).split()[1]) / 1024
before, began = rss(), time.perf_counter()
if sys.argv[1] == 'deferred':
    from bot.telegram.aiogram_import import import_aiogram
    import_aiogram()
import aiogram.types as t
t.Update.model_validate({'update_id': 1, 'message': {'message_id': 1, 'date': 0, 'text': 'hi',
                         'chat': {'id': 1, 'type': 'private'}}})
print(json.dumps({'mib': rss() - before, 's': time.perf_counter() - began}))
"""


def import_costs(root: str | None = None) -> None:
    """What importing the framework costs (memory, time), in fresh interpreters on this machine, this run:
    aiogram as the echo bot imports it (every type built) vs as `griddesk run` does (bot/telegram/aiogram_import.py,
    types built on first use; here one Update is parsed)."""
    got = {}
    for mode in ("eager", "deferred"):
        env = {**os.environ, "PYTHONPATH": root} if root else None
        out = subprocess.run([sys.executable, "-c", _IMPORT, mode], capture_output=True, text=True, check=True,
                             env=env).stdout
        got[mode] = json.loads(out)
    eager, deferred = got["eager"], got["deferred"]
    print(f"[aiogram] import + first Update: eager (before) +{eager['mib']:.0f} MiB in {eager['s']:.2f}s -> deferred "
          f"(griddesk run) +{deferred['mib']:.0f} MiB in {deferred['s']:.2f}s")


async def run(framework: str, warm: int, messages: int, bytecode: bool = True, root: str | None = None) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="griddesk-start-"))
    try:
        async with BotApiDouble() as tg:
            echo = await echo_start(tg, framework, workdir)
            print(f"[{framework}] " + line("bare echo bot (reference)", echo))
            env = bot_env(tg, framework, f"sqlite:///{workdir / 'start.db'}", LOG_LEVEL="WARNING",
                          CACHE_DIR=str(workdir / "cache"), TELEGRAM_MAX_RATE="1000",
                          **(BYTECODE_ENV if bytecode else {}), **({"PYTHONPATH": root} if root else {}))
            bot = BotProcess(tg, env, workdir)
            try:
                print(f"[{framework}] " + line("first start (empty cache, new database)", await one_start(tg, bot, 500_001)))
                await bot.stop()
                warm_runs = []
                for i in range(warm):
                    got = await one_start(tg, bot, 500_011 + 10 * i)
                    warm_runs.append(got)
                    print(f"[{framework}] " + line(f"start {i + 2} (files unchanged)", got))
                    await bot.stop()
                if warm_runs:
                    ready = statistics.median(r["ready"] for r in warm_runs)
                    rss = statistics.median(r["rss"] for r in warm_runs)
                    cpu = statistics.median(r["cpu"] for r in warm_runs)
                    cpu_answered = statistics.median(r["cpu_answered"] for r in warm_runs)
                    print(f"[{framework}] median over unchanged starts: CPU until polling {cpu:.2f}s "
                          f"({cpu / echo['cpu']:.2f}× the echo bot's {echo['cpu']:.2f}s), until the first answer "
                          f"{cpu_answered:.2f}s" if echo["cpu"] else "")
                    print(f"[{framework}] median over unchanged starts: polling {ready:.2f}s "
                          f"({ready / echo['ready']:.2f}× the echo bot's, +{ready - echo['ready']:.2f}s), first answer "
                          f"{statistics.median(r['answered'] for r in warm_runs):.2f}s, RSS {rss:.0f} MiB "
                          f"({rss / echo['rss']:.2f}× the echo bot's, +{rss - echo['rss']:.0f} MiB)")
                await bot.start()
                got = await one_start(tg, bot, 500_101, kill=True)
                print(f"[{framework}] " + line("restart after SIGKILL", got))
                if messages:
                    await load(tg, bot, messages)
            finally:
                await bot.stop()
    finally:
        cleanup(workdir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--framework", choices=["aiogram", "ptb", "both"], default="aiogram")
    parser.add_argument("--warm", type=int, default=2, help="starts with unchanged files")
    parser.add_argument("--messages", type=int, default=0, help="messages to send after the starts")
    parser.add_argument("--no-bytecode", action="store_true",
                        help="keep PYTHONDONTWRITEBYTECODE as the caller has it (every start compiles the project)")
    parser.add_argument("--root", help="start the bot of another checkout (e.g. main, to interleave runs with this one's)")
    args = parser.parse_args()
    root = str(Path(args.root).resolve()) if args.root else None
    if args.framework != "ptb":
        import_costs(root)
    for framework in (["aiogram", "ptb"] if args.framework == "both" else [args.framework]):
        asyncio.run(run(framework, args.warm, args.messages, bytecode=not args.no_bytecode, root=root))


if __name__ == "__main__":
    main()
