"""Helpers for the end-to-end tests and the burst benchmark: `griddesk run` in its own process against the
Bot API double, plus the resident/worker moves the scenarios repeat. Every wait has a timeout.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from botapi_double import BotApiDouble, Sent

CASE_NUMBER = re.compile(r"\d{8}-\d{4}")
STARTUP_TIMEOUT = 90.0
STEP_TIMEOUT = 20.0
PROJECT = Path(__file__).resolve().parent.parent


def griddesk_command() -> list[str]:
    script = Path(sys.executable).parent / "griddesk"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


def project_path() -> str:
    """PYTHONPATH for a child `griddesk`: this checkout first. The venv's `griddesk` script imports the tree the
    venv was installed from, so a worktree's tests would otherwise start another tree's bot."""
    return os.pathsep.join(p for p in (str(PROJECT), os.environ.get("PYTHONPATH", "")) if p)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bot_env(tg: BotApiDouble, framework: str, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a `griddesk run` against the double; its web server gets a free port of its own
    (`WEB_PORT` in `extra` to choose it), so bots of parallel tests never collide on 8080."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "WEBHOOK_", "BOT_", "DATABASE_", "WEB_", "PUBLIC_URL", "CONSOLE_"))}
    env.update(TELEGRAM_BOT_TOKEN=tg.token, TELEGRAM_API_URL=tg.url, BOT_FRAMEWORK=framework, DATABASE_URL=database_url,
               DEADLINE_CHECK_SECONDS="2", LOG_LEVEL="INFO", PYTHONUNBUFFERED="1", WEB_HOST="127.0.0.1",
               WEB_PORT=str(free_port()), PYTHONPATH=project_path())
    env.update(extra)
    return env


WEBHOOK_SECRET = "correct-horse-battery"


def webhook_env(tg: BotApiDouble, framework: str, workdir: Path) -> tuple[dict[str, str], str]:
    """`bot_env` for webhook mode on a free local port: (the environment, the webhook URL)."""
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram/hook"
    env = bot_env(tg, framework, f"sqlite:///{workdir / 'griddesk.db'}", WEBHOOK_URL=hook,
                  WEBHOOK_SECRET=WEBHOOK_SECRET, WEB_HOST="127.0.0.1", WEB_PORT=str(port))
    return env, hook


async def invite_worker(env: dict[str, str], cwd: Path, grid: str = "liyuan-01", name: str = "李网格", *,
                        community: str | None = None) -> str:
    """`griddesk worker invite` → the one-time code (this also creates and seeds the database); a community
    dispatcher's with `community`."""
    where = ("--community", community) if community else ("--grid", grid)
    proc = await asyncio.create_subprocess_exec(*griddesk_command(), "worker", "invite", *where, "--name", name,
                                                env=env, cwd=cwd, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), STARTUP_TIMEOUT)
    assert proc.returncode == 0, err.decode(errors="replace")[-2000:]
    codes = re.findall(r"\b[A-Z0-9]{6,20}\b", out.decode())
    assert codes, f"no invite code in {out!r}"
    return codes[-1]


class BotProcess:
    """`griddesk run` as a child process with its output in files (shown when a test fails)."""

    def __init__(self, tg: BotApiDouble, env: dict[str, str], workdir: Path, name: str = "bot"):
        self.tg = tg
        self.env = env
        self.workdir = workdir
        self.name = name
        self.proc: asyncio.subprocess.Process | None = None
        self.runs = 0

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}-{self.runs}.log"

    async def start(self, *, ready: bool = True) -> None:
        self.runs += 1
        started = time.monotonic()
        log = self.log_path.open("wb")
        self.proc = await asyncio.create_subprocess_exec(*griddesk_command(), "run", env=self.env, cwd=self.workdir,
                                                         stdout=log, stderr=asyncio.subprocess.STDOUT)
        log.close()
        if ready:
            await self.wait_ready(started)

    async def wait_ready(self, since: float) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not any(m in {"getUpdates", "setWebhook"} and t > since for m, t in self.tg.arrivals):
            if self.proc is not None and self.proc.returncode is not None:
                raise RuntimeError(f"griddesk run exited with {self.proc.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"griddesk run not ready in {STARTUP_TIMEOUT}s:\n{self.log()}")
            await asyncio.sleep(0.05)

    def log(self, tail: int = 4000) -> str:
        text = "\n".join(p.read_text(errors="replace") for p in sorted(self.workdir.glob(f"{self.name}-*.log")))
        return text[-tail:]

    async def kill(self) -> None:
        """SIGKILL: no cleanup, no goodbye — what a crash looks like."""
        if self.proc and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
            await asyncio.wait_for(self.proc.wait(), 15)

    async def stop(self) -> int | None:
        if self.proc and self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 20)
            except TimeoutError:
                self.proc.kill()
                await asyncio.wait_for(self.proc.wait(), 10)
        return self.proc.returncode if self.proc else None


async def bind_worker(tg: BotApiDouble, worker: int, code: str, name: str = "李网格") -> Sent:
    """The worker sends `/bind CODE` and is told he is bound."""
    tg.send_text(worker, f"/bind {code}", first_name=name)
    return await tg.wait_text(worker, "绑定成功", timeout=STEP_TIMEOUT)


@asynccontextmanager
async def bot_with_worker(tg: BotApiDouble, workdir: Path, framework: str, worker: int, *, grid: str = "liyuan-01",
                          name: str = "李网格", **extra: str) -> AsyncIterator[BotProcess]:
    """`griddesk run` on a fresh SQLite database with one grid worker bound; on leaving, the bot is stopped by
    SIGTERM and must have exited cleanly with no traceback in its log (not checked when the body failed, so
    that the body's own failure is what the test reports)."""
    env = bot_env(tg, framework, f"sqlite:///{workdir / 'griddesk.db'}", **extra)
    code = await invite_worker(env, workdir, grid, name)
    bot = BotProcess(tg, env, workdir)
    await bot.start()
    try:
        await bind_worker(tg, worker, code, name)
        yield bot
    except BaseException:
        await bot.stop()
        raise
    exit_code = await bot.stop()
    assert exit_code == 0, bot.log()
    assert "Traceback" not in bot.log(100_000), bot.log()


def has_button(sent: Sent, label: str) -> bool:
    return any(b.get("text") == label for b in sent.buttons())


async def report(tg: BotApiDouble, resident: int, text: str, address: str, *, photo: bool | bytes = False,
                 timeout: float = STEP_TIMEOUT) -> tuple[str, Sent]:
    """A resident reports in free text and answers what the bot asks (category, address, photo — sent when
    `photo`, its bytes when given, else skipped) until a case number is shown. Returns (case number, the message
    that showed it)."""
    mark = tg.mark
    tg.send_text(resident, text)
    for _ in range(8):
        sent = await tg.wait_for(lambda s: s.chat_id == resident and s.method in {"sendMessage", "editMessageText"},
                                 timeout=timeout, after=mark)
        await asyncio.sleep(0.3)  # let the rest of this turn's replies arrive
        latest = [s for s in tg.sent if s.seq > mark and s.chat_id == resident and s.method != "answerCallbackQuery"]
        sent = latest[-1] if latest else sent
        mark = tg.mark
        for message in latest:
            number = CASE_NUMBER.search(message.text or "")
            if number and "案件编号" in (message.text or ""):
                return number.group(0), message
        asking = next((m for m in reversed(latest) if m.buttons()), sent)
        skip = next((b for b in asking.buttons() if "跳过" in b["text"]), None)
        if skip is not None and photo:
            tg.send_photo(resident, caption="现场", data=photo if isinstance(photo, bytes) else b"\xff\xd8\xff\xe0scene-photo")
            photo = False
        elif skip is not None:
            tg.press(resident, asking, skip["callback_data"])
        elif "地址" in (sent.text or "") or "位置" in (sent.text or ""):
            tg.send_text(resident, address)
        elif asking.buttons() and not any(b["text"] == "取消" for b in asking.buttons()[:1]):
            tg.press(resident, asking, asking.buttons()[0]["callback_data"])  # confirm the first category offered
        # otherwise a notice ("照片收到了。"): the rest of the turn is still on its way (~1/s per chat)
    raise AssertionError(f"no case number after 8 exchanges; last: {sent.text!r}")


def cleanup(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
