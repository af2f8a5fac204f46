"""Question → Answer: ranked passages, their figures, and whether the article answers at all.

Pure and synchronous, with no Telegram in it: the CLI, the bot and the tests share one
:class:`Answerer`. Ranking is BM25 (see retrieval); the decision to answer is made apart from
the score, from evidence:

- *coverage*: how much of what the user asked about the best passage contains (its own
  words or the article's terms for them);
- *unknown words*: content words that appear nowhere in the article, not even through the
  lexicon, are strong evidence that the question is about something the article lacks;
- *definitions*: "what does X mean" is answered only where the passage explains X
  (以…为核心…的一核两翼多点), not where it only names it (深化两抓两转).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.core.figures import Figure, extract
from bot.core.knowledge import Knowledge, Passage
from bot.core.lexicon import Lexicon
from bot.core.prebuilt import prepare
from bot.core.query import DATE_TERM, Concept, Query, QueryAnalyzer, has_cjk
from bot.core.retrieval import BM25Index, Hit
from bot.core.tokenizer import Tokenizer
from bot.core.verdict import Reason, Verdict

TOP_K = 5
# Questions longer than this are not answered (a question, not a document).
MAX_QUESTION = 1000
# Reranking: BM25's best RERANK_POOL passages are reordered by score × (base + coverage
# [+ bonus when the passage cites a figure in the unit asked for]).
RERANK_POOL = 10
RERANK_BASE = 0.5
UNIT_BONUS = 0.25
# The best passage must hold at least this share of the question's concepts…
MIN_COVERAGE = 0.5
# …and nouns the article never uses may be at most this share of the question's weight (a
# known concept weighs its idf, an unknown noun UNKNOWN_WEIGHT; both scaled by specificity).
MAX_UNKNOWN = 0.3
UNKNOWN_WEIGHT = 2.0
UNKNOWN_LATIN_WEIGHT = 1.0
MIN_WEIGHT = 0.1
# General-language specificity: log10(total / count) / SCALE, floored.
SPECIFICITY_SCALE = 6.0
SPECIFICITY_FLOOR = 0.4
# A concept found only in a neighbouring paragraph counts this much.
NEIGHBOUR_CREDIT = 0.5
# Units a question may ask in, and the figure units that answer them.
_UNIT_WORDS = frozenset("件天条人家个")
# Measure words that count the same things: a question's 多少家公司 is answered by 百个公司.
_COMPATIBLE_UNITS = (
    frozenset("个家项所座批台只"),
    frozenset("人名位"),
    frozenset("亿万元钱"),
    frozenset("天日"),
)
# Explaining a term: X是/指/即…, X（…）, 所谓X, 以…为…的X, or a kind named right before X.
_EXPLAINED_AFTER = re.compile(r"^(?:[，,]?(?:是|指|即|就是|包括|分别是|也就是)|[（(：:])")
_EXPLAINED_BEFORE = re.compile(
    r"(?:所谓|以[^。！？]{1,40}为[^。！？]{0,30}的|(?:企业|公司|机构|单位|平台|制度|机制|项目)[“\"]?)$"
)


@dataclass(frozen=True)
class RankedPassage:
    """A passage as ranked for one question."""

    passage: Passage
    score: float
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
    unknown: tuple[str, ...]

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
        return self.answered and self.figure is not None and self.figure.missing

    @property
    def best(self) -> RankedPassage | None:
        """The best passage, when the article answers."""
        return self.passages[0] if self.answered and self.passages else None


class Answerer:
    """Answers questions about the loaded articles."""

    def __init__(self, knowledge: Knowledge, lexicon: Lexicon, tokenizer: Tokenizer, index: BM25Index) -> None:
        """Answer from ``knowledge`` with ``index``, built over it by :func:`bot.core.prebuilt.build_index`."""
        self.knowledge = knowledge
        self.tokenizer = tokenizer
        self.passages: tuple[Passage, ...] = knowledge.passages
        self.index = index
        self.not_figures = lexicon.not_figures
        self.examples = knowledge.examples
        self.analyzer = QueryAnalyzer(tokenizer, lexicon, self.index.idf)
        self._position = {p.key: i for i, p in enumerate(self.passages)}
        self._neighbour_terms: dict[str, frozenset[str]] = {}

    @classmethod
    def from_directory(cls, directory: Path, cache: Path | None = None, default: str | None = None) -> Answerer:
        """Load articles and lexicon from a knowledge folder.

        The tokenizer's dictionary and the index come from the prepared-index folder ``cache``
        when it holds them for this knowledge (see :mod:`bot.core.prebuilt`), else they are
        built (and saved there). ``default``: the ``DEFAULT_ARTICLE`` setting.
        """
        prepared = prepare(directory, cache, default)
        return cls(prepared.knowledge, prepared.lexicon, prepared.tokenizer, prepared.index)

    def answer(self, question: str, k: int = TOP_K) -> Answer:
        """Rank passages for ``question`` and decide whether the article answers it."""
        if len(question) > MAX_QUESTION:
            query = self.analyzer.analyze(question[:MAX_QUESTION])
            ranked = self._rank(query, k, self._weights(query))
            return Answer(question, query, ranked, Reason.TOO_LONG, None, 0.0, ())
        query = self.analyzer.analyze(question)
        weights = self._weights(query)
        ranked = self._rank(query, k, weights)
        if query.empty:
            return Answer(question, query, ranked, Reason.EMPTY, None, 0.0, ())
        unknown = tuple(c.text for c in query.concepts if not c.known and c.noun and self.tokenizer.is_telling(c.text))
        if not query.concepts or not ranked or ranked[0].score <= 0:
            return Answer(question, query, ranked, Reason.NO_MATCH, None, 0.0, unknown)
        best = ranked[0]
        coverage = self._coverage(weights, best.passage)
        # An English word the glossary lacks says less: the glossary is the smaller net.
        unknown_weight = sum(
            (UNKNOWN_WEIGHT if has_cjk(text) else UNKNOWN_LATIN_WEIGHT) * self._specificity(text) for text in unknown
        )
        total_weight = unknown_weight + sum(w for _, w in weights)
        unknown_share = unknown_weight / total_weight if total_weight else 0.0
        reason = Reason.ANSWERED
        if unknown_share > MAX_UNKNOWN:
            reason = Reason.OFF_TOPIC
        elif coverage < MIN_COVERAGE or not self._holds_main_concept(weights, best.passage):
            reason = Reason.NOT_COVERED
        elif query.intent.definition and not self._explains(best):
            reason = Reason.NOT_EXPLAINED
        elif query.intent.number and not any(_fits(f, query.intent.unit) for f in best.figures):
            reason = Reason.NOT_STATED
        answered = reason is Reason.ANSWERED
        figure = self._asked_figure(query, best) if answered and query.intent.number else None
        return Answer(question, query, ranked, reason, figure, coverage, unknown)

    def figures(self, passage: Passage) -> tuple[Figure, ...]:
        """The figures ``passage`` cites, present or missing."""
        return extract(passage.text, self.not_figures)

    def _rank(self, query: Query, k: int, weights: Sequence[tuple[Concept, float]]) -> tuple[RankedPassage, ...]:
        """BM25's best passages, reordered by how much of the question each one covers.

        BM25 favours short passages that repeat one term; a passage that holds every concept
        of the question (and a figure in the unit asked for) is the better answer.
        """
        terms = list(query.terms)
        if query.intent.when:
            terms.append((DATE_TERM, 1.0))
        hits = self.index.search(terms, max(k, RERANK_POOL))
        unit = query.intent.unit if query.intent.number else None

        def adjusted(hit: Hit) -> float:
            passage = self.passages[hit.index]
            bonus = UNIT_BONUS if unit and self._has_unit(passage, unit) else 0.0
            return hit.score * (RERANK_BASE + self._coverage(weights, passage, nearby=False) + bonus)

        order = sorted(hits, key=lambda h: (-adjusted(h), h.index) if h.score > 0 else (0.0, h.index))
        return tuple(
            RankedPassage(self.passages[h.index], h.score, h.matched, self.figures(self.passages[h.index]))
            for h in order[:k]
        )

    def _weights(self, query: Query) -> list[tuple[Concept, float]]:
        return [(c, self._weight(c)) for c in query.concepts if c.known]

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
        nearby_terms = self._neighbours(passage) if nearby else frozenset()
        found = sum(
            w if c.anchors & have else w * NEIGHBOUR_CREDIT if c.anchors & nearby_terms else 0.0 for c, w in weights
        )
        return found / total

    def _terms(self, passage: Passage) -> frozenset[str]:
        return self.index.terms_of(self._position[passage.key])

    def _neighbours(self, passage: Passage) -> frozenset[str]:
        """Terms of the paragraphs right before and after ``passage`` in its article."""
        found = self._neighbour_terms.get(passage.key)
        if found is None:
            article = self.knowledge.article(passage.article_id)
            around = [article.paragraph(passage.number - 1), article.paragraph(passage.number + 1)]
            found = frozenset().union(*(self._terms(p) for p in around if p is not None and not passage.is_header))
            self._neighbour_terms[passage.key] = found
        return found

    def _holds_main_concept(self, weights: Sequence[tuple[Concept, float]], passage: Passage) -> bool:
        """Whether the passage (or a neighbour) holds the question's most specific topic.

        That is its rarest known concept, not counting times (今年) and numbers, which only
        frame a question.
        """
        tokenizer = self.tokenizer
        topics = [(c, w) for c, w in weights if tokenizer.tag(c.text) != "t" and not tokenizer.is_figure(c.text)]
        if not topics:
            return True
        main, _ = max(topics, key=lambda cw: cw[1])
        return bool(main.anchors & (self._terms(passage) | self._neighbours(passage)))

    def _has_unit(self, passage: Passage, unit: str) -> bool:
        return any(_fits(f, unit) for f in self.figures(passage))

    def _weight(self, concept: Concept) -> float:
        """How much a concept matters to the question, by idf.

        The idf of its most common own part when the article uses the word itself (桐庐县
        weighs what 桐庐 weighs), else of its rarest term; halved for a word that names no
        thing (开, 讲) and again for a single character.
        """
        idf = self.index.idf
        own = [idf[t] for t in concept.parts if t in idf]
        weight = min(own) if own else max((idf.get(t, 0.0) for t in concept.anchors), default=0.0)
        if not concept.noun:
            weight *= 0.5
        if len(concept.text) == 1:
            weight *= 0.5
        return max(weight * self._specificity(concept.text), MIN_WEIGHT)

    def _specificity(self, word: str) -> float:
        """How specific a word is in Chinese at large, by jieba's counts.

        工作 is everywhere, 反弹 less so, 减负 rarely. Between SPECIFICITY_FLOOR and 1.
        """
        count = self.tokenizer.store.get(word) or 0
        if count <= 0:
            return 1.0
        rarity = math.log10(self.tokenizer.store.total / count) / SPECIFICITY_SCALE
        return min(1.0, max(SPECIFICITY_FLOOR, rarity))

    def _explains(self, ranked: RankedPassage) -> bool:
        """Whether the passage explains the term a definition question asks about."""
        text = ranked.passage.text
        subjects = sorted((t for t in ranked.matched if len(t) >= 2 and t in text), key=len, reverse=True)
        for subject in subjects[:2]:
            for found in re.finditer(re.escape(subject), text):
                before, after = text[: found.start()], text[found.end() :]
                if _EXPLAINED_AFTER.search(after) or _EXPLAINED_BEFORE.search(before):
                    return True
                # An enumeration right after it: 六大攻坚战制造业…攻坚战快递回归攻坚战…
                if len(subject) >= 3 and subject[-2:] in after[:30]:
                    return True
        return False

    def _asked_figure(self, query: Query, ranked: RankedPassage) -> Figure | None:
        """The figure of the passage that the asked number points to.

        Of the asked unit if the passage has one (any but a date when no unit is asked), and
        of those the nearest to the question's words.
        """
        unit = query.intent.unit
        figures = [f for f in ranked.figures if _fits(f, unit)]
        if not figures:
            return None
        text = self.tokenizer.normalize(ranked.passage.text)
        anchors = [
            (m.start(), m.end())
            for term in ranked.matched
            if len(term) >= 2 or term in _UNIT_WORDS
            for m in re.finditer(re.escape(term), text)
        ]
        if not anchors:
            return figures[0]

        def distance(figure: Figure) -> int:
            # From the words shown with the figure (全国快递包裹达亿件), not just its unit.
            shown = figure.end - len(figure.text)
            return min(max(start - figure.end, shown - end, 0) for start, end in anchors)

        return min(figures, key=distance)


def _fits(figure: Figure, unit: str | None) -> bool:
    """Whether ``figure`` is of the unit a question asks in."""
    if unit is None:
        return figure.kind != "date"
    if unit == "date":
        return figure.kind == "date"
    if unit == "ordinal" or figure.kind == "ordinal":
        return unit == figure.unit == "ordinal"
    return figure.unit == unit or any(unit in group and figure.unit in group for group in _COMPATIBLE_UNITS)
