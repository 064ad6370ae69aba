"""Run the double on its own: `python -m botapi_double --port 8081` (from tests/), for manual tries."""

from __future__ import annotations

import argparse
import asyncio

from .server import BotApiDouble


async def _serve(port: int, token: str) -> None:
    async with BotApiDouble(token, port=port) as double:
        print(f"Bot API double on {double.url} (token {token}); test API under {double.url}/_double/", flush=True)
        await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST-double-token")
    args = parser.parse_args()
    asyncio.run(_serve(args.port, args.token))


if __name__ == "__main__":
    main()
