"""The question log as the bot uses it: never waits, answers on when the database fails, says so once."""

from __future__ import annotations

import asyncio
import logging
import resource
import signal
import sqlite3
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import SQLAlchemyError

from bot.core.answering import Answerer
from bot.privacy import Hasher
from bot.store import database
from bot.store.database import Store
from bot.store.log import QuestionLog, utc_now

from .support.postgres import PostgresServer

HASHER = Hasher(b"a test key of sixteen bytes or more")
WARNING = "question log:"


def ask(log: QuestionLog, answerer: Answerer, text: str, user: int = 42, **kwargs: Any) -> None:
    log.question(answerer.answer(text), chat_type="private", user_id=user, chat_id=user, ms=1, **kwargs)


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and WARNING in r.getMessage()]


async def until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def logged(log: QuestionLog) -> list[str] | None:
    """The questions stored, asked of the log's own writer: after everything queued before it."""
    return await log.read(utc_now() - timedelta(days=1), lambda questions, _votes: [q.question for q in questions])


def stored(url: str) -> list[str]:
    store = Store(url)
    try:
        return [q.question for q in store.questions(utc_now() - timedelta(days=1))]
    except SQLAlchemyError:  # not made yet
        return []
    finally:
        store.close()


async def test_recording_never_waits_for_the_database(database_url: str, answerer: Answerer) -> None:
    log = QuestionLog(database_url, HASHER)
    ask(log, answerer, "桐庐要打赢哪六大攻坚战？")  # the writer is not even running: it waits in the queue
    digest = HASHER.question("桐庐要打赢哪六大攻坚战？")
    log.vote(user_id=42, chat_type="private", article="tonglu", passage="p9", verdict="answer", digest=digest, up=False)
    log.start()
    await log.close()
    store = Store(database_url)
    [asked] = store.questions(utc_now() - timedelta(minutes=1))
    [voted] = store.votes(utc_now() - timedelta(minutes=1))
    store.close()
    assert asked.question == "桐庐要打赢哪六大攻坚战？" and asked.verdict == "answer" and asked.passages
    assert asked.user_hash == HASHER.user(42) and asked.chat_hash == HASHER.chat(42)
    assert asked.digest == HASHER.question("桐庐要打赢哪六大攻坚战？") == voted.digest
    assert not voted.up


async def test_a_full_queue_drops_records_with_one_warning(
    tmp_path: Path, answerer: Answerer, caplog: pytest.LogCaptureFixture
) -> None:
    log = QuestionLog(f"sqlite:///{tmp_path / 'q.sqlite3'}", HASHER, queue_size=2)
    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            ask(log, answerer, "三通一达的市值是多少？")
    assert len(warnings(caplog)) == 1 and "queue is full" in warnings(caplog)[0]
    log.start()
    await log.close()
    assert len(stored(f"sqlite:///{tmp_path / 'q.sqlite3'}")) == 2


async def test_a_database_that_cannot_be_opened_is_one_warning_and_the_log_goes_on(
    tmp_path: Path, answerer: Answerer, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    log = QuestionLog(f"sqlite:///{blocker / 'q.sqlite3'}", HASHER)
    log.start()
    with caplog.at_level(logging.WARNING):
        for _ in range(4):
            ask(log, answerer, "三通一达的市值是多少？")
        assert await log.forget(42) is None  # a question that needs the database gets "not now"
    await log.close()
    assert len(warnings(caplog)) == 1 and "a-file" in warnings(caplog)[0]


async def test_a_locked_sqlite_database_is_waited_for_briefly_then_skipped_and_found_again(
    tmp_path: Path, answerer: Answerer, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "SQLITE_BUSY_MS", 50)
    url = f"sqlite:///{tmp_path / 'q.sqlite3'}"
    log = QuestionLog(url, HASHER)
    log.start()
    ask(log, answerer, "第一个问题")
    assert await logged(log) == ["第一个问题"]
    holder = sqlite3.connect(tmp_path / "q.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    with caplog.at_level(logging.INFO):
        for n in range(3):
            ask(log, answerer, f"锁住时的问题{n}")
        await until(lambda: len(warnings(caplog)) >= 1)
        await asyncio.sleep(0.3)
        holder.execute("ROLLBACK")
        ask(log, answerer, "解锁后的问题")
        await log.close()
    holder.close()
    assert len(warnings(caplog)) == 1 and "database is locked" in warnings(caplog)[0]
    assert any("works again" in r.getMessage() for r in caplog.records)
    assert stored(url) == ["第一个问题", "解锁后的问题"]


async def test_a_full_disk_is_one_warning(tmp_path: Path, answerer: Answerer, caplog: pytest.LogCaptureFixture) -> None:
    url = f"sqlite:///{tmp_path / 'q.sqlite3'}"
    log = QuestionLog(url, HASHER)
    log.start()
    ask(log, answerer, "第一个问题")
    assert await logged(log) == ["第一个问题"]
    sqlite3.connect(tmp_path / "q.sqlite3").execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    # No file may grow any more: the filesystem is full, as far as SQLite can tell.
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, hard))
    try:
        with caplog.at_level(logging.WARNING):
            for n in range(3):
                ask(log, answerer, f"满了时的问题{n}" * 50)
            await until(lambda: len(warnings(caplog)) >= 1)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
    await log.close()
    assert len(warnings(caplog)) == 1 and "OperationalError" in warnings(caplog)[0]


async def test_postgresql_down_or_read_only_then_back(
    postgres: PostgresServer, answerer: Answerer, caplog: pytest.LogCaptureFixture
) -> None:
    url = postgres.database()
    log = QuestionLog(url, HASHER, warn_every=60)
    log.start()
    ask(log, answerer, "之前")
    assert await logged(log) == ["之前"]
    with caplog.at_level(logging.INFO):
        postgres.refuse_connections(url)
        for n in range(3):
            ask(log, answerer, f"宕机时{n}")
        assert await log.forget(999) is None  # in the queue after them: they have been tried
        postgres.refuse_connections(url, refuse=False)
        postgres.read_only(url)
        ask(log, answerer, "只读时")
        assert await log.forget(42) is None
        name = url.rsplit("/", 1)[1]
        postgres.sql(f"ALTER DATABASE {name} RESET default_transaction_read_only")
        postgres.sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        ask(log, answerer, "恢复后")
        await log.close()
    assert len(warnings(caplog)) == 1, warnings(caplog)
    assert "not currently accepting connections" in warnings(caplog)[0]
    assert any("works again" in r.getMessage() for r in caplog.records)
    assert stored(url) == ["之前", "恢复后"]


async def test_with_questions_off_only_votes_are_kept(database_url: str, answerer: Answerer) -> None:
    log = QuestionLog(database_url, HASHER, keep_questions=False)
    log.start()
    ask(log, answerer, "桐庐要打赢哪六大攻坚战？")
    log.vote(user_id=42, chat_type="group", article="tonglu", passage="p9", verdict="answer", digest="x" * 8, up=True)
    await log.close()
    store = Store(database_url)
    assert store.counts() == (0, 1)
    store.close()


async def test_inline_queries_are_logged_once_the_user_stops_typing(tmp_path: Path, answerer: Answerer) -> None:
    url = f"sqlite:///{tmp_path / 'q.sqlite3'}"
    log = QuestionLog(url, HASHER, inline_settle=0.1)
    log.start()
    for typed in ("桐", "桐庐", "桐庐要打", "桐庐要"):  # typed on, then backspaced
        ask(log, answerer, typed, inline=True)
    ask(log, answerer, "三通一达", inline=True)  # something else: the first is done
    ask(log, answerer, "杭州", user=7, inline=True)
    deadline = time.monotonic() + 15
    while len(await logged(log) or []) < 3:
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)
    ask(log, answerer, "富春未来城", inline=True)
    assert await log.forget(42) == 3  # two stored, and the one still being typed
    await log.close()
    assert stored(url) == ["杭州"]
