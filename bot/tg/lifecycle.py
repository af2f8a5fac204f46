"""Start, run and stop the bot: fail early in one line, stop within a bounded grace.

:func:`serve` replaces PTB's ``run_polling``/``run_webhook`` (whose Updater confirms updates
before they are handled and waits for a whole backlog on SIGTERM):

1. **Start-up**: ``getMe`` until it answers, retried for ``startup_timeout`` seconds (one
   WARNING a failed attempt); a refused token is :class:`TokenRejected` (exit status 2), a Bot
   API that cannot be reached :class:`ApiUnreachable` (3). Then the command menus (post_init),
   and polling (:mod:`bot.tg.polling`) or the webhook (:mod:`bot.tg.webhook`).
2. **Running** until SIGTERM or SIGINT, or a fatal error: the token revoked (polling, a send,
   or in webhook mode a ``getMe`` every minute notices) or another instance polling with it
   (:class:`AnotherInstance`, 4).
3. **Stopping**: no more fetching (the long poll is cancelled, the webhook answers 503); the
   updates in hand get ``shutdown_grace`` seconds (a second signal cuts it short), the rest are
   cancelled and stay unconfirmed for the next start; then PTB's stop and shutdown, so no task
   is left pending. The fatal error, if any, is raised last: ``python -m bot`` prints it as one
   line and exits with its status.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar
from urllib.parse import urlparse

from telegram import Update
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from bot.config import Settings
from bot.errors import ApiUnreachable, BotError, ConfigError, TokenRejected
from bot.tg.delivery import Delivery
from bot.tg.polling import POLL_TIMEOUT, Poller, SavedOffset, retry_seconds
from bot.tg.transport import RetryingRateLimiter, TokenSafeBot
from bot.tg.webhook import TELEGRAM_CONNECTIONS, WebhookServer

log = logging.getLogger("bot")

FATAL = "fatal"  # bot_data: a future that handlers fail with a BotError to stop the bot
TOKEN_CHECK_SECONDS = 60.0  # webhook mode: how often getMe checks that the token still works
RETRY_FIRST, RETRY_MAX = 1.0, 8.0  # start-up backoff (seconds)

T = TypeVar("T")
App = Application[Any, Any, Any, Any, Any, Any]


def fail(application: App, error: BotError) -> None:
    """Stop the bot because of ``error`` (the first one wins); for handlers."""
    fatal = application.bot_data.get(FATAL)
    if isinstance(fatal, asyncio.Future) and not fatal.done():
        fatal.set_result(error)


def token_rejected(exc: InvalidToken, base_url: str) -> TokenRejected:
    """One line for a refused token; never the token (PTB's own message holds it)."""
    cause = exc.__cause__ if isinstance(exc.__cause__, InvalidToken) else exc
    if "not found" in cause.message.lower():
        return TokenRejected(
            f"the Bot API at {base_url} answered 404 Not Found to getMe: check TELEGRAM_API_BASE_URL "
            "(it ends in /bot) and TELEGRAM_BOT_TOKEN"
        )
    return TokenRejected(
        f"the Bot API at {base_url} rejected TELEGRAM_BOT_TOKEN ({cause.message}): check the token with @BotFather"
    )


async def serve(
    application: App,
    settings: Settings,
    *,
    saved: SavedOffset | None = None,
    poll_timeout: int = POLL_TIMEOUT,
    stop: asyncio.Event | None = None,
    ready: asyncio.Event | None = None,
    signals: bool = True,
) -> None:
    """Run the bot until ``stop`` is set (or SIGTERM/SIGINT with ``signals``); raise what was fatal."""
    loop = asyncio.get_running_loop()
    stop = stop or asyncio.Event()
    hurry = asyncio.Event()
    if signals:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, lambda: hurry.set() if stop.is_set() else stop.set())
    fatal: asyncio.Future[BotError] = loop.create_future()
    application.bot_data[FATAL] = fatal
    limiter = application.bot.rate_limiter
    ours = limiter if isinstance(limiter, RetryingRateLimiter) else None
    delivery = Delivery(application, sending=ours.sending if ours else None)
    initialized = asyncio.Event()
    try:
        # 1. Start-up (a signal ends it too: retrying for STARTUP_TIMEOUT_SECONDS must not outlive SIGTERM).
        starting = asyncio.ensure_future(
            _start(application, settings, delivery, saved, poll_timeout, ours, initialized)
        )
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait({starting, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if not starting.done():
            starting.cancel()
            await asyncio.gather(starting, return_exceptions=True)
            return
        fetching, webhook, poller = starting.result()
        if ready is not None:
            ready.set()
        # 2. Running, until a signal or a fatal error.
        watchers: list[asyncio.Future[Any]] = [stopped, fatal, *fetching]
        done, _ = await asyncio.wait(watchers, return_when=asyncio.FIRST_COMPLETED)
        error = _fatal_of(done, fatal)
        # 3. Stopping: fetch no more (the long poll's offset confirmed only what was handled)…
        if webhook is not None:
            webhook.stop_accepting()
        others: list[asyncio.Future[Any]] = [stopped, *fetching]
        for watcher in others:
            watcher.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        # …finish what is in hand within the grace, confirm it, leave the rest for the next start.
        unhandled, lost = await _drain(delivery, settings.shutdown_grace, hurry)
        if poller is not None:
            await poller.close(unhandled)
        if webhook is not None:
            await webhook.close()
        if unhandled:
            log.info("stopping: %d updates not handled within the grace stay unconfirmed", len(unhandled))
        if lost:
            log.warning("stopping: %d updates confirmed early (flood waits) were not handled and are lost", lost)
        if error is not None:
            raise error
    finally:
        # As run_polling ends: stop, post_stop, shutdown, post_shutdown.
        if application.running:
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
        await application.shutdown()
        if initialized.is_set() and application.post_shutdown is not None:
            await application.post_shutdown(application)
        if isinstance(application.bot, TokenSafeBot):  # a failed start-up left them open
            await application.bot.close_connections()
        if signals:
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)


async def _start(
    application: App,
    settings: Settings,
    delivery: Delivery,
    saved: SavedOffset | None,
    poll_timeout: int,
    limiter: RetryingRateLimiter | None,
    initialized: asyncio.Event,
) -> tuple[list[asyncio.Future[Any]], WebhookServer | None, Poller | None]:
    """Start: ``getMe`` (retried), the command menus, then the webhook or polling; what runs from then on."""
    base_url, timeout = settings.base_url, settings.startup_timeout
    await _retrying(application.initialize, timeout, base_url)
    initialized.set()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    if settings.webhook_url and settings.webhook_secret:
        webhook = WebhookServer(
            application, delivery, path=urlparse(settings.webhook_url).path, secret=settings.webhook_secret
        )
        webhook.listen(settings.webhook_listen, settings.webhook_port)
        url, secret = settings.webhook_url, settings.webhook_secret
        await _retrying(
            lambda: application.bot.set_webhook(
                url, secret_token=secret, allowed_updates=Update.ALL_TYPES, max_connections=TELEGRAM_CONNECTIONS
            ),
            timeout,
            base_url,
        )
        return [asyncio.ensure_future(_watch_token(application, base_url))], webhook, None
    await _retrying(application.bot.delete_webhook, timeout, base_url)
    poller = Poller(
        application.bot,
        delivery,
        timeout=poll_timeout,
        allowed_updates=Update.ALL_TYPES,
        saved=saved,
        flood_waiting=limiter.group_waiting if limiter else None,
    )
    return [asyncio.ensure_future(poller.run())], None, poller


def _fatal_of(done: set[asyncio.Future[Any]], fatal: asyncio.Future[BotError]) -> BotError | None:
    """The fatal error among the finished watchers, if any."""
    if fatal.done():
        return fatal.result()
    for watcher in done:
        error = None if watcher.cancelled() else watcher.exception()
        if isinstance(error, BotError):
            return error
        if error is not None:  # a bug: say so, and still stop in order
            log.critical("stopping: unexpected error", exc_info=error)
            return BotError(f"stopped by an unexpected error: {type(error).__name__}: {error}")
    return None


async def _drain(delivery: Delivery, grace: float, hurry: asyncio.Event) -> tuple[list[int], int]:
    """:meth:`Delivery.drain`, cut short by a second signal."""
    draining = asyncio.ensure_future(delivery.drain(grace))
    hurried = asyncio.ensure_future(hurry.wait())
    await asyncio.wait({draining, hurried}, return_when=asyncio.FIRST_COMPLETED)
    if not draining.done():
        draining.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await draining
        draining = asyncio.ensure_future(delivery.drain(0))
    hurried.cancel()
    return await draining


async def _retrying(call: Callable[[], Coroutine[Any, Any, T]], timeout: float, base_url: str) -> T:
    """``call()``, retried while the Bot API cannot be reached, for ``timeout`` seconds.

    LoggingRequest has logged each failed attempt in one WARNING line.
    """
    loop = asyncio.get_running_loop()
    started = loop.time()
    delay = RETRY_FIRST
    least = min(timeout, RETRY_FIRST) if timeout > 0 else RETRY_FIRST  # what even a last attempt gets
    while True:
        try:
            # Bounded as a whole: the rate limiter retries a lost request on its own.
            async with asyncio.timeout(max(started + timeout - loop.time(), least)):
                return await call()
        except TimeoutError:
            raise ApiUnreachable(
                f"cannot reach the Bot API at {base_url} (tried for {loop.time() - started:.0f} s): check "
                "TELEGRAM_API_BASE_URL, the network and STARTUP_TIMEOUT_SECONDS"
            ) from None
        except InvalidToken as exc:
            raise token_rejected(exc, base_url) from None
        except RetryAfter as exc:
            wait = retry_seconds(exc)
        except (TimedOut, NetworkError) as exc:
            if loop.time() + delay > started + timeout:
                raise ApiUnreachable(
                    f"cannot reach the Bot API at {base_url} (tried for {loop.time() - started:.0f} s; "
                    f"{type(exc).__name__}: {exc.message}): check TELEGRAM_API_BASE_URL, the network and "
                    "STARTUP_TIMEOUT_SECONDS"
                ) from None
            wait, delay = delay, min(delay * 2, RETRY_MAX)
        except TelegramError as exc:
            raise ConfigError(f"the Bot API at {base_url} refused to start the bot: {exc.message}") from None
        await asyncio.sleep(wait)


async def _watch_token(application: App, base_url: str) -> None:
    """Webhook mode: a revoked token stops the bot (no update would ever tell us)."""
    while True:
        await asyncio.sleep(TOKEN_CHECK_SECONDS)
        try:
            await application.bot.get_me()
        except InvalidToken as exc:
            raise token_rejected(exc, base_url) from None
        except TelegramError:
            continue  # the network: LoggingRequest said so; try again next time
