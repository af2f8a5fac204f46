"""The composition root: settings, logging, the answerer and the PTB Application.

Read top to bottom; ``run_bot`` is what ``python -m bot`` runs.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from dotenv import load_dotenv
from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot import handlers
from bot.answering import Answerer
from bot.config import Settings, load_settings
from bot.replies import Replies

log = logging.getLogger("bot")

# Send attempts for one API call that failed in the network (not for a refused request).
SEND_ATTEMPTS = 4
SEND_BACKOFF_SECONDS = 0.5
_MEDIA = (
    filters.Sticker.ALL
    | filters.PHOTO
    | filters.VIDEO
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO_NOTE
    | filters.ANIMATION
    | filters.Document.ALL
    | filters.LOCATION
    | filters.VENUE
    | filters.CONTACT
    | filters.POLL
    | filters.Dice.ALL
)


class RetryingRateLimiter(AIORateLimiter):
    """PTB's rate limiter that also retries a call the network lost.

    AIORateLimiter keeps Telegram's per-group and overall limits and waits out 429s; this
    adds retries of 5xx answers, time-outs and dropped connections, so that they delay an
    answer instead of losing it. ``getUpdates`` is left to PTB's own polling loop.
    """

    def __init__(self) -> None:
        super().__init__(max_retries=3)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Run the call through the limiter, retrying network failures with a backoff."""
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except (TimedOut, NetworkError) as exc:
                if isinstance(exc, BadRequest) or endpoint == "getUpdates" or attempt == SEND_ATTEMPTS:
                    raise
                log.warning("%s failed (%s), attempt %d of %d", endpoint, exc, attempt, SEND_ATTEMPTS)
                await asyncio.sleep(SEND_BACKOFF_SECONDS * attempt)
        raise AssertionError("unreachable")


def build_application(
    settings: Settings, answerer: Answerer, *, timeout: float | None = None
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The PTB Application with every handler registered; services go in ``bot_data``.

    ``timeout`` (seconds) overrides PTB's network timeouts, for tests of slow servers.
    """
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .rate_limiter(RetryingRateLimiter())
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .post_init(handlers.post_init)
    )
    if timeout is not None:
        builder = (
            builder.connect_timeout(timeout)
            .read_timeout(timeout)
            .write_timeout(timeout)
            .pool_timeout(timeout)
            .get_updates_connect_timeout(timeout)
            .get_updates_read_timeout(timeout)
            .get_updates_write_timeout(timeout)
            .get_updates_pool_timeout(timeout)
        )
    application = builder.build()
    application.bot_data[handlers.REPLIES] = Replies(answerer)
    application.bot_data[handlers.SETTINGS] = settings

    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    # Commands first: PTB runs the first matching handler of a group, and a command is text too.
    application.add_handler(CommandHandler("start", handlers.start, filters=private))
    application.add_handler(CommandHandler("help", handlers.help_command))
    application.add_handler(CommandHandler("about", handlers.about))
    application.add_handler(CommandHandler("figures", handlers.figures))
    application.add_handler(CommandHandler("ask", handlers.ask))
    # Any other command: help in private chats; in groups it may be another bot's, so silence.
    application.add_handler(MessageHandler(private & filters.COMMAND, handlers.unknown_command))
    # Questions: any text in private; in groups only mentions of the bot and replies to it
    # (the handler checks). Edited questions come through here too and edit the answer.
    application.add_handler(MessageHandler(private & filters.TEXT, handlers.private_text))
    application.add_handler(MessageHandler(groups & filters.TEXT, handlers.group_text))
    # Stickers, photos, voice… in private chats: ask for text.
    application.add_handler(MessageHandler(private & _MEDIA, handlers.not_text))
    application.add_handler(CallbackQueryHandler(handlers.button))
    application.add_handler(InlineQueryHandler(handlers.inline_query))
    application.add_handler(ChatMemberHandler(handlers.membership, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_error_handler(handlers.error_handler)
    return application


class RedactToken(logging.Filter):
    """Replaces the bot token in every log line, whoever logs it (httpx logs URLs with it)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message with the token replaced; always keep the record."""
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, "<token>")
            record.args = ()
        if record.exc_info and record.exc_info[1] is not None and self.token in str(record.exc_info[1]):
            record.exc_text = logging.Formatter().formatException(record.exc_info).replace(self.token, "<token>")
        return True


def configure_logging(settings: Settings) -> None:
    """One line a record on stderr, token redacted; httpx's request log kept quiet."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactToken(settings.token))
    logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    # httpx logs every request URL, and the URL holds the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(max(settings.log_level, logging.INFO))


def run_bot() -> int:
    """Load everything, fail early and clearly, then poll (or serve a webhook) until stopped."""
    load_dotenv()
    settings = load_settings()
    configure_logging(settings)
    answerer = Answerer.from_directory()  # a broken knowledge file stops us here, before Telegram
    application = build_application(settings, answerer)
    if settings.webhook_url:
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0
