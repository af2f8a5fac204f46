"""Several articles, each answered as if it were alone.

One :class:`~bot.core.answering.Answerer` per article, with the article's own index (its own
BM25 statistics) and its own lexicon layer, all sharing one tokenizer. A question goes to
every article; the answer comes from the article that answers it (the verdict ``answer``
first, then the article that knows more of the question's words, then the larger share of
the question covered, then the higher score; the default article wins ties). So adding an
article changes no answer about another one, unless the new article answers the question
better. (The shared tokenizer knows every article's terms: one article's term found in
another's text would be cut whole there too.)

"When was it published?" names no article: when several articles answer with their header
(title and date), the headers of all of them are the answer, the chosen one first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from bot.core.answering import TOP_K, Answer, Answerer
from bot.core.figures import Figure
from bot.core.knowledge import Knowledge, Passage
from bot.core.lexicon import load_layers
from bot.core.prebuilt import prepare
from bot.core.tokenizer import Tokenizer
from bot.core.verdict import Verdict


class Library:
    """Answers questions about every article of a knowledge folder."""

    def __init__(self, knowledge: Knowledge, answerers: Mapping[str, Answerer], tokenizer: Tokenizer) -> None:
        """``answerers``: one per article of ``knowledge``, by article id."""
        self.knowledge = knowledge
        self.answerers = dict(answerers)
        self.tokenizer = tokenizer
        self.passages: tuple[Passage, ...] = knowledge.passages
        self.examples = knowledge.examples
        self.not_figures = frozenset().union(*(a.not_figures for a in self.answerers.values()))

    @classmethod
    def from_directory(cls, directory: Path, cache: Path | None = None, default: str | None = None) -> Library:
        """Load a knowledge folder (see :func:`bot.core.prebuilt.prepare`)."""
        prepared = prepare(directory, cache, default)
        knowledge = prepared.knowledge
        if len(knowledge.articles) == 1:
            answerers = {knowledge.default.id: Answerer.from_prepared(prepared)}
        else:
            answerers = {
                a.id: Answerer(
                    Knowledge((a,)),
                    load_layers(directory, [a.id]),
                    prepared.tokenizer,
                    prepared.articles[a.id],
                    prepared.language,
                )
                for a in knowledge.articles
            }
        return cls(knowledge, answerers, prepared.tokenizer)

    def answer(self, question: str, k: int = TOP_K) -> Answer:
        """The answer of the article that answers ``question`` best."""
        answers = [a.answer(question, k) for a in self.answerers.values()]  # the default article first
        if len(answers) == 1:
            return answers[0]
        best = max(answers, key=_strength)  # max keeps the first of equals: the default article
        headers = [a.passages[0] for a in answers if a.answered and a.passages and a.passages[0].passage.is_header]
        if best.answered and len(headers) > 1 and best.passages[0].passage.is_header:
            headers.sort(key=lambda r: r.passage.article_id != best.passages[0].passage.article_id)
            rest = [r for r in best.passages if not r.passage.is_header]
            return replace(best, passages=tuple([*headers, *rest][:k]))
        return best

    def figures(self, passage: Passage) -> tuple[Figure, ...]:
        """The figures ``passage`` cites, present or missing."""
        return self.answerers[passage.article_id].figures(passage)


def _strength(answer: Answer) -> tuple[int, int, float]:
    """Answers first, then the closest; then the article that knows more of the question's words and covers more.

    Not the score: another article scoring higher on a question the default article answers as
    well (这篇文章的责任编辑是谁) must not take it.
    """
    known = sum(c.known for c in answer.query.concepts)
    rank = {Verdict.ANSWER: 2, Verdict.CLOSEST: 1, Verdict.NONE: 0}[answer.verdict]
    return (rank, known, round(answer.coverage, 2))
