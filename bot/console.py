"""The terminal: ``python -m bot chat``, and the line reading and styled writing ``ask`` and the sandbox share.

:class:`Terminal` reads a line with the standard library's :mod:`readline` when a person is at a
terminal (line editing, ↑ ↓ through earlier lines, kept in a history file between sessions) and
plain lines from a pipe, so a session can be scripted. It writes :class:`~bot.replies.render.Rich`
text with ANSI styles only to a terminal, and never when ``NO_COLOR`` is set (https://no-color.org).

:class:`Console` is the ``chat`` session: a question a line, answered as the bot answers in a
private chat, and a few commands for what the bot offers as buttons and commands (更多, /p 7,
/figures, /about, help, quit). Blank lines are ignored; only quit or Ctrl-D end it.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import TextIO

from bot.config import Settings
from bot.core.answering import Answer, Answerer, RankedPassage
from bot.core.knowledge import Article, Passage
from bot.core.library import Library
from bot.core.verdict import Reason, Verdict
from bot.replies import texts
from bot.replies.messages import Replies
from bot.replies.render import Rich, answer_rich, decline_rich, figures_index, passage_rich

HISTORY_LENGTH = 1000
CHAT_HISTORY = "chat_history"
QUIT = frozenset({"quit", "exit", "/quit", "/exit", "退出"})
HELP = frozenset({"help", "/help", "?", "？", "帮助", "/start"})
MORE = frozenset({"更多", "more", "/more"})
FIGURES = frozenset({"/figures", "figures"})
ABOUT = frozenset({"/about", "about"})
# /p 7, /p p7, /p ¶7, /p tonglu 7, /p tonglu-p7 (article ids are lower-case slugs, hyphens allowed).
_PARAGRAPH = re.compile(r"/p\s*(?:(?P<article>[a-z0-9][a-z0-9-]*?)(?:\s+|-)(?=[p¶]?\d))?[p¶]?(?P<number>\d{1,4})")
# Readline must be told which prompt characters take no room on the screen.
_INVISIBLE = re.compile(r"(\x1b\[[0-9;]*m)")


def use_colour(stream: TextIO, settings: Settings) -> bool:
    """ANSI styles only on a terminal, and never with ``NO_COLOR`` set."""
    return _isatty(stream) and not settings.no_color


def history_file(settings: Settings, name: str) -> Path | None:
    """Where a console keeps its line history: the cache folder (none without one)."""
    return settings.cache_dir / name if settings.cache_dir is not None else None


class Terminal:
    """Lines in, styled text out.

    At a terminal (standard input and output both TTYs) lines are read with :mod:`readline`,
    with ``history`` loaded at the start and saved by :meth:`close`. From a pipe, lines are
    read as they come and no prompt is shown; when only standard input is a terminal (the
    output goes to a pipe) the prompt goes to standard error.
    """

    def __init__(
        self,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        *,
        colour: bool = False,
        history: Path | None = None,
    ) -> None:
        """``None`` streams are the process's own (read at call time, so tests may swap them)."""
        self.stdin = stdin if stdin is not None else sys.stdin
        self.stdout = stdout if stdout is not None else sys.stdout
        self.colour = colour
        self.history = history
        # input() edits lines with readline only on the process's own standard streams.
        self.interactive = (
            self.stdin is sys.stdin and self.stdout is sys.stdout and _isatty(self.stdin) and _isatty(self.stdout)
        )
        self._readline = _load_readline(history) if self.interactive else None

    def read(self, prompt: str) -> str:
        """The next line, without its line end; :class:`EOFError` at the end of input (Ctrl-D)."""
        if self.interactive:
            shown = _INVISIBLE.sub("\x01\\1\x02", prompt) if self._readline is not None else prompt
            return input(shown)
        if _isatty(self.stdin):
            sys.stderr.write(_INVISIBLE.sub("", prompt))
            sys.stderr.flush()
        line = self.stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\r\n")

    def write(self, text: Rich | str, end: str = "\n") -> None:
        """Write ``text`` (styled on a colour terminal) and ``end``."""
        if isinstance(text, Rich):
            text = text.ansi() if self.colour else text.plain()
        self.stdout.write(text + end)
        self.stdout.flush()

    def styled(self, text: str, style: str) -> str:
        """``text`` in ``style`` (flags as in :class:`Rich`) if colour is on."""
        return Rich().add(text, style).ansi() if self.colour else text

    def close(self) -> None:
        """Save the line history (a nicety: a folder that cannot be written is no error)."""
        if self._readline is None or self.history is None:
            return
        with contextlib.suppress(OSError):
            self.history.parent.mkdir(parents=True, exist_ok=True)
            self._readline.write_history_file(str(self.history))
            os.chmod(self.history, 0o600)  # the questions asked are nobody else's business


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except ValueError:  # closed
        return False


def _load_readline(history: Path | None) -> ModuleType | None:
    """Line editing for input(), with ``history`` read in; ``None`` where there is no readline."""
    try:
        import readline
    except ImportError:  # Windows: input() still works, without editing
        return None
    readline.set_history_length(HISTORY_LENGTH)
    if history is not None and history.is_file():
        with contextlib.suppress(OSError):
            readline.read_history_file(str(history))
    return readline


def reply_rich(answerer: Answerer | Library, answer: Answer, *, hints: bool = False) -> Rich:
    """An answer as ``ask`` and ``chat`` print it: as in a private chat, with the console's own hints.

    A decline must not point at a command the terminal does not have: it gets the console's
    hint line (``hints``, in the question's language) or none, instead of the bot's.
    """
    if answer.verdict is not Verdict.NONE:
        return answer_rich(answerer.knowledge, answer)
    rich = decline_rich(answer, answerer.examples, hints=False)
    if hints and answer.reason not in (Reason.EMPTY, Reason.TOO_LONG):
        rich.add("\n" + (texts.CONSOLE_HINT_EN if answer.query.english else texts.CONSOLE_HINT))
    return rich


class Console:
    """``python -m bot chat``: questions and commands, answered as the bot answers in a private chat."""

    def __init__(self, answerer: Answerer | Library) -> None:
        """Answer from ``answerer``'s articles."""
        self.answerer = answerer
        self.knowledge = answerer.knowledge
        self.replies = Replies(answerer)
        # The passages of the last answer (as the bot's 更多 pages them) and the page shown.
        self.pages: tuple[Passage, ...] = ()
        self.page = 0

    def run(self, terminal: Terminal) -> int:
        """Read and answer until quit or the end of input; the exit status."""
        terminal.write(self.banner())
        try:
            while True:
                try:
                    line = terminal.read(terminal.styled(texts.CONSOLE_PROMPT, "b")).strip()
                except KeyboardInterrupt:
                    if not terminal.interactive:
                        raise
                    terminal.write("")  # Ctrl-C drops the line being typed, as in a shell
                    continue
                except EOFError:
                    if terminal.interactive:
                        terminal.write("")
                    return 0
                if not line:
                    continue
                if line.lower() in QUIT:
                    return 0
                terminal.write(self.respond(line), end="\n\n")
        finally:
            terminal.close()

    def banner(self) -> str:
        """The first line: which article, and how to get help and out."""
        articles = self.knowledge.articles
        if len(articles) == 1:
            return texts.CONSOLE_BANNER.format(title=articles[0].title)
        return texts.CONSOLE_BANNER_ARTICLES.format(count=len(articles), title=self.knowledge.default.title)

    def respond(self, line: str) -> Rich:
        """What a line gets: a command's output, or the answer to a question."""
        command = line.lower()
        if command in HELP:
            return Rich().add(texts.CONSOLE_HELP.format(articles=self._articles_hint(texts.CONSOLE_HELP_ARTICLES)))
        if command in MORE:
            return self.more()
        if command in FIGURES:
            return self.figures()
        if command in ABOUT:
            return self.replies.about_rich()
        if command.startswith("/p"):
            found = _PARAGRAPH.fullmatch(command)
            if found is None:
                return Rich().add(texts.CONSOLE_P_USAGE.format(articles=self._articles_hint(texts.CONSOLE_P_ARTICLES)))
            return self.paragraph(found.group("article"), int(found.group("number")))
        if command.startswith("/"):
            return Rich().add(texts.CONSOLE_UNKNOWN)
        return self.ask(line)

    def ask(self, question: str) -> Rich:
        """The answer to ``question``; its passages become the pages of 更多."""
        answer = self.answerer.answer(question)
        rich = reply_rich(self.answerer, answer, hints=True)
        self.pages, self.page = (), 0
        if answer.verdict is not Verdict.NONE and answer.passages:
            # As the bot's 更多 button: the passages that scored, of the answering article.
            article = answer.passages[0].passage.article_id
            self.pages = tuple(r.passage for r in answer.passages if r.score > 0 and r.passage.article_id == article)
            if len(self.pages) > 1:
                rich.add("\n").add(texts.CONSOLE_MORE.format(count=len(self.pages)), "i")
        return rich

    def more(self) -> Rich:
        """The next passage of the last answer, numbered like the bot's pages (2/5 …)."""
        if not self.pages:
            return Rich().add(texts.CONSOLE_NOTHING_YET)
        if self.page + 1 >= len(self.pages):
            return Rich().add(texts.CONSOLE_NO_MORE)
        self.page += 1
        passage = self.pages[self.page]
        rich = Rich().add(f"{self.page + 1}/{len(self.pages)} ", "i")
        rich.extend(passage_rich(self.knowledge, self._unranked(passage)))
        if self.page + 1 < len(self.pages):
            rich.add("\n").add(texts.CONSOLE_MORE.format(count=len(self.pages)), "i")
        return rich

    def paragraph(self, article_id: str | None, number: int) -> Rich:
        """Paragraph ¶``number`` (of the default article unless ``article_id``), and how to turn the page."""
        try:
            article = self.knowledge.article(article_id) if article_id else self.knowledge.default
        except KeyError:
            return Rich().add(texts.PARAGRAPH_NOT_FOUND)
        passage = article.paragraph(number)
        if passage is None:
            return Rich().add(texts.PARAGRAPH_NOT_FOUND)
        rich = passage_rich(self.knowledge, self._unranked(passage))
        turns = [
            line.format(ref=self._ref(article, n))
            for line, n in ((texts.CONSOLE_PREVIOUS, number - 1), (texts.CONSOLE_NEXT, number + 1))
            if article.paragraph(n) is not None
        ]
        return rich.add("\n").add(" · ".join(turns), "i") if turns else rich

    def figures(self) -> Rich:
        """The figures index, whole (a terminal scrolls)."""
        lines = figures_index(self.knowledge, self.answerer.figures)
        if not lines:
            return Rich().add(texts.FIGURES_NONE)
        rich = Rich().add(texts.CONSOLE_FIGURES_TITLE.format(count=len(lines)), "b")
        for line in lines:
            rich.add("\n").extend(line)
        return rich

    def _ref(self, article: Article, number: int) -> str:
        return str(number) if len(self.knowledge.articles) == 1 else f"{article.id} {number}"

    def _articles_hint(self, line: str) -> str:
        return line.format(article=self.knowledge.default.id) if len(self.knowledge.articles) > 1 else ""

    def _unranked(self, passage: Passage) -> RankedPassage:
        return RankedPassage(passage, 0.0, (), self.answerer.figures(passage))


def chat(answerer: Answerer | Library, settings: Settings) -> int:
    """``python -m bot chat`` on the process's terminal (or pipe)."""
    terminal = Terminal(colour=use_colour(sys.stdout, settings), history=history_file(settings, CHAT_HISTORY))
    return Console(answerer).run(terminal)
