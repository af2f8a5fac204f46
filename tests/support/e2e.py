"""Running the real bot (the real PTB Application, through ``base_url``) against the local server."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from asyncio.subprocess import PIPE
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from telegram.ext import Application

from bot.config import Settings
from bot.core.answering import Answerer
from bot.sandbox.running import polling
from bot.sandbox.server import BotAPIServer
from bot.tg.app import build_application
from bot.tg.transport import TELEGRAM_LIMITS, FloodLimits

from . import ROOT

# A sticker as Telegram sends it, for tests of input that is not text.
STICKER = {
    "file_id": "s1",
    "file_unique_id": "u1",
    "type": "regular",
    "width": 512,
    "height": 512,
    "is_animated": False,
    "is_video": False,
}


@asynccontextmanager
async def running_bot(
    server: BotAPIServer,
    answerer: Answerer,
    *,
    timeout: float | None = None,
    flood_limits: FloodLimits = TELEGRAM_LIMITS,
    **settings: Any,
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Start the bot as ``python -m bot`` would and stop it afterwards.

    Leaving the block stops polling and waits, up to the shutdown grace, until every update
    fetched has been handled: what the server holds then is all the bot will send for them.
    """
    settings_ = Settings(**{"token": server.token, "base_url": server.base_url, **settings})
    application = build_application(settings_, answerer, timeout=timeout, flood_limits=flood_limits)
    async with polling(application, settings=settings_):
        yield application


# --- the bot as a process (python -m bot), as a supervisor runs it ------------------------------


async def start_bot(
    server: BotAPIServer, preexec_fn: Callable[[], None] | None = None, **env: str
) -> asyncio.subprocess.Process:
    """``python -m bot`` against ``server``, in the checkout, with only the environment given."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "BOT_CACHE_DIR": os.environ.get("BOT_CACHE_DIR", ""),  # the tests' prepared index (conftest)
        "PTB_TIMEDELTA": "1",
        "TELEGRAM_BOT_TOKEN": server.token,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "LOG_LEVEL": "INFO",
        **env,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=ROOT, env=environment, stdout=PIPE, stderr=PIPE, preexec_fn=preexec_fn
    )


async def ended(process: asyncio.subprocess.Process, timeout: float = 30) -> tuple[int, str]:
    """Wait for the process to end by itself; its status and everything it printed."""
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    return process.returncode if process.returncode is not None else -1, (out + err).decode()


async def stop_bot(
    process: asyncio.subprocess.Process, grace: float | None = None, timeout: float = 30
) -> tuple[int, str]:
    """SIGTERM; with ``grace``, SIGKILL after that many seconds, as container platforms do."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    if grace is not None:
        try:
            await asyncio.wait_for(asyncio.shield(process.wait()), grace)
        except TimeoutError:
            process.kill()
    return await ended(process, timeout)


async def wait_ready(server: BotAPIServer, commands: int = 2, timeout: float = 30) -> None:
    """Until the bot (the ``commands // 2``-th start) has published its command menus."""
    await server.wait_for(lambda: len(server.of("setMyCommands")) >= commands, timeout=timeout)
