"""CPU per send through an adapter's real library (aiogram or PTB) to the Bot API double in another process.

The send path alone, without the engine: `ROUNDS` rounds of `CHATS` chats each sending `PER_CHAT` messages with an
inline keyboard at once (connections warmed first), CPU of this process per send (the double's CPU is its own).
A burst's phase 1 is one such send per update. Compare checkouts by running each one's copy of this file.

    .venv/bin/python benchmarks/bench_send.py [--framework aiogram|ptb] [--rounds 5] [--chats 50] [--per-chat 20]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's code, not the venv's install
TESTS = Path(__file__).resolve().parent.parent / "tests"
TOKEN = "123456:TEST-double-token"
TEXT = (
    "收到。我理解的是：梨园小区3栋 楼下垃圾好几天没人清运了，味道很大。<b>类别</b>：垃圾清运。\n"
    "请拍一张现场照片，或者点「跳过照片」。"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def measure(framework: str, url: str, rounds: int, chats: int, per_chat: int) -> list[float]:
    import aiohttp

    from bot.telegram.render import InlineKeyboard, Outgoing

    async def dispatch(_: object) -> None:
        return None

    if framework == "ptb":
        from bot.telegram.ptb_adapter import PtbAdapter

        adapter = PtbAdapter(TOKEN, url, dispatch)
    else:
        from bot.telegram.aiogram_import import import_aiogram

        import_aiogram()
        from bot.telegram.aiogram_adapter import AiogramAdapter

        adapter = AiogramAdapter(TOKEN, url, dispatch)
    await adapter.start()
    async with aiohttp.ClientSession() as http:  # each chat has written to the bot once
        for chat in range(chats):
            await http.post(f"{url}/_double/text", json={"user_id": 700_000 + chat, "text": "你好"})
    keyboard = InlineKeyboard(((("📷 拍照上传", "photo:yes"), ("跳过照片", "photo:skip")), (("取消", "cancel"),)))

    async def chat_sends(chat: int, count: int) -> None:
        for _ in range(count):
            await adapter.send(Outgoing("message", 700_000 + chat, TEXT, keyboard))

    await asyncio.gather(*(chat_sends(c, 4) for c in range(chats)))  # connections and types warmed
    per_send = []
    for _ in range(rounds):
        began = time.process_time()
        await asyncio.gather(*(chat_sends(c, per_chat) for c in range(chats)))
        per_send.append((time.process_time() - began) / (chats * per_chat))
    await adapter.close()
    return per_send


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--framework", choices=["aiogram", "ptb"], default="aiogram")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--per-chat", type=int, default=20)
    args = parser.parse_args()
    port = free_port()
    double = subprocess.Popen(
        [sys.executable, "-m", "botapi_double", "--port", str(port), "--token", TOKEN], cwd=TESTS, stdout=subprocess.PIPE
    )
    try:
        assert double.stdout is not None
        double.stdout.readline()  # serving
        got = asyncio.run(measure(args.framework, f"http://127.0.0.1:{port}", args.rounds, args.chats, args.per_chat))
    finally:
        double.terminate()
        double.wait(10)
    print(
        f"[{args.framework}] CPU per send: median {statistics.median(got) * 1e6:.0f} µs over {args.rounds} rounds of "
        f"{args.chats * args.per_chat} sends ({', '.join(f'{g * 1e6:.0f}' for g in got)})"
    )


if __name__ == "__main__":
    main()
