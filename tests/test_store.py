"""The question log's database: the same tests on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from bot.errors import ConfigError, StoreError
from bot.store.database import Store
from bot.store.records import QuestionRecord, VoteRecord
from bot.store.schema import LATEST

from .support.postgres import free_port

T0 = datetime(2026, 5, 1, 8, 30, 15, 250000)


def question(
    at: datetime = T0, user: str = "u1", text_: str = "杭州明天天气怎么样？", verdict: str = "none"
) -> QuestionRecord:
    return QuestionRecord(
        asked_at=at,
        chat_type="private",
        user_hash=user,
        chat_hash="c1",
        question=text_,
        digest="AbCd-_12",
        concepts=("天气", "明天", "杭州"),
        verdict=verdict,
        reason="off_topic",
        passages=("tonglu/p2", "tonglu/p3"),
        figure="全国快递包裹达亿件",
        figure_missing=True,
        ms=3,
    )


def vote(user: str = "u1", up: bool = True, at: datetime = T0) -> VoteRecord:
    return VoteRecord(at, user, "group", "tonglu", "p13", "answer", "AbCd-_12", up)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    store = Store(database_url)
    store.open()
    yield store
    store.close()


def test_a_new_database_gets_the_latest_schema_and_reopening_changes_nothing(database_url: str) -> None:
    store = Store(database_url)
    assert store.open() == LATEST
    assert store.open() == LATEST
    assert store.version() == LATEST
    assert store.counts() == (0, 0)
    store.close()


def test_questions_come_back_as_written_oldest_first_within_the_period(store: Store) -> None:
    records = [question(T0 + timedelta(hours=h), text_=f"问题{h}") for h in (2, 0, 1, 5)]
    store.add_questions(records)
    got = store.questions(T0 + timedelta(hours=1), T0 + timedelta(hours=5))
    assert got == [records[2], records[0]]  # the 1 h and 2 h ones, in time order; 5 h is the end
    assert got[0].concepts == ("天气", "明天", "杭州") and got[0].best == "tonglu/p2"
    assert store.questions(T0)[-1] == records[3]


def test_a_second_vote_on_the_same_answer_replaces_the_first(store: Store) -> None:
    store.vote(vote("u1", up=True))
    store.vote(vote("u1", up=False, at=T0 + timedelta(minutes=1)))
    store.vote(vote("u2", up=True))
    votes = store.votes(T0)
    assert sorted((v.user_hash, v.up) for v in votes) == [("u1", False), ("u2", True)]
    assert next(v for v in votes if v.user_hash == "u1").voted_at == T0 + timedelta(minutes=1)


def test_forget_deletes_everything_of_one_person_and_nothing_else(store: Store) -> None:
    store.add_questions([question(user="u1"), question(user="u1"), question(user="u2")])
    store.vote(vote("u1"))
    store.vote(vote("u2"))
    assert store.forget("u1") == 3
    assert store.forget("u1") == 0
    assert {q.user_hash for q in store.questions(T0)} == {"u2"}
    assert [v.user_hash for v in store.votes(T0)] == ["u2"]


def test_prune_deletes_what_is_older_than_the_retention(store: Store) -> None:
    store.add_questions([question(T0 - timedelta(days=31)), question(T0)])
    store.vote(vote("old", at=T0 - timedelta(days=31)))
    store.vote(vote("new", at=T0))
    assert store.prune(T0 - timedelta(days=30)) == 2
    assert store.counts() == (1, 1)


def _add_language(connection: Connection) -> None:
    connection.execute(text("ALTER TABLE questions ADD COLUMN language VARCHAR(8)"))


def test_migrations_run_once_in_order_and_a_newer_schema_is_refused(database_url: str) -> None:
    store = Store(database_url)
    assert store.open() == 1
    store.add_questions([question()])
    assert store.open(steps=(_add_language,)) == 2
    assert store.open(steps=(_add_language,)) == 2  # not run twice (the column would exist)
    with store.engine.begin() as connection:
        assert connection.execute(text("SELECT language FROM questions")).scalar() is None
    with pytest.raises(StoreError, match="version 2, newer than this bot's"):
        store.open()
    store.close()


def test_sqlite_log_is_private_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "data" / "questions.sqlite3"
    store = Store(f"sqlite:///{path}")
    store.open()
    store.add_questions([question()])
    store.close()
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_report_does_not_create_a_missing_log(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no question log at"):
        Store(f"sqlite:///{tmp_path / 'none.sqlite3'}").open(create=False)
    assert not (tmp_path / "none.sqlite3").exists()


def test_an_unreachable_postgresql_fails_fast() -> None:
    store = Store(f"postgresql://postgres@127.0.0.1:{free_port()}/nothing")
    with pytest.raises(OperationalError):
        store.open()
    store.close()


@pytest.mark.parametrize("url", ["mysql://localhost/x", "not a url", "oracle+cx://x"])
def test_unsupported_urls_are_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        Store(url)
