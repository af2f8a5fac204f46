"""The question log's database: SQLite or PostgreSQL through SQLAlchemy Core, one interface.

:class:`Store` is synchronous and is used from one thread at a time: the question log's writer
thread in the bot (see :mod:`bot.store.log`), the main thread in ``python -m bot report``.

- **SQLite** (the default, a file in the user's data folder): the standard library's driver,
  WAL mode (the report reads while the bot writes), a short busy timeout so that a locked
  database fails a write instead of holding the writer, and a file only its owner can read.
- **PostgreSQL** (``postgresql://…``, for several webhook replicas sharing one log): psycopg 3,
  short connect and statement timeouts, connections checked before use so that a restarted
  server is found again.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, create_engine, delete, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from bot.errors import ConfigError, StoreError
from bot.store.records import QuestionRecord, VoteRecord
from bot.store.schema import MIGRATIONS, Migration, migrate, questions, version_of, votes

# Milliseconds SQLite waits for a lock before a write fails ("database is locked").
SQLITE_BUSY_MS = 1000
# Seconds PostgreSQL may take to connect, and to run one statement.
PG_CONNECT_SECONDS = 3
PG_STATEMENT_MS = 5000
_PG_OPTIONS = f"-c statement_timeout={PG_STATEMENT_MS}"


def engine_for(url: str) -> Engine:
    """An engine for ``url`` (nothing is connected yet); :class:`ConfigError` if it cannot be one."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError("DATABASE_URL is not a database URL") from None
    backend = parsed.get_backend_name()
    try:
        if backend == "sqlite":
            engine = create_engine(parsed)
            _sqlite_settings(engine)
            return engine
        if backend in ("postgresql", "postgres"):
            # Our timeout joins any options the URL gives (such as -csearch_path=…).
            options = " ".join(filter(None, (str(parsed.query.get("options", "")), _PG_OPTIONS)))
            return create_engine(
                parsed.set(drivername="postgresql+psycopg"),
                pool_size=2,
                max_overflow=2,
                pool_pre_ping=True,
                connect_args={"connect_timeout": PG_CONNECT_SECONDS, "options": options},
            )
    except (ModuleNotFoundError, NoSuchModuleError) as exc:
        raise ConfigError(
            f"DATABASE_URL: no driver for {backend} ({exc}); PostgreSQL needs the postgres extra"
        ) from None
    raise ConfigError(f"DATABASE_URL: {backend} is not supported (sqlite or postgresql)")


def _sqlite_settings(engine: Engine) -> None:
    """WAL, a busy timeout, and transactions that SQLAlchemy begins itself (the driver's own are odd)."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # BEGIN comes from the "begin" hook below
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


class Store:
    """The question log and the votes in one database."""

    def __init__(self, url: str) -> None:
        """Prepare to use the database at ``url`` (connecting waits for :meth:`open`)."""
        self.engine = engine_for(url)

    @property
    def where(self) -> str:
        """The database URL, password hidden: for log lines and reports."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def file(self) -> Path | None:
        """The SQLite file, if the database is one."""
        name = self.engine.url.database
        if self.engine.dialect.name != "sqlite" or not name or name == ":memory:" or name.startswith("file:"):
            return None
        return Path(name)

    def open(self, *, create: bool = True, steps: Sequence[Migration] = MIGRATIONS) -> int:
        """Connect, create or migrate the schema; return its version.

        Without ``create``, a missing SQLite file is a :class:`StoreError` (the report
        should not leave an empty log behind).
        """
        path = self.file
        if path is not None and not path.exists():
            if not create:
                raise StoreError(f"no question log at {path} (the bot makes it when it first answers)")
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Only the owner may read what people asked (SQLite gives -wal and -shm the same mode).
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        with self.engine.begin() as connection:
            return migrate(connection, steps)

    def version(self) -> int | None:
        """The schema version of the database (``None``: no schema yet)."""
        with self.engine.begin() as connection:
            return version_of(connection)

    def close(self) -> None:
        """Close every connection."""
        self.engine.dispose()

    # --- writes --------------------------------------------------------------------------------

    def add_questions(self, records: Iterable[QuestionRecord]) -> None:
        """Log questions, in one transaction."""
        rows = [_question_row(r) for r in records]
        if rows:
            with self.engine.begin() as connection:
                connection.execute(questions.insert(), rows)

    def vote(self, record: VoteRecord) -> None:
        """Record a vote; the same person's earlier vote on the same answer is replaced."""
        insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        statement = insert(votes).values(_vote_row(record))
        statement = statement.on_conflict_do_update(
            index_elements=["user_hash", "article", "passage", "verdict", "digest"],
            set_={"up": statement.excluded.up, "voted_at": statement.excluded.voted_at},
        )
        with self.engine.begin() as connection:
            connection.execute(statement)

    def forget(self, user_hash: str) -> int:
        """Delete everything a person's hash left; return how many records went."""
        with self.engine.begin() as connection:
            gone = connection.execute(delete(questions).where(questions.c.user_hash == user_hash)).rowcount
            gone += connection.execute(delete(votes).where(votes.c.user_hash == user_hash)).rowcount
        return int(gone)

    def prune(self, before: datetime) -> int:
        """Delete what is older than ``before`` (UTC); return how many records went."""
        with self.engine.begin() as connection:
            gone = connection.execute(delete(questions).where(questions.c.asked_at < before)).rowcount
            gone += connection.execute(delete(votes).where(votes.c.voted_at < before)).rowcount
        return int(gone)

    # --- reads ---------------------------------------------------------------------------------

    def questions(self, since: datetime, until: datetime | None = None) -> list[QuestionRecord]:
        """Questions asked from ``since`` (UTC) on (and before ``until``), oldest first."""
        condition = questions.c.asked_at >= since
        if until is not None:
            condition = and_(condition, questions.c.asked_at < until)
        query = select(questions).where(condition).order_by(questions.c.asked_at, questions.c.id)
        with self.engine.begin() as connection:
            return [_question_record(row._mapping) for row in connection.execute(query)]

    def votes(self, since: datetime, until: datetime | None = None) -> list[VoteRecord]:
        """Votes cast (or last changed) from ``since`` (UTC) on (and before ``until``)."""
        condition = votes.c.voted_at >= since
        if until is not None:
            condition = and_(condition, votes.c.voted_at < until)
        query = select(votes).where(condition).order_by(votes.c.voted_at, votes.c.id)
        with self.engine.begin() as connection:
            return [_vote_record(row._mapping) for row in connection.execute(query)]

    def counts(self) -> tuple[int, int]:
        """How many questions and votes the database holds."""
        with self.engine.begin() as connection:
            asked = connection.execute(select(func.count()).select_from(questions)).scalar_one()
            voted = connection.execute(select(func.count()).select_from(votes)).scalar_one()
        return int(asked), int(voted)


def _question_row(record: QuestionRecord) -> dict[str, Any]:
    return {
        "asked_at": record.asked_at,
        "chat_type": record.chat_type,
        "user_hash": record.user_hash,
        "chat_hash": record.chat_hash,
        "question": record.question,
        "digest": record.digest,
        "concepts": list(record.concepts),
        "verdict": record.verdict,
        "reason": record.reason,
        "passages": list(record.passages),
        "figure": record.figure,
        "figure_missing": record.figure_missing,
        "ms": record.ms,
    }


def _question_record(row: Any) -> QuestionRecord:
    return QuestionRecord(
        asked_at=row["asked_at"],
        chat_type=row["chat_type"],
        user_hash=row["user_hash"],
        chat_hash=row["chat_hash"],
        question=row["question"],
        digest=row["digest"],
        concepts=tuple(row["concepts"]),
        verdict=row["verdict"],
        reason=row["reason"],
        passages=tuple(row["passages"]),
        figure=row["figure"],
        figure_missing=bool(row["figure_missing"]),
        ms=int(row["ms"]),
    )


def _vote_row(record: VoteRecord) -> dict[str, Any]:
    return {
        "voted_at": record.voted_at,
        "user_hash": record.user_hash,
        "chat_type": record.chat_type,
        "article": record.article,
        "passage": record.passage,
        "verdict": record.verdict,
        "digest": record.digest,
        "up": record.up,
    }


def _vote_record(row: Any) -> VoteRecord:
    return VoteRecord(
        voted_at=row["voted_at"],
        user_hash=row["user_hash"],
        chat_type=row["chat_type"],
        article=row["article"],
        passage=row["passage"],
        verdict=row["verdict"],
        digest=row["digest"],
        up=bool(row["up"]),
    )
