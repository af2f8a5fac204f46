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
    server: BotAPIServer, answerer: Answerer, *, timeout: float | None = None, **settings: Any
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Start the bot as ``run_polling`` would and stop it afterwards."""
    settings_ = Settings(token=server.token, base_url=server.base_url, **settings)
    async with polling(build_application(settings_, answerer, timeout=timeout), settings=settings_) as application:
        yield application
