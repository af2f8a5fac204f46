"""What the bot sent, as a terminal shows it: Telegram HTML back into styled text, buttons numbered.

The local server records the HTML the bot sent; :func:`rich_from_html` reads it back into a
:class:`~bot.replies.render.Rich` — bold, italic, the expandable quotation (shown expanded,
indented), links with their address — so it prints like ``ask`` and ``chat`` print, with
colour or without.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from bot.replies.render import Rich

# Telegram's tags and the Rich style each stands for (the others show as plain text).
_STYLES = {"b": "b", "strong": "b", "i": "i", "em": "i", "blockquote": "q"}


class _ToRich(HTMLParser):
    """Telegram HTML (already checked by the server) → :class:`Rich` runs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rich = Rich()
        self.open: list[str] = []
        self.links: list[tuple[str, int]] = []  # href, and where the link's text starts

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open.append(tag)
        if tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.rich.runs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag)]
        if tag == "a" and self.links:
            href, start = self.links.pop()
            text = "".join(t for _, t in self.rich.runs[start:])
            if href and href != text:
                self.rich.add(f" ({href})", self._style())

    def handle_data(self, data: str) -> None:
        self.rich.add(data, self._style())

    def _style(self) -> str:
        flags = {_STYLES[t] for t in self.open if t in _STYLES}
        # "q" first: Rich reads it as "inside the quotation", the rest as styles.
        return "".join(f for f in "qbi" if f in flags)


def rich_from_html(html: str) -> Rich:
    """The styled text of a Telegram HTML message."""
    parser = _ToRich()
    parser.feed(html)
    parser.close()
    return parser.rich


def buttons_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    """A message's inline buttons, row after row (the order their numbers follow)."""
    markup = message.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


def keyboard_lines(message: dict[str, Any]) -> list[str]:
    """The inline keyboard as lines, a row a line: ``[1] 更多``, ``[2] 👍  [3] 👎``."""
    markup = message.get("reply_markup") or {}
    lines, number = [], 0
    for row in markup.get("inline_keyboard", []):
        cells = []
        for button in row:
            number += 1
            cells.append(f"[{number}] {button.get('text', '')}")
        lines.append("  ".join(cells))
    return lines
