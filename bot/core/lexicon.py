"""The words around the articles, kept as data in ``knowledge/lexicon/``, in layers.

- ``lexicon/`` itself is shared by every article of the folder: the general language files
  (``stopwords.txt``, ``question_frames.txt``, ``dialect.yaml``, ``everyday.yaml``,
  ``everyday_en.yaml``: Chinese and English, no article's) and, when
  curated by hand, a lexicon for the folder's articles (the bundled folder's is the curated
  lexicon of its one article). A folder without language files uses the bundled ones.
- ``lexicon/<article id>/`` is one article's own layer, in the same file formats:
  ``python -m bot add`` writes the terms it learned from the article's text there
  (``userdict.txt``, ``not_figures.txt``, ``whole_words.txt``, ``english.yaml``), and a
  curated ``synonyms.yaml`` or glossary may be added by hand. Every file is optional.

The layers are merged (:func:`load_layers`): one tokenizer and one query analyser serve every
article, so a term taught by one article's layer is a word for all.

The files:

- ``synonyms.yaml``: article term → everyday words for it (仗 → 攻坚战).
- ``everyday.yaml``: the same for the standard words of the language (病人 → 确诊病例), so
  that an article nobody wrote a lexicon for is reached in everyday words too.
- ``english.yaml``: English word or phrase → article terms (battle → 攻坚战).
- ``everyday_en.yaml``: the same for the standard words of the language (courier → 快递).
- ``stopwords.txt``: function words and question frames, dropped from every text.
- ``whole_words.txt``: words search mode must not split (副县长 is no 县长).
- ``question_frames.txt``: the ways a question is asked (是什么意思, 哪天), cut out first.
- ``not_figures.txt``: the article's terms that hold numerals but count nothing (三通一达).
- ``dialect.yaml``: Cantonese words → Mandarin ones (而家 → 现在), applied to a question first.
- ``userdict.txt``: jieba user dictionary of the article's names and terms, ``word [freq]
  [tag]`` a line (jieba's format has no comments). Without a frequency jieba picks one that
  makes the word win; a low one (``桐庐县 1``) keeps a word from swallowing its neighbour
  (桐庐县长 is 桐庐 / 县长, not 桐庐县 / 长).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.core.knowledge import bundled_knowledge_dir, read_yaml
from bot.core.tokenizer import read_word_list
from bot.errors import KnowledgeError

LEXICON = "lexicon"
# Files of the language, not of an article: a folder without them uses the bundled ones.
LANGUAGE_FILES = ("stopwords.txt", "question_frames.txt", "dialect.yaml", "everyday.yaml", "everyday_en.yaml")


@dataclass(frozen=True)
class Lexicon:
    """Synonyms and glossary, inverted for lookup: the way a user says it → article terms."""

    synonyms: Mapping[str, tuple[str, ...]]
    english: Mapping[str, tuple[str, ...]]
    stopwords: frozenset[str]
    whole_words: frozenset[str]
    question_frames: frozenset[str]
    userdicts: tuple[Path, ...] = ()
    not_figures: frozenset[str] = frozenset()
    dialect: Mapping[str, str] = field(default_factory=dict)

    @property
    def userdict(self) -> Path | None:
        """The first user dictionary (the shared layer's, when it has one)."""
        return self.userdicts[0] if self.userdicts else None

    @property
    def article_terms(self) -> frozenset[str]:
        """Every article term the tables point to (taught to the tokenizer as words)."""
        return frozenset(t for terms in (*self.synonyms.values(), *self.english.values()) for t in terms)


def load_lexicon(directory: Path) -> Lexicon:
    """Load ``directory`` (``knowledge/lexicon``); every file is optional."""
    english = _glossary(directory / "english.yaml")
    userdict = directory / "userdict.txt"
    return Lexicon(
        synonyms=_inverted(directory / "synonyms.yaml"),
        english=english,
        stopwords=_words(directory / "stopwords.txt"),
        whole_words=_words(directory / "whole_words.txt"),
        question_frames=_words(directory / "question_frames.txt"),
        userdicts=(userdict,) if userdict.is_file() else (),
        not_figures=_words(directory / "not_figures.txt"),
        dialect=_pairs(directory / "dialect.yaml"),
    )


def language_files(knowledge_dir: Path) -> list[Path]:
    """The language files a knowledge folder uses: its own, else the bundled ones."""
    found: list[Path] = []
    for name in LANGUAGE_FILES:
        own = knowledge_dir / LEXICON / name
        path = own if own.is_file() else bundled_knowledge_dir() / LEXICON / name
        if path.is_file():
            found.append(path)
    return found


def load_layers(knowledge_dir: Path, article_ids: Iterable[str]) -> Lexicon:
    """The shared lexicon of ``knowledge_dir`` merged with each article's own layer."""
    shared = knowledge_dir / LEXICON
    layers = [load_lexicon(shared)]
    layers.extend(load_lexicon(shared / i) for i in article_ids if (shared / i).is_dir())
    stopwords: set[str] = set()
    frames: set[str] = set()
    dialect: dict[str, str] = {}
    everyday: dict[str, tuple[str, ...]] = {}
    everyday_en: dict[str, tuple[str, ...]] = {}
    for path in language_files(knowledge_dir):
        if path.name == "dialect.yaml":
            dialect.update(_pairs(path))
        elif path.name == "everyday.yaml":
            everyday = _inverted(path)
        elif path.name == "everyday_en.yaml":
            everyday_en = _glossary(path)
        else:
            (stopwords if path.name == "stopwords.txt" else frames).update(read_word_list(path))
    return Lexicon(
        synonyms=_merged([everyday, *(layer.synonyms for layer in layers)]),
        english=_merged([everyday_en, *(layer.english for layer in layers)]),
        stopwords=frozenset(stopwords).union(*(layer.stopwords for layer in layers)),
        whole_words=frozenset().union(*(layer.whole_words for layer in layers)),
        question_frames=frozenset(frames).union(*(layer.question_frames for layer in layers)),
        userdicts=tuple(path for layer in layers for path in layer.userdicts),
        not_figures=frozenset().union(*(layer.not_figures for layer in layers)),
        dialect=dialect,
    )


def _merged(tables: Iterable[Mapping[str, tuple[str, ...]]]) -> dict[str, tuple[str, ...]]:
    """Key → terms of every table, each term once, in the order the tables give them."""
    merged: dict[str, dict[str, None]] = {}
    for table in tables:
        for key, terms in table.items():
            merged.setdefault(key, {}).update(dict.fromkeys(terms))
    return {key: tuple(terms) for key, terms in merged.items()}


def _glossary(path: Path) -> dict[str, tuple[str, ...]]:
    """An English glossary: key (lower case) → Chinese terms."""
    return {key.lower(): tuple(terms) for key, terms in _mapping(path).items()}


def _inverted(path: Path) -> dict[str, tuple[str, ...]]:
    """A synonyms file (term → everyday words) turned round: everyday word → terms."""
    inverted: dict[str, list[str]] = {}
    for term, aliases in _mapping(path).items():
        for alias in aliases:
            inverted.setdefault(alias.lower(), []).append(term)
    return {alias: tuple(terms) for alias, terms in inverted.items()}


def _pairs(path: Path) -> dict[str, str]:
    """A YAML mapping of text → text."""
    if not path.is_file():
        return {}
    data: Any = read_yaml(path)
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise KnowledgeError(path, "", "expected a mapping of word → word")
    return data


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
