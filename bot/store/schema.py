"""The question log's schema, one for SQLite and PostgreSQL, and its versioned migrations.

A new database gets today's schema at once and is stamped with :data:`LATEST`; an older one
is brought up to date by the steps in :data:`MIGRATIONS`, one version at a time, in one
transaction (on PostgreSQL under an advisory lock, so replicas starting together migrate
once). A database newer than this code is refused rather than written to.

To change the schema: change the tables below *and* append a step that makes the same change
to a database of the previous version (``ALTER TABLE …``). Never edit a step once released.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    select,
    text,
)

from bot.errors import StoreError

metadata = MetaData()

schema_version = Table("schema_version", metadata, Column("version", Integer, nullable=False))

# One row per question answered or declined. No user or chat id in clear: keyed hashes.
questions = Table(
    "questions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("asked_at", DateTime(timezone=False), nullable=False),  # UTC
    Column("chat_type", String(16), nullable=False),
    Column("user_hash", String(32), nullable=False),
    Column("chat_hash", String(32)),  # NULL for inline queries
    Column("question", Text, nullable=False),
    Column("digest", String(8), nullable=False),  # joins votes to their question
    Column("concepts", JSON, nullable=False),  # sorted content words: same concepts, same question
    Column("verdict", String(16), nullable=False),
    Column("reason", String(32), nullable=False),
    Column("passages", JSON, nullable=False),  # ranked passage keys, best first
    Column("figure", Text),  # the asked figure, as the passage shows it
    Column("figure_missing", Boolean, nullable=False),
    Column("ms", Integer, nullable=False),
    Index("questions_asked_at", "asked_at"),
    Index("questions_user_hash", "user_hash"),
)

# One row per person and answer: a second press replaces the first.
votes = Table(
    "votes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("voted_at", DateTime(timezone=False), nullable=False),  # UTC
    Column("user_hash", String(32), nullable=False),
    Column("chat_type", String(16), nullable=False),
    Column("article", String(24), nullable=False),
    Column("passage", String(24), nullable=False),
    Column("verdict", String(16), nullable=False),
    Column("digest", String(8), nullable=False),
    Column("up", Boolean, nullable=False),
    UniqueConstraint("user_hash", "article", "passage", "verdict", "digest", name="votes_one_per_answer"),
    Index("votes_voted_at", "voted_at"),
)

Migration = Callable[[Connection], None]
# MIGRATIONS[i] brings a database from version i + 1 to version i + 2.
MIGRATIONS: tuple[Migration, ...] = ()
LATEST = 1 + len(MIGRATIONS)
# Any number of our own, the same for every replica: the advisory lock that serialises migrations.
_PG_LOCK = 20200311


def version_of(connection: Connection) -> int | None:
    """The schema version of the database, or ``None`` if it has none yet."""
    schema_version.create(connection, checkfirst=True)
    return connection.execute(select(schema_version.c.version)).scalar()


def migrate(connection: Connection, steps: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the database to the latest version (inside the caller's transaction); return it."""
    latest = 1 + len(steps)
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
    current = version_of(connection)
    if current is None:
        metadata.create_all(connection, tables=[questions, votes])
        connection.execute(schema_version.insert().values(version=latest))
        return latest
    if current > latest:
        raise StoreError(
            f"the database's schema is version {current}, newer than this bot's ({latest}): upgrade the bot"
        )
    for number in range(current, latest):
        steps[number - 1](connection)
    if current != latest:
        connection.execute(schema_version.update().values(version=latest))
    return latest
