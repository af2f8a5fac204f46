"""Running the real bot (the real PTB Application, through ``base_url``) against BotAPIServer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot import handlers
from bot.answering import Answerer
from bot.app import build_application
from bot.config import Settings

from .botapi import BotAPIServer


@asynccontextmanager
async def running_bot(
    server: BotAPIServer, answerer: Answerer, *, timeout: float | None = None, **settings: Any
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Start the bot as ``run_polling`` would (post_init included) and stop it afterwards."""
    application = build_application(
        Settings(token=server.token, base_url=server.base_url, **settings), answerer, timeout=timeout
    )

    def on_polling_error(exc: TelegramError) -> None:
        application.create_task(application.process_error(update=None, error=exc))

    await application.initialize()
    await handlers.post_init(application)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(
        poll_interval=0, timeout=1, allowed_updates=Update.ALL_TYPES, error_callback=on_polling_error
    )
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
