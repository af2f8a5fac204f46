"""Long polling that confirms to Telegram only what was handled, and fetches no faster.

``getUpdates`` confirms every update below the ``offset`` it is called with; what is not
confirmed Telegram keeps (24 hours) and returns again. PTB's Updater confirms what it fetched
as soon as it fetched it, so a backlog lived only in memory and a kill lost it. Here:

- **the offset is the oldest update still in hand** (:meth:`Delivery.low_water`): a kill loses
  nothing that was fetched but not handled, and a restart is offered it again;
- **back-pressure**: nothing is fetched beyond one page (100 updates, what one ``getUpdates``
  returns) of unhandled updates, so a backlog of 20,000 stays on Telegram's side, not in memory;
  while updates are in hand each call returns the page at once, so the loop asks again only every
  quarter of a second (or as soon as none is left), and it long-polls only when idle;
- **no duplicates**: a page fetched again holds updates in hand or handled, which
  :class:`Delivery` recognises; the ids handled above the last confirmation are saved on the
  way out (:class:`SavedOffset`), so the next start skips them too;
- **one page never stalls every chat**: when a full page is in hand, its oldest update has not
  been handled for 0.3 seconds because its chat waits for the chat's flood window (one group
  asking faster than its 20 a minute), and Telegram holds more behind it, the page is confirmed
  early ("parked": still answered in order, lost only to a kill; at most ``MAX_PARKED``), so
  that other chats' questions can be fetched. A backlog that waits for the overall limit (30
  messages a second) or for work is never parked: fetching more would answer no one sooner;
- **fatal answers end polling with one line**: 401 (the token was revoked) and 409 (another
  instance polls with this token, or a webhook is set).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.errors import AnotherInstance, TokenRejected
from bot.tg.delivery import Delivery, Offer

log = logging.getLogger("bot")

PAGE = 100  # the most updates one getUpdates call returns
# Seconds a long poll waits for an update when nothing is in hand.
POLL_TIMEOUT = 10
# While updates are in hand, ask again at least this often (seconds).
BUSY_INTERVAL = 0.25
# A full page whose oldest update has not moved for this long (seconds) is parked if more wait behind it.
PARK_AFTER = 0.3
MAX_PARKED = 1000
# Backoff after a failed getUpdates (seconds): doubled on each failure up to the maximum.
BACKOFF_FIRST, BACKOFF_MAX = 0.5, 30.0
# 409 Conflict: within this many seconds of our first successful poll we are the newcomer and
# leave; later, another instance is starting and is left to leave (it sees our next poll's
# 409), unless conflicts go on: CONFLICT_LIMIT of them within CONFLICT_WINDOW seconds.
NEWCOMER_SECONDS = 5.0
CONFLICT_LIMIT, CONFLICT_WINDOW = 5, 30.0
# Saved handled ids older than Telegram keeps updates are of no use.
SAVED_MAX_AGE = 24 * 3600


class SavedOffset:
    """The ids handled above the last confirmation, kept from one run to the next.

    A JSON file named by a digest of the token and the API's URL (never the token itself), in
    the cache folder. Ignored when older than a day, or when the first page fetched shows an
    update below its offset (a different update stream: another server, or another bot).
    """

    def __init__(self, folder: Path, token: str, base_url: str) -> None:
        digest = hashlib.blake2b(f"{base_url}\n{token}".encode(), digest_size=10).hexdigest()
        self.path = folder / f"offset-{digest}.json"

    def load(self) -> tuple[int, list[int]]:
        """The saved offset and the handled ids at or above it (0 and none if nothing usable)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            offset, handled, saved = int(data["offset"]), [int(i) for i in data["handled"]], float(data["saved"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0, []
        if time.time() - saved > SAVED_MAX_AGE:
            return 0, []
        return offset, [i for i in handled if i >= offset]

    def save(self, offset: int, handled: Sequence[int]) -> None:
        """Write it (atomically); a folder we cannot write to costs only the duplicates' check."""
        data = json.dumps({"offset": offset, "handled": list(handled), "saved": time.time()})
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(data, encoding="utf-8")
            partial.replace(self.path)
        except OSError as exc:
            log.warning("could not save the handled update ids to %s: %s", self.path, exc.strerror or exc)


class Poller:
    """Fetches updates for :class:`Delivery`, confirming only what it handled."""

    def __init__(
        self,
        bot: Bot,
        delivery: Delivery,
        *,
        timeout: int = POLL_TIMEOUT,
        allowed_updates: Sequence[str] | None = None,
        saved: SavedOffset | None = None,
        flood_waiting: Callable[[int], bool] | None = None,
    ) -> None:
        """``flood_waiting(chat_id)``: whether a message to that chat waits for its flood window."""
        self.bot = bot
        self.flood_waiting = flood_waiting or (lambda chat_id: False)
        self.delivery = delivery
        self.timeout = timeout
        self.allowed_updates = allowed_updates
        self.saved = saved
        self.confirmed = 0  # the offset of the last getUpdates call that Telegram answered
        self._next = 0  # one past the newest update fetched
        self._saved_offset = 0
        self._preloaded: list[int] = []
        self._offset_was, self._offset_since = -1, 0.0  # the offset, and since when it has not moved
        self._first_success: float | None = None
        self._conflicts: deque[float] = deque()

    def offset(self) -> int:
        """What the next getUpdates confirms up to: the oldest update in hand, or all fetched."""
        low = self.delivery.low_water()
        return low if low is not None else self._next

    async def run(self) -> None:
        """Poll until cancelled; raise :class:`TokenRejected` or :class:`AnotherInstance`."""
        if self.saved is not None:
            self._saved_offset, self._preloaded = self.saved.load()
            self.delivery.remember(self._preloaded)
        backoff = BACKOFF_FIRST
        while True:
            busy = self.delivery.unconfirmable > 0
            offset = self.offset()
            started = asyncio.get_running_loop().time()
            if offset != self._offset_was:
                self._offset_was, self._offset_since = offset, started
            try:
                updates = await self.bot.get_updates(
                    offset=offset or None,
                    limit=PAGE,
                    timeout=0 if busy else self.timeout,
                    allowed_updates=self.allowed_updates,
                )
            except RetryAfter as exc:
                await asyncio.sleep(retry_seconds(exc))
                continue
            except InvalidToken as exc:
                raise TokenRejected(
                    f"the Bot API rejected TELEGRAM_BOT_TOKEN while polling ({exc.message}): "
                    "was the token revoked? Check it with @BotFather"
                ) from None
            except Conflict as exc:
                self._conflict(exc)
                continue
            except (TimedOut, NetworkError):
                # LoggingRequest has said so in one WARNING line; try again a little later.
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
                continue
            except TelegramError as exc:
                log.warning("getUpdates failed: %s", exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
                continue
            backoff = BACKOFF_FIRST
            self.confirmed = max(self.confirmed, offset)
            if self._first_success is None:
                self._first_success = asyncio.get_running_loop().time()
            if updates and self._preloaded:
                if updates[0].update_id < self._saved_offset:  # another stream: the saved ids mean nothing
                    self.delivery.forget(self._preloaded)
                self._preloaded = []
            new = 0
            for update in updates:
                self._next = max(self._next, update.update_id + 1)
                new += self.delivery.offer(update) is Offer.NEW
            if not new and len(updates) == PAGE and await self._jammed():
                parked = self.delivery.park(below=self._next)
                log.warning(
                    "a full page of %d updates is waiting on flood limits: confirmed %d of them before answering",
                    PAGE,
                    parked,
                )
                continue
            # While updates are in hand every call returns the page at once: ask again only
            # every BUSY_INTERVAL (a page costs a few ms to read), or as soon as none is left.
            loop = asyncio.get_running_loop()
            again = started + BUSY_INTERVAL
            while self.delivery.unconfirmable and loop.time() < again:
                await self.delivery.changed(again - loop.time())

    async def _jammed(self) -> bool:
        """Whether the page in hand hides more updates and has waited long enough to park."""
        # Stuck: the oldest has not moved because its chat waits for the chat's flood window
        # (not for the overall limit, or for work: then fetching more would answer no one sooner).
        stuck = asyncio.get_running_loop().time() - self._offset_since
        if stuck < PARK_AFTER or self.delivery.parked >= MAX_PARKED:
            return False
        chat = self.delivery.low_water_chat()
        if chat is None or not self.flood_waiting(chat):
            return False
        # Does Telegram hold more behind the page? A server that cannot say (or says fewer than
        # the updates we hold unconfirmed) is taken to: the page is full, after all.
        try:
            pending = (await self.bot.get_webhook_info()).pending_update_count
        except TelegramError:
            return True
        return pending > PAGE or pending < self.delivery.unconfirmable

    def _conflict(self, exc: Conflict) -> None:
        """409: leave if a webhook is set, if we are the newcomer, or if conflicts go on."""
        if "webhook" in exc.message.lower():
            raise AnotherInstance(
                "a webhook is set for this token (409 Conflict on getUpdates): another deployment runs in "
                "webhook mode; stop it, or set WEBHOOK_URL here too"
            ) from None
        now = asyncio.get_running_loop().time()
        if self._first_success is None or now - self._first_success < NEWCOMER_SECONDS:
            raise AnotherInstance(
                "another instance is polling with this token (409 Conflict): stop it first; "
                "several replicas need webhook mode (WEBHOOK_URL)"
            ) from None
        self._conflicts.append(now)
        while self._conflicts and self._conflicts[0] < now - CONFLICT_WINDOW:
            self._conflicts.popleft()
        if len(self._conflicts) >= CONFLICT_LIMIT:
            raise AnotherInstance(
                f"another instance keeps polling with this token ({len(self._conflicts)} × 409 Conflict in "
                f"{CONFLICT_WINDOW:.0f} s): run one poller per token; several replicas need webhook mode"
            ) from None
        if len(self._conflicts) == 1:
            log.warning("another getUpdates with this token ended ours (a second instance starting?); polling on")

    async def close(self, unhandled: Sequence[int]) -> None:
        """Confirm what was handled, and save the ids handled above the confirmation.

        ``unhandled``: the updates the grace left unhandled (they stay unconfirmed).
        """
        if self._first_success is None:
            return  # never polled: nothing to confirm, and the saved ids stay as they were
        offset = min(unhandled, default=self._next)
        if offset > self.confirmed:
            with contextlib.suppress(TelegramError):
                await self.bot.get_updates(offset=offset, limit=1, timeout=0)
                self.confirmed = offset
        if self.saved is not None:
            self.saved.save(self.confirmed, self.delivery.handled_from(self.confirmed))


def retry_seconds(exc: RetryAfter) -> float:
    """The seconds a 429 asks to wait (an int, or a timedelta with PTB_TIMEDELTA)."""
    value: Any = exc.retry_after
    return float(value.total_seconds()) if hasattr(value, "total_seconds") else float(value)
