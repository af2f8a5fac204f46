"""Updates in hand: each chat's in order, no chat waiting on another, none handled twice.

:class:`Delivery` is what polling and the webhook hand updates to. It keeps

- **per-chat order without head-of-line blocking**: every update gets a task at once; a chat's
  updates wait for that chat's earlier ones (a lock per chat) and for nothing shared, so a group
  waiting out its 20 messages a minute holds up no other chat;
- **the updates in hand** (fetched, not yet handled), so that polling confirms to Telegram only
  what was handled (:meth:`low_water`) and the webhook answers 200 only then;
- **the ids handled recently**, so that an update fetched or delivered again (a re-fetched
  page, a webhook retry, an overlap after a restart) is never handled twice;
- **a bounded end**: :meth:`drain` gives the updates in hand a grace to finish, then cancels
  the rest where they wait (a request already on the wire is let come back first, so that
  the next start does not send its message again); they stay unconfirmed for the next start.

An update "parked" was confirmed before it was handled (see :mod:`bot.tg.polling`): it is still
handled, in order, but a kill before then loses it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from telegram import Update
from telegram.ext import Application

log = logging.getLogger("bot")

# Update ids remembered after they were handled: far more than one getUpdates page (100)
# plus the parked ones, so a re-fetched page is always recognised; about 100 bytes each.
REMEMBERED_UPDATES = 10_000
# When the grace is over, seconds a request already on the wire is given to come back.
ON_THE_WIRE_SECONDS = 5.0


class Offer(Enum):
    """What :meth:`Delivery.offer` made of an update."""

    NEW = "new"  # taken in hand: it is being handled
    IN_HAND = "in hand"  # already being handled (a re-fetch or a retry)
    HANDLED = "handled"  # handled before: skipped


@dataclass
class _Held:
    """An update in hand."""

    chat: int | None
    done: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    parked: bool = False


class Delivery:
    """The updates in hand and those handled recently, for one Application."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        remembered: int = REMEMBERED_UPDATES,
        sending: Callable[[asyncio.Task[Any]], bool] | None = None,
    ) -> None:
        """``sending(task)``: whether the task has a request on the wire (see :meth:`drain`)."""
        self.application = application
        self.remembered = remembered
        self.sending = sending or (lambda task: False)
        self._held: dict[int, _Held] = {}
        self._handled: OrderedDict[int, None] = OrderedDict()
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._changed = asyncio.Event()
        self.closed = False

    # --- taking updates in hand ----------------------------------------------------------------

    def offer(self, update: Update) -> Offer:
        """Start handling ``update`` unless it is in hand or was handled already."""
        update_id = update.update_id
        if update_id in self._handled:
            return Offer.HANDLED
        if update_id in self._held:
            return Offer.IN_HAND
        held = _Held(chat_key(update))
        self._held[update_id] = held
        held.task = asyncio.create_task(self._handle(update, held), name=f"update {update_id}")
        return Offer.NEW

    async def _handle(self, update: Update, held: _Held) -> None:
        """Wait for the chat's earlier updates (holding nothing shared), then handle this one."""
        key = held.chat
        if key is None:
            await self._process(update)
        else:
            lock = self._locks.setdefault(key, asyncio.Lock())
            self._waiting[key] = self._waiting.get(key, 0) + 1
            try:
                async with lock:
                    await self._process(update)
            finally:
                self._waiting[key] -= 1
                if not self._waiting[key]:
                    del self._waiting[key], self._locks[key]
        # Only now is it handled: a cancelled task (the grace ran out) stays in hand.
        self._held.pop(update.update_id, None)
        self.remember([update.update_id])
        held.done.set()
        self._changed.set()

    async def _process(self, update: Update) -> None:
        """PTB's processing (handlers, the error handler); a failure of its own is logged, not kept."""
        try:
            await self.application.process_update(update)
        except Exception:  # handlers' errors went to the error handler: this is PTB's or ours
            log.exception("could not process update %s", update.update_id)

    def remember(self, update_ids: list[int]) -> None:
        """Count these updates as handled (also: the ones a previous run handled)."""
        for update_id in update_ids:
            self._handled[update_id] = None
            self._handled.move_to_end(update_id)
        while len(self._handled) > self.remembered:
            self._handled.popitem(last=False)

    def forget(self, update_ids: list[int]) -> None:
        """No longer count these updates as handled."""
        for update_id in update_ids:
            self._handled.pop(update_id, None)

    # --- what polling and the webhook ask -----------------------------------------------------------

    @property
    def unconfirmable(self) -> int:
        """Updates in hand that hold back the confirmation (not parked)."""
        return sum(1 for held in self._held.values() if not held.parked)

    @property
    def parked(self) -> int:
        """Updates in hand that were confirmed before they were handled."""
        return sum(1 for held in self._held.values() if held.parked)

    def low_water(self) -> int | None:
        """The oldest update in hand that is not parked: confirm nothing from it on."""
        return min((i for i, held in self._held.items() if not held.parked), default=None)

    def low_water_chat(self) -> int | None:
        """The chat of the oldest update in hand that is not parked."""
        low = self.low_water()
        held = self._held.get(low) if low is not None else None
        return held.chat if held is not None else None

    def park(self, below: int) -> int:
        """Park every update in hand with an id below ``below``; return how many."""
        parked = 0
        for update_id, held in self._held.items():
            if update_id < below and not held.parked:
                held.parked = True
                parked += 1
        return parked

    def park_update(self, update_id: int) -> None:
        """Park one update in hand (the webhook acknowledged it before it was handled)."""
        held = self._held.get(update_id)
        if held is not None:
            held.parked = True

    def __contains__(self, update_id: object) -> bool:
        """Whether the update is in hand or was handled recently."""
        return update_id in self._held or update_id in self._handled

    def handled_from(self, offset: int) -> list[int]:
        """The ids handled, at or above ``offset`` (what a restart would be offered again)."""
        return sorted(i for i in self._handled if i >= offset)

    async def changed(self, timeout: float) -> None:
        """Wait until an update is handled, or ``timeout`` seconds."""
        self._changed.clear()
        # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a cancellation.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._changed.wait()

    async def handled(self, update_id: int, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for an update to be handled; whether it was."""
        if update_id in self._handled:
            return True
        held = self._held.get(update_id)
        if held is None:
            return False
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await held.done.wait()
        return update_id in self._handled

    # --- the end -------------------------------------------------------------------------------------

    async def drain(self, grace: float) -> tuple[list[int], int]:
        """Let the updates in hand finish for ``grace`` seconds, then cancel the rest.

        Returns the ids left unhandled that were not confirmed (the next start gets them
        again) and how many parked ones were lost.
        """
        self.closed = True
        tasks = [held.task for held in self._held.values() if held.task is not None]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=grace)
            # A task with a request on the wire is let finish it (the message may be sent
            # already: cancelling now would have the next start send it again); the others
            # are cancelled where they wait (a flood window, their chat's turn).
            loop = asyncio.get_running_loop()
            deadline = loop.time() + ON_THE_WIRE_SECONDS
            while pending:
                for task in pending:
                    if not self.sending(task) or loop.time() > deadline:
                        task.cancel()
                _, pending = await asyncio.wait(pending, timeout=0.05)
        left = sorted(i for i, held in self._held.items() if not held.parked)
        lost = sum(1 for held in self._held.values() if held.parked)
        for held in self._held.values():
            held.done.set()  # wake anyone waiting on one: it will not be handled here
        return left, lost


def chat_key(update: object) -> int | None:
    """The chat (or, for inline queries, the user) whose updates must stay in order."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None
