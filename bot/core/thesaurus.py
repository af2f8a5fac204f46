"""Synonyms and word classes of Chinese at large, from the Tongyici Cilin (extended edition).

The Cilin (``data/cilin.txt``) sorts about 77,000 Chinese words into a tree of meanings; a
line is one leaf, a set of words that mean the same (``=``), are related (``#``), or stand alone
(``@``). Two uses, both true of the language and of no article in particular:

- *synonyms*: a question's word reaches the article's word for the same thing (病人 → 患者,
  聚会 → 聚首, 负担 → 包袱). Only ``=`` sets count, and only those small enough to be
  synonyms rather than a topic (``MAX_SET``).
- *kinds*: whether a word names a person (class A: 领导, 官, 人), a time (class Ca: 年, 时候)
  or a place (class Cb and the administrative divisions Di02B: 镇, 市, 位置), so that
  "哪个领导" asks for a person and "哪个镇" for a place.

Answering needs only what touches the article's words, so :mod:`bot.core.prebuilt` cuts the
table down to that when it builds the index (:func:`bridge`) and saves it with the index.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "cilin.txt"
# A synonym set larger than this names a topic (all the words for "shop"), not one meaning.
MAX_SET = 20
PERSON, TIME, PLACE = "person", "time", "place"


def _entries(path: Path = DATA) -> Iterator[tuple[str, list[str]]]:
    """(code, words) of every line; the code ends in =, # or @."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or not line.strip():
                continue
            code, *words = line.split()
            yield code, words


def kind_of_code(code: str) -> str | None:
    """person, time, place or None, by a Cilin code's class."""
    if code.startswith("A"):
        return PERSON
    if code.startswith("Ca"):
        return TIME
    if code.startswith(("Cb", "Di02B")):
        return PLACE
    return None


@cache
def kinds() -> dict[str, str]:
    """Word → person, time or place, by the first sense the Cilin gives it."""
    found: dict[str, str] = {}
    for code, words in _entries():
        kind = kind_of_code(code)
        for word in words:
            if word not in found:
                found[word] = kind or ""
    return {word: kind for word, kind in found.items() if kind}


def bridge(vocabulary: Collection[str], aliases: Mapping[str, Collection[str]]) -> dict[str, tuple[str, ...]]:
    """Every word that shares a synonym set with the article's words → those words.

    ``vocabulary`` is the article's (its index terms); ``aliases`` the curated lexicon's words
    for its terms (推迟 → 原本打算), so that a synonym of an alias reaches the term too (拖 →
    拖延 → 打乱了原本的计划). The result is what a question's word may stand for.
    """
    reach: dict[str, set[str]] = {}
    for code, words in _entries():
        if not code.endswith("=") or len(words) > MAX_SET:
            continue
        present = {w: {w} for w in words if w in vocabulary}
        for word in words:
            if word in aliases:
                present.setdefault(word, set()).update(aliases[word])
        if not present:
            continue
        for word in words:
            others = {t for w, terms in present.items() if w != word for t in terms}
            if others:
                reach.setdefault(word, set()).update(others)
    return {word: tuple(sorted(terms)) for word, terms in reach.items()}


def kinds_among(words: Collection[str]) -> dict[str, str]:
    """The kinds of ``words`` that have one."""
    table = kinds()
    return {w: table[w] for w in words if w in table}
