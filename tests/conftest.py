"""Shared fixtures: the real bundled knowledge, loaded once per test session."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from bot.answering import Answerer
from bot.knowledge import Knowledge, load_knowledge

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"

# Prepared indexes go to a folder of the test session's own (subprocesses inherit it).
os.environ["BOT_CACHE_DIR"] = tempfile.mkdtemp(prefix="tonglu-bot-tests-")


@pytest.fixture(scope="session")
def answerer() -> Answerer:
    return Answerer.from_directory(KNOWLEDGE)


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge(KNOWLEDGE)


@pytest.fixture(scope="session")
def seed_text() -> str:
    return (KNOWLEDGE / "sources" / "000_607b4a56a32727df.txt").read_text(encoding="utf-8")
