"""Answer → text for people: Telegram HTML, plain text or terminal text, from one description.

A reply is built once as :class:`Rich` (runs of text with a style) and written out three
ways, so the terminal shows what Telegram shows. Article and user text is escaped with
:func:`html.escape` before our own tags are added, and a reply is cut to Telegram's 4096
characters at a run boundary, never inside a tag.

An answer leads with the sentence that answers, the ¶ citation over it; the whole paragraph
follows in an expandable quotation, one tap away. Where the source lost its digits the
quoted text shows an editorial mark (:data:`texts.GAP`, 达〔?〕亿件) that cannot be mistaken
for the source, explained once per reply. The verbatim text in ``ask --json`` stays untouched.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from bot.core.answering import MAX_QUESTION, Answer, RankedPassage
from bot.core.figures import Figure
from bot.core.knowledge import Article, Knowledge, Passage
from bot.core.query import Slot
from bot.core.verdict import Reason, Verdict
from bot.replies import texts

MESSAGE_LIMIT = 4096
ELLIPSIS = "…"
# A sentence this much of its paragraph is shown without the paragraph under it.
MOST_OF = 0.8
# A question echoed in a caveat is cut to this many characters.
ECHO_LIMIT = 40
_TAGS = {"b": "b", "i": "i"}
# How a quotation is indented in plain and terminal text.
QUOTE_INDENT = "    "
_ANSI = {"b": "\x1b[1m", "i": "\x1b[3m", "q": "\x1b[2m"}
_ANSI_RESET = "\x1b[0m"
_TRAILING = re.compile(r"[\s?？。.!！~～…]+$")


@dataclass
class Rich:
    """Styled text: a list of (style, text) runs.

    A style is a string of flags: ``b`` bold, ``i`` italic, ``q`` inside the expandable
    quotation (so ``qb`` is bold text in it). Consecutive ``q`` runs make one quotation.
    """

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

    def quote(self, inner: Rich) -> Rich:
        """Append ``inner`` as an expandable quotation."""
        self.runs.extend(("q" + style, text) for style, text in inner.runs)
        return self

    def plain(self) -> str:
        """The text without styles; a quotation indented below what precedes it."""
        return self._write(lambda style, text: text)

    def ansi(self) -> str:
        """Terminal text: bold and italic as ANSI escapes, the quotation dim and indented."""

        def styled(style: str, text: str) -> str:
            codes = "".join(_ANSI[s] for s in style if s in _ANSI)
            if not codes:
                return text
            # Each line styled on its own: a style left open over a line end runs into the next.
            return "\n".join(f"{codes}{line}{_ANSI_RESET}" if line else line for line in text.split("\n"))

        return self._write(styled)

    def _write(self, styled: Callable[[str, str], str]) -> str:
        out: list[str] = []
        at_line_start = True
        quoted = False
        for style, text in self.runs:
            inside = "q" in style
            if inside and not quoted:
                if not at_line_start:
                    out.append("\n")
                out.append(QUOTE_INDENT)
            elif quoted and not inside and not text.startswith("\n"):
                out.append("\n")
            quoted = inside
            shown = text.replace("\n", "\n" + QUOTE_INDENT) if inside else text
            out.append(styled(style, shown))
            at_line_start = text.endswith("\n")
        return "".join(out)

    def html(self, limit: int = MESSAGE_LIMIT) -> str:
        """Telegram HTML, at most ``limit`` characters of visible text."""
        out: list[str] = []
        used = 0
        quoted = False
        for style, text in self.runs:
            if used + len(text) > limit:
                text = text[: max(0, limit - used - 1)] + ELLIPSIS
            used += len(text)
            if "q" in style and not quoted:
                out.append("<blockquote expandable>")
            elif "q" not in style and quoted:
                out.append("</blockquote>")
            quoted = "q" in style
            escaped = html.escape(text, quote=False)
            for flag in (s for s in style if s in _TAGS):
                escaped = f"<{_TAGS[flag]}>{escaped}</{_TAGS[flag]}>"
            out.append(escaped)
            if used >= limit:
                break
        if quoted:
            out.append("</blockquote>")
        return "".join(out)


def cite(article: Article, passage: Passage) -> str:
    """《title》¶N."""
    return texts.CITATION.format(title=article.title, citation=passage.citation)


def citation_rich(knowledge: Knowledge, passage: Passage) -> Rich:
    """The citation in bold, then the section headings over the paragraph."""
    rich = Rich().add(cite(knowledge.article(passage.article_id), passage), "b")
    if passage.headings:
        rich.add(texts.SECTION_SEP + " / ".join(passage.headings), "i")
    return rich


def passage_rich(knowledge: Knowledge, ranked: RankedPassage, *, window: int | None = None) -> Rich:
    """A cited passage: citation and section, the text (matched words bold, lost digits marked)."""
    passage = ranked.passage
    rich = citation_rich(knowledge, passage).add("\n")
    body = highlight(passage.text, ranked.matched, window, gaps=_gaps(passage, ranked.figures))
    rich.extend(body)
    return _with_legend(rich)


def highlight(
    text: str,
    terms: Iterable[str],
    window: int | None = None,
    *,
    gaps: Sequence[int] = (),
    span: tuple[int, int] = (0, -1),
) -> Rich:
    """``text[span]`` with every occurrence of ``terms`` bold and :data:`texts.GAP` at ``gaps``.

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
    lo, hi = span[0], len(text) if span[1] < 0 else span[1]
    if window is not None and hi - lo > window:
        lo = lo + _best_window(marks[lo:hi], window)
        hi = lo + window
    # A gap at the very end of the span belongs to what follows it (〔?〕年 opens the next sentence).
    at_gap = {g for g in gaps if lo <= g < hi or (g == hi == len(text))}
    rich = Rich()
    if lo > 0 and window is not None:
        rich.add(ELLIPSIS)
    run_start = lo
    for i in range(lo, hi + 1):
        boundary = i == hi or i in at_gap or (i > run_start and marks[i] != marks[run_start])
        if boundary and i > run_start:
            rich.add(text[run_start:i], "b" if marks[run_start] else "")
            run_start = i
        if i in at_gap:
            rich.add(texts.GAP, "i")
    if hi < len(text) and window is not None:
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


def _gaps(passage: Passage, figures: Sequence[Figure]) -> list[int]:
    """Where the passage's text lost digits (figures are placed in its source text, headings first)."""
    offset = len(passage.source_text) - len(passage.text)
    return sorted(g - offset for f in figures if f.missing for g in f.gaps if g >= offset)


def _with_legend(rich: Rich) -> Rich:
    """``rich``, and the line that explains the gap mark if it shows one."""
    if any(text == texts.GAP for _, text in rich.runs):
        rich.add("\n").add(texts.GAP_LEGEND, "i")
    return rich


def answer_rich(knowledge: Knowledge, answer: Answer, *, group: bool = False) -> Rich:
    """The reply to a question: the answering sentence first, or the closest passage under a caveat.

    In a private chat the whole paragraph follows in an expandable quotation; in a group the
    sentence alone (the paragraph is a button away).
    """
    if answer.verdict is Verdict.NONE:
        return decline_rich(answer, knowledge.examples)
    best = answer.passages[0]
    english = answer.query.english
    rich = Rich()
    for correction in answer.query.corrections:
        read_as = texts.READ_AS_EN if english else texts.READ_AS
        rich.add(read_as.format(right=correction.right, wrong=correction.wrong) + "\n", "i")
    if answer.verdict is Verdict.CLOSEST:
        rich.add(_caveat(knowledge, answer) + "\n")
    elif english:
        rich.add(texts.ENGLISH_LEAD + "\n")
    if answer.figure_missing and answer.figure is not None:
        line = texts.MISSING_FIGURE_EN if english else texts.MISSING_FIGURE
        rich.add(line.format(figure=_marked_figure(answer.figure)) + "\n", "b")
    rich.extend(citation_rich(knowledge, best.passage)).add("\n")
    passage = best.passage
    gaps = _gaps(passage, best.figures)
    span = _text_span(passage, answer.sentence)
    rich.extend(highlight(passage.text, best.matched, gaps=gaps, span=span))
    # The paragraph follows, unless the sentence is most of it already.
    if not group and span[1] - span[0] < MOST_OF * len(passage.text):
        rich.add("\n").quote(highlight(passage.text, best.matched, gaps=gaps))
    # "When was it published?" naming no article: every article's header is the answer.
    for other in answer.passages[1:]:
        if not (passage.is_header and other.passage.is_header) or other.passage.article_id == passage.article_id:
            break
        rich.add("\n\n").extend(passage_rich(knowledge, other))
    return _with_legend(rich)


def _text_span(passage: Passage, sentence: tuple[int, int] | None) -> tuple[int, int]:
    """The answering sentence's span in the passage's own text (it is given in its source text)."""
    if sentence is None:
        return (0, len(passage.text))
    offset = len(passage.source_text) - len(passage.text)
    lo, hi = max(0, sentence[0] - offset), max(0, sentence[1] - offset)
    if hi <= lo:
        return (0, len(passage.text))
    return (lo, min(hi, len(passage.text)))


def _marked_figure(figure: Figure) -> str:
    """A missing figure's shown text with the gap mark where its digits stood."""
    text, shown = figure.text, figure.shown_from if figure.shown_from >= 0 else figure.start
    for gap in sorted(figure.gaps, reverse=True):
        at = gap - shown
        if 0 <= at <= len(text):
            text = text[:at] + texts.GAP + text[at:]
    return text


def _caveat(knowledge: Knowledge, answer: Answer) -> str:
    """What the article does not say, and what the closest passage is about."""
    english = answer.query.english
    question = _TRAILING.sub("", answer.question.strip())
    if len(question) > ECHO_LIMIT:
        question = question[: ECHO_LIMIT - 1] + ELLIPSIS
    have = set(answer.passages[0].matched)
    found = [c for c in answer.query.concepts if c.known and (c.anchors & have or c.text in have)]
    # The most telling of them: the longest word the passage holds (富春未来城, not 攻坚战).
    topic = max((c.text for c in found), key=len, default="")
    why = _why(answer)
    if english:
        about = texts.CLOSEST_ABOUT_EN.format(topic=topic) if topic else texts.CLOSEST_NEAREST_EN
        return f"{texts.CLOSEST_EN.format(question=question, why=why)} {about}"
    about = texts.CLOSEST_ABOUT.format(topic=topic) if topic else texts.CLOSEST_NEAREST
    return f"{texts.CLOSEST.format(question=question, why=why)}{about}"


def _why(answer: Answer) -> str:
    """The reason a passage is only the closest, in a few words of the user's language."""
    english = answer.query.english
    table = texts.WHY_EN if english else texts.WHY
    reason = answer.reason
    if reason is Reason.UNKNOWN_WORDS and answer.unknown:
        return table["unknown"].format(words="、".join(answer.unknown) if not english else ", ".join(answer.unknown))
    if reason is Reason.NOT_EXPLAINED:
        return table["explained"]
    if reason is Reason.NOT_STATED:
        slot = answer.query.intent.slot
        if answer.query.intent.number and slot is not Slot.WHEN:
            return table["number"]
        return table.get(str(slot), table["stated"])
    if reason is Reason.NOT_COVERED and answer.missing:
        return table["covered"].format(words="、".join(answer.missing) if not english else ", ".join(answer.missing))
    return table["stated"]


def decline_rich(answer: Answer, examples: Sequence[str], *, hints: bool = True) -> Rich:
    """Say plainly that the article does not answer, with ``examples`` of what it does answer."""
    rich = Rich()
    if answer.reason is Reason.EMPTY:
        return rich.add(texts.EMPTY_QUESTION.format(example=examples[0] if examples else ""))
    if answer.reason is Reason.TOO_LONG:
        return rich.add(texts.TOO_LONG.format(limit=MAX_QUESTION))
    english = answer.query.english
    rich.add(texts.NOT_IN_ARTICLE_EN if english else texts.NOT_IN_ARTICLE)
    if examples:
        rich.add("\n\n" + (texts.TRY_INSTEAD_EN if english else texts.TRY_INSTEAD))
        for example in examples[:3]:
            rich.add("\n• " + example)
    if hints:
        rich.add("\n" + (texts.FIGURES_HINT_EN if english else texts.FIGURES_HINT))
    return rich


def figures_rich(figures: Sequence[Figure], *, label: bool = True) -> Rich:
    """The figures of a passage, like ``百亿项目、全国快递包裹达亿件（数字缺失）``."""
    rich = Rich().add(texts.FIGURES_LABEL if label else "")
    for i, figure in enumerate(figures):
        if i:
            rich.add("、")
        rich.add(figure.text)
        if figure.missing:
            rich.add(texts.MISSING_MARK, "i")
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
    best = answer.passages[0] if answer.passages else None
    sentence = None
    if best is not None and answer.sentence is not None:
        sentence = best.passage.source_text[answer.sentence[0] : answer.sentence[1]]
    return {
        "question": answer.question,
        "verdict": str(answer.verdict),
        "answered": answer.answered,
        "figure_missing": answer.figure_missing,
        "figure": {"text": answer.figure.text, "missing": answer.figure.missing} if answer.figure else None,
        "reason": str(answer.reason),
        "sentence": sentence,
        "read_as": [{"typed": c.wrong, "term": c.right} for c in answer.query.corrections],
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
