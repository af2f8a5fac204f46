"""The question log as the bot uses it: record and vote without waiting; forget and read when asked.

Nothing here ever holds up a reply. Writes go into a bounded queue that one writer thread
empties into the :class:`~bot.store.database.Store`; a full queue drops the record. When the
database is down, locked, read-only or full, the bot answers on: records are dropped, and the
log says so in one WARNING line per :data:`WARN_EVERY` seconds, however often it happens (and
in one INFO line when the database is back). A database that cannot be opened is tried again
every :data:`RETRY_EVERY` seconds, not on every record.

What is kept: see :meth:`QuestionLog.question` and :meth:`QuestionLog.vote`. User and chat ids
are keyed hashes (:mod:`bot.privacy`). With ``keep_questions`` off there is no question log at
all, and a vote keeps only which passage it was about, the verdict, and the question's keyed
digest. Everything older than the retention is pruned at start and every hour.

Inline queries arrive as the user types (桐, 桐庐, 桐庐要…): one is logged when the user has
stopped typing for :data:`INLINE_SETTLE` seconds or asks something else; a query that only
extends (or shortens) the pending one replaces it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from bot.core.answering import Answer
from bot.errors import StoreError
from bot.privacy import Hasher
from bot.store.database import Store
from bot.store.records import QuestionRecord, VoteRecord

log = logging.getLogger(__name__)
T = TypeVar("T")

QUEUE_SIZE = 1000
WARN_EVERY = 60.0  # seconds between two warnings about the database
RETRY_EVERY = 5.0  # seconds before a database that could not be opened is tried again
PRUNE_EVERY = 3600.0
INLINE_SETTLE = 3.0  # seconds without a keystroke before an inline query is logged
ASK_TIMEOUT = 5.0  # seconds /forget and /stats wait for the database
_TICK = 0.5


@dataclass
class _Job:
    """Work for the writer thread; ``future`` gets its result (``None`` when the database failed)."""

    work: Callable[[Store], Any]
    future: concurrent.futures.Future[Any] | None = None
    inline: QuestionRecord | None = None  # an inline query, to hold until the user stops typing


_STOP = _Job(lambda store: None)


class _Warnings:
    """One WARNING per interval about the database, one INFO when it is back. Thread-safe.

    The interval holds across recoveries: a database that fails every other write still
    gets one WARNING per interval, not one per failure.
    """

    def __init__(self, every: float) -> None:
        self.every = every
        self._lock = threading.Lock()
        self._last: float | None = None
        self._dropped = 0
        self.failing = False

    def dropped(self, why: str) -> None:
        with self._lock:
            self._dropped += 1
            self.failing = True
            now = time.monotonic()
            if self._last is not None and now - self._last < self.every:
                return
            self._last = now
            dropped, self._dropped = self._dropped, 0
        log.warning(
            "question log: %s; the bot answers on without it (%d record(s) dropped; next warning in %.0f s at most)",
            why,
            dropped,
            self.every,
        )

    def recovered(self, where: str) -> None:
        with self._lock:
            if not self.failing:
                return
            self.failing = False
            dropped, self._dropped = self._dropped, 0
        log.info("question log: %s works again (%d more record(s) were dropped)", where, dropped)


class QuestionLog:
    """The bot's question log and votes; with no database URL, a log that keeps nothing."""

    def __init__(
        self,
        url: str | None,
        hasher: Hasher,
        *,
        keep_questions: bool = True,
        retention_days: int = 30,
        queue_size: int = QUEUE_SIZE,
        warn_every: float = WARN_EVERY,
        retry_every: float = RETRY_EVERY,
        inline_settle: float = INLINE_SETTLE,
    ) -> None:
        """Prepare the log (:class:`StoreError` at once for a URL no driver can serve); nothing connects yet."""
        self.store = Store(url) if url is not None else None
        self.hasher = hasher
        self.keep_questions = keep_questions
        self.retention = timedelta(days=retention_days)
        self.retry_every = retry_every
        self.inline_settle = inline_settle
        self.warnings = _Warnings(warn_every)
        self._jobs: queue.Queue[_Job] = queue.Queue(queue_size)
        self._thread: threading.Thread | None = None
        # Owned by the writer thread:
        self._opened = False
        self._next_open = 0.0
        self._next_prune = 0.0
        self._inline: dict[str, tuple[QuestionRecord, float]] = {}

    @property
    def enabled(self) -> bool:
        """Whether anything is stored at all."""
        return self.store is not None

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the writer thread (once)."""
        if self.store is not None and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="question-log", daemon=True)
            self._thread.start()

    async def close(self, timeout: float = ASK_TIMEOUT) -> None:
        """Write what is queued (and pending inline queries), then stop the writer."""
        thread = self._thread
        if thread is None:
            return
        self._thread = None
        await asyncio.to_thread(self._stop, thread, timeout)

    def _stop(self, thread: threading.Thread, timeout: float) -> None:
        try:
            self._jobs.put(_STOP, timeout=timeout)
        except queue.Full:
            log.warning("question log: the writer is stuck; stopping without writing what is queued")
            return
        thread.join(timeout)

    # --- what the bot calls: never waits, never raises --------------------------------------------

    def question(
        self, answer: Answer, *, chat_type: str, user_id: int, chat_id: int | None, ms: int, inline: bool = False
    ) -> None:
        """Log a question: when, the chat type, the text, verdict and reason, the passages, the figure, the time taken.

        ``chat_id`` is ``None`` for inline queries; ``inline`` holds the record until the user
        has stopped typing.
        """
        if self.store is None or not self.keep_questions:
            return
        figure = answer.figure
        record = QuestionRecord(
            asked_at=utc_now(),
            chat_type=chat_type,
            user_hash=self.hasher.user(user_id),
            chat_hash=self.hasher.chat(chat_id) if chat_id is not None else None,
            question=answer.question,
            digest=self.hasher.question(answer.question),
            concepts=tuple(sorted({c.text for c in answer.query.concepts})),
            verdict=answer.verdict.value,
            reason=answer.reason.value,
            passages=tuple(r.passage.key for r in answer.passages if r.score > 0),
            figure=figure.text if figure is not None else None,
            figure_missing=figure is not None and figure.missing,
            ms=ms,
        )
        if inline:
            self._put(_Job(_nothing, inline=record))
        else:
            self._put(_Job(lambda store: store.add_questions([record])))

    def vote(
        self, *, user_id: int, chat_type: str, article: str, passage: str, verdict: str, digest: str, up: bool
    ) -> None:
        """Record a 👍 or 👎 (replacing the same person's earlier vote on the same answer)."""
        record = VoteRecord(utc_now(), self.hasher.user(user_id), chat_type, article, passage, verdict, digest, up)
        self._put(_Job(lambda store: store.vote(record)))

    # --- what the bot awaits: None when the database cannot be had ----------------------------

    async def forget(self, user_id: int) -> int | None:
        """Delete everything the person left (queued records too); return how many records went."""
        user_hash = self.hasher.user(user_id)

        def work(store: Store) -> int:
            held = sum(1 for record, _ in self._inline.values() if record.user_hash == user_hash)
            self._inline = {k: v for k, v in self._inline.items() if v[0].user_hash != user_hash}
            return held + store.forget(user_hash)

        return await self._ask(work)

    async def read(self, since: datetime, build: Callable[[list[QuestionRecord], list[VoteRecord]], T]) -> T | None:
        """``build`` applied to the questions and votes since ``since``, in the writer thread."""
        return await self._ask(lambda store: build(store.questions(since), store.votes(since)))

    async def _ask(self, work: Callable[[Store], T]) -> T | None:
        if self.store is None:
            return None
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        if not self._put(_Job(work, future)):
            return None
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), ASK_TIMEOUT)
        except TimeoutError:
            return None

    def _put(self, job: _Job) -> bool:
        if self.store is None:
            return False
        try:
            self._jobs.put_nowait(job)
            return True
        except queue.Full:
            self.warnings.dropped("the write queue is full (the database is too slow or stuck)")
            return False

    # --- the writer thread ------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=_TICK)
            except queue.Empty:
                job = None
            if job is _STOP:
                break
            now = time.monotonic()
            if job is not None and job.inline is not None:
                self._hold_inline(job.inline, now)
            elif job is not None:
                self._do(job.work, job.future)
            self._settle_inline(now)
            if self._opened and now >= self._next_prune:
                self._next_prune = now + PRUNE_EVERY
                self._do(lambda store: store.prune(utc_now() - self.retention))
        self._settle_inline(None)
        if self.store is not None:
            self.store.close()

    def _do(self, work: Callable[[Store], Any], future: concurrent.futures.Future[Any] | None = None) -> None:
        result = None
        try:
            store = self._store()
            if store is not None:
                result = work(store)
                self.warnings.recovered(store.where)
        except (SQLAlchemyError, OSError, StoreError) as exc:
            self.warnings.dropped(f"{self._where()}: {one_line(exc)}")
        except Exception:  # a bug, not the database: say so, but keep the only writer alive
            log.exception("question log: a record could not be written")
        finally:
            if future is not None:
                future.set_result(result)

    def _store(self) -> Store | None:
        """The store, opened (and migrated) on first use; ``None`` while it cannot be."""
        assert self.store is not None
        if self._opened:
            return self.store
        now = time.monotonic()
        if now < self._next_open:
            self.warnings.dropped(f"{self.store.where} could not be opened")
            return None
        self._next_open = now + self.retry_every
        self.store.open()
        self._opened = True
        self._next_prune = now  # prune at once
        log.info("question log: %s", self.store.where)
        return self.store

    def _where(self) -> str:
        return self.store.where if self.store is not None else "no database"

    def _hold_inline(self, record: QuestionRecord, now: float) -> None:
        earlier = self._inline.get(record.user_hash)
        if earlier is not None and not _same_typing(earlier[0].question, record.question):
            self._do(lambda store: store.add_questions([earlier[0]]))
        self._inline[record.user_hash] = (record, now + self.inline_settle)

    def _settle_inline(self, now: float | None) -> None:
        """Log the inline queries whose users stopped typing (all of them when ``now`` is None)."""
        done = [r for r, until in self._inline.values() if now is None or until <= now]
        if done:
            self._inline = {k: v for k, v in self._inline.items() if v[0] not in done}
            self._do(lambda store: store.add_questions(done))


def _nothing(store: Store) -> None:
    return None


def utc_now() -> datetime:
    """Now in UTC, naive (what the database columns hold)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _same_typing(before: str, after: str) -> bool:
    """Whether ``after`` is ``before`` typed on or backspaced (the same inline query, still being typed)."""
    return after.startswith(before) or before.startswith(after)


def one_line(exc: BaseException) -> str:
    """An exception in one line: the driver's own message when there is one."""
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {text[0] if text else ''}".rstrip(": ")
