"""Shared fixtures: the real bundled knowledge, loaded once per test session, and a local Bot API server."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.answering import Answerer
from bot.core.knowledge import Knowledge, load_knowledge
from bot.sandbox.server import BotAPIServer

from .support import KNOWLEDGE
from .support.postgres import INSTALL_HINT, PostgresServer, binaries

# Prepared indexes go to a folder of the test session's own (subprocesses inherit it).
CACHE = Path(tempfile.mkdtemp(prefix="tonglu-bot-tests-"))
os.environ["BOT_CACHE_DIR"] = str(CACHE)
# …and so does the question log of every `python -m bot` a test starts (never the user's own).
os.environ["DATABASE_URL"] = f"sqlite:///{CACHE / 'questions.sqlite3'}"
# The commands the tests run answer from the bundled article alone (see support).
os.environ["KNOWLEDGE_DIR"] = str(KNOWLEDGE)
# As `python -m bot` does: PTB 23's timedelta durations (PTB 22 warns on RetryAfter otherwise).
os.environ["PTB_TIMEDELTA"] = "1"


@pytest.fixture
async def server() -> AsyncIterator[BotAPIServer]:
    """A local Bot API server for one test; nothing the bot sent may be what Telegram refuses."""
    server = BotAPIServer()
    await server.start()
    yield server
    await server.stop()
    assert server.refused == [], "the bot sent something Telegram would refuse"


@pytest.fixture(scope="session")
def answerer() -> Answerer:
    return Answerer.from_directory(KNOWLEDGE, CACHE)


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge(KNOWLEDGE)


@pytest.fixture(scope="session")
def seed_text() -> str:
    return (KNOWLEDGE / "sources" / "000_607b4a56a32727df.txt").read_text(encoding="utf-8")


_POSTGRES_BIN = binaries()
_POSTGRES = PostgresServer(_POSTGRES_BIN) if _POSTGRES_BIN is not None else None


def _wants_postgres(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    chosen = callspec.params.get("database_url") if callspec is not None else None
    return "postgres" in getattr(item, "fixturenames", ()) or chosen == "postgresql"


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start PostgreSQL's initdb at once, beside the first tests, when any test will want it."""
    if _POSTGRES is not None and any(_wants_postgres(item) for item in session.items):
        _POSTGRES.start_in_background()


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _POSTGRES is not None:
        _POSTGRES.stop()


@pytest.fixture(scope="session")
def postgres() -> PostgresServer:
    """A real PostgreSQL server for the session (skipped, saying why, only when none is installed)."""
    if _POSTGRES is None:
        pytest.skip(f"PostgreSQL is not installed: {INSTALL_HINT}")
    return _POSTGRES.ready()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty database of each kind: the same storage tests run on both."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'log' / 'questions.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.schema()
