"""Running the bot inside an event loop that is already running: for the sandbox, tests and bench."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application


@asynccontextmanager
async def polling(
    application: Application[Any, Any, Any, Any, Any, Any], *, poll_timeout: int = 1
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Run ``application`` in an event loop that is already running; stop it on leaving.

    As ``run_polling`` would, ``post_init`` and ``post_shutdown`` included: for the tests and the benchmark.
    """

    def on_polling_error(exc: TelegramError) -> None:
        application.create_task(application.process_error(update=None, error=exc))

    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(
        poll_interval=0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES, error_callback=on_polling_error
    )
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
