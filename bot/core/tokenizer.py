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
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import jieba
import opencc

from bot.core.wordstore import WordStore

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
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
_POINTING = frozenset("这那哪每各某两几")
_TRAILING = frozenset("个能里么会")
_FIGURE = re.compile(r"[0-9]+(?:\.[0-9]+)?[年月日号天个件人亿万%]?$")
# A one-character noun this common is too general to tell of a topic (人, 事).
_COMMON = 30000
# Precise cuts remembered: a question's words, and whole questions, cut again while it is analysed.
PRECISE_CACHE = 8192
# Administrative divisions whose head is their name and 长 (县长, 镇长, 市长).
_DIVISIONS = frozenset("县市镇乡区省村")
# General-language specificity: log10(total / count) / SCALE, floored.
SPECIFICITY_SCALE = 6.0
SPECIFICITY_FLOOR = 0.4


def has_cjk(text: str) -> bool:
    """Whether ``text`` has a Chinese character."""
    return bool(_CJK.search(text))


def _read_tags(userdict: Path) -> dict[str, str]:
    """Word → part-of-speech tag, from a jieba user dictionary (``word freq tag``)."""
    tags = {}
    for line in userdict.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) >= 2 and not fields[-1].isdigit():
            tags[fields[0]] = fields[-1]
    return tags


@lru_cache(maxsize=1)
def _jieba_dictionary() -> tuple[dict[str, int], int, dict[str, str]]:
    """The word frequencies of jieba, their total and its tag table, read once a process (about a second).

    Kept for the process: a second build (tests, several imports) copies them instead of reading again.
    """
    import jieba.posseg  # its tag table is needed only here

    jieba.setLogLevel(logging.WARNING)
    full = jieba.Tokenizer()
    full.initialize()
    return dict(full.FREQ), int(full.total), dict(jieba.posseg.POSTokenizer(full).word_tag_tab)


def _fresh_jieba() -> tuple[jieba.Tokenizer, dict[str, str]]:
    """A jieba tokenizer of its own (words may be added to it) and a tag table of its own."""
    freq, total, tags = _jieba_dictionary()
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = dict(freq), total, True
    return tokenizer, dict(tags)


def _normalize(converter: opencc.OpenCC, text: str) -> str:
    text = _TERMINAL_ESCAPE.sub(" ", html.unescape(text))
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return str(converter.convert(text)).lower()


# A demonstrative with a measure word (那串, 这位, 该项, 此次) points at something; it names nothing.
DEICTIC_WORDS = frozenset(d + m for d in "这那该此本每" for m in "个些串位家份条项场次件种批名张句段篇块届轮")


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
        self.stopwords = frozenset(self.normalize(w) for w in stopwords) | DEICTIC_WORDS
        self.whole_words = frozenset(self.normalize(w) for w in whole_words)
        self._precise_cached = lru_cache(maxsize=PRECISE_CACHE)(self._cut_precise)

    @classmethod
    def build(
        cls,
        userdict: Path | Sequence[Path] | None = None,
        extra_words: Iterable[str] = (),
        stopwords: Iterable[str] = (),
        whole_words: Iterable[str] = (),
    ) -> Tokenizer:
        """Load jieba's whole dictionary and tags; add the user dictionaries and ``extra_words``."""
        full, tags = _fresh_jieba()
        general = full.total  # Chinese at large, before the article's words join it
        userdicts = [userdict] if isinstance(userdict, Path) else list(userdict or ())
        for path in userdicts:
            with path.open("rb") as lines:  # jieba would leave a path's file open
                full.load_userdict(lines)
            tags.update(_read_tags(path))
        converter = opencc.OpenCC("t2s")
        for word in extra_words:
            normalized = _normalize(converter, word)
            # A word jieba knows keeps its count (how common it is in Chinese at large).
            if normalized and not full.FREQ.get(normalized):
                full.add_word(normalized)
        return cls(WordStore.from_dicts(full.FREQ, tags, full.total, general), stopwords, whole_words)

    def normalize(self, text: str) -> str:
        """Simplified characters, half-width forms, lower case.

        HTML entities, terminal escapes, control characters and invisible marks go.
        """
        return _normalize(self._converter, text)

    def cut(self, text: str) -> list[str]:
        """Search-mode words of already normalised text, punctuation dropped.

        Like jieba's ``cut_for_search``: every word of the precise cut, preceded by the
        dictionary words inside it, so that 减负 in a question meets 减负清单 in the article.
        Unlike it, parts of any length count (减负清单 inside 乡镇街道减负清单), and whole words
        keep their parts to themselves.
        """
        words: list[str] = []
        for word in self._precise(text):
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

    def _precise(self, text: str) -> list[str]:
        """The precise cut, with a place's head of office given back to the office.

        jieba reads 桐庐县长 as 桐庐县 / 长; the question asks for the 县长 of 桐庐. Cuts are
        remembered (a question's words are cut again and again while it is analysed).
        """
        return list(self._precise_cached(text))

    def _cut_precise(self, text: str) -> tuple[str, ...]:
        words = list(self._jieba.cut(text))
        for i in range(len(words) - 1):
            word, following = words[i], words[i + 1]
            if following == "长" and len(word) > 2 and word[-1] in _DIVISIONS:
                words[i], words[i + 1] = word[:-1], word[-1] + following
        return tuple(words)

    def cut_precise(self, normalized: str) -> list[str]:
        """The precise cut of normalised text, every piece kept (they add up to the text)."""
        return self._precise(normalized)

    def words(self, normalized: str) -> list[str]:
        """The content words of normalised text in jieba's precise cut (no parts, no stop words)."""
        return [w for w in self._precise(normalized) if _WORDLIKE.search(w) and w not in self.stopwords]

    def dictionary_words(self, normalized: str) -> list[tuple[int, int]]:
        """Spans of the words of normalised text that jieba's dictionary knows (two characters or more)."""
        spans = []
        position = 0
        for word in self._precise(normalized):
            if len(word) > 1 and self.store.get(word):
                spans.append((position, position + len(word)))
            position += len(word)
        return spans

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
            # jieba's HMM glues function words onto a word it does not know (这事能, 里算个,
            # 两件事): a pointer or a count first, or a particle last, makes it no name.
            return word[-1] not in _PARTICLES and word[0] not in _POINTING and word[-1] not in _TRAILING
        return tag.startswith("n") or tag in _NOUN_TAGS

    def is_telling(self, word: str) -> bool:
        """Whether an unknown noun tells of a topic.

        A noun of jieba's dictionary (天气, 面积; a one-character one only if not among the
        most common: 诗, 车, not 人, 事), a Latin word, or a new word of three characters or
        more (a name). A new two-character word is more often two words run together by
        jieba's guesswork (上台报 → 台报) than a topic.
        """
        tag = self.store.tag(word)
        if tag is None:
            return not has_cjk(word) or len(word) > 2
        if len(word) > 1:
            return True
        return tag in ("n", "ng") and (self.store.get(word) or 0) < _COMMON

    def specificity(self, word: str) -> float:
        """How specific a word is in Chinese at large, by jieba's counts.

        工作 is everywhere, 反弹 less so, 减负 rarely. Between SPECIFICITY_FLOOR and 1; a word
        jieba's dictionary lacks (a name, a coined term) is as specific as can be.
        """
        count = self.store.get(word) or 0
        if count <= 0:
            return 1.0
        rarity = math.log10(self.store.general_total / count) / SPECIFICITY_SCALE
        return min(1.0, max(SPECIFICITY_FLOOR, rarity))


class Tagger:
    """Part-of-speech tags of running text, for learning an article's terms (the importer).

    jieba's precise cut with its HMM, which pieces unknown names together and tags them; plus
    what jieba's dictionary says of a word. Loading costs about a second; words can be added.
    """

    def __init__(self) -> None:
        """Load jieba's whole dictionary and tag table (a copy of its own: words may be added)."""
        import jieba.posseg

        self._jieba, tags = _fresh_jieba()
        # POSTokenizer's constructor would read jieba's dictionary file again: give it the table.
        self._pos = jieba.posseg.POSTokenizer.__new__(jieba.posseg.POSTokenizer)
        self._pos.tokenizer = self._jieba
        self._pos.word_tag_tab = tags
        self._converter = opencc.OpenCC("t2s")

    def tagged(self, text: str) -> list[tuple[str, str]]:
        """``(word, tag)`` for every word of ``text``, punctuation and blanks included (tag ``x``)."""
        return [(pair.word, pair.flag) for pair in self._pos.cut(text, HMM=True)]

    def frequency(self, word: str) -> int:
        """How often jieba's dictionary has seen ``word`` (0: not a dictionary word)."""
        return int(self._jieba.FREQ.get(word) or 0)

    def parts(self, word: str) -> list[str]:
        """The dictionary words of two or more characters inside ``word`` (县委书记 → 县委, 书记)."""
        n = len(word)
        inner = (word[i:j] for i in range(n) for j in range(i + 2, n + 1) if j - i < n)
        return [part for part in inner if self.frequency(part)]

    def tag(self, word: str) -> str | None:
        """The dictionary's part-of-speech tag of ``word``."""
        found = self._pos.word_tag_tab.get(word)
        return str(found) if found is not None else None

    def add_word(self, word: str, tag: str) -> None:
        """Teach a word, so that it is cut whole from now on."""
        self._jieba.add_word(word, tag=tag)
        self._pos.word_tag_tab[word] = tag

    def normalize(self, text: str) -> str:
        """Simplified characters, half-width forms, lower case (as :meth:`Tokenizer.normalize`)."""
        return _normalize(self._converter, text)
