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

The homophones come from pypinyin, read once when the index is built (see
:mod:`bot.core.prebuilt`) and saved with it: answering never imports pypinyin.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
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
# Numerals, question words and function words are what the user means, never a slip (几大攻坚战
# is no 六大攻坚战, 桐庐给 no 桐庐籍).
_NOT_TYPOS = frozenset("几多少哪谁啥什么怎咋一二三四五六七八九十百千万亿两的了是在和与把被给")


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
                    if any(taken[start : start + length]) or inside[start] or inside[start + length]:
                        continue
                    window = text[start : start + length]
                    term = self._term_for(window)
                    if term is not None:
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
