"""Shared fixtures: the real bundled knowledge, loaded once per test session."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from bot.core.answering import Answerer
from bot.core.knowledge import Knowledge, load_knowledge

from .support import KNOWLEDGE

# Prepared indexes go to a folder of the test session's own (subprocesses inherit it).
CACHE = Path(tempfile.mkdtemp(prefix="tonglu-bot-tests-"))
os.environ["BOT_CACHE_DIR"] = str(CACHE)
# The commands the tests run answer from the bundled article alone (see support).
os.environ["KNOWLEDGE_DIR"] = str(KNOWLEDGE)
# As `python -m bot` does: PTB 23's timedelta durations (PTB 22 warns on RetryAfter otherwise).
os.environ["PTB_TIMEDELTA"] = "1"


@pytest.fixture(scope="session")
def answerer() -> Answerer:
    return Answerer.from_directory(KNOWLEDGE, CACHE)


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge(KNOWLEDGE)


@pytest.fixture(scope="session")
def seed_text() -> str:
    return (KNOWLEDGE / "sources" / "000_607b4a56a32727df.txt").read_text(encoding="utf-8")
