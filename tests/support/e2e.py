"""Running the real bot (the real PTB Application, through ``base_url``) against the local server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram.ext import Application

from bot.config import Settings
from bot.core.answering import Answerer
from bot.sandbox.running import polling
from bot.sandbox.server import BotAPIServer
from bot.tg.app import build_application
from bot.tg.transport import TELEGRAM_LIMITS, FloodLimits

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
    """Start the bot as ``run_polling`` would and stop it afterwards.

    Leaving the block stops polling and waits until every update fetched has been handled: what
    the server holds then is all the bot will ever send for them.
    """
    settings_ = Settings(token=server.token, base_url=server.base_url, **settings)
    application = build_application(settings_, answerer, timeout=timeout, flood_limits=flood_limits)
    async with polling(application):
        yield application
