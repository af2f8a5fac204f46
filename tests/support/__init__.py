"""Test support: paths of the checkout, and the end-to-end helpers (``e2e``).

``KNOWLEDGE`` is the bundled article alone: a copy of the checkout's ``knowledge/`` with its
one bundled article, its source and its lexicon, whatever else an operator added there. So no
test depends on what else is in ``knowledge/`` (the conftest points ``KNOWLEDGE_DIR`` at it for
the commands the tests run).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "knowledge"
BUNDLED_ARTICLE = "tonglu"


def _article_alone(article_id: str) -> Path:
    """A knowledge folder holding one article of the bundled folder, with its source and lexicon."""
    target = Path(tempfile.mkdtemp(prefix="tonglu-bot-knowledge-")) / "knowledge"
    article = BUNDLED / f"{article_id}.yaml"
    source = yaml.safe_load(article.read_text(encoding="utf-8"))["source"]
    (target / source).parent.mkdir(parents=True)
    shutil.copy2(article, target / article.name)
    shutil.copy2(BUNDLED / source, target / source)

    def other_layers(folder: str, names: list[str]) -> list[str]:
        top = Path(folder) == BUNDLED / "lexicon"
        return [n for n in names if top and (Path(folder) / n).is_dir() and n != article_id]

    shutil.copytree(BUNDLED / "lexicon", target / "lexicon", ignore=other_layers)
    return target


KNOWLEDGE = _article_alone(BUNDLED_ARTICLE)
