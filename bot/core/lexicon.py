"""The words around the article, kept as data in ``knowledge/lexicon/``.

- ``synonyms.yaml``: article term → everyday words for it (仗 → 攻坚战).
- ``english.yaml``: English word or phrase → article terms (battle → 攻坚战).
- ``stopwords.txt``: function words and question frames, dropped from every text.
- ``whole_words.txt``: words search mode must not split (副县长 is no 县长).
- ``question_frames.txt``: the ways a question is asked (是什么意思, 哪天), cut out first.
- ``not_figures.txt``: the article's terms that hold numerals but count nothing (三通一达).
- ``userdict.txt``: jieba user dictionary of the article's names and terms, ``word [freq]
  [tag]`` a line (jieba's format has no comments). Without a frequency jieba picks one that
  makes the word win; a low one (``桐庐县 1``) keeps a word from swallowing its neighbour
  (桐庐县长 is 桐庐 / 县长, not 桐庐县 / 长).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.knowledge import read_yaml
from bot.core.tokenizer import read_word_list
from bot.errors import KnowledgeError


@dataclass(frozen=True)
class Lexicon:
    """Synonyms and glossary, inverted for lookup: the way a user says it → article terms."""

    synonyms: Mapping[str, tuple[str, ...]]
    english: Mapping[str, tuple[str, ...]]
    stopwords: frozenset[str]
    whole_words: frozenset[str]
    question_frames: frozenset[str]
    userdict: Path | None
    not_figures: frozenset[str] = frozenset()

    @property
    def article_terms(self) -> frozenset[str]:
        """Every article term the tables point to (taught to the tokenizer as words)."""
        return frozenset(t for terms in (*self.synonyms.values(), *self.english.values()) for t in terms)


def load_lexicon(directory: Path) -> Lexicon:
    """Load ``directory`` (``knowledge/lexicon``); every file is optional."""
    synonyms: dict[str, list[str]] = {}
    for term, aliases in _mapping(directory / "synonyms.yaml").items():
        for alias in aliases:
            synonyms.setdefault(alias.lower(), []).append(term)
    english = {key.lower(): tuple(terms) for key, terms in _mapping(directory / "english.yaml").items()}
    userdict = directory / "userdict.txt"
    return Lexicon(
        synonyms={alias: tuple(terms) for alias, terms in synonyms.items()},
        english=english,
        stopwords=_words(directory / "stopwords.txt"),
        whole_words=_words(directory / "whole_words.txt"),
        question_frames=_words(directory / "question_frames.txt"),
        userdict=userdict if userdict.is_file() else None,
        not_figures=_words(directory / "not_figures.txt"),
    )


def _words(path: Path) -> frozenset[str]:
    return read_word_list(path) if path.is_file() else frozenset()


def _mapping(path: Path) -> dict[str, list[str]]:
    """A YAML mapping of text → list of texts, validated with the failing key named."""
    if not path.is_file():
        return {}
    data: Any = read_yaml(path)  # bounded like the articles; errors are one KnowledgeError line
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise KnowledgeError(path, "", "expected a mapping of term → list of words")
    for key, value in data.items():
        if not isinstance(key, str) or not key.strip():
            raise KnowledgeError(path, repr(key), "expected a non-empty text key")
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise KnowledgeError(path, key, "expected a list of non-empty texts")
    return data
