"""Question → what to search for and what is asked.

A question becomes *concepts* (the content words the user wrote, each with the search terms
that satisfy it: the word itself, its parts, and the article's terms for it from the
lexicon) and an *intent* (is a number asked for, in which unit; a date; a person; the meaning
of a term). Retrieval ranks with the weighted terms; answering judges from the concepts
whether the article answers at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.core.lexicon import Lexicon
from bot.core.tokenizer import Tokenizer

# How much an article term found through the lexicon counts, beside the user's own words.
SYNONYM_WEIGHT = 0.8
# The label under which the article's date is indexed (see prebuilt.HEADER_LABELS).
DATE_TERM = "日期"

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[a-z]+(?:['’-][a-z]+)*|\d+(?:\.\d+)?")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff0-9]+")

_MEASURE = "个家条件天月日年人位项元亿万名批次倍所座台亩字"
_NUMBER_PATTERNS = (
    re.compile(rf"多少|(?<![这那哪])几[{_MEASURE}]|几大|几成|百分之|比例|占比|比重|份额|多大|多高|多长|多久|多重"),
    re.compile(
        r"how (?:many|much|large|big|long|high)|what (?:percentage|share|proportion|number|figure|amount)"
        r"|percent|\b(?:value|worth|amount|total)\b"
    ),
)
_UNIT_AFTER = re.compile(rf"(?:多少|(?<![这那哪])几)(?:个)?([{_MEASURE}钱])")
_PERCENT = re.compile(r"百分之|比例|占比|比重|份额|percent|share|proportion|几成")
_WHEN = re.compile(
    r"什么时候|哪天|哪一天|何时|几月|几号|几日|什么日子|哪年|日期|什么时间|when\b|what (?:date|day|time|year|month)"
)
_WHO = re.compile(r"谁|哪位|什么人|哪个人|名字|姓名|\bwho\b|\bwhom\b|\bwhose\b")
# "What does X mean": X是什么意思, X指什么, 什么是X, or X是什么 where X is one term (not the
# 目标 of 自营出口: 自营出口的目标是什么 asks for a thing the article may state).
_DEFINITION = re.compile(
    r"什么意思|啥意思|指什么|指的是|是指|含义|什么叫|何为|何谓|^什么是|^[^的]{1,12}(?:是什么|是啥)[?？。!！]*$"
    r"|\bmean\b|\bmeans\b|\bmeaning\b|refer to|refers to|stand for|stands for|what is meant"
)
_ENGLISH_UNITS = {
    "day": "天",
    "days": "天",
    "item": "条",
    "items": "条",
    "people": "人",
    "person": "人",
    "employees": "人",
    "workers": "人",
    "companies": "家",
    "enterprises": "家",
    "firms": "家",
    "projects": "个",
    "parcels": "件",
    "packages": "件",
    "yuan": "元",
}


@dataclass(frozen=True)
class Concept:
    """A content word of the question and the search terms that count as finding it.

    ``known``: the article uses the word, or a term the lexicon gives for it. ``noun``: the
    word names a thing (jieba's dictionary tags it a noun, or no dictionary has it); an
    unknown noun is what off-topic questions are made of (天气, 面积, 创始人).
    """

    text: str
    terms: frozenset[str]
    known: bool = True
    noun: bool = False
    parts: frozenset[str] = frozenset()  # the search terms of the word itself
    # What shows a passage has it: the word's own parts, and of each article term the
    # lexicon gives for it the rarest token (制笔之乡, not 之乡 or 中国).
    anchors: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Intent:
    """What kind of answer the question asks for."""

    number: bool = False
    unit: str | None = None  # 件, 天, 条, 人, 家, 个, 亿, %, 钱 or "date"
    when: bool = False
    who: bool = False
    definition: bool = False


@dataclass(frozen=True)
class Query:
    """An analysed question."""

    text: str
    normalized: str
    english: bool
    terms: tuple[tuple[str, float], ...]
    concepts: tuple[Concept, ...]
    intent: Intent = field(default_factory=Intent)

    @property
    def empty(self) -> bool:
        """No letter or digit at all: not a question (emoji, punctuation, blanks)."""
        return not any(c.isalnum() for c in self.normalized)


class QueryAnalyzer:
    """Turns questions into :class:`Query` values with the tokenizer and the lexicon."""

    def __init__(self, tokenizer: Tokenizer, lexicon: Lexicon, vocabulary: Mapping[str, float]) -> None:
        """Index the lexicon for fast lookup; ``vocabulary`` maps every indexed term to its idf."""
        self.tokenizer = tokenizer
        self.vocabulary = vocabulary
        normalize = tokenizer.normalize
        self._aliases = {normalize(a): terms for a, terms in lexicon.synonyms.items()}
        self._long_aliases = [a for a in self._aliases if len(a) > 1]
        frames = sorted({normalize(f) for f in lexicon.question_frames}, key=len, reverse=True)
        self._frames = re.compile("|".join(map(re.escape, frames))) if frames else None
        # English keys indexed by their first word: first word → [(words, terms)], longest first.
        self._english: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        for key, terms in sorted(lexicon.english.items(), key=lambda kv: -len(kv[0].split())):
            words = tuple(key.split())
            self._english.setdefault(words[0], []).append((words, terms))
        self._term_tokens: dict[str, frozenset[str]] = {}

    def analyze(self, text: str) -> Query:
        """Analyse one question."""
        normalized = self.tokenizer.normalize(text)
        english = _is_english(normalized)
        chinese = " ".join(_CJK_RUN.findall(normalized)) if english else normalized
        extra: dict[str, float] = {}
        concepts = list(self._chinese_concepts(chinese, extra))
        if english:
            concepts.extend(self._english_concepts(normalized))
        intent = _intent(normalized)
        if intent.when and not any(c.known for c in concepts):
            # "When was it published?" has nothing to look for but the date itself.
            concepts.append(self._concept(DATE_TERM, {DATE_TERM}, {DATE_TERM}, True, frozenset()))
        terms: dict[str, float] = {}
        for concept in concepts:
            for token in concept.terms:
                weight = 1.0 if token in concept.parts or token == concept.text else SYNONYM_WEIGHT
                terms[token] = max(weight, terms.get(token, 0.0))
        for token, weight in extra.items():
            terms.setdefault(token, weight)
        return Query(
            text=text,
            normalized=normalized,
            english=english,
            terms=tuple(terms.items()),
            concepts=tuple(concepts),
            intent=intent,
        )

    def _tokens_of(self, term: str) -> frozenset[str]:
        cached = self._term_tokens.get(term)
        if cached is None:
            cached = frozenset(self.tokenizer.tokens(term))
            self._term_tokens[term] = cached
        return cached

    def _expand(self, article_terms: Iterable[str]) -> tuple[set[str], set[str]]:
        """Search tokens of article terms, and of each its rarest indexed token (its anchor)."""
        tokens: set[str] = set()
        anchors: set[str] = set()
        for term in article_terms:
            found = self._tokens_of(term)
            tokens |= found
            indexed = [t for t in found if t in self.vocabulary]
            if indexed:
                anchors.add(max(indexed, key=lambda t: (self.vocabulary[t], len(t))))
        return tokens, anchors

    def _concept(self, text: str, terms: set[str], anchors: set[str], noun: bool, parts: frozenset[str]) -> Concept:
        return Concept(
            text,
            frozenset(terms),
            known=any(a in self.vocabulary for a in anchors),
            noun=noun,
            parts=parts,
            anchors=frozenset(anchors),
        )

    def _chinese_concepts(self, normalized: str, extra: dict[str, float]) -> Iterable[Concept]:
        """Concepts of the Chinese words; lexicon terms that belong to no word go to ``extra``."""
        stripped = self._frames.sub(" ", normalized) if self._frames else normalized
        words = list(dict.fromkeys(self.tokenizer.words(stripped)))
        parts = {w: frozenset(set(self.tokenizer.cut(w)) - self.tokenizer.stopwords or {w}) for w in words}
        known = {w: any(p in self.vocabulary for p in parts[w]) for w in words}
        terms: dict[str, set[str]] = {w: set(parts[w]) for w in words}
        anchors: dict[str, set[str]] = {w: set(parts[w]) for w in words}
        matched = [a for a in self._long_aliases if a in normalized]
        matched.extend(w for w in words if len(w) == 1 and w in self._aliases)
        for alias in matched:
            tokens, rarest = self._expand(self._aliases[alias])
            linked = [w for w in words if alias in w or w in alias]
            for word in linked:
                # A word the article uses stands for itself in the search, unless a longer
                # phrase around it (送多少件 around 件) says what it means; the article's
                # other words for it still count as finding it (疫情 in 战疫's paragraph).
                if not known[word] or len(alias) > len(word):
                    terms[word] |= tokens
                anchors[word] |= rarest
            if not linked:
                for token in tokens:
                    extra[token] = SYNONYM_WEIGHT
        for word in words:
            yield self._concept(word, terms[word], anchors[word], self.tokenizer.is_noun(word), parts[word])

    def _english_concepts(self, normalized: str) -> Iterable[Concept]:
        words = _LATIN_WORD.findall(normalized.replace("’", "'"))
        i = 0
        while i < len(words):
            match = self._english_match(words, i)
            if match is not None:
                size, article_terms = match
                tokens, rarest = self._expand(article_terms)
                yield self._concept(" ".join(words[i : i + size]), tokens, rarest, True, frozenset())
                i += size
                continue
            word = words[i]
            if word not in self.tokenizer.stopwords and len(word) > 2:
                yield self._concept(word, {word}, {word}, True, frozenset({word}))
            i += 1

    def _english_match(self, words: list[str], start: int) -> tuple[int, tuple[str, ...]] | None:
        for form in _forms(words[start]):
            for key_words, terms in self._english.get(form, ()):
                size = len(key_words)
                if start + size > len(words):
                    continue
                following = words[start + 1 : start + size]
                if all(k in _forms(w) for k, w in zip(key_words[1:], following, strict=True)):
                    return size, terms
        return None


def has_cjk(text: str) -> bool:
    """Whether ``text`` has a Chinese character."""
    return bool(_CJK.search(text))


def _is_english(normalized: str) -> bool:
    """Mostly Latin letters, or letters of any script but no Chinese: answered in English."""
    cjk = len(_CJK.findall(normalized))
    latin = sum(1 for c in normalized if "a" <= c <= "z")
    if not cjk:
        return any(c.isalpha() for c in normalized)
    return latin > 2 * cjk and latin >= 3


def _forms(word: str) -> tuple[str, ...]:
    """The word and the forms it may be an inflection of (plural, past, -ing)."""
    forms = [word]
    if word.endswith("'s"):
        word = word[:-2]
        forms.append(word)
    if word.endswith("ies"):
        forms.append(word[:-3] + "y")
    if word.endswith("es"):
        forms.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss"):
        forms.append(word[:-1])
    if word.endswith("ed"):
        forms.extend((word[:-2], word[:-1]))
    if word.endswith("ing"):
        forms.extend((word[:-3], word[:-3] + "e"))
    if word.endswith("ly"):
        forms.append(word[:-2])
    return tuple(forms)


def _intent(normalized: str) -> Intent:
    when = bool(_WHEN.search(normalized))
    number = when or any(p.search(normalized) for p in _NUMBER_PATTERNS)
    return Intent(
        number=number,
        unit=_unit(normalized) if number else None,
        when=when,
        who=bool(_WHO.search(normalized)),
        definition=bool(_DEFINITION.search(normalized)),
    )


def _unit(normalized: str) -> str | None:
    """The unit a number question asks in: 件, 天, %, "date", "ordinal", … or None."""
    if _WHEN.search(normalized):
        return "date"
    if "第几" in normalized or re.search(r"\bwhich (?:number|place)\b", normalized):
        return "ordinal"
    if _PERCENT.search(normalized):
        return "%"
    if found := _UNIT_AFTER.findall(normalized):
        return str(found[-1])  # the last: 这几家…送多少件 asks in 件
    counted = re.search(r"\bhow many ([a-z]+)", normalized)
    return _ENGLISH_UNITS.get(counted.group(1)) if counted else None
