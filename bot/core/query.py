"""Question → what to search for and what is asked.

A question becomes *concepts* — the content words the user wrote, each with the search terms
that satisfy it: the word itself, its parts, and the article's words for it (the curated
lexicon, the Cilin's synonyms, the English glossary) — and an *intent*: the kind of answer it
asks for (a person, a time, a place, a number in some unit, instances of a kind, a reason, a
definition, more detail, yes or no). Words that only frame a question (question words, filler
such as 来着 or 老是记不住, times such as 今年, role words such as 职务) describe the question,
not a topic, and never make it "not in the article".

Typos are read as the article's terms first (see :mod:`bot.core.spelling`), and the question
remembers what it read them as, so the reply can say so.

Retrieval ranks with the weighted terms; the verdict (see :mod:`bot.core.verdict`) judges from
the concepts and the intent whether the best passage answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from bot.core.lexicon import Lexicon
from bot.core.spelling import Correction, PinyinReader, Speller
from bot.core.thesaurus import PERSON, PLACE, TIME
from bot.core.tokenizer import Tokenizer, has_cjk

# How much an article term found through the lexicon counts, beside the user's own words.
SYNONYM_WEIGHT = 0.8
# …and one found only through the Cilin (a synonym of Chinese at large, less sure to fit).
THESAURUS_WEIGHT = 0.6
# A single character reaches the article's synonyms of it only if this specific (拖 does, 好 not).
SINGLE_BRIDGE = 0.6
# How much a part of a compound counts (清单 of 减负清单), beside the compound itself.
PART_WEIGHT = 0.5
# The label under which the article's date is indexed (see prebuilt.HEADER_LABELS).
DATE_TERM = "日期"

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[a-z]+(?:['’-][a-z]+)*|\d+(?:\.\d+)?")
_GOAL = re.compile(r"(?:目标|指标|任务)(?:值|数)?$")
_CAPITALIZED = re.compile(r"\b[A-Z][a-z]+")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff0-9]+")

_MEASURE = "个家条件天月日年人位项元亿万名批次倍所座台亩字类种"
_NUMBER_PATTERNS = (
    re.compile(
        rf"多少|(?<![这那哪])几[{_MEASURE}]|几大|几成|几倍|百分之|比例|占比|比重|份额|多大|多高|多长|多久|多重|多远|多快"
    ),
    re.compile(
        r"how (?:many|much|large|big|long|high|fast)|market share|market value"
        r"|what(?:'s|s)? (?:the )?(?:percentage|share|proportion|number|figure|amount)"
        r"|percent|\b(?:value|worth|amount|total)\b"
    ),
)
# Markers of "is there": 有没有补贴 asks whether the article has a 补贴.
_HAS = re.compile(r"有没有|是否有|有无|\bany\b|\bmention")
# Filler that sounds like a question word: 家人们谁懂啊, 谁知道, 有没有人知道.
_ANYONE = re.compile(r"(?:家人们)?谁懂啊?|有没有人知道|有谁知道|谁知道|有人知道吗?|anyone know")
# 会 as a noun: 这个会, 那场会, 开会, 的会 (not 会不会, 会上, 会议 itself).
_MEETING = re.compile(r"(?<=[个场次这那开的])会(?![议场上不见])")
# Clauses of a question, and the words that make a clause ask.
_CLAUSE = re.compile(r"[，,。.；;！!？?\n]+")
_ASKING = re.compile(
    r"谁|哪|什么|啥|多少|几|怎|如何|为何|吗|么$|呢|是否|有没有|是不是|能不能|会不会|多[大高长久重远快]"
    r"|\b(?:who|what|when|where|why|how|which|whose|is|are|was|were|do|does|did|can)\b"
)
# A quantity named by a word and a suffix: 复工率, 包裹量, 营业额.
_QUANTITY_SUFFIX = re.compile(r"[\u4e00-\u9fff]{2}[率量额值数]$")
# How big, how long…: 面积有多大 asks for the 面积.
_HOW_BIG = re.compile(r"多[大高长久重远快]")
# How long something lasted: 多长时间, 多久 (not when).
_DURATION = re.compile(r"多长时间|多久|多少天|几天|多少年|几年|多长|how long")
# How a number is asked: 第几批, 多少亿件, 几个.
_NUMBER_FRAME = re.compile(rf"第?(?:多少|(?<![这那哪])几)(?:个)?(?:[十百千万亿](?=[{_MEASURE}]))?[{_MEASURE}大钱]?份?")
_UNIT_AFTER = re.compile(rf"(?:多少|(?<![这那哪])几)(?:个)?(?:[十百千万亿](?=[{_MEASURE}]))?([{_MEASURE}钱大])")
# 增长多少 asks for a rate of growth.
_GROWTH = re.compile(r"(?:增长|增加|提高|涨|增幅|增速)(?:了|要|率)?(?:多少|几成)|(?:增幅|增速|增长率)")
_PERCENT = re.compile(r"百分之|比例|占比|比重|份额|percent|share|proportion|几成")
_WHEN = re.compile(
    r"什么时候|啥时候|啥时|哪天|哪一天|何时|几月|几号|几日|什么日子|哪年|哪一年|日期|什么时间|多会儿"
    r"|时间[?？。!！\s]*$|\bwhen\b|what (?:date|day|time|year|month)"
)
_WHO = re.compile(
    r"(?<![给为替帮对向跟和与])谁|哪位|什么人|哪个人|哪些人|啥人|名字|姓名|叫啥|叫什么|\bwho\b|\bwhom\b|\bwhose\b"
)
# …of people as a kind (哪些人: 好干部 answers), not one person (谁: a name answers).
_WHO_KIND = re.compile(r"什么人|哪些人|啥人|什么样的人|哪类人")
# Where: not 难在哪 or 问题在哪, which ask what, not where.
_WHERE = re.compile(
    r"哪里|哪儿|哪些地方|哪个地方|(?<![难好错妙])(?<!问题|区别|意义|关键|差距|不同|原因|特点|亮点|难点)在哪|何地|何处|什么地方|啥地方|哪个地方|地点"
    r"|\bwhere\b"
)
# A superlative or comparative asks for a comparison the article must make: 哪家最大, 哪个更多.
_SUPERLATIVE = re.compile(
    r"最(?:大|多|少|高|低|好|早|晚|快|强|重要|厉害|牛)|更(?:多|大|少|高|低|重要|厉害)|比(?:上一?年|去年|往年|以前|过去)"
    r"|\b(?:biggest|largest|most|least|best|more|bigger|larger)\b"
)
# Why: a reason is asked for (not 称为什么, "called what"); what for: a purpose.
_WHY = re.compile(r"(?<![称成作认以视])为什么|为何|为啥|怎么会|原因|\bwhy\b|how come")
_PURPOSE = re.compile(
    r"干嘛|干啥|图什么|图啥|图的是|目的|为了什么|为的是什么|用意|想干什么|要干什么|想达到|what for|\bpurpose\b|\baim\b"
)
_HOW = re.compile(r"怎么|怎样|如何|咋|\bhow\b(?! (?:many|much|large|big|long|high|fast))")
# How things turned out after what a report tells (its plans' results): 效果, 最后都…了吗, 运营后.
_OUTCOME = re.compile(
    r"效果|成效|最后都|最终都|(?:最后|最终).{0,10}了[吗没]|(?:现在|目前)已经|已经有|开完.{0,6}后"
    r"|(?:运营|执行|实施|落实)后"
    r"|\b(?:so far|turned out|outcome|results?|afterwards?)\b"
)
# A time before the report: 去年 (the article's figures are this year's targets), 之前.
_PAST = re.compile(r"去年|前年|上一年|往年|(?<!疫情)之前|(?<!疫情)以前|曾经|\blast year\b|\bbefore\b")
_DETAIL = re.compile(r"具体|详细|细节|明细|\bspecific(?:ally)?\b|\bexactly\b|\bin detail\b")
_PLURAL_WHICH = re.compile(r"哪(?:些|几)")
# The question word of a "which" (哪几场 of 哪几场仗; not the 六大 of 哪六大攻坚战, the article's).
_WHICH_WORD = re.compile(
    r"哪(?:(?:些|几|一)(?:个|位|家|项|条|种|类|场|座|所|批)?|(?:个|位|家|项|条|种|类|场|座|所|批))"
)
# "Which X": 哪些攻坚战, 哪几个镇, 哪六大攻坚战, 哪个领导; X is the noun that follows.
_WHICH = re.compile(r"哪(?:些|几|一)?[一二三四五六七八九十两几]*(?:个|位|家|项|条|种|类|场|座|所|批|大)?")
_YES_NO = re.compile(
    r"[吗嘛么](?=[?？。!！，,\s]|$)|是不是|有没有|是否|能不能|会不会|算不算|对不对|了没|没有?[?？]?$"
    r"|^(?:is|are|was|were|does|do|did|has|have|can|will)\b"
)
# "What does X mean": X是什么意思, X指什么, 什么是X, or X是什么 where X is one term (not the
# 目标 of 自营出口: 自营出口的目标是什么 asks for a thing the article may state).
_DEFINITION = re.compile(
    r"什么意思|啥意思|指什么|指的是|是指|含义|什么叫|何为|何谓|^什么是|^[^的]{1,12}(?:是什么|是啥|是个啥)[?？。!！]*$"
    r"|\bmean\b|\bmeans\b|\bmeaning\b|refer to|refers to|stand for|stands for|what is meant"
)
# Kinds named after "which" that say nothing about what would answer (哪些内容, 哪方面).
_GENERIC_KINDS = frozenset(
    "内容 方面 东西 事 事情 事儿 问题 情况 措施 办法 做法 地方 部分 样 些 点 种 类 个 位 家 回事 意思"
    " 态度 作用 目的 目标 意义 原因 理由 结果 影响 特点 要求 任务 工作 信号 决心 好处 关系".split()
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


class Slot(StrEnum):
    """The kind of thing a question asks for."""

    WHAT = "what"  # anything the passage says about it
    WHO = "who"
    WHEN = "when"
    WHERE = "where"
    NUMBER = "number"
    WHICH = "which"  # instances of a kind: 哪些攻坚战
    WHY = "why"
    PURPOSE = "purpose"  # what for: 想干嘛, 目的
    HOW = "how"
    DEFINITION = "definition"
    YES_NO = "yes_no"


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
    kind: str | None = None  # person, time or place (the Cilin's class), if the word names one


@dataclass(frozen=True)
class Intent:
    """What kind of answer the question asks for."""

    slot: Slot = Slot.WHAT
    number: bool = False  # a number (or a date) is asked for
    unit: str | None = None  # 件, 天, 条, 人, 家, 个, 亿, %, 钱, "date", "ordinal", or None: any
    which: str | None = None  # for WHICH: the kind whose instances are asked for (攻坚战)
    detail: bool = False  # 具体, 详细: more than a mention is asked for
    yes_no: bool = False
    kind_of_person: bool = False  # WHO asks for a kind of people (哪些人), not one person's name
    kind_word: str | None = None  # the person, place or time word after 哪 (领导, 镇): the slot's kind
    superlative: str = ""  # 最大, 更多, most: the comparison asked for, if any
    outcome: bool = False  # 效果怎么样, 最后都打赢了吗: how a plan turned out, after the report
    past: bool = False  # 去年, 之前: a time before the report, which its plans do not tell

    @property
    def when(self) -> bool:
        """A time is asked for."""
        return self.slot is Slot.WHEN

    @property
    def who(self) -> bool:
        """A person is asked for."""
        return self.slot is Slot.WHO

    @property
    def definition(self) -> bool:
        """The meaning of a term is asked for."""
        return self.slot is Slot.DEFINITION


@dataclass(frozen=True)
class Query:
    """An analysed question."""

    text: str
    normalized: str
    english: bool
    terms: tuple[tuple[str, float], ...]
    concepts: tuple[Concept, ...]
    intent: Intent = field(default_factory=Intent)
    corrections: tuple[Correction, ...] = ()
    measured: str | None = None  # for a number: the noun it counts (总投资 of 总投资多少钱)
    # The words of the clause that asks (not the context a user gives around it): an unknown word
    # there is what the article may lack, one elsewhere only says where the user heard of it.
    focus: frozenset[str] = frozenset()
    # For "有没有 X", "是否 X": the words after the marker, what the question asks is there.
    asked_for: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        """No letter or digit at all: not a question (emoji, punctuation, blanks)."""
        return not any(c.isalnum() for c in self.normalized)


class QueryAnalyzer:
    """Turns questions into :class:`Query` values with the tokenizer and the lexicon."""

    def __init__(
        self,
        tokenizer: Tokenizer,
        lexicon: Lexicon,
        vocabulary: Mapping[str, float],
        *,
        speller: Speller | None = None,
        bridge: Mapping[str, tuple[str, ...]] | None = None,
        kinds: Mapping[str, str] | None = None,
        pinyin: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """Index the lexicon for fast lookup; ``vocabulary`` maps every indexed term to its idf.

        ``speller`` reads typos as article terms, ``pinyin`` (spelling → terms) terms typed in
        pinyin; ``bridge`` maps words of Chinese at large to
        the article's synonyms of them; ``kinds`` tells person, time and place words (both
        from :mod:`bot.core.thesaurus`).
        """
        self.tokenizer = tokenizer
        self.vocabulary = vocabulary
        self.speller = speller
        self.bridge = bridge or {}
        self.kinds = kinds or {}
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
        self._pinyin = PinyinReader(pinyin or {}, self._is_english_word, self._pinyin_choice)
        # Cantonese words as Mandarin ones (而家 → 现在), longest first, before anything else.
        self._mandarin = dict(lexicon.dialect)
        keys = sorted(self._mandarin, key=len, reverse=True)
        self._dialect = re.compile("|".join(map(re.escape, keys))) if keys else re.compile("(?!)")

    def is_alias(self, word: str) -> bool:
        """Whether the curated lexicon gives the article's words for ``word``."""
        return word in self._aliases

    def analyze(self, text: str) -> Query:
        """Analyse one question."""
        normalized = self.tokenizer.normalize(
            self._dialect.sub(lambda m: self._mandarin[m.group()], text) if self._mandarin else text
        )
        english = _is_english(normalized)
        corrections: list[Correction] = []
        if self.speller is not None:
            normalized, corrections = self.speller.correct(normalized, self.tokenizer.dictionary_words(normalized))
        normalized, typed = self._pinyin.read(normalized, {w.lower() for w in _CAPITALIZED.findall(text)})
        corrections.extend(typed)
        # "家人们谁懂啊" asks nobody who: the question is what follows.
        normalized = _ANYONE.sub(" ", normalized)
        intent = self._intent(normalized)
        # How a number is asked (第几批, 多少亿件) and the kind a "who"/"where" names (哪个领导,
        # 哪几个镇) say what is asked, not what about.
        asked = _WHICH_WORD.sub(" ", _NUMBER_FRAME.sub(" ", normalized))
        asked = self._frames.sub(" ", asked) if self._frames else asked
        chinese = " ".join(_CJK_RUN.findall(asked))
        extra: dict[str, float] = {}
        concepts = [c for c in self._chinese_concepts(chinese, extra) if c.text != intent.kind_word]
        # Latin words go through the glossary, in English questions and mixed ones alike.
        concepts.extend(self._english_concepts(normalized))
        if intent.slot is Slot.WHEN and not any(c.known for c in concepts):
            # "When was it published?" has nothing to look for but the date itself.
            concepts.append(self._concept(DATE_TERM, {DATE_TERM}, {DATE_TERM}, True, frozenset()))
        terms: dict[str, float] = {}
        for concept in concepts:
            # A word common in Chinese at large (会上, 说) ranks less than a specific one (周海静).
            specific = self.tokenizer.specificity(concept.text) if has_cjk(concept.text) else 1.0
            for token in concept.terms:
                if token == concept.text:
                    weight = 1.0
                elif token in concept.parts:
                    # The parts of a compound (减负, 清单 of 减负清单) count less than the whole,
                    # or a passage that repeats one part outranks one that names the thing.
                    weight = PART_WEIGHT
                elif token in self._lexicon_terms(concept):
                    weight = SYNONYM_WEIGHT
                else:
                    weight = THESAURUS_WEIGHT
                terms[token] = max(weight * specific, terms.get(token, 0.0))
        for token, weight in extra.items():
            terms.setdefault(token, weight)
        return Query(
            text=text,
            normalized=normalized,
            english=english,
            terms=tuple(terms.items()),
            concepts=tuple(concepts),
            intent=intent,
            corrections=tuple(corrections),
            measured=_measured(normalized, [c for c in concepts if self._names_thing(c.text)])
            if intent.number
            else None,
            focus=_focus(normalized, concepts),
            asked_for=_asked_for(normalized, concepts),
        )

    # --- concepts ----------------------------------------------------------------------------

    def _tokens_of(self, term: str) -> frozenset[str]:
        cached = self._term_tokens.get(term)
        if cached is None:
            cached = frozenset(self.tokenizer.tokens(term))
            self._term_tokens[term] = cached
        return cached

    def _lexicon_terms(self, concept: Concept) -> frozenset[str]:
        return concept.terms - concept.parts

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

    def _concept(
        self, text: str, terms: set[str], anchors: set[str], noun: bool, parts: frozenset[str], kind: str | None = None
    ) -> Concept:
        return Concept(
            text,
            frozenset(terms),
            known=any(a in self.vocabulary for a in anchors),
            noun=noun,
            parts=parts,
            anchors=frozenset(anchors),
            kind=kind,
        )

    def _chinese_concepts(self, normalized: str, extra: dict[str, float]) -> Iterable[Concept]:
        """Concepts of the Chinese words; lexicon terms that belong to no word go to ``extra``."""
        words = list(dict.fromkeys(self._unprefixed(w) for w in self.tokenizer.words(normalized)))
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
                # phrase around it says what it means; the article's other words for it still
                # count as finding it (疫情 in 战疫's paragraph).
                if not known[word] or len(alias) > len(word):
                    terms[word] |= tokens
                anchors[word] |= rarest
            if not linked:
                for token in tokens:
                    extra[token] = SYNONYM_WEIGHT
        for word in words:
            if not known[word]:
                # A word of Chinese at large reaches the article's synonyms of it (病人 → 患者);
                # a common single character (好, 业) only a synonym that holds it (镇 → 乡镇).
                single_ok = len(word) > 1 or self.tokenizer.specificity(word) >= SINGLE_BRIDGE
                synonyms = [
                    t
                    for t in self.bridge.get(word, ())
                    if len(t) > 1 and (single_ok or word in t) and self._tokens_of(t) & self.vocabulary.keys()
                ]
                if synonyms:
                    tokens, rarest = self._expand(synonyms)
                    terms[word] |= tokens
                    anchors[word] |= rarest
            yield self._concept(
                word, terms[word], anchors[word], self.tokenizer.is_noun(word), parts[word], self.kinds.get(word)
            )

    def _unprefixed(self, word: str) -> str:
        """A word jieba keeps whole with a function word in front (要涨, 会涨) read without it.

        Only when the rest is a word the article or the lexicon knows and the whole is not.
        """
        rest = word[1:]
        if len(word) != 2 or word[0] not in self.tokenizer.stopwords or self._is_term(word):
            return word
        return rest if self._is_term(rest) else word

    def _is_term(self, word: str) -> bool:
        return word in self.vocabulary or word in self._aliases

    def _english_concepts(self, normalized: str) -> Iterable[Concept]:
        words = _LATIN_WORD.findall(normalized.replace("’", "'"))
        i = 0
        while i < len(words):
            match = None if words[i] in self.tokenizer.stopwords else self._english_match(words, i)
            if match is not None:
                size, article_terms = match
                tokens, rarest = self._expand(article_terms)
                yield self._concept(" ".join(words[i : i + size]), tokens, rarest, True, frozenset())
                i += size
                continue
            word = words[i]
            if word not in self.tokenizer.stopwords and len(word) > 2 and not word.isdigit():
                yield self._concept(word, {word}, {word}, True, frozenset({word}))
            i += 1

    def _pinyin_choice(self, terms: Sequence[str], capitalized: bool) -> str | None:
        """Of terms spelled alike in pinyin: a name when typed with a capital, else the commonest.

        Fang Yi is 方毅; fangyi is whichever of 方毅 and 防疫 the article uses in more passages.
        """
        if capitalized:
            names = [t for t in terms if (self.tokenizer.tag(t) or "").startswith("nr")]
            if len(names) == 1:
                return names[0]
        uses = sorted((self.vocabulary.get(t, 0.0), t) for t in terms if t in self.vocabulary)
        return uses[0][1] if uses else None

    def _is_english_word(self, word: str) -> bool:
        """Whether the glossary or the stopwords know ``word`` (so it is English, not pinyin)."""
        return word in self.tokenizer.stopwords or any(f in self._english for f in _forms(word))

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

    # --- intent ------------------------------------------------------------------------------

    def _intent(self, normalized: str) -> Intent:
        """The slot a question asks to fill, by its question words (first match wins)."""
        which = self._which(normalized)
        kind = self.kinds.get(which or "")
        if kind == PLACE and _PLURAL_WHICH.search(normalized):
            kind = None  # 哪几个镇 asks which towns (a list), not where something is
        number = any(p.search(normalized) for p in _NUMBER_PATTERNS)
        if (_WHEN.search(normalized) and not _DURATION.search(normalized)) or kind == TIME:
            slot = Slot.WHEN
        elif _WHO.search(normalized) or kind == PERSON:
            slot = Slot.WHO
        elif _WHERE.search(normalized) or kind == PLACE:
            slot = Slot.WHERE
        elif number:
            slot = Slot.NUMBER
        elif _DEFINITION.search(normalized):
            slot = Slot.DEFINITION
        elif which is not None:
            slot = Slot.WHICH
        elif _WHY.search(normalized):
            slot = Slot.WHY
        elif _PURPOSE.search(normalized):
            slot = Slot.PURPOSE
        elif _HOW.search(normalized):
            slot = Slot.HOW
        elif _YES_NO.search(normalized):
            slot = Slot.YES_NO
        else:
            slot = Slot.WHAT
        number = number or slot is Slot.WHEN
        return Intent(
            slot=slot,
            number=number,
            unit=self._unit(normalized) if number else None,
            which=which if slot is Slot.WHICH else None,
            detail=bool(_DETAIL.search(normalized)),
            outcome=bool(_OUTCOME.search(normalized)),
            past=bool(_PAST.search(normalized)),
            yes_no=bool(_YES_NO.search(normalized)) and slot in (Slot.YES_NO, Slot.WHAT),
            kind_of_person=slot is Slot.WHO and (bool(_WHO_KIND.search(normalized)) or kind == PERSON),
            kind_word=which if kind else None,
            superlative=next(
                (
                    m.group()
                    for m in _SUPERLATIVE.finditer(normalized)
                    # "最早什么时候开": when it was first planned, which any date of it answers.
                    if not (slot is Slot.WHEN and m.group() in ("最早", "最晚"))
                ),
                "",
            ),
        )

    def _names_thing(self, word: str) -> bool:
        """Not a verb, a numeral or a function word (从业人员 and 投资 name things; 落户 and 一年 do not)."""
        tag = self.tokenizer.tag(word)
        return tag is None or tag == "vn" or not tag.startswith(("v", "d", "a", "p", "c", "u", "r", "m", "q"))

    def _unit(self, normalized: str) -> str | None:
        """The unit asked in; 多少员工 asks in people (a person word after 多少)."""
        unit = _unit(normalized)
        if unit is None and (after := re.search(r"多少([\u4e00-\u9fff]{1,4})", normalized)):
            words = self.tokenizer.words(after.group(1))
            if words and self.kinds.get(words[0]) == PERSON:
                return "人"
        return unit

    def _which(self, normalized: str) -> str | None:
        """The kind named after 哪些 / 哪个 / 哪六大 (攻坚战, 镇, 领导), if a noun names one."""
        found = _WHICH.search(normalized)
        if found is None:
            return None
        rest = re.match(r"[\u4e00-\u9fff]*", normalized[found.end() :])
        words = self.tokenizer.words(rest.group()[:8] if rest else "")
        if not words:
            return None
        kind = words[0]
        if kind in _GENERIC_KINDS or not self.tokenizer.is_noun(kind) or not has_cjk(kind):
            return None
        return kind


def _measured(normalized: str, concepts: Iterable[Concept]) -> str | None:
    """What a number question counts.

    The noun after 几位 / 多少个 (几位确诊病例), else the one right before 多少 (总投资多少钱,
    面积有多大).
    """
    frame = _NUMBER_FRAME.search(normalized) or _HOW_BIG.search(normalized)
    if frame is None:
        return None
    nouns = [c.text for c in concepts if has_cjk(c.text) and len(c.text) > 1]
    after = normalized[frame.end() :].lstrip()
    # 多少个村: a single character right after a count of things is what it counts too.
    if frame.group().endswith(tuple("个家位名条项所座只件户")):
        nouns += [c.text for c in concepts if len(c.text) == 1 and has_cjk(c.text) and after.startswith(c.text)]
    before = normalized[: frame.start()].rstrip("有是为要达共一总计的 ")
    # A target counts what it is a target of: 技改投资增长目标是多少 asks the growth's figure.
    before = _GOAL.sub("", before).rstrip("的 ")
    nouns = [n for n in nouns if not n.startswith(("没", "不", "未"))]  # 多久没冒出: no thing counted
    found = [n for n in nouns if after.startswith(n)] or [n for n in nouns if before.endswith(n)]
    if not found and (suffix := _QUANTITY_SUFFIX.search(before)):
        # 复工率多少: the quantity is the word and its suffix together (复工率), which the
        # article may not have even where it has the word.
        return suffix.group()
    return max(found, key=len) if found else None


def _focus(normalized: str, concepts: Iterable[Concept]) -> frozenset[str]:
    """The concepts of the clauses that ask (with a question word or 吗), or all when none does."""
    clauses = [c for c in _CLAUSE.split(normalized) if c.strip()]
    asking = [c for c in clauses if _ASKING.search(c)] or clauses
    return frozenset(c.text for c in concepts if any(c.text in clause for clause in asking))


def _asked_for(normalized: str, concepts: Iterable[Concept]) -> frozenset[str]:
    """The concepts after 有没有 / 是否 / 有无: what a yes/no question asks the article to have."""
    marker = _HAS.search(normalized)
    if marker is None:
        return frozenset()
    rest = normalized[marker.end() :]
    return frozenset(c.text for c in concepts if c.text in rest)


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


def _unit(normalized: str) -> str | None:
    """The unit a number question asks in: 件, 天, %, "date", "duration", "ordinal", … or None."""
    if _DURATION.search(normalized):
        return "duration"
    if _WHEN.search(normalized):
        return "date"
    if "第几" in normalized or re.search(r"\bwhich (?:number|place)\b", normalized):
        return "ordinal"
    if _PERCENT.search(normalized) or _GROWTH.search(normalized):
        return "%"
    counted = re.search(r"\bhow many ([a-z]+)|(?:多少|几个?)\s*([a-z]+)", normalized)
    if counted and (english := _ENGLISH_UNITS.get(counted.group(1) or counted.group(2))):
        return english
    if found := _UNIT_AFTER.findall(normalized):
        return str(found[-1])  # the last: 这几家…送多少件 asks in 件
    return None
