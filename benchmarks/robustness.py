"""``python -m benchmarks.robustness`` (from a checkout): the README's robustness figures.

Each scenario runs ``python -m bot`` (or the bot in-process) against the local Bot API server
and prints what it measured, in a few minutes in all:

1. a private question's wait while one group has 100 questions waiting for its minute;
2. 20,000 questions queued: what the bot holds, what it confirmed, its memory; SIGTERM;
3. 3,000 questions queued, SIGTERM (SIGKILL 30 s later, as a platform would), a restart:
   how long the stop took, what was confirmed, and whether every question was answered once;
4. webhook mode: five 90 MB POSTs without and with the secret (the process's memory), 1,100
   connections that never finish their headers (descriptors held, and for how long);
5. one long token: a question of 1,000 digits, and other 1,000-character questions.

Like ``benchmarks.bench`` it reports; it does not judge.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import logging
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.core.answering import Answerer
from bot.core.knowledge import bundled_knowledge_dir
from bot.sandbox.running import polling
from bot.sandbox.server import BotAPIServer
from bot.tg.app import build_application

QUESTIONS = [
    "桐庐要打赢哪六大攻坚战？",
    "三通一达的市值有多少？",
    "谁是制造业攻坚战的指挥长？",
    "传统产业要实现哪五大目标？",
]
ROOT = Path(__file__).resolve().parents[1]


def _cache() -> Path:
    return Path(os.environ.get("BOT_CACHE_DIR") or Path(tempfile.gettempdir()) / "tonglu-bot-robustness")


def _answerer() -> Answerer:
    return Answerer.from_directory(bundled_knowledge_dir(), _cache())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _rss_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024
    return 0


async def _start(server: BotAPIServer, **env: str) -> asyncio.subprocess.Process:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "BOT_CACHE_DIR": str(_cache()),
        "PTB_TIMEDELTA": "1",
        "TELEGRAM_BOT_TOKEN": server.token,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "LOG_LEVEL": "WARNING",
        **env,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=ROOT, env=environment, stdout=asyncio.subprocess.DEVNULL, stderr=None
    )


async def _sigterm(process: asyncio.subprocess.Process, kill_after: float = 30.0) -> float:
    """SIGTERM, then SIGKILL after ``kill_after`` seconds; how long the process took to end."""
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), kill_after)
    except TimeoutError:
        process.kill()
        await process.wait()
    return time.monotonic() - started


async def _queue(server: BotAPIServer, total: int, chats: int) -> None:
    for i in range(total):
        user = server.user(10_000 + i % chats)
        await server.send(server.private_chat(user), user, QUESTIONS[i % len(QUESTIONS)])


async def head_of_line(answerer: Answerer) -> None:
    """1. A private question while a group has 100 waiting."""
    waits = []
    for _ in range(3):
        server = BotAPIServer()
        await server.start()
        group, user = server.group(-1), server.user(1)
        for _ in range(120):
            await server.send(group, user, f"/ask {QUESTIONS[0]}")
        settings = Settings(token=server.token, base_url=server.base_url, shutdown_grace=0.1)
        async with polling(build_application(settings, answerer), settings=settings):
            in_group = group["id"]
            await server.wait_for(lambda: len(server.of("sendMessage", in_group)) >= 20)  # noqa: B023
            chat = server.private_chat(user)
            started = time.monotonic()
            await server.reply_to(await server.send(chat, user, QUESTIONS[1]))
            waits.append(time.monotonic() - started)
        await server.stop()
    print(f"1. private answer while a group has 100 waiting: {min(waits):.2f}–{max(waits):.2f} s (3 runs)")


async def backlog() -> None:
    """2. 20,000 questions queued."""
    server = BotAPIServer()
    await server.start()
    await _queue(server, 20_000, 500)
    process = await _start(server)
    await server.wait_for(lambda: server.of("setMyCommands"), timeout=60)
    await asyncio.sleep(4)
    print(
        f"2. 20,000 queued, 4 s after start: {len(server.of('sendMessage'))} answered, {server.confirmed - 1} "
        f"confirmed, {len(server.updates)} still on the server; the bot's memory {_rss_mb(process.pid)} MB"
    )
    took = await _sigterm(process)
    print(
        f"   SIGTERM: ended in {took:.2f} s; {len(server.of('sendMessage'))} answered, {server.confirmed - 1} confirmed"
    )
    await server.stop()


async def stop_and_restart() -> None:
    """3. 3,000 questions queued, SIGTERM, a restart."""
    server = BotAPIServer()
    await server.start()
    await _queue(server, 3000, 100)
    process = await _start(server)
    await server.wait_for(lambda: len(server.of("sendMessage")) >= 300, timeout=60)
    took = await _sigterm(process)
    answered = len(server.of("sendMessage"))
    print(
        f"3. 3,000 queued, SIGTERM with {answered} answered: ended in {took:.2f} s (status {process.returncode}); "
        f"{server.confirmed - 1} confirmed, {len(server.updates)} left on the server"
    )
    process = await _start(server)
    started = time.monotonic()
    await server.wait_for(lambda: len(server.of("sendMessage")) >= 3000, timeout=600)
    await asyncio.sleep(2)
    await _sigterm(process)
    per_chat = collections.Counter(s.chat_id for s in server.of("sendMessage"))
    wrong = sum(1 for n in per_chat.values() if n != 30)
    print(
        f"   restart: the rest answered in {time.monotonic() - started:.0f} s; {len(server.of('sendMessage'))} "
        f"answers to 3,000 questions; chats with a wrong count: {wrong}"
    )
    await server.stop()


async def _post(port: int, secret: str | None, size: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    header = f"POST /hook HTTP/1.1\r\nHost: bot\r\nContent-Length: {size}\r\n"
    if secret:
        header += f"X-Telegram-Bot-Api-Secret-Token: {secret}\r\n"
    writer.write((header + "\r\n").encode())
    chunk, sent = b"{" * 65536, 0
    try:
        while sent < size:
            writer.write(chunk)
            await writer.drain()
            sent += len(chunk)
    except (ConnectionResetError, BrokenPipeError):
        pass
    writer.close()


async def webhook() -> None:
    """4. Webhook floods."""
    server = BotAPIServer()
    await server.start()
    port = _free_port()
    process = await _start(
        server, WEBHOOK_URL=f"http://127.0.0.1:{port}/hook", WEBHOOK_SECRET="s", WEBHOOK_PORT=str(port)
    )
    await server.wait_for(lambda: server.webhook is not None, timeout=60)
    before = _rss_mb(process.pid)
    await asyncio.gather(*(_post(port, None, 90_000_000) for _ in range(5)))
    without = _rss_mb(process.pid)
    await asyncio.gather(*(_post(port, "s", 90_000_000) for _ in range(5)))
    after = _rss_mb(process.pid)
    print(f"4. webhook: memory {before} MB; after 5 × 90 MB without the secret {without} MB, with it {after} MB")
    held = []
    for _ in range(1100):
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /hook HTTP/1.1\r\n")  # and never the rest
        held.append(writer)
    await asyncio.sleep(0.5)
    descriptors = len(os.listdir(f"/proc/{process.pid}/fd"))
    started = time.monotonic()
    while len(os.listdir(f"/proc/{process.pid}/fd")) > 20 and time.monotonic() - started < 60:
        await asyncio.sleep(0.5)
    print(
        f"   1,100 connections that never finish their headers: {descriptors} descriptors open, "
        f"{len(os.listdir(f'/proc/{process.pid}/fd'))} after {time.monotonic() - started + 0.5:.0f} s"
    )
    for writer in held:
        writer.close()
    await _sigterm(process)
    await server.stop()


def long_questions(answerer: Answerer) -> None:
    """5. Per-question work on 1,000-character questions."""
    source = next((bundled_knowledge_dir() / "sources").glob("*.txt")).read_text(encoding="utf-8")
    shapes = {
        "1,000 digits": "1" * 1000,
        "1,000 Latin letters": "a" * 1000,
        "the article's first 1,000 characters": source[:1000],
    }
    parts = []
    for name, question in shapes.items():
        answerer.answer(question)
        times = []
        for _ in range(5):
            started = time.perf_counter()
            answerer.answer(question)
            times.append((time.perf_counter() - started) * 1000)
        parts.append(f"{name} {statistics.median(times):.1f} ms")
    print("5. per question: " + "; ".join(parts))


async def run(which: set[int]) -> None:
    """The scenarios numbered in ``which``."""
    answerer = _answerer()
    if 1 in which:
        await head_of_line(answerer)
    if 2 in which:
        await backlog()
    if 3 in which:
        await stop_and_restart()
    if 4 in which:
        await webhook()
    if 5 in which:
        long_questions(answerer)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the scenarios asked for (all by default)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.robustness", description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="*", type=int, help="which, 1 to 5 (default: all)")
    args: Any = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)  # the in-process bot's own lines (parking) are expected
    asyncio.run(run(set(args.scenario or range(1, 6))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
