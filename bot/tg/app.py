"""The composition root: the PTB Application, its handlers, and polling or the webhook.

Read top to bottom; :func:`run_bot` is what ``python -m bot`` runs. How requests travel
(logging, flood limits) is :mod:`bot.tg.transport`; how updates are fetched, ordered and
confirmed, and how the bot starts and stops, :mod:`bot.tg.lifecycle`; what each update does is
:mod:`bot.tg.handlers`.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.core.answering import Answerer
from bot.core.library import Library
from bot.errors import ConfigError
from bot.privacy import Hasher
from bot.replies.messages import Replies
from bot.store.log import QuestionLog
from bot.tg import handlers
from bot.tg.lifecycle import serve
from bot.tg.logs import configure_logging
from bot.tg.memory import AnswerMemory
from bot.tg.polling import SavedOffset
from bot.tg.transport import (
    CONNECTIONS,
    TELEGRAM_LIMITS,
    FloodLimits,
    RetryingRateLimiter,
    TokenSafeBot,
    make_request,
)

# Seconds PTB waits on the network by default.
NETWORK_TIMEOUT = 5.0
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


def build_application(
    settings: Settings,
    answerer: Answerer | Library,
    *,
    timeout: float | None = None,
    flood_limits: FloodLimits = TELEGRAM_LIMITS,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The PTB Application with every handler registered; services go in ``bot_data``.

    ``timeout`` (seconds) overrides PTB's network timeouts, for tests of slow servers;
    ``flood_limits`` Telegram's, for tests that see the limits kept in seconds.
    """
    seconds = timeout or NETWORK_TIMEOUT
    bot = TokenSafeBot(
        settings.token,
        base_url=settings.base_url,
        base_file_url=settings.base_file_url,
        request=make_request(CONNECTIONS, seconds),
        get_updates_request=make_request(1, seconds),
        rate_limiter=RetryingRateLimiter(flood_limits),
        # allow_sending_without_reply: a question deleted before its answer still gets it.
        defaults=Defaults(
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
            allow_sending_without_reply=True,
        ),
    )
    # No Updater: bot.tg.lifecycle fetches updates (confirming only what was handled) and
    # keeps each chat's in order.
    application = (
        ApplicationBuilder()
        .bot(bot)
        .updater(None)
        .post_init(handlers.post_init)
        .post_shutdown(handlers.post_shutdown)
        .build()
    )
    hasher = Hasher(settings.hash_key)
    application.bot_data[handlers.REPLIES] = Replies(answerer, hasher=hasher)
    application.bot_data[handlers.SETTINGS] = settings
    application.bot_data[handlers.ANSWERS] = AnswerMemory()
    # Questions and votes, written off the event loop (started in post_init, flushed in post_shutdown).
    application.bot_data[handlers.LOG] = QuestionLog(
        settings.database_url,
        hasher,
        keep_questions=settings.log_questions,
        retention_days=settings.retention_days,
    )

    # Before every handler: updates of chats not in ALLOWED_CHAT_IDS go no further.
    application.add_handler(TypeHandler(Update, handlers.gate), group=-1)

    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    # Commands first: PTB runs the first matching handler of a group, and a command is text too.
    application.add_handler(CommandHandler("start", handlers.start, filters=private))
    application.add_handler(CommandHandler("help", handlers.help_command))
    application.add_handler(CommandHandler("about", handlers.about))
    application.add_handler(CommandHandler("figures", handlers.figures))
    application.add_handler(CommandHandler("articles", handlers.articles))
    application.add_handler(CommandHandler("ask", handlers.ask))
    # The question log: what is kept (anywhere), forgetting it (anywhere), the admins' summary (private).
    application.add_handler(CommandHandler("privacy", handlers.privacy))
    application.add_handler(CommandHandler("forget", handlers.forget))
    application.add_handler(CommandHandler("stats", handlers.stats, filters=private))
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


def _check_can_listen(host: str, port: int) -> None:
    """Fail with one clear line, not a traceback, when the webhook port cannot be had."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise ConfigError(f"WEBHOOK_LISTEN/WEBHOOK_PORT: cannot listen on {host}:{port}: {exc.strerror}") from None


def run_bot(settings: Settings) -> int:
    """Load everything, fail early and clearly, then poll (or serve a webhook) until stopped.

    Fatal errors are raised as :class:`~bot.errors.BotError` (one line, an exit status).
    """
    configure_logging(settings.log_level, settings.token)
    # A broken knowledge file stops us here, before anything is sent to Telegram.
    answerer = Library.from_directory(settings.knowledge_dir, settings.cache_dir, settings.default_article)
    application = build_application(settings, answerer)
    if settings.webhook_url:
        _check_can_listen(settings.webhook_listen, settings.webhook_port)
    # The ids handled above the last confirmation are kept for the next start.
    saved = SavedOffset(settings.cache_dir, settings.token, settings.base_url) if settings.cache_dir else None
    asyncio.run(serve(application, settings, saved=saved))
    return 0
