"""A body of text → passages a reader can take in, cut where the source or its topic breaks.

1. **The source's own breaks.** Blank lines separate paragraphs (in a body that has none,
   every line is one). A Markdown heading (``## …``) or a short line standing alone with no
   sentence end (``一餐一补，钱从哪里来``) heads the paragraph after it. A byline (``责任编辑：…``,
   also run into the end of the last line) is a passage of its own.
2. **Topic turns.** A paragraph longer than ``high`` characters (the bundled article is one
   2,000-character line) is cut at sentence ends, TextTiling-style: each sentence becomes the
   content words jieba finds in it; the *cohesion* at a sentence end is the cosine similarity
   of the words of the sentences just before and just after (about ``_WINDOW`` characters each
   side); a cut is cheapest where cohesion is lowest. Dynamic programming picks the cuts that
   minimise cohesion at the cuts plus how far each piece is from ``target`` characters, with
   every piece between ``low`` and ``high`` (a sentence longer than ``high`` stays whole).
   A sentence that opens with a turn of subject (据了解, 目前, 此外, a question) makes a
   cheaper cut before it; one that closes a quote's attribution (……方毅说道。) a cheaper
   cut after it.

Every passage is an exact slice of the source; only whitespace at the cuts and a heading's
``#`` mark are left out (the verbatim rule of :mod:`bot.core.knowledge`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

LOW = 60
TARGET = 160
HIGH = 320
HEADING_MAX = 30
# Characters of context on each side of a sentence end when judging cohesion.
_WINDOW = 90
# Weights: of a piece's distance from the target length, and of a cue at a cut.
_LENGTH_WEIGHT = 0.35
_CUE_BONUS = 0.25
_SENTENCE = re.compile(r".*?(?:[。！？!?]+[”’」』）)]*|$)", re.S)
_SENTENCE_END = re.compile(r"[。！？!?；;…][”’」』）)]*$")
_MARKDOWN_HEADING = re.compile(r"#{1,6}[ \t]+(?P<text>.+?)[ \t]*#*[ \t]*$")
_BYLINE = re.compile(r"(?:责任编辑|编辑|记者|通讯员|作者|摄影|来源)[：:\s]?\s*\S{1,20}$")
_RUN_IN_BYLINE = re.compile(r"(?<=[。！？!?”])(?:责任编辑|编辑)[：:]?\s*[\u4e00-\u9fff]{2,4}$")
# Openings that turn to a new subject, and closings that end a quoted speaker's turn.
_OPENING_CUE = re.compile(
    r"^(?:据了解|据悉|目前|此外|另外|同时|与此同时|今年|去年|明年|年，|在[^，。]{2,20}(?:上|中)，|[^，。]{0,6}？)"
)
_CLOSING_CUE = re.compile(r"(?:说道|说|表示|介绍|指出|强调)。[”’]?$")


@dataclass(frozen=True)
class Piece:
    """A passage: the headings that open it, its text, and how it was made."""

    headings: tuple[str, ...]
    text: str
    cut: bool = False  # cut out of a longer paragraph at a topic turn


Words = Callable[[str], Sequence[str]]


def split_body(body: str, words: Words, *, low: int = LOW, target: int = TARGET, high: int = HIGH) -> list[Piece]:
    """The passages of ``body``, in order; ``words`` gives the content words of a sentence."""
    pieces: list[Piece] = []
    headings: list[str] = []
    blocks = _blocks(body)
    for index, (kind, text) in enumerate(blocks):
        if kind == "heading" or (kind == "text" and _standalone_heading(blocks, index)):
            headings.append(text)
            continue
        if kind == "text" and index == len(blocks) - 1 and (byline := _RUN_IN_BYLINE.search(text)):
            parts = [(text[: byline.start()], "text"), (byline.group(0), "byline")]
        else:
            parts = [(text, kind)]
        for part, part_kind in parts:
            cut = part_kind == "text" and len(part) > high
            texts = _tile(part, words, low=low, target=target, high=high) if cut else [part]
            for piece in texts:
                pieces.append(Piece(tuple(headings), piece, cut))
                headings = []
    if headings:  # headings with nothing after them are text after all
        pieces.extend(Piece((), h) for h in headings)
    return pieces


def _blocks(body: str) -> list[tuple[str, str]]:
    """(kind, text) of each block: "heading", "byline" or "text"; texts stripped of blanks at their ends."""
    lines = body.split("\n")
    paragraphs_by_blank_lines = any(not line.strip() for line in lines[1:-1])
    blocks: list[tuple[str, str]] = []
    current: list[str] = []

    def close() -> None:
        if current:
            blocks.append(("text", "\n".join(current).strip()))
            current.clear()

    for line in lines:
        stripped = line.strip()
        heading = _MARKDOWN_HEADING.fullmatch(stripped)
        if not stripped:
            close()
        elif heading:
            close()
            blocks.append(("heading", heading.group("text")))
        elif _BYLINE.fullmatch(stripped) and len(stripped) <= HEADING_MAX:
            close()
            blocks.append(("byline", stripped))
        else:
            current.append(line)
            if not paragraphs_by_blank_lines:
                close()
    close()
    return blocks


def _standalone_heading(blocks: list[tuple[str, str]], index: int) -> bool:
    """A short line with no sentence end, followed by a longer paragraph."""
    text = blocks[index][1]
    if len(text) > HEADING_MAX or "\n" in text or _SENTENCE_END.search(text):
        return False
    following = blocks[index + 1] if index + 1 < len(blocks) else None
    return following is not None and following[0] == "text" and len(following[1]) > len(text)


def sentences(text: str) -> list[str]:
    """``text`` cut after each sentence end (。！？ and the closing quotes that follow)."""
    return [s for s in _SENTENCE.findall(text) if s]


def _tile(text: str, words: Words, *, low: int, target: int, high: int) -> list[str]:
    """Cut a long paragraph at the sentence ends where its topic turns (see the module)."""
    units = sentences(text)
    if len(units) < 2:
        return [text]
    bags = [Counter(words(u)) for u in units]
    ends = [0]
    for unit in units:
        ends.append(ends[-1] + len(unit))
    gap_cost = [0.0] + [_cohesion(units, bags, g) - _cue(units, g) for g in range(1, len(units))]
    # best[j]: the cheapest way to cut units[:j]; back[j]: where its last piece starts.
    best = [0.0] + [math.inf] * len(units)
    back = [0] * (len(units) + 1)
    for j in range(1, len(units) + 1):
        for i in range(j - 1, -1, -1):
            size = ends[j] - ends[i]
            if size > high and j - i > 1:
                break
            if size < low and not (i == 0 and j == len(units)):
                continue
            cost = best[i] + _LENGTH_WEIGHT * ((size - target) / target) ** 2 + (gap_cost[i] if i else 0.0)
            if cost < best[j]:
                best[j], back[j] = cost, i
    if math.isinf(best[-1]):
        return [text]
    cuts = []
    j = len(units)
    while j > 0:
        cuts.append(j)
        j = back[j]
    bounds = [0, *sorted(cuts)]
    return [text[ends[a] : ends[b]] for a, b in zip(bounds, bounds[1:], strict=False)]


def _cohesion(units: list[str], bags: list[Counter[str]], gap: int) -> float:
    """Cosine similarity of the words around the end of ``units[gap - 1]``."""
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    size = 0
    for i in range(gap - 1, -1, -1):
        before.update(bags[i])
        size += len(units[i])
        if size >= _WINDOW:
            break
    size = 0
    for i in range(gap, len(units)):
        after.update(bags[i])
        size += len(units[i])
        if size >= _WINDOW:
            break
    dot = sum(n * after[w] for w, n in before.items())
    norm = math.sqrt(sum(n * n for n in before.values())) * math.sqrt(sum(n * n for n in after.values()))
    return dot / norm if norm else 0.0


def _cue(units: list[str], gap: int) -> float:
    """How much a turn of subject at this sentence end lowers the cost of a cut there."""
    bonus = 0.0
    if _OPENING_CUE.match(units[gap]):
        bonus += _CUE_BONUS
    if _CLOSING_CUE.search(units[gap - 1]):
        bonus += _CUE_BONUS
    return bonus
