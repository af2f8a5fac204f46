"""Running the bot inside an event loop that is already running: for the sandbox, tests and bench."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram.ext import Application

from bot.config import Settings
from bot.tg.lifecycle import serve


@asynccontextmanager
async def polling(
    application: Application[Any, Any, Any, Any, Any, Any], *, poll_timeout: int = 1, settings: Settings | None = None
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Run ``application`` in an event loop that is already running; stop it on leaving.

    As ``python -m bot`` would (:func:`bot.tg.lifecycle.serve`: start-up, ``post_init``,
    polling, the graceful stop, ``post_shutdown``), without signal handlers. A fatal error is raised on leaving,
    or at once if it comes before the bot is ready.
    """
    stop, ready = asyncio.Event(), asyncio.Event()
    running = asyncio.ensure_future(
        serve(application, settings or Settings(), poll_timeout=poll_timeout, stop=stop, ready=ready, signals=False)
    )
    started = asyncio.ensure_future(ready.wait())
    await asyncio.wait({running, started}, return_when=asyncio.FIRST_COMPLETED)
    if running.done():
        started.cancel()
        running.result()  # raises what stopped it
    try:
        yield application
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await running
