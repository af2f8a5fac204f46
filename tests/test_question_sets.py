"""The question sets are well-formed, and the validation pool is the one frozen before tuning."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from bot.core.knowledge import Knowledge

DATA = Path(__file__).resolve().parent / "data"
# The validation pool as committed before any change to the answering method (tests/data/README.md).
FROZEN = {"pool_validation.yaml": "b101598b5689a06f6c1278a46546155a4c3b17949e05382959bb08e7010c96d0"}
SETS = [
    "questions.yaml",
    "questions_more.yaml",
    "pool_tune.yaml",
    "pool_tune_c.yaml",
    "pool_tune_d.yaml",
    "pool_tune_e.yaml",
    "pool_tune_f.yaml",
    "pool_validation.yaml",
]


def test_the_validation_pool_is_unchanged() -> None:
    for name, digest in FROZEN.items():
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == digest, f"{name} was edited"


@pytest.mark.parametrize("name", SETS)
def test_every_gold_string_is_verbatim_article_text(knowledge: Knowledge, name: str) -> None:
    text = "\n".join(p.source_text for p in knowledge.passages)
    for question in yaml.safe_load((DATA / name).read_text(encoding="utf-8")):
        assert question["answerable"] == bool(question["gold"]), question["q"]
        for gold in [*question["gold"], *question.get("figure_gold", [])]:
            assert gold in text, (question["q"], gold)
