"""Answer → text for people: Telegram HTML or plain terminal text, from one description.

A reply is built once as :class:`Rich` (runs of text with a style) and written out either
way, so the terminal shows exactly what Telegram shows, minus the bold. Article and user
text is escaped with :func:`html.escape` before our own tags are added, and a reply is cut
to Telegram's 4096 characters at a run boundary, never inside a tag.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from bot.core.answering import MAX_QUESTION, Answer, RankedPassage
from bot.core.figures import Figure
from bot.core.knowledge import Article, Knowledge, Passage
from bot.core.verdict import Reason
from bot.replies import texts

MESSAGE_LIMIT = 4096
ELLIPSIS = "…"


@dataclass
class Rich:
    """Styled text: a list of (style, text) runs; style is "", "b" or "i"."""

    runs: list[tuple[str, str]] = field(default_factory=list)

    def add(self, text: str, style: str = "") -> Rich:
        """Append a run and return self, for chaining."""
        if text:
            self.runs.append((style, text))
        return self

    def extend(self, other: Rich) -> Rich:
        """Append all runs of ``other``."""
        self.runs.extend(other.runs)
        return self

    def plain(self) -> str:
        """The text without styles."""
        return "".join(text for _, text in self.runs)

    def html(self, limit: int = MESSAGE_LIMIT) -> str:
        """Telegram HTML, at most ``limit`` characters of visible text."""
        out: list[str] = []
        used = 0
        for style, text in self.runs:
            if used + len(text) > limit:
                text = text[: max(0, limit - used - 1)] + ELLIPSIS
            used += len(text)
            escaped = html.escape(text, quote=False)
            out.append(f"<{style}>{escaped}</{style}>" if style else escaped)
            if used >= limit:
                break
        return "".join(out)


def cite(article: Article, passage: Passage) -> str:
    """《title》¶N."""
    return texts.CITATION.format(title=article.title, citation=passage.citation)


def passage_rich(
    knowledge: Knowledge, ranked: RankedPassage, *, window: int | None = None, figures: bool = True
) -> Rich:
    """A cited passage: citation and section, the text (matched words bold), its figures."""
    passage = ranked.passage
    article = knowledge.article(passage.article_id)
    rich = Rich().add(cite(article, passage), "b")
    if passage.headings:
        rich.add(texts.SECTION_SEP + " / ".join(passage.headings), "i")
    rich.add("\n")
    rich.extend(highlight(passage.text, ranked.matched, window))
    if figures and ranked.figures:
        rich.add("\n").extend(figures_rich(ranked.figures))
    return rich


def figures_rich(figures: Sequence[Figure], *, label: bool = True) -> Rich:
    """The figures of a passage, like ``文中数字：百亿项目、全国快递包裹达亿件（数字缺失）``."""
    rich = Rich().add(texts.FIGURES_LABEL if label else "")
    for i, figure in enumerate(figures):
        if i:
            rich.add("、")
        rich.add(figure.text)
        if figure.missing:
            rich.add(texts.MISSING_MARK, "i")
    return rich


def highlight(text: str, terms: Iterable[str], window: int | None = None) -> Rich:
    """``text`` with every occurrence of ``terms`` bold.

    Trimmed to ``window`` characters around the densest stretch of matches, with … where cut.
    """
    marks = [False] * len(text)
    for term in terms:
        if len(term) < 2 and not term.isalnum():
            continue
        start = text.find(term)
        while start != -1:
            marks[start : start + len(term)] = [True] * len(term)
            start = text.find(term, start + 1)
    lo, hi = 0, len(text)
    if window is not None and len(text) > window:
        lo = _best_window(marks, window)
        hi = lo + window
    rich = Rich()
    if lo > 0:
        rich.add(ELLIPSIS)
    run_start = lo
    for i in range(lo + 1, hi + 1):
        if i == hi or marks[i] != marks[run_start]:
            rich.add(text[run_start:i], "b" if marks[run_start] else "")
            run_start = i
    if hi < len(text):
        rich.add(ELLIPSIS)
    return rich


def _best_window(marks: list[bool], window: int) -> int:
    """Start of a ``window``-long stretch with the most marked characters, centred on them."""
    count = sum(marks[:window])
    best, best_start = count, 0
    for start in range(1, len(marks) - window + 1):
        count += marks[start + window - 1] - marks[start - 1]
        if count > best:
            best, best_start = count, start
    if not best:
        return 0
    inside = [i for i in range(best_start, best_start + window) if marks[i]]
    centre = (inside[0] + inside[-1]) // 2
    return max(0, min(len(marks) - window, centre - window // 2))


def answer_rich(knowledge: Knowledge, answer: Answer, *, passages: int = 1, window: int | None = None) -> Rich:
    """The reply to a question: the best passage(s), or a plain "not in the article"."""
    if not answer.answered:
        return decline_rich(answer, knowledge.examples)
    rich = Rich()
    best = answer.passages[0]
    if answer.query.english:
        if answer.figure_missing:
            rich.add(texts.ENGLISH_LEAD_MISSING + "\n")
        article = knowledge.article(best.passage.article_id)
        rich.add(texts.ENGLISH_LEAD.format(citation=cite(article, best.passage)) + "\n\n")
    rich.extend(passage_rich(knowledge, best, window=window))
    # "When was it published?" naming no article: every article's header is the answer.
    headers = 0
    while best.passage.is_header and 1 + headers < len(answer.passages):
        other = answer.passages[1 + headers]
        if not other.passage.is_header or other.passage.article_id == best.passage.article_id:
            break
        rich.add("\n\n").extend(passage_rich(knowledge, other, window=window))
        headers += 1
    if answer.figure_missing and answer.figure is not None:
        rich.add("\n\n").add(texts.MISSING_FIGURE.format(figure=answer.figure.text), "b")
    extra = [r for r in answer.passages[1 + headers : max(passages, 1 + headers)] if r.score > 0]
    if extra:
        rich.add("\n\n" + texts.MORE_PASSAGES)
        for ranked in extra:
            rich.add("\n\n").extend(passage_rich(knowledge, ranked, window=window))
    return rich


def decline_rich(answer: Answer, examples: Sequence[str]) -> Rich:
    """Say plainly that the article does not answer, with ``examples`` of what it does answer."""
    rich = Rich()
    if answer.reason is Reason.EMPTY:
        return rich.add(texts.EMPTY_QUESTION.format(example=examples[0] if examples else ""))
    if answer.reason is Reason.TOO_LONG:
        return rich.add(texts.TOO_LONG.format(limit=MAX_QUESTION))
    english = answer.query.english
    if answer.reason is Reason.NOT_EXPLAINED and answer.passages:
        term = max(answer.passages[0].matched, key=len, default="")
        line = texts.NOT_EXPLAINED_EN if english else texts.NOT_EXPLAINED
        rich.add(line.format(term=term))
    else:
        rich.add(texts.NOT_IN_ARTICLE_EN if english else texts.NOT_IN_ARTICLE)
    rich.add("\n\n" + texts.TRY_INSTEAD)
    for example in examples[:3]:
        rich.add("\n• " + example)
    rich.add("\n" + texts.FIGURES_HINT)
    return rich


def figures_index(knowledge: Knowledge, figures: Callable[[Passage], Sequence[Figure]]) -> list[Rich]:
    """One line per passage that cites figures, like ``¶N figure、figure（数字缺失）``."""
    lines = []
    for article in knowledge.articles:
        for passage in (article.header, *article.paragraphs):
            found = figures(passage)
            if found:
                prefix = passage.citation if len(knowledge.articles) == 1 else cite(article, passage)
                lines.append(Rich().add(prefix, "b").add(" ").extend(figures_rich(found, label=False)))
    return lines


def answer_json(answer: Answer) -> dict[str, object]:
    """The machine-readable answer (the contract of ``python -m bot ask --json``)."""
    return {
        "question": answer.question,
        "verdict": str(answer.verdict),
        "answered": answer.answered,
        "figure_missing": answer.figure_missing,
        "figure": {"text": answer.figure.text, "missing": answer.figure.missing} if answer.figure else None,
        "reason": str(answer.reason),
        "passages": [
            {
                "id": ranked.passage.key,
                "citation": ranked.passage.citation,
                "text": ranked.passage.source_text,
                "score": round(ranked.score, 6),
                "figures": [{"text": f.text, "missing": f.missing} for f in ranked.figures],
            }
            for ranked in answer.passages
        ],
    }
