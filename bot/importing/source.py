"""A source file → its metadata (title, date, editor) and its body.

The source-file format (plain text or Markdown, UTF-8):

- the **header**: the title line (a Markdown ``#`` mark is allowed), then, within the next
  few lines, a line holding the date and time (``2020/3/11 19:59``, ``2023-11-16 08:45``,
  ``2023年11月16日 08:45``, with anything else on the line, such as ``来源：…``), and any
  byline lines (来源, 作者, 记者, 编辑, 通讯员 …) and blank lines;
- the **body**: everything after the header, verbatim — paragraphs on lines of their own
  (blank lines between them or not), or run together on one line; Markdown headings;
  a ``责任编辑：…`` line at the end (or run into the last line).

Metadata given on the command line win over the header; a header line is taken as the
title or the date only when it agrees with what was given (or nothing was).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.errors import BotError

_DATE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?")
_BYLINE = re.compile(r"^\s*(?:来源|作者|记者|编辑|责任编辑|通讯员|摄影|撰文|文|图|发布时间|时间)\s*[：:／/|]")
_EDITOR = re.compile(r"(?:责任编辑|编辑)\s*[：:]?\s*(?P<name>[\u4e00-\u9fff·]{2,6})\s*$")
_MARK = re.compile(r"^\s*#{1,6}\s*")
# How many lines after the title may still be header (date, bylines, blanks).
_HEADER_LINES = 6
_TITLE_MAX = 80


class SourceError(BotError):
    """The source cannot be read as an article (no title, no body, not text)."""


@dataclass(frozen=True)
class Header:
    """What the source's first lines (and flags) say, and where its body starts."""

    title: str
    published: str
    editor: str | None
    place: str | None
    body_line: int  # 1-based line where the body starts
    body: str
    given: tuple[str, ...] = ()  # fields given by flags, not found in the source
    found_at: dict[str, int] = field(default_factory=dict)  # field → 1-based line it was read from


def parse(
    text: str,
    *,
    title: str | None = None,
    published: str | None = None,
    editor: str | None = None,
    place: str | None = None,
) -> Header:
    """Split ``text`` into header and body and read its metadata (see the module)."""
    lines = text.split("\n")
    found_at: dict[str, int] = {}
    index = _skip_blank(lines, 0)
    if index < len(lines):
        first = _MARK.sub("", lines[index]).strip()
        looks_like_title = len(first) <= _TITLE_MAX and not _DATE.fullmatch(first)
        if (title is None and looks_like_title) or (title is not None and first == title):
            title, found_at["title"] = first, index + 1
            index += 1
    header_end = index
    for offset in range(index, min(len(lines), index + _HEADER_LINES)):
        line = lines[offset]
        date = _DATE.search(line)
        if date and "published" not in found_at and (published is None or published in line) and len(line) < 80:
            published, found_at["published"] = published or date.group(0), offset + 1
            header_end = offset + 1
        elif _BYLINE.match(line) and len(line.strip()) <= 40:
            header_end = offset + 1
            if found := _EDITOR.search(line):
                editor, found_at["editor"] = editor or found.group("name"), offset + 1
        elif line.strip():
            break
    header_end = _skip_blank(lines, header_end)
    body = "\n".join(lines[header_end:])
    if not title:
        raise SourceError("no title: the first line is not one (give --title)")
    if not published:
        raise SourceError("no date line in the first lines (give --published, e.g. --published '2024/3/1 10:00')")
    if not body.strip():
        raise SourceError("no body after the title and date lines")
    if editor is None and (found := _EDITOR.search(body.rstrip())):
        editor = found.group("name")
        found_at["editor"] = header_end + body.rstrip().count("\n") + 1
    given = tuple(name for name in ("title", "published") if name not in found_at)
    return Header(title, published, editor, place, header_end + 1, body, given, found_at)


def _skip_blank(lines: list[str], index: int) -> int:
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index
