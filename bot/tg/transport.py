"""How the bot talks to the Bot API: logged requests, Telegram's flood limits, per-chat order.

- :class:`LoggingRequest`: PTB's HTTP client, one WARNING line per failed call; an update PTB
  cannot parse no longer stalls polling.
- :class:`FloodWindow` and :class:`RetryingRateLimiter`: Telegram's limits kept exactly as
  sliding windows; 429s waited out, network failures retried.
- :class:`TokenSafeBot`: PTB's bot, without the token in its ``repr``.

Per-chat order is :mod:`bot.tg.delivery`'s.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from telegram import Update
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

log = logging.getLogger("bot")
JSONDict = dict[str, Any]

# Send attempts for one API call that failed in the network (not for a refused request).
SEND_ATTEMPTS = 4
SEND_BACKOFF_SECONDS = 0.5
# Chats whose flood windows are kept after they fall idle.
_IDLE_KEYS = 1000
# Times a call refused with 429 is tried again after the wait Telegram asks for.
FLOOD_RETRIES = 8
# Connections to the Bot API for sending (the overall flood window lets about 30 be in flight).
CONNECTIONS = 72


class LoggingRequest(HTTPXRequest):
    """PTB's HTTP client, saying in one WARNING line when a Bot API call fails in transit.

    Flood control (429), server errors (5xx), time-outs and dropped connections are expected
    of Telegram's API; callers retry them. A line names the method, never the URL (it holds
    the token).

    It also keeps one update that PTB cannot parse (a server newer or sloppier than PTB)
    from stalling polling: PTB would drop the whole batch without moving its offset and
    fetch the same batch forever. Such an update is replaced by an empty one with its id.
    """

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """Make the HTTP request; log a transient failure before it is raised or retried."""
        endpoint = url.rsplit("/", 1)[-1]
        try:
            code, payload = await super().do_request(url, method, *args, **kwargs)
        except (TimedOut, NetworkError) as exc:
            log.warning("Bot API %s failed: %s: %s", endpoint, type(exc).__name__, exc)
            raise
        if code == HTTPStatus.TOO_MANY_REQUESTS or code >= HTTPStatus.INTERNAL_SERVER_ERROR:
            log.warning("Bot API %s answered HTTP %d: %s", endpoint, code, _description(payload))
        if endpoint == "getUpdates" and code == HTTPStatus.OK:
            payload = _parseable_updates(payload)
        if code >= HTTPStatus.BAD_REQUEST and not _description(payload):
            # Not the Bot API's JSON (a wrong URL's HTML 404 page): PTB would log a traceback.
            payload = json.dumps({"ok": False, "error_code": code, "description": _phrase(code)}).encode()
        return code, payload


def _description(payload: bytes) -> str:
    try:
        return str(json.loads(payload).get("description", ""))[:200]
    except (ValueError, AttributeError):
        return ""


def _phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return f"HTTP {code}"


def _parseable_updates(payload: bytes) -> bytes:
    """The getUpdates answer with every update PTB cannot parse emptied to its id."""
    try:
        answer = json.loads(payload)
    except ValueError:
        return payload
    updates = answer.get("result") if isinstance(answer, dict) else None
    if not isinstance(updates, list):
        return payload
    kept = []
    for update in updates:
        try:
            Update.de_json(update, None)
            kept.append(update)
        except Exception as exc:  # noqa: BLE001 - PTB raises anything on data it does not expect
            update_id = update.get("update_id") if isinstance(update, dict) else None
            log.warning("skipped update %s: PTB cannot read it: %s", update_id, exc)
            if isinstance(update_id, int):
                kept.append({"update_id": update_id})
    if len(kept) == len(updates) and all(a is b for a, b in zip(kept, updates, strict=True)):
        return payload
    answer["result"] = kept
    return json.dumps(answer).encode()


@dataclass(frozen=True)
class FloodLimits:
    """Flood limits, kept as sliding windows by :class:`RetryingRateLimiter`.

    At most ``overall`` messages in any ``overall_period`` seconds, and ``group`` messages in
    one group in any ``group_period`` seconds; the defaults are Telegram's (30 a second in all,
    20 a minute in a group). A wait for a full window lasts its ``*_margin`` longer, for a
    server that counts a message from a little later than we do. Tests pass shorter periods,
    to see the same behaviour in seconds.
    """

    overall: int = 30
    overall_period: float = 1.0
    overall_margin: float = 0.1
    group: int = 20
    group_period: float = 60.0
    group_margin: float = 0.5


TELEGRAM_LIMITS = FloodLimits()


class FloodWindow:
    """At most ``limit`` messages in any ``period`` seconds, per key (a chat, or all).

    A message counts from when it is sent until ``period`` after its answer came back: the
    server saw it somewhere in between, so the window holds from the server's side too,
    however long connections take.
    """

    def __init__(self, limit: int, period: float, margin: float) -> None:
        self.limit, self.period, self.margin = limit, period, margin
        self._slots: dict[object, list[list[float]]] = {}
        self._changed: dict[object, asyncio.Condition] = {}
        self.waiting: Counter[object] = Counter()  # messages waiting for their turn now, per key

    @asynccontextmanager
    async def hold(self, key: object) -> AsyncIterator[None]:
        """A place in the window for one message to ``key``, for the time of the call."""
        loop = asyncio.get_running_loop()
        slots = self._slots.setdefault(key, [])
        changed = self._changed.setdefault(key, asyncio.Condition())
        async with changed:
            while True:
                now = loop.time()
                slots[:] = [s for s in slots if s[0] > now - self.period]
                if len(slots) < self.limit:
                    break
                done = [s[0] for s in slots if s[0] != math.inf]
                wait = min(done) + self.period + self.margin - now if done else None
                self.waiting[key] += 1
                # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a
                # cancellation (the end of the shutdown grace).
                try:
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(wait):
                            await changed.wait()
                finally:
                    self.waiting[key] -= 1
                    if not self.waiting[key]:
                        del self.waiting[key]
            slot = [math.inf]  # in flight
            slots.append(slot)
        try:
            yield
        finally:
            slot[0] = loop.time()
            async with changed:
                changed.notify_all()
            if len(self._slots) > _IDLE_KEYS:
                self._forget_idle(slot[0])

    def _forget_idle(self, now: float) -> None:
        """Drop the windows of keys whose every message is past the period (idle chats)."""
        for key, slots in list(self._slots.items()):
            if all(s[0] <= now - self.period for s in slots) and not self._changed[key].locked():
                del self._slots[key], self._changed[key]


class RetryingRateLimiter(AIORateLimiter):
    """Telegram's flood limits, kept exactly, and retries of calls the network lost.

    Telegram allows about 30 messages a second in all and 20 a minute in one group.
    AIORateLimiter approximates those with leaky buckets, which let a full bucket through
    at once and then refill: up to 40 messages in one minute of a group, which Telegram
    answers with 429. So the limits are kept here as sliding windows (the group's 20th
    message waits for the minute of the first to pass), and AIORateLimiter is kept for what
    it does well: on a 429 it pauses every request for ``retry_after`` and tries again.

    A 5xx answer, a time-out or a dropped connection is retried with a backoff, so that it
    delays an answer instead of losing it. (``getUpdates`` never comes here: PTB's polling
    loop retries it.)

    ``limits`` are Telegram's unless a test passes shorter windows.
    """

    def __init__(self, limits: FloodLimits = TELEGRAM_LIMITS) -> None:
        super().__init__(overall_max_rate=0, group_max_rate=0, max_retries=FLOOD_RETRIES)
        self.limits = limits
        self._overall = FloodWindow(limits.overall, limits.overall_period, margin=limits.overall_margin)
        self._groups = FloodWindow(limits.group, limits.group_period, margin=limits.group_margin)
        self._sending: set[asyncio.Task[Any] | None] = set()

    async def _send(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
    ) -> bool | JSONDict | list[JSONDict]:
        """Make the HTTP call, noting the task as sending meanwhile (see :meth:`sending`)."""
        task = asyncio.current_task()
        self._sending.add(task)
        try:
            return await callback(*args, **kwargs)
        finally:
            self._sending.discard(task)

    def sending(self, task: asyncio.Task[Any]) -> bool:
        """Whether ``task`` has a request on the wire: cancelling it now could repeat a message."""
        return task in self._sending

    def group_waiting(self, chat_id: int) -> bool:
        """Whether a message to the group ``chat_id`` is waiting for the group's minute."""
        return bool(self._groups.waiting.get(chat_id))

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Make the call within the flood windows, retrying network failures."""
        chat_id = data.get("chat_id")

        async def within_limits(*call_args: Any, **call_kwargs: Any) -> bool | JSONDict | list[JSONDict]:
            # Inside AIORateLimiter's call, so that requests it held back during a 429 pause
            # also wait their turn instead of all going at once when the pause ends.
            if chat_id is None:
                return await self._send(callback, call_args, call_kwargs)
            group = self._groups.hold(chat_id) if _is_group(chat_id) else contextlib.nullcontext()
            async with group, self._overall.hold(None):
                return await self._send(callback, call_args, call_kwargs)

        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                return await super().process_request(within_limits, args, kwargs, endpoint, data, rate_limit_args)
            except (TimedOut, NetworkError) as exc:
                if isinstance(exc, BadRequest) or attempt == SEND_ATTEMPTS:
                    raise
                log.debug("%s: attempt %d of %d failed", endpoint, attempt, SEND_ATTEMPTS)
                await asyncio.sleep(SEND_BACKOFF_SECONDS * attempt)
        raise AssertionError("unreachable")


def _is_group(chat_id: object) -> bool:
    """Group and channel ids are negative (or @usernames)."""
    try:
        return int(str(chat_id)) < 0
    except ValueError:
        return True


class TokenSafeBot(ExtBot[int]):
    """PTB's bot, whose ``repr`` names the bot instead of printing its token."""

    async def close_connections(self) -> None:
        """Close the HTTP clients even when :meth:`initialize` failed (PTB's shutdown would not)."""
        for request in self._request:
            await request.shutdown()

    def __repr__(self) -> str:
        """``TokenSafeBot[username=…]`` (PTB's says ``ExtBot[token=…]``)."""
        username = self._bot_user.username if self._bot_user is not None else None
        return f"{type(self).__name__}[username={username}]"


def make_request(connections: int, seconds: float) -> LoggingRequest:
    """A :class:`LoggingRequest` with ``connections`` pooled and every timeout ``seconds``."""
    return LoggingRequest(
        connection_pool_size=connections,
        read_timeout=seconds,
        write_timeout=seconds,
        connect_timeout=seconds,
        pool_timeout=seconds,
    )
