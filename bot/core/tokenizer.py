"""Text → search tokens: the one place that knows jieba.

Passages and questions go through the same :meth:`Tokenizer.tokens`, so they meet on the
same terms: traditional characters become simplified (OpenCC), full-width forms half-width
(NFKC), Latin letters lower case; jieba cuts in search mode (long words and the shorter
dictionary words inside them) with the article's own terms added as a user dictionary;
punctuation and stop words (function words, the ways a question is asked) are dropped.

jieba cuts with a :class:`~bot.core.wordstore.WordStore` as its dictionary: :meth:`Tokenizer.build`
loads jieba's own dictionary (about a second) and adds the article's words; a saved store
(see :mod:`bot.core.prebuilt`) loads in milliseconds, a first character at a time.
"""

from __future__ import annotations

import html
import logging
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import jieba
import opencc

from bot.core.wordstore import WordStore

# A token is kept only if it has a letter, a digit or a CJK character.
_WORDLIKE = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# ANSI terminal escapes such as \x1b[31m.
_TERMINAL_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
# Zero-width and direction marks: invisible, and they split words apart.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u202a\u202b\u202c\u202d\u202e"))


# Tags of words that name things: nouns (n…) and these (q: units such as 平方公里; t: times
# such as 明天, which the article may not cover).
_NOUN_TAGS = frozenset({"vn", "s", "j", "eng", "nz", "q", "t"})
# A word jieba pieced together from unknown characters is no noun if it ends in a particle (表了).
_PARTICLES = frozenset("了着过的得地吗呢吧啊")
_FIGURE = re.compile(r"[0-9]+(?:\.[0-9]+)?[年月日号天个件人亿万%]?$")
# A one-character noun this common is too general to tell of a topic (人, 事).
_COMMON = 30000


def _read_tags(userdict: Path) -> dict[str, str]:
    """Word → part-of-speech tag, from a jieba user dictionary (``word freq tag``)."""
    tags = {}
    for line in userdict.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) >= 2 and not fields[-1].isdigit():
            tags[fields[0]] = fields[-1]
    return tags


def _normalize(converter: opencc.OpenCC, text: str) -> str:
    text = _TERMINAL_ESCAPE.sub(" ", html.unescape(text))
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return str(converter.convert(text)).lower()


def read_word_list(path: Path) -> frozenset[str]:
    """Whitespace-separated words of a text file; ``#`` starts a comment line."""
    words: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.lstrip().startswith("#"):
            words.update(line.split())
    return frozenset(words)


class Tokenizer:
    """Normalises and cuts text into search tokens."""

    def __init__(self, store: WordStore, stopwords: Iterable[str] = (), whole_words: Iterable[str] = ()) -> None:
        """Cut with ``store``; drop ``stopwords``; never split ``whole_words`` (a 副县长 is no 县长)."""
        jieba.setLogLevel(logging.WARNING)
        self.store = store
        self._jieba = jieba.Tokenizer()
        # An initialised jieba.Tokenizer only reads FREQ and total: the store stands in.
        self._jieba.FREQ = store
        self._jieba.total = store.total
        self._jieba.initialized = True
        self._converter = opencc.OpenCC("t2s")
        self.stopwords = frozenset(self.normalize(w) for w in stopwords)
        self.whole_words = frozenset(self.normalize(w) for w in whole_words)

    @classmethod
    def build(
        cls,
        userdict: Path | None = None,
        extra_words: Iterable[str] = (),
        stopwords: Iterable[str] = (),
        whole_words: Iterable[str] = (),
    ) -> Tokenizer:
        """Load jieba's whole dictionary and tags; add the user dictionary and ``extra_words``."""
        import jieba.posseg  # its tag table is needed only here

        jieba.setLogLevel(logging.WARNING)
        full = jieba.Tokenizer()
        full.initialize()
        tags = dict(jieba.posseg.POSTokenizer(full).word_tag_tab)
        if userdict is not None:
            with userdict.open("rb") as lines:  # jieba would leave a path's file open
                full.load_userdict(lines)
            tags.update(_read_tags(userdict))
        converter = opencc.OpenCC("t2s")
        for word in extra_words:
            normalized = _normalize(converter, word)
            if normalized:
                full.add_word(normalized)
        return cls(WordStore.from_dicts(full.FREQ, tags, full.total), stopwords, whole_words)

    def normalize(self, text: str) -> str:
        """Simplified characters, half-width forms, lower case.

        HTML entities, terminal escapes, control characters and invisible marks go.
        """
        return _normalize(self._converter, text)

    def cut(self, text: str) -> list[str]:
        """Search-mode words of already normalised text, punctuation dropped.

        Like jieba's ``cut_for_search``: every word of the precise cut, preceded by the
        dictionary words inside it, so that 减负 in a question meets 减负清单 in the article.
        Unlike it, parts of any length count (减负清单 inside 乡镇街道减负清单), and whole
        words keep their parts to themselves.
        """
        words: list[str] = []
        for word in self._jieba.cut(text):
            if not _WORDLIKE.search(word):
                continue
            if len(word) > 2 and word not in self.whole_words:
                words.extend(self._parts(word))
            words.append(word)
        return words

    def _parts(self, word: str) -> list[str]:
        """The dictionary words inside ``word`` (shorter than it, two characters or more).

        Shortest first, then by position. Found as jieba finds words: from each position,
        extend while the fragment is a prefix of some dictionary word (jieba keeps every
        prefix in its dictionary, with frequency 0), so the work is linear in ``word``
        (times the longest match), not cubic as trying every substring would be.
        """
        known = self.store
        found: list[tuple[int, int, str]] = []
        for start in range(len(word)):
            end = start + 2
            fragment = word[start:end]
            # Parts only: the word itself (start 0, its whole length) is not one of them.
            while end <= len(word) - (start == 0) and fragment in known:
                if known.get(fragment):
                    found.append((end - start, start, fragment))
                end += 1
                fragment = word[start:end]
        found.sort()
        return [fragment for _, _, fragment in found]

    def words(self, normalized: str) -> list[str]:
        """The content words of normalised text in jieba's precise cut (no parts, no stop words)."""
        return [w for w in self._jieba.cut(normalized) if _WORDLIKE.search(w) and w not in self.stopwords]

    def tokens(self, text: str) -> list[str]:
        """The search tokens of any text: normalised, cut, without stop words."""
        return [w for w in self.cut(self.normalize(text)) if w not in self.stopwords]

    def tag(self, word: str) -> str | None:
        """The part-of-speech tag jieba gives ``word`` (None for a word its dictionary lacks)."""
        return self.store.tag(word)

    def is_figure(self, word: str) -> bool:
        """Whether ``word`` is a number, alone or with its unit (2020, 2020年, 15.5亿)."""
        return bool(_FIGURE.match(word)) or self.store.tag(word) in ("m", "mq")

    def is_noun(self, word: str) -> bool:
        """Whether ``word`` names a thing or a time.

        jieba's dictionary tags it so, or it is a new word (a name) not ending in a particle.
        """
        if _FIGURE.match(word):
            return False  # a figure, not a topic
        tag = self.store.tag(word)
        if tag is None:
            return word[-1] not in _PARTICLES
        return tag.startswith("n") or tag in _NOUN_TAGS

    def is_telling(self, word: str) -> bool:
        """Whether an unknown noun tells of a topic.

        Two characters or more, or a one-character noun not among the most common (诗, 车;
        not 人, 事).
        """
        if len(word) > 1:
            return True
        return self.store.tag(word) in ("n", "ng") and (self.store.get(word) or 0) < _COMMON
