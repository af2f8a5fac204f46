"""Button payloads: small, stateless, at most 64 bytes, so buttons work after a restart.

Every payload names what to show (passage ids, a page number), never a server-side session.
Anything that does not decode — garbled, forged, or from an older version — is ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64
_ID = r"[A-Za-z0-9_-]{1,24}"


@dataclass(frozen=True)
class More:
    """Page ``page`` of an answer's ranked passages (``ids``, in order, of one article)."""

    article: str
    ids: tuple[str, ...]
    page: int


@dataclass(frozen=True)
class Full:
    """The whole paragraph ``pid`` of ``article``."""

    article: str
    pid: str


@dataclass(frozen=True)
class Example:
    """Ask example question number ``index``."""

    index: int


@dataclass(frozen=True)
class FiguresPage:
    """Page ``page`` of the figures index."""

    page: int


@dataclass(frozen=True)
class Paragraph:
    """Paragraph ¶``number`` of ``article`` (for browsing)."""

    article: str
    number: int


@dataclass(frozen=True)
class Vote:
    """A 👍 (``up``) or 👎 on an answer.

    The answer is the passage ``pid`` of ``article`` that ``verdict`` (``answer`` or
    ``closest``) gave to the question whose keyed digest is ``digest``. What identifies the
    answer travels in the payload, so a vote on an old message still counts after a restart;
    one person's second vote on the same answer replaces the first.
    """

    up: bool
    verdict: str
    article: str
    pid: str
    digest: str


Action = More | Full | Example | FiguresPage | Paragraph | Vote

# Verdicts a vote names, by their first letter (answer, closest; none is never voted on).
_VERDICTS = {"a": "answer", "c": "closest"}

_PATTERNS = {
    "m": re.compile(rf"m\|([0-9]{{1,2}})\|({_ID})\|({_ID}(?:\.{_ID})*)"),
    "f": re.compile(rf"f\|({_ID})\|({_ID})"),
    "x": re.compile(r"x\|([0-9]{1,2})"),
    "g": re.compile(r"g\|([0-9]{1,3})"),
    "p": re.compile(rf"p\|({_ID})\|([0-9]{{1,4}})"),
    # v|u or d|verdict letter|article|passage|digest: at most 2+2+2+25+25+8 = 64 bytes.
    "v": re.compile(rf"v\|([ud])\|([ac])\|({_ID})\|({_ID})\|([A-Za-z0-9_-]{{8}})"),
}


def encode(action: Action) -> str:
    """The payload for ``action``; a long list of ids is shortened to fit 64 bytes."""
    match action:
        case More(article, ids, page):
            data = f"m|{page}|{article}|" + ".".join(ids)
            while len(data.encode()) > MAX_BYTES and "." in data:
                data = data.rsplit(".", 1)[0]
        case Full(article, pid):
            data = f"f|{article}|{pid}"
        case Example(index):
            data = f"x|{index}"
        case FiguresPage(page):
            data = f"g|{page}"
        case Paragraph(article, number):
            data = f"p|{article}|{number}"
        case Vote(up, verdict, article, pid, digest):
            if verdict not in _VERDICTS.values():
                raise ValueError(f"no vote on a {verdict!r} verdict")
            data = f"v|{'u' if up else 'd'}|{verdict[:1]}|{article}|{pid}|{digest}"
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def decode(data: str | None) -> Action | None:
    """The action a payload names, or ``None`` when it is not one of ours."""
    if not data or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    pattern = _PATTERNS.get(data[0])
    found = pattern.fullmatch(data) if pattern else None
    if found is None:
        return None
    groups = found.groups()
    match data[0]:
        case "m":
            return More(groups[1], tuple(groups[2].split(".")), int(groups[0]))
        case "f":
            return Full(groups[0], groups[1])
        case "x":
            return Example(int(groups[0]))
        case "g":
            return FiguresPage(int(groups[0]))
        case "v":
            return Vote(groups[0] == "u", _VERDICTS[groups[1]], groups[2], groups[3], groups[4])
        case _:
            return Paragraph(groups[0], int(groups[1]))
