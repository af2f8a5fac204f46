"""Question → Answer: ranked passages, the sentence that answers, its figures, and the verdict.

Pure and synchronous, with no Telegram in it: the CLI, the bot and the tests share one
:class:`Answerer`. Ranking is BM25 (see retrieval), reordered by how much of the question each
passage covers. The verdict is made apart from the score, from evidence gathered here and
judged in one place (:func:`bot.core.verdict.decide`):

- *coverage*: how much of what the user asked about the best passage holds (its own words or
  the article's terms for them), and whether it holds the question's main topic;
- *unknown words*: nouns that appear nowhere in the article, not even through the lexicon, the
  Cilin or the spelling check: evidence that the question is about something the article lacks;
- *the slot*: whether the passage holds the kind of thing asked for — a person's name for
  "who", a time for "when", a place for "where", a figure in the unit asked, instances of the
  kind asked for "which", an explanation for "what does X mean" or "X in detail".
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.core.figures import Figure, extract
from bot.core.knowledge import Knowledge, Passage
from bot.core.lexicon import Lexicon
from bot.core.prebuilt import Language, Prepared, prepare
from bot.core.query import DATE_TERM, Concept, Query, QueryAnalyzer, Slot
from bot.core.retrieval import BM25Index, Hit
from bot.core.spelling import Speller
from bot.core.thesaurus import PERSON, PLACE
from bot.core.tokenizer import Tokenizer, has_cjk
from bot.core.verdict import DEFAULT, Evidence, Reason, Thresholds, Verdict, decide

TOP_K = 5
# Questions longer than this are not answered, nor read: a question, not a document. It is
# the most Telegram allows an inline query; the longest of our 620 blind questions has 114
# characters. Reading 256 characters of the article's own text (the densest in its terms)
# takes about 20 ms: no message holds the event loop longer (see benchmarks/bench.py).
MAX_QUESTION = 256
# Reranking: BM25's best RERANK_POOL passages are reordered by score × (base + coverage
# [+ bonus when the passage states what is asked: a figure in the unit asked for, a reason or
# a purpose for "why"; of the passages that hold the question's words, that one answers]).
RERANK_POOL = 10
RERANK_BASE = 0.5
SLOT_BONUS = 0.75
# …and a passage without the question's main topic counts this much of its score…
WITHOUT_MAIN = 0.6
# …while for a question of one word, the passage that first names it counts this much more.
INTRODUCTION = 2.0
# A question of one thing ranks a passage that only lists it (…制造业高质量发展攻坚战快递回归…)
# this much lower than its score.
LISTED = 0.6
# Clauses either side of the question's words within which a reason counts as the answer to why.
WHY_REACH = 2
# A clause that names this many things of one kind in a row is a list (六大攻坚战…), and an item
# runs at most LIST_ITEM characters past its topic word before the kind (富春未来城|开发建设|攻坚战).
LIST_ITEMS = 3
LIST_ITEM = 8
# Characters beyond which a question's word is simply far from a figure (about a clause).
FIGURE_REACH = 12
# An unknown noun weighs this (scaled by specificity); a known concept weighs its idf.
UNKNOWN_WEIGHT = 2.0
UNKNOWN_LATIN_WEIGHT = 1.5
# …half as much again when it is a name (杭州的天气 is about another place than the article's)…
NAMED_UNKNOWN = 1.5
# …and this much less when it stands outside the clause that asks.
CONTEXT_WEIGHT = 0.4
MIN_WEIGHT = 0.1
# What a number question counts must be in the passage (总投资, 员工), unless it is a word any
# figure may be (目标是多少, 数字是多少).
_ANY_MEASURE = frozenset("目标 指标 任务 计划 目的 要求 数字 数据 数量 结果 成绩 水平".split())
# The word a number question counts pulls the asked figure this many times harder.
MEASURED_PULL = 3.0
# The subject of a yes/no question (A of "is A B?") weighs this many times its weight.
YES_NO_SUBJECT = 2.0
# A concept found only in a neighbouring paragraph, or in a heading, counts this much.
NEIGHBOUR_CREDIT = 0.5
# Units a question may ask in, and the figure units that answer them.
_UNIT_WORDS = frozenset("件天条人家个")
# Measure words that count the same things: a question's 多少家公司 is answered by 百个公司.
_COMPATIBLE_UNITS = (
    frozenset("个家项所座批台只大件"),
    frozenset("人名位"),
    frozenset("亿万元钱"),
    frozenset("天日"),
)
# Explaining a term: X是/指/即…, X（…）, 所谓X, 以…为…的X, or a kind named right before X.
_EXPLAINED_AFTER = re.compile(r"^(?:[，,]?(?:是|指|即|就是|包括|分别是|也就是|涉及)|[（(：:])")
_EXPLAINED_BEFORE = re.compile(
    r"(?:所谓|以[^。！？]{1,40}为[^。！？]{0,30}的|以[^。！？，]{1,40}为|(?:企业|公司|机构|单位|平台|制度|机制|项目)[“\"]?)$"
)
# A count of things named as one (六大攻坚战, 五大目标): its members may follow it.
_COUNTED = re.compile(r"[一二三四五六七八九十两几]+[大个项条]")
# A clause that goes on about what the clause before it named: 发起X，要…; 发布了X，共计…
_GOES_ON = re.compile(r"^(?:要|将|是|为|共计|涉及|包括|主要|分别|即|计划|旨在|目的|着力|以)")
# A sentence, from its first word (not a stray comma the source left after 。) to its end
# mark; and where a clause ends.
_SENTENCE_END = re.compile(r"[^。！？!?；;，,、\s][^。！？!?；;]*[。！？!?；;]?")
_CLAUSE_END = frozenset("，。！？!?；;、,：:")
# A question for a stock (现在一共有多少家), and a figure that is an increment (净增国高企业〔?〕家,
# 新增规上企业〔?〕家，科技企业〔?〕家: the increment word within ADDED_REACH characters before).
ADDED_REACH = 14
_TOTAL_ASKED = re.compile(r"(?:现在|目前|如今)(?:一共|总共)?(?:有|拥有)|(?:一共|总共)(?:有|拥有)|总数")
_ADDED = re.compile(r"新增|净增|增长|增加|招引|落户")
# How a passage puts one thing first, or compares two.
_FIRST = re.compile(r"第一|之首|首位|首个|居首|排名第")
_COMPARED = re.compile(r"更|比|超过|高于|多于|大于|少于|低于")
# How a passage tells of a time before it: 去年, 过去, 以前, 原本, 曾, 历史, 已经, 首个.
_PAST_TOLD = re.compile(r"去年|前年|过去|以前|之前|此前|原本|原来|曾|历史|已经|一个多月来|首个|首家|首次|第一个")
# How a passage tells a result: 已经, 取得, 实现了, 完成了, 成效.
_OUTCOME_TOLD = re.compile(r"已经|已|取得|实现了|完成了|成效|胜利")
# How a passage gives a reason (因为, 只是…打乱了) or a purpose (就是要, 为了, 要将…打造成).
_REASON = re.compile(r"因为|由于|因此|所以|只是|打乱|原因|导致|就是要|为了")
# …and what may stand for a reason near the thing asked why of (随着…, 凸显了…, 至关重要).
_BECAUSE = re.compile(_REASON.pattern + r"|随着|凸显|重要性|至关重要|主引擎|关键|挑战|意义|离不开")
_PURPOSE = re.compile(r"就是要|为了|旨在|目的|目标|以便|从而|要从|要将|要把|打造|让")
# Words for a quantity: a question that names one (三通一达市值) asks for its figure.
_QUANTITY = re.compile(r"(?:值|量|额|率|总数|人数|比例|占比|份额|规模|营收|产值)$")
# Characters that make what follows a count or a pointer, not a name: 六大, 这场, 各.
_POINTER = re.compile(r"[的些这那哪几大个场项条一二三四五六七八九十两百千万各每本该此其首批]")
# Words before a place that say something is there: 在桐庐, 位于, 落户.
_AT = ("在", "于", "落户", "位于")
# A question for a name (好干部都叫什么名字), which a role or a group does not give.
_NAME_ASKED = re.compile(r"名字|姓名|叫什么|叫啥|全名|都有谁|都是谁|有哪些人|是哪些人|\bnames?\b")
# Words for people that name no role or group: no answer to "who".
_ANYONE_WORDS = frozenset("人们 大家 百姓 群众 人员 人家 别人 他人 自己 大伙 千家万户".split())
# Person, place and time words by jieba's tags.
_PERSON_TAGS = ("nr",)
_PLACE_TAGS = ("ns",)
_TIME_TAGS = ("t", "tg")


@dataclass(frozen=True)
class RankedPassage:
    """A passage as ranked for one question."""

    passage: Passage
    score: float  # the ranking score: BM25 reweighed by what the passage covers (0: shares no term)
    matched: tuple[str, ...]
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Answer:
    """Everything the bot knows about one question, ready to render."""

    question: str
    query: Query
    passages: tuple[RankedPassage, ...]
    reason: Reason
    figure: Figure | None  # the figure in the best passage that the asked number points to
    coverage: float
    unknown: tuple[str, ...]  # the question's nouns the article never uses
    missing: tuple[str, ...] = ()  # the question's words the best passage lacks
    sentence: tuple[int, int] | None = None  # the span of the best passage's text that answers

    @property
    def verdict(self) -> Verdict:
        """What the user is told: answer, closest or none."""
        return self.reason.verdict

    @property
    def answered(self) -> bool:
        """Whether the article answers the question (the verdict is ``answer``)."""
        return self.verdict is Verdict.ANSWER

    @property
    def figure_missing(self) -> bool:
        """Whether the number asked for is one the source lost."""
        return self.verdict is not Verdict.NONE and self.figure is not None and self.figure.missing

    @property
    def best(self) -> RankedPassage | None:
        """The passage shown: the answer, or the closest one (None when nothing is about it)."""
        return self.passages[0] if self.verdict is not Verdict.NONE and self.passages else None


class Answerer:
    """Answers questions about the loaded articles."""

    def __init__(
        self,
        knowledge: Knowledge,
        lexicon: Lexicon,
        tokenizer: Tokenizer,
        index: BM25Index,
        language: Language,
        thresholds: Thresholds = DEFAULT,
    ) -> None:
        """Answer from ``knowledge`` with ``index`` (built over it by :func:`bot.core.prebuilt.build_index`).

        ``language`` is what :mod:`bot.core.prebuilt` learnt of Chinese at large for it: the
        typos its terms may take, the Cilin's synonyms, person, time and place words.
        """
        self.knowledge = knowledge
        self.lexicon = lexicon
        self.tokenizer = tokenizer
        self.index = index
        self.thresholds = thresholds
        self.passages: tuple[Passage, ...] = knowledge.passages
        self.not_figures = lexicon.not_figures
        self.examples = knowledge.examples
        self._article_text = "\n".join(tokenizer.normalize(p.source_text) for p in self.passages)
        speller = Speller(language.terms, language.homophones, self._article_text, tokenizer.store.get)
        self.analyzer = QueryAnalyzer(
            tokenizer,
            lexicon,
            index.idf,
            speller=speller,
            bridge=language.bridge,
            kinds=language.kinds,
            pinyin=language.pinyin,
        )
        self._position = {p.key: i for i, p in enumerate(self.passages)}
        self._neighbour_terms: dict[str, frozenset[str]] = {}
        self._body_cache: dict[str, frozenset[str]] = {}
        self._ordinals = tuple(f for p in self.passages for f in self.figures(p) if f.kind == "ordinal")

    @classmethod
    def from_prepared(cls, prepared: Prepared) -> Answerer:
        """An answerer over everything ``prepared`` holds (see :func:`bot.core.prebuilt.prepare`)."""
        return cls(prepared.knowledge, prepared.lexicon, prepared.tokenizer, prepared.index, prepared.language)

    @classmethod
    def from_directory(cls, directory: Path, cache: Path | None = None, default: str | None = None) -> Answerer:
        """Load articles and lexicon from a knowledge folder.

        The tokenizer's dictionary and the index come from the prepared-index folder ``cache``
        when it holds them for this knowledge (see :mod:`bot.core.prebuilt`), else they are
        built (and saved there). ``default``: the ``DEFAULT_ARTICLE`` setting.
        """
        return cls.from_prepared(prepare(directory, cache, default))

    def figures(self, passage: Passage) -> tuple[Figure, ...]:
        """The figures ``passage`` cites, present or missing (in its headings too).

        Positions are in :attr:`Passage.source_text` (headings, then text).
        """
        return extract(passage.source_text, self.not_figures)

    def answer(self, question: str, k: int = TOP_K) -> Answer:
        """Rank passages for ``question`` and decide what the user is told."""
        if len(question) > MAX_QUESTION:
            return Answer(question, self.analyzer.analyze(""), (), Reason.TOO_LONG, None, 0.0, ())
        query = self.analyzer.analyze(question)
        weights = self._weights(query)
        # The article's setting (桐庐, in most passages) says nothing of what is asked: passages
        # are ranked, and the verdict judged, on the other words.
        topics = [(c, w) for c, w in weights if not self._is_setting(c)]
        ranked = self._rank(query, k, topics or weights)
        if query.empty:
            return Answer(question, query, ranked, Reason.EMPTY, None, 0.0, ())
        unknown = tuple(c.text for c in query.concepts if not c.known and c.noun and self.tokenizer.is_telling(c.text))
        if not weights or not ranked or ranked[0].score <= 0:
            return Answer(question, query, ranked, Reason.NO_MATCH, None, 0.0, unknown)
        # A question of the setting alone gets the closest passage, never an answer (nothing,
        # when it asks of things the article never names: 桐庐明天会下雨吗).
        if not topics:
            reason = Reason.OFF_TOPIC if unknown else Reason.NOT_COVERED
            return Answer(question, query, ranked, reason, None, 0.0, unknown)
        weights = topics
        best = ranked[0]
        evidence = self._evidence(query, weights, unknown, best)
        reason = decide(evidence, self.thresholds)
        sentence = self._sentence(query, weights, best)
        asks_figure = query.intent.number or any(_QUANTITY.search(c.text) for c in query.concepts if c.known)
        # The figure asked for, where the passage states one of its kind (also under a caveat:
        # that its number is lost is worth saying either way).
        states = reason is Reason.ANSWERED or bool(evidence.slot_filled)
        figure = self._asked_figure(query, best, sentence) if asks_figure and states else None
        if figure is not None and sentence is not None and not sentence[0] <= figure.start < sentence[1]:
            sentence = self._sentence_at(best.passage, figure.start)  # the sentence that states it
        return Answer(question, query, ranked, reason, figure, evidence.coverage, unknown, evidence.missing, sentence)

    # --- evidence ----------------------------------------------------------------------------

    def _evidence(
        self, query: Query, weights: Sequence[tuple[Concept, float]], unknown: Sequence[str], best: RankedPassage
    ) -> Evidence:
        passage = best.passage
        intent = query.intent
        have = self._terms(passage)
        around = self._neighbours(passage)
        # An English word the glossary lacks says less: the glossary is the smaller net. A word
        # outside the clause that asks is context (我昨天在朋友圈看到…), not what is asked.
        # In "is A B?" a B the article never names is the answer "no", not a topic it lacks —
        # unless B is a place (是浙江省第一个吗: of 浙江省 the article says nothing at all).
        predicate = intent.yes_no and not query.asked_for
        unknown_weight = sum(
            (UNKNOWN_WEIGHT if has_cjk(text) else UNKNOWN_LATIN_WEIGHT)
            * self._specificity(text)
            * (1.0 if text in query.focus and not (predicate and not self._is_place(text)) else CONTEXT_WEIGHT)
            * (NAMED_UNKNOWN if self._is_name(text) else 1.0)
            for text in unknown
        )
        total = unknown_weight + sum(w for _, w in weights)
        missing = tuple(c.text for c, _ in weights if not c.anchors & (have | around))
        intent = query.intent
        slot_filled = self._slot_filled(query, best)
        # A passage that only lists the topic (…富春未来城开发建设攻坚战…) holds neither the
        # person, place or figure asked of it (that is not stated) nor anything more about it.
        listed = intent.slot is not Slot.DEFINITION and not intent.detail and self._only_listed(query, weights, passage)
        return Evidence(
            matched=True,
            coverage=self._coverage(weights, passage),
            unknown_share=unknown_weight / total if total else 0.0,
            about=max((self._about(c) for c, _ in weights), default=0.0),
            main_found=self._holds_main_concept(weights, passage),
            yes_no=intent.yes_no,
            slot_filled=False if listed and slot_filled is not None else slot_filled,
            explained=self._explains_terms(best.passage, [t for t in best.matched if not self._everywhere(t)])
            if intent.slot is Slot.DEFINITION or intent.detail
            else (False if listed else None),
            missing=missing,
        )

    def _only_listed(self, query: Query, weights: Sequence[tuple[Concept, float]], passage: Passage) -> bool:
        """Whether the passage only lists the question's topic among others of its kind.

        富春未来城开发建设攻坚战要实现哪些目标: the paragraph that names the six battles in a row
        says nothing of any one of them. Not for yes/no (垃圾分类也是攻坚战吗: the list answers
        it), nor for a question about the kind itself (哪些攻坚战, 六大攻坚战).
        """
        main = self._main_concept(weights)
        intent = query.intent
        if main is None or intent.yes_no or intent.number or len(main.text) < 2:
            return False
        text = self.tokenizer.normalize(passage.source_text)
        # What else the question asks of it (目标 of 富春未来城…要实现哪些目标); a keyword alone
        # (富春未来城) or a word of the list itself (是个什么攻坚战) the list does answer.
        asked = [c for c, _ in weights if c is not main and c.known and not self._is_setting(c)]
        if not asked:
            return False
        clauses = _listing_clauses(text, main.text)
        if clauses is None:
            return False
        return not any(all(any(a in clause for a in c.anchors) for c in asked) for clause in clauses)

    def _about(self, concept: Concept) -> float:
        """How specific, in Chinese at large, the words are by which a concept reaches the article.

        苹果公司 reaches it by 公司 (anyone's word), 今天天气 by 天气; 快递回归 by itself.
        """
        if not has_cjk(concept.text):
            return 1.0  # an English word reached the article through the glossary
        parts = [p for p in concept.parts if p in self.index.idf or self.analyzer.is_alias(p)]
        return max((self._specificity(p) for p in parts), default=self._specificity(concept.text))

    def _slot_filled(self, query: Query, ranked: RankedPassage) -> bool | None:
        """Whether the passage holds the kind of thing the question asks for.

        None when the question asks for nothing a passage could lack (what, why, how, yes/no).
        A name or a place must stand within a clause of the question's words (in the clause of
        one, or the one before or after): the passage's other names answer other questions.
        """
        intent = query.intent
        passage = ranked.passage
        text = self.tokenizer.normalize(passage.source_text)
        near = self._near(text, query)  # within a clause of the question's words

        def told(*found: Iterable[re.Match[str]]) -> bool:
            return any(near(m.start()) for matches in found for m in matches)

        if intent.superlative:
            # The comparison asked, made of the question's words: 最大 by 最大 or 第一 (not by
            # 最强快递), 更多 by 更 or 比.
            made = _COMPARED if intent.superlative.startswith(("更", "more", "bigger", "larger")) else _FIRST
            if not told(made.finditer(text), re.finditer(re.escape(intent.superlative), text)):
                return False
        # A past the passage tells of (去年, 过去, 原本, 历史; 全国首个 says there was none before).
        if intent.past and not told(_PAST_TOLD.finditer(text)):
            return False
        if intent.outcome:
            return told(_OUTCOME_TOLD.finditer(text))  # a plan's result told: 取得了…胜利, 已经…
        if _other_ordinal(query.normalized, self._ordinals, self.not_figures):
            # 第二批减负清单: the article tells of the first only; "是第二批吗" it answers (no).
            return None if intent.yes_no else False
        if intent.number:
            if passage.is_header and intent.slot is Slot.WHEN:
                return True
            measured = next((c for c in query.concepts if c.text == query.measured), None)
            if query.measured and measured is None and query.measured[:-1] not in self._article_text:
                return False  # 复工率: a quantity of a thing the article never names (包裹量 it does)
            if measured is not None and (
                not measured.known
                or (measured.text not in _ANY_MEASURE and not measured.anchors & self._terms(passage))
            ):
                return False  # 总投资多少钱: a 千亿平台 is no investment; 面积: the article has none
            if _other_ordinal(query.normalized, ranked.figures, self.not_figures):
                return False  # 第二批减负清单: the article has only the first
            # A figure of the unit asked, within a clause of what it counts (or of the question's
            # words): 一个多月来 counts the epidemic's weeks, not how long the meeting lasted.
            counts = measured is not None and measured.known and measured.text not in _ANY_MEASURE
            near = self._near(text, query, measured if counts else None)
            # How many there are now (现在一共有多少家) is no target of how many to add (净增…家).
            total = bool(_TOTAL_ASKED.search(query.normalized))

            def added(figure: Figure) -> bool:
                return bool(_ADDED.search(text[max(0, figure.end - ADDED_REACH) : figure.end]))

            return any(_fits(f, intent.unit) and near(f.start) and not (total and added(f)) for f in ranked.figures)
        if intent.slot is Slot.WHO:
            # The question's own words are no answer; a person its words stand for is (一把手 → 方毅).
            asked = {c.text for c in query.concepts} | {p for c in query.concepts for p in c.parts}
            if any(
                (self.tokenizer.tag(c.text) or "").startswith(_PERSON_TAGS) and c.text in text for c in query.concepts
            ):
                return True  # "who is 翁嫣": what the passage says of her answers
            # A role or a group (由县领导担任指挥长, 表彰了一批好干部) answers only next to the
            # question's most specific word: the 县领导 of the rally commands no battle named
            # two clauses on.
            main = self._main_concept(self._weights(query))
            near_main = self._near(text, query, main) if main is not None else near
            names_asked = bool(_NAME_ASKED.search(query.normalized))  # 叫什么名字: a role is no name
            for word, start in self._words_at(text):
                if word in asked or not near(start):
                    continue
                tag = self.tokenizer.tag(word) or ""
                if tag.startswith("r"):
                    continue  # 我们, 他: a pronoun points to a person, it names none
                if tag.startswith(_PERSON_TAGS):
                    return True
                if self._names_people(word) and not names_asked and (intent.kind_of_person or near_main(start)):
                    return True
            return False
        if intent.slot is Slot.WHERE:
            return self._states_place(text, query)
        if intent.slot is Slot.WHY:
            # A reason told near the question's words: in its sentence or the one before
            # (随着…没有新增确诊病例，…。这座中国最美县正在渐渐恢复往日生气).
            # …or what it is for (为什么要发起快递回归攻坚战: 要从快递人之乡迈向快递产业之乡).
            wide = self._near(text, query, reach=WHY_REACH)
            return any(wide(m.start()) for m in (*_BECAUSE.finditer(text), *_PURPOSE.finditer(text)))
        if intent.slot is Slot.WHICH and intent.which is not None:
            # The kind in the question's words or the article's (哪六场硬仗: …攻坚战); a place by
            # its last character (哪些乡镇: 横村镇).
            kinds = {intent.which} | {a for c in query.concepts if c.text == intent.which for a in c.anchors}
            if self.analyzer.kinds.get(intent.which) == PLACE:
                kinds |= set(intent.which)
            asked = {t for c in query.concepts for t in c.terms if len(t) > min(map(len, kinds))}
            bare = _without(text, asked - kinds)
            return any(_names_instances(bare, kind) for kind in kinds if len(kind) > 1 or kind == intent.which)
        return None

    def _names_people(self, word: str) -> bool:
        """A word for people of some role or group (县领导, 好干部), not anyone (人, 大家)."""
        kinds = self.analyzer.kinds
        if len(word) < 2 or word in _ANYONE_WORDS or not (self.tokenizer.tag(word) or "n").startswith("n"):
            return False  # 一起 is filed with companions, but names no one
        return kinds.get(word) == PERSON or (len(word) > 2 and kinds.get(word[-2:]) == PERSON)

    def _states_place(self, text: str, query: Query) -> bool:
        """Whether the passage says where the question's main topic is.

        A place (a name jieba tags ns; for 哪个镇, a name ending in 镇) in the clause of the
        main topic, or opening the clause before or after it, or after 在, 于, 位于: the
        places named elsewhere in a passage answer other questions (平安桐庐建设攻坚战 holds no
        answer to where the main venue was).
        """
        # The article's setting answers "where" even when the question names it (桐庐，…在哪).
        asked = self._asked(query, setting=False)
        kind = query.intent.kind_word
        clause_of = _clauses(text)
        main = self._main_concept(self._weights(query))
        present = [a for a in (main.anchors if main else ()) if len(a) > 1 and a in text]
        # Where the whole term stands, its parts elsewhere (科技 of 富春江科技城) are other things.
        anchors = [a for a in present if not any(a != b and a in b for b in present)]
        home = {clause_of[m.start()] for a in anchors for m in re.finditer(re.escape(a), text)}
        bare = _without(text, asked)
        for word, start in self._words_at(bare):
            if word.isspace() or word in asked:
                continue
            is_place = any(word.endswith(c) and len(word) > 1 for c in kind) if kind else self._is_place(word)
            if not is_place or self._embedded(text, word, start):
                continue
            clause = clause_of[start]
            opens = start == 0 or text[start - 1] in _CLAUSE_END or text[max(0, start - 2) : start].endswith(_AT)
            if clause in home or (opens and (clause - 1 in home or clause + 1 in home)):
                return True
        return False

    def _is_place(self, word: str) -> bool:
        """A place name (jieba's ns), a site (小微园区), or a word of belonging to one (桐庐籍, 桐庐人)."""
        if (self.tokenizer.tag(word) or "").startswith(_PLACE_TAGS):
            return True
        if any(word.endswith(end) and len(word) > len(end) + 1 for end in _SITE_ENDINGS):
            return True
        return word[-1] in "籍人" and (self.tokenizer.tag(word[:-1]) or "").startswith(_PLACE_TAGS)

    def _embedded(self, text: str, word: str, start: int) -> bool:
        """Whether ``word`` is part of a longer name of the article (桐庐 in 平安桐庐建设攻坚战)."""
        around = text[max(0, start - 6) : start + len(word) + 6]
        offset = start - max(0, start - 6)
        for term in self.tokenizer.tokens(around):
            if len(term) > len(word) and word in term and term in self.index.idf:
                at = around.find(term)
                while at != -1:
                    if at <= offset and offset + len(word) <= at + len(term):
                        return True
                    at = around.find(term, at + 1)
        return False

    def _unknown_texts(self, query: Query) -> set[str]:
        return {c.text for c in query.concepts if not c.known and c.noun and self.tokenizer.is_telling(c.text)}

    def _words_at(self, text: str) -> list[tuple[str, int]]:
        """The words of normalised text in jieba's precise cut, with where each starts."""
        found = []
        position = 0
        for word in self.tokenizer.cut_precise(text):
            found.append((word, position))
            position += len(word)
        return found

    def _near(self, text: str, query: Query, concept: Concept | None = None, reach: int = 1) -> Callable[[int], bool]:
        """Whether a position of ``text`` is within ``reach`` clauses of a word of the question (or of ``concept``)."""
        clause_of = _clauses(text)
        # Not the article's setting (桐庐 is in every other clause).
        concepts = (
            [concept] if concept is not None else [c for c in query.concepts if c.known and not self._is_setting(c)]
        )
        anchors = {a for c in concepts for a in c.anchors if len(a) > 1} or {a for c in concepts for a in c.anchors}
        clauses = {clause_of[m.start()] for a in anchors for m in re.finditer(re.escape(a), text)}
        near = {n + d for n in clauses for d in range(-reach, reach + 1)}
        return lambda position: clause_of[min(position, len(text))] in near

    def _everywhere(self, term: str) -> bool:
        """A term in most passages (the article's setting, 桐庐): no answer to "where"."""
        return self.index.document_frequency(term) * 2 > self.index.size

    def _coverage(self, weights: Sequence[tuple[Concept, float]], passage: Passage, *, nearby: bool = True) -> float:
        """The share of the question's known concepts (by weight) that ``passage`` holds.

        With ``nearby``, a concept found only in the paragraph before or after counts half:
        context such as who said a quote often stands in the next sentence. (Ranking leaves
        it out: a passage should not outrank its neighbour with the neighbour's words.)
        """
        total = sum(w for _, w in weights)
        if not total:
            return 0.0
        have = self._terms(passage)
        body = self._body_terms(passage)
        nearby_terms = self._neighbours(passage) if nearby else frozenset()

        def credit(concept: Concept) -> float:
            if concept.anchors & body:
                return 1.0
            if concept.anchors & have or concept.anchors & nearby_terms:
                return NEIGHBOUR_CREDIT  # in a heading over it, or next door
            return 0.0

        return sum(w * credit(c) for c, w in weights) / total

    def _terms(self, passage: Passage) -> frozenset[str]:
        return self.index.terms_of(self._position[passage.key])

    def _body_terms(self, passage: Passage) -> frozenset[str]:
        """The passage's terms in its own text, not its headings (which head the paragraphs after it too)."""
        if not passage.headings:
            return self._terms(passage)
        found = self._body_cache.get(passage.key)
        if found is None:
            found = frozenset(self.tokenizer.tokens(passage.text))
            self._body_cache[passage.key] = found
        return found

    def _neighbours(self, passage: Passage) -> frozenset[str]:
        """Terms of the paragraphs right before and after ``passage`` in its article."""
        found = self._neighbour_terms.get(passage.key)
        if found is None:
            article = self.knowledge.article(passage.article_id)
            around = [article.paragraph(passage.number - 1), article.paragraph(passage.number + 1)]
            found = frozenset().union(*(self._terms(p) for p in around if p is not None and not passage.is_header))
            self._neighbour_terms[passage.key] = found
        return found

    def _introduces(self, passage: Passage, concept: Concept) -> bool:
        """Whether ``passage`` is the first of its article to name ``concept``.

        News introduces a person or a thing in full at its first mention (桐庐县副县长翁嫣) and
        names it bare after (翁嫣说道).
        """
        article = self.knowledge.article(passage.article_id)
        for other in article.paragraphs:
            if concept.anchors & self._body_terms(other):  # a heading names it; a paragraph introduces it
                return other.key == passage.key
        return False

    def _main_concept(self, weights: Sequence[tuple[Concept, float]]) -> Concept | None:
        """The question's most specific topic: its heaviest known concept.

        Not counting times (今年) and numbers, which only frame a question; a word jieba tags a
        number that is part of the article's name for a thing (多点 of 一核两翼多点) is a topic.
        """
        tokenizer = self.tokenizer
        topics = [
            (c, w)
            for c, w in weights
            if tokenizer.tag(c.text) != "t" and not all(tokenizer.is_figure(a) for a in c.anchors | {c.text})
        ]
        return max(topics, key=lambda cw: cw[1])[0] if topics else None

    def _holds_main_concept(self, weights: Sequence[tuple[Concept, float]], passage: Passage) -> bool:
        """Whether the passage (or a neighbour) holds the question's most specific topic."""
        main = self._main_concept(weights)
        return main is None or bool(main.anchors & (self._terms(passage) | self._neighbours(passage)))

    def _explains(self, ranked: RankedPassage) -> bool:
        """Whether the passage explains the term a question asks about, or only names it."""
        return self._explains_terms(ranked.passage, ranked.matched)

    def _explains_terms(self, passage: Passage, matched: Sequence[str]) -> bool:
        text = passage.text
        subjects = sorted((t for t in matched if len(t) >= 2 and t in text), key=len, reverse=True)
        for subject in subjects[:2]:
            for found in re.finditer(re.escape(subject), text):
                before, after = text[: found.start()], text[found.end() :]
                if _EXPLAINED_AFTER.search(after) or _EXPLAINED_BEFORE.search(before):
                    return True
                # The next clause goes on about it: 发起快递回归攻坚战，要从…
                clause = re.match(r"[^，。！？；]*[，]", after)
                if clause and _GOES_ON.search(after[clause.end() :]):
                    return True
                # A count of things, enumerated right after: 六大攻坚战制造业…攻坚战快递回归攻坚战…
                if _COUNTED.match(subject) and subject[-2:] in after[:30]:
                    return True
        return False

    # --- ranking -------------------------------------------------------------------------------

    def _rank(self, query: Query, k: int, weights: Sequence[tuple[Concept, float]]) -> tuple[RankedPassage, ...]:
        """BM25's best passages, reordered by how much of the question each one covers.

        BM25 favours short passages that repeat one term; a passage that holds every concept
        of the question (and a figure in the unit asked for) is the better answer.
        """
        # Not the article's setting (桐庐) when the question has other words to rank by.
        setting = {t for c in query.concepts if self._is_setting(c) for t in c.terms}
        topical = [(t, w) for t, w in query.terms if t not in setting]
        terms = topical or list(query.terms)
        if query.intent.when:
            terms.append((DATE_TERM, 1.0))
        hits = self.index.search(terms, max(k, RERANK_POOL))
        unit = query.intent.unit if query.intent.number else None
        main = self._main_concept(weights)
        # A question of one thing and nothing else to ask of it (翁嫣, 翁嫣是谁, 减负清单), or
        # of who a person is (翁嫣是县委书记吗): where the article introduces it.
        topics = [c for c, _ in weights if not self._is_setting(c)]  # 桐庐制造业 is about 制造业
        about_one = len(topics) == 1 or (
            main is not None and self._is_person(main.text) and f"{main.text}是" in query.normalized
        )
        single = about_one and query.intent.slot in (Slot.WHAT, Slot.WHO, Slot.YES_NO)

        def adjusted(hit: Hit) -> float:
            passage = self.passages[hit.index]
            slot = query.intent.slot
            which = query.intent.which
            states = (
                (unit and self._has_unit(passage, unit))
                or (slot is Slot.WHY and _REASON.search(passage.text))
                or (slot is Slot.PURPOSE and _PURPOSE.search(passage.text))
                or (which is not None and _names_instances(passage.source_text, which))
                or (slot is Slot.DEFINITION and self._explains_terms(passage, hit.matched))
            )
            bonus = SLOT_BONUS if states else 0.0
            # BM25's square root: its length normalisation should not outweigh what a passage covers.
            score = math.sqrt(hit.score) * (RERANK_BASE + self._coverage(weights, passage, nearby=False) + bonus)
            if main is not None and not main.anchors & self._terms(passage):
                score *= WITHOUT_MAIN  # 周海静在会上说了啥 is about 周海静, not any 会上
            elif main is not None and single and self._introduces(passage, main):
                score *= INTRODUCTION  # 翁嫣 alone: where the article introduces her (副县长翁嫣)
            if main is not None and single and _listing_clauses(self._normalized(passage), main.text) is not None:
                score *= LISTED  # 制造业 alone: where the article tells of it, not the list of six
            return score

        scored = sorted(((adjusted(h) if h.score > 0 else 0.0, h) for h in hits), key=lambda sh: (-sh[0], sh[1].index))
        return tuple(
            RankedPassage(self.passages[h.index], score, h.matched, self.figures(self.passages[h.index]))
            for score, h in scored[:k]
        )

    def _normalized(self, passage: Passage) -> str:
        return self.tokenizer.normalize(passage.source_text)

    def _has_unit(self, passage: Passage, unit: str) -> bool:
        return any(_fits(f, unit) for f in self.figures(passage))

    def _is_person(self, word: str) -> bool:
        """A person's name (jieba's nr): 翁嫣, 方毅."""
        return (self.tokenizer.tag(word) or "").startswith(_PERSON_TAGS)

    def _is_name(self, word: str) -> bool:
        """A name of a place, a person or a body (jieba's ns, nr, nt): 杭州, 李白."""
        return (self.tokenizer.tag(word) or "").startswith(("ns", "nr", "nt"))

    def _asked(self, query: Query, *, setting: bool = True) -> set[str]:
        """The question's own words and their terms: what the question already says is no answer to it."""
        concepts = [c for c in query.concepts if setting or not self._is_setting(c)]
        return {c.text for c in concepts} | {t for c in concepts for t in c.terms}

    def _is_setting(self, concept: Concept) -> bool:
        """Whether every article word of ``concept`` stands in most passages (桐庐, 全县)."""
        indexed = [a for a in concept.anchors if a in self.index.idf]
        return bool(indexed) and all(self._everywhere(a) for a in indexed)

    def _weights(self, query: Query) -> list[tuple[Concept, float]]:
        weights = [(c, self._weight(c)) for c in query.concepts if c.known]
        if query.intent.yes_no and weights:
            # "Is A B?" is about A: the passage about A answers, even when B is not A.
            subject, weight = weights[0]
            weights[0] = (subject, weight * YES_NO_SUBJECT)
        return weights

    def _weight(self, concept: Concept) -> float:
        """How much a concept matters to the question, by idf.

        Its own idf when the article uses the word (快递回归), else that of its most common
        part (a 桐庐县长 weighs what 桐庐 weighs), else of its rarest term; halved for a word
        that names no thing (开, 讲) and again for a single character.
        """
        idf = self.index.idf
        own = [idf[t] for t in concept.parts if t in idf]
        if concept.text in idf:
            weight = idf[concept.text]
        elif own:
            weight = min(own)
        else:
            weight = max((idf.get(t, 0.0) for t in concept.anchors), default=0.0)
        if not concept.noun:
            weight *= 0.5
        if len(concept.text) == 1:
            weight *= 0.5
        return max(weight * self._specificity(concept.text), MIN_WEIGHT)

    def _specificity(self, word: str) -> float:
        return self.tokenizer.specificity(word)

    # --- the sentence that answers, and the figure asked for -------------------------------------

    def _sentence(
        self, query: Query, weights: Sequence[tuple[Concept, float]], ranked: RankedPassage
    ) -> tuple[int, int] | None:
        """The span of the passage's text that answers: the sentence holding most of the question.

        For a number question, a sentence that holds a figure of the unit asked outranks one
        that does not.
        """
        text = ranked.passage.source_text
        # The paragraph's own sentences: its headings (要打赢六大攻坚战) stand before them without a
        # full stop, and are shown in the citation anyway.
        body = len(text) - len(ranked.passage.text)
        spans = [(m.start(), m.end()) for m in _SENTENCE_END.finditer(text, body) if m.group().strip()]
        if not spans:
            return None
        normalized = self.tokenizer.normalize(text)
        unit = query.intent.unit if query.intent.number else None

        def score(span: tuple[int, int]) -> float:
            part = normalized[span[0] : span[1]]
            held = sum(w for c, w in weights if any(a in part for a in c.anchors))
            if query.intent.number and any(_fits(f, unit) and span[0] <= f.start < span[1] for f in ranked.figures):
                held += 0.5 * sum(w for _, w in weights) + 0.01
            return held

        return max(spans, key=lambda span: (score(span), -span[0]))

    def _sentence_at(self, passage: Passage, position: int) -> tuple[int, int] | None:
        """The span of the sentence of ``passage`` (its source text) that holds ``position``."""
        for found in _SENTENCE_END.finditer(passage.source_text):
            if found.start() <= position < found.end():
                return found.span()
        return None

    def _asked_figure(self, query: Query, ranked: RankedPassage, sentence: tuple[int, int] | None) -> Figure | None:
        """The figure of the passage that the asked number points to.

        Of the asked unit if the passage has one (any but a date when no unit is asked); of
        those, the nearest to the question's most telling words, in the answering sentence if
        it has one there.
        """
        unit = query.intent.unit
        figures = [f for f in ranked.figures if _fits(f, unit)]
        if not figures:
            return None
        text = self.tokenizer.normalize(ranked.passage.source_text)
        measured = next((c for c in query.concepts if c.text == query.measured), None)
        named = []
        if measured is not None:
            # 从业人员有多少: the figure shown with the 从业人员 (从业人员超过万人), if there is one.
            # The word itself first (规上企业), then any of its terms (制造业, the lexicon's for 企业).
            named = [f for f in figures if measured.text in text[max(0, f.shown_from - 2) : f.end]] or [
                f for f in figures if any(a in text[max(0, f.shown_from - 2) : f.end] for a in measured.anchors)
            ]
        if named:
            figures = named
        elif sentence is not None:
            inside = [f for f in figures if sentence[0] <= f.start < sentence[1]]
            figures = inside or figures
        places: list[tuple[list[tuple[int, int]], float]] = []
        for concept, weight in self._weights(query):
            if concept.text == query.measured:
                weight *= MEASURED_PULL  # 从业人员有多少: the figure of the 从业人员
            # Where the word itself stands (科技企业), its parts elsewhere (企业) are other things.
            whole = len(concept.text) > 1 and concept.text in text
            terms = [concept.text] if whole else concept.anchors | concept.parts
            spans = [
                (m.start(), m.end())
                for term in terms
                if len(term) >= 2 or term in _UNIT_WORDS
                for m in re.finditer(re.escape(term), text)
            ]
            if spans:
                places.append((spans, weight))
        if not places:
            return figures[0]

        def distance(figure: Figure) -> float:
            # From the words shown with the figure (全国快递包裹达亿件), not just its unit: the
            # weighted sum over the question's words of the nearest place each stands.
            shown = figure.shown_from if figure.shown_from >= 0 else figure.start

            # A word farther than a clause or so tells no figure from its neighbours (传统产业 at
            # the paragraph's head is as far from each of its targets), so it weighs no more.
            # A word in the next clause (企业〔?〕家，科技企业〔?〕家) is the next figure's.
            def gap(start: int, end: int) -> int:
                if start >= figure.end and any(c in _CLAUSE_END for c in text[figure.end : start]):
                    return FIGURE_REACH
                return max(start - figure.end, shown - end, 0)

            return sum(weight * min(FIGURE_REACH, *(gap(a, b) for a, b in spans)) for spans, weight in places)

        return min(figures, key=distance)


def _fits(figure: Figure, unit: str | None) -> bool:
    """Whether ``figure`` is of the unit a question asks in."""
    if unit is None:
        return figure.kind != "date"
    if unit == "date":
        return figure.kind == "date"
    if unit == "duration":
        return figure.kind == "duration" or figure.unit in ("天", "月", "年", "周")
    if unit == "ordinal" or figure.kind == "ordinal":
        return unit == figure.unit == "ordinal"
    return figure.unit == unit or any(unit in group and figure.unit in group for group in _COMPATIBLE_UNITS)


def _other_ordinal(question: str, figures: Sequence[Figure], not_figures: frozenset[str]) -> bool:
    """Whether the question names an ordinal (第二批) and ``figures`` only others of its kind (第一批, 首批)."""
    asked = [_ordinal(f.text) for f in extract(question, not_figures) if f.kind == "ordinal"]
    stated = {_ordinal(f.text) for f in figures if f.kind == "ordinal"}
    # Only ordinals of a measure the figures use compare (第二批 with 首批, not with 首个).
    comparable = [(value, measure) for value, measure in asked if any(m == measure for _, m in stated)]
    return bool(comparable) and all(ordinal not in stated for ordinal in comparable)


def _ordinal(text: str) -> tuple[str, str]:
    """An ordinal's numeral and measure word: 首批 and 第一批 are both (一, 批)."""
    found = re.search(r"第([零〇一二两三四五六七八九十百千0-9]+)(.?)", text)
    return (found.group(1), found.group(2)) if found else ("一", text[-1])


def _clauses(text: str) -> list[int]:
    """For each position of ``text`` (and one past its end), the number of its clause."""
    clause_of = [0] * (len(text) + 1)
    number = 0
    for i, character in enumerate(text):
        clause_of[i] = number
        if character in _CLAUSE_END:
            number += 1
    clause_of[len(text)] = number
    return clause_of


# The last word of a site's name: two characters or more before it make a name (小微园区, not 园区).
_SITE_ENDINGS = ("园区", "小镇", "镇", "乡", "村", "城", "街道", "基地")


def _without(text: str, terms: Iterable[str]) -> str:
    """``text`` with every occurrence of ``terms`` (longest first) blanked out."""
    for term in sorted(terms, key=len, reverse=True):
        if len(term) > 1:
            text = text.replace(term, " " * len(term))
    return text


def _listing_clauses(text: str, topic: str) -> list[str] | None:
    """The clauses of ``text`` that name ``topic``, if it stands there only as an item of a list.

    A list of things of one kind, run together: …制造业高质量发展攻坚战快递回归攻坚战…; else None.
    """
    places = [m.start() for m in re.finditer(re.escape(topic), text)]
    if not places or len(topic) < 2:
        return None
    clause_of = _clauses(text)
    clauses = []
    for start in places:
        clause = "".join(c for i, c in enumerate(text) if clause_of[i] == clause_of[start])
        kind = _listed_kind(clause)
        if kind is None or kind in topic or kind not in text[start : start + len(topic) + LIST_ITEM]:
            return None
        clauses.append(clause)
    return clauses


def _listed_kind(clause: str) -> str | None:
    """The kind a clause lists things of (攻坚战 in …快递回归攻坚战传统产业转型升级攻坚战…), if any.

    A word of two or three characters that ends at least three items of one clause.
    """
    counts = Counter(clause[i : i + n] for n in (3, 2) for i in range(len(clause) - n + 1))
    listed = [w for w, c in counts.items() if c >= LIST_ITEMS and all(has_cjk(ch) for ch in w)]
    return max(listed, key=lambda w: (len(w), counts[w])) if listed else None


def _names_instances(text: str, kind: str) -> bool:
    """Whether ``text`` names an instance of ``kind``: a name ending in it (快递回归攻坚战 for 攻坚战).

    Not a count or a pointer (六大攻坚战, 这场攻坚战, 各乡镇): two characters of a name before it.
    """
    for found in re.finditer(re.escape(kind), text):
        before = text[max(0, found.start() - 2) : found.start()]
        if len(before) == 2 and has_cjk(before[0]) and has_cjk(before[1]) and not _POINTER.search(before):
            return True
    return False
