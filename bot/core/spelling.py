"""Typos in a question, read as the article's terms they stand for.

People type Chinese through pinyin input methods, so the commonest typo is a homophone (桐卢
for 桐庐, 减复 for 减负, 翁焉 for 翁嫣); the next is one wrong character of a longer term
(针识名镇, 垃圾分内, 富春末来城). A stretch of the question is read as an article term when:

- it has the term's length and differs from it in exactly one character, and that character
  sounds like the term's (toneless pinyin, any reading), or the term has four characters or
  more;
- the stretch itself is not text of the article, nor a word common in Chinese at large, nor
  part of a longer dictionary word of the question (搞不清 holds no 不胜), so a real word is
  never "corrected"; and
- the term is specific, not a word common in Chinese at large (问题, 看到): a typo that lands
  on a common word is more likely a different word.

Names and terms typed in pinyin, as in English questions (Who is Fang Yi?) or by a user without
a Chinese keyboard (jianfu qingdan), are read as the article's terms (:class:`PinyinReader`):
one word or up to four in a row that spell a term's toneless pinyin, never an English word the
glossary knows.

The homophones and the pinyin come from pypinyin, read once when the index is built (see
:mod:`bot.core.prebuilt`) and saved with it: answering never imports pypinyin.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

# A stretch this common in jieba's dictionary is a word in its own right, never a typo…
COMMON_WORD = 100
# …and a term this common is no term of the article's own: typos are not read as it (unless
# the article uses it again and again, as 清单: then up to KEY_TERM).
COMMON_TERM = 300
KEY_TERM = 1000
# Terms at least this long may have any one character wrong; shorter ones only a homophone.
ANY_CHARACTER = 4
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
# At most this many words in a row are read as one term (zhou hai jing → 周海静).
PINYIN_WORDS = 4
_PINYIN_WORD = re.compile(r"[a-z]+")
# Numerals, measure words, question words and function words are what the user means, never a
# slip (几大攻坚战 is no 六大攻坚战, 桐庐给 no 桐庐籍, 多少支笔 no 制笔).
_NOT_TYPOS = frozenset("几多少哪谁啥什么怎咋一二三四五六七八九十百千万亿两的了是在和与把被给个只支条件位台本张次")


@dataclass(frozen=True)
class Correction:
    """A stretch of the question read as an article term."""

    wrong: str
    right: str
    start: int


class Speller:
    """Finds article terms in misspelt stretches of a question."""

    def __init__(
        self,
        terms: Iterable[str],
        homophones: Mapping[str, str],
        article_text: str,
        frequency: Callable[[str], int | None],
    ) -> None:
        """``homophones`` maps each character of the terms to the characters that sound like it.

        ``frequency`` is jieba's count of a word (None when its dictionary lacks it).
        """
        self._homophones = homophones
        self._text = article_text
        self._frequency = frequency
        # Terms by length and by the term with one position blanked: 桐?, ?庐 → 桐庐.
        self._by_key: dict[tuple[int, str], list[str]] = {}
        for term in sorted(set(terms), key=lambda t: (-len(t), t)):
            if len(term) < 2 or not _CJK.fullmatch(term):
                continue
            for i in range(len(term)):
                self._by_key.setdefault((i, term[:i] + "?" + term[i + 1 :]), []).append(term)
        self._lengths = sorted({len(key) for _, key in self._by_key}, reverse=True)

    def corrections(self, text: str, words: Iterable[tuple[int, int]] = ()) -> list[Correction]:
        """Misspelt article terms in ``text`` (normalised), longest first, not overlapping.

        ``words`` are the spans of dictionary words in ``text``: a stretch may hold them whole
        but never cut one.
        """
        found: list[Correction] = []
        taken = [False] * len(text)
        inside = [False] * (len(text) + 1)  # a word goes on across this position
        for start, end in words:
            inside[start + 1 : end] = [True] * (end - start - 1)
        for run in _CJK.finditer(text):
            for length in self._lengths:
                for start in range(run.start(), run.end() - length + 1):
                    if any(taken[start : start + length]):
                        continue
                    window = text[start : start + length]
                    term = self._term_for(window)
                    # Cutting a dictionary word needs more: a long term and a homophone (减负请单一共:
                    # 请 for 清, though 单一 is a word).
                    cuts = inside[start] or inside[start + length]
                    strong = length >= ANY_CHARACTER and term is not None and self._sounds_alike(window, term)
                    if term is not None and (not cuts or strong):
                        found.append(Correction(window, term, start))
                        taken[start : start + length] = [True] * length
        return sorted(found, key=lambda c: c.start)

    def correct(self, text: str, words: Iterable[tuple[int, int]] = ()) -> tuple[str, list[Correction]]:
        """``text`` with each misspelt term replaced by the article's, and what was replaced."""
        corrections = self.corrections(text, words)
        for correction in reversed(corrections):
            end = correction.start + len(correction.wrong)
            text = text[: correction.start] + correction.right + text[end:]
        return text, corrections

    def _sounds_alike(self, window: str, term: str) -> bool:
        """Whether the one character ``window`` has wrong sounds like the term's."""
        return all(w == t or w in self._homophones.get(t, "") for w, t in zip(window, term, strict=True))

    def _term_for(self, window: str) -> str | None:
        if window in self._text or (self._frequency(window) or 0) >= COMMON_WORD:
            return None
        for i, wrong in enumerate(window):
            for term in self._by_key.get((i, window[:i] + "?" + window[i + 1 :]), ()):
                right = term[i]
                if wrong == right or wrong in _NOT_TYPOS:
                    continue
                common = COMMON_TERM if self._text.count(term) < 2 else KEY_TERM
                if (self._frequency(term) or 0) >= common:
                    continue
                if wrong in self._homophones.get(right, "") or len(term) >= ANY_CHARACTER:
                    return term
        return None


class PinyinReader:
    """Article terms typed in pinyin (fang yi → 方毅, tonglu → 桐庐, jianfu → 减负)."""

    def __init__(
        self,
        table: Mapping[str, Sequence[str]],
        is_english: Callable[[str], bool],
        choose: Callable[[Sequence[str], bool], str | None],
    ) -> None:
        """Read with ``table``: toneless pinyin, syllables run together → the terms spelled so.

        ``is_english``: whether a word is one the English glossary or the stopwords know (never
        read as pinyin); ``choose``: which of several terms a spelling stands for, if any, told
        whether it was typed with a capital (Fang Yi is a name; fangyi may be 防疫).
        """
        self._table = table
        self._is_english = is_english
        self._choose = choose

    def read(self, text: str, capitalized: Collection[str] = ()) -> tuple[str, list[Correction]]:
        """``text`` (normalised, lower case) with each term typed in pinyin written in characters.

        ``capitalized``: the words the user typed with a capital letter, in lower case.
        """
        words = list(_PINYIN_WORD.finditer(text))
        found: list[Correction] = []
        i = 0
        while i < len(words):
            for size in range(min(PINYIN_WORDS, len(words) - i), 0, -1):
                run = words[i : i + size]
                if any(text[a.end() : b.start()].strip() for a, b in zip(run, run[1:], strict=False)):
                    continue  # the words must follow one another, blanks between at most
                terms = self._table.get("".join(w.group() for w in run))
                if not terms or (size == 1 and self._is_english(run[0].group())):
                    continue
                term = terms[0] if len(terms) == 1 else self._choose(terms, run[0].group() in capitalized)
                if term is not None:
                    found.append(Correction(text[run[0].start() : run[-1].end()], term, run[0].start()))
                    i += size
                    break
            else:
                i += 1
        for correction in reversed(found):
            end = correction.start + len(correction.wrong)
            text = text[: correction.start] + correction.right + text[end:]
        return text, found


def pinyin_table(terms: Iterable[str]) -> dict[str, list[str]]:
    """Each term's toneless pinyin, syllables run together (ü as v and as u) → the terms.

    From pypinyin, imported here only: this runs when the index is built.
    """
    from pypinyin import lazy_pinyin

    spelled: dict[str, set[str]] = {}
    for term in terms:
        syllables = lazy_pinyin(term)
        if len(syllables) != len(term) or not all(s.isascii() and s.isalpha() for s in syllables):
            continue
        key = "".join(syllables)
        for form in {key, key.replace("v", "u")}:
            spelled.setdefault(form, set()).add(term)
    return {key: sorted(found) for key, found in spelled.items()}


def homophone_table(characters: Iterable[str]) -> dict[str, str]:
    """Each character → every character sharing one of its toneless pinyin readings.

    From pypinyin's table of single characters (imported here only: this runs when the index
    is built).
    """
    from pypinyin.pinyin_dict import pinyin_dict

    readings = {chr(code): _toneless(value) for code, value in pinyin_dict.items()}
    by_reading: dict[str, list[str]] = {}
    for character, sounds in readings.items():
        for sound in sounds:
            by_reading.setdefault(sound, []).append(character)
    table: dict[str, str] = {}
    for character in set(characters):
        alike = {c for sound in readings.get(character, ()) for c in by_reading[sound]}
        table[character] = "".join(sorted(alike - {character}))
    return table


def _toneless(readings: str) -> frozenset[str]:
    """``"lú,lǘ"`` → ``{"lu", "lv"}``: pinyin readings without tone marks."""
    plain = unicodedata.normalize("NFD", readings.replace("ü", "v"))
    return frozenset("".join(c for c in plain if not unicodedata.combining(c)).split(","))
