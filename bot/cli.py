"""The command line: ``python -m bot [ask|chat|sandbox|add|check|report|run]``; with no command, the Telegram bot."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from bot import __version__
from bot.config import Settings, load_settings
from bot.console import Terminal, chat, reply_rich, use_colour
from bot.core.answering import Answerer
from bot.core.library import Library
from bot.errors import BotError, ConfigError, KnowledgeError
from bot.replies import texts
from bot.replies.render import answer_json

EXIT_OK = 0  # other statuses: BotError.exit_status (1 knowledge, 2 settings and token, 3 API unreachable, 4 conflict)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m bot``."""
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Answer questions about the bundled news article, in Telegram or here.",
        epilog="With no command, runs the Telegram bot (settings from the environment or .env).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    ask = commands.add_parser("ask", help="answer questions and exit")
    ask.add_argument(
        "question", nargs="*", help="the question (default: one a line from standard input; asked for on a terminal)"
    )
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    commands.add_parser(
        "chat",
        help="ask questions interactively in the terminal",
        description="A question a line, answered as in a private chat. Commands: 更多 (more), /p 7, /figures, "
        "/about, help, quit. Line editing and history where readline is; colour on a terminal unless NO_COLOR is set.",
    )
    sandbox = commands.add_parser(
        "sandbox",
        help="talk to the real bot through a local Bot API server, as a Telegram user would",
        description="Runs the bot against a Bot API server on 127.0.0.1 (no token, nothing sent to Telegram) and "
        "prints each message it sends as it would look, buttons numbered. Type a message to send it, a number to "
        "press a button, /group or /private to change chats, /quit to end. Reads standard input, so it can be "
        "scripted.",
    )
    sandbox.add_argument("--log", action="store_true", help="show the bot's log (at LOG_LEVEL) on standard error")
    add = commands.add_parser(
        "add",
        help="add an article from a text or Markdown file",
        description="Read SOURCE (title line, date line, body; see bot/importing/source.py), cut it into passages, "
        "learn its terms and write it into the knowledge folder.",
    )
    add.add_argument("source", type=Path, help="the article as a UTF-8 text or Markdown file")
    add.add_argument("--id", dest="article_id", help="the article's id (default: from the file name)")
    add.add_argument("--title", help="the title (default: the first line)")
    add.add_argument("--published", help="publication date and time as printed (default: the date line)")
    add.add_argument("--editor", help="the editor (default: a 责任编辑 line)")
    add.add_argument("--place", help="where the story happens")
    add.add_argument("--into", type=Path, help="the knowledge folder (default: KNOWLEDGE_DIR, else the bundled one)")
    add.add_argument("--dry-run", action="store_true", help="print what would be written, write nothing")
    check = commands.add_parser("check", help="validate a knowledge folder, one problem a line")
    check.add_argument("folder", nargs="?", type=Path, help="the folder (default: KNOWLEDGE_DIR, else the bundled one)")
    commands.add_parser("run", help="run the Telegram bot (the default)")
    report = commands.add_parser("report", help="what people asked: totals, unanswered questions, answers voted 👎")
    report.add_argument("--since", default="7d", help="7d, 12h or a UTC date such as 2026-05-01 (default: 7d)")
    report.add_argument("--format", choices=("text", "markdown", "html"), default="text", help="default: text")
    report.add_argument("--output", "-o", type=Path, help="write it to this file (default: standard output)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(need_token=args.command in (None, "run"))
        if args.command == "ask":
            colour = use_colour(sys.stdout, settings) and not args.json
            return ask(_answerer(settings), args.question, as_json=args.json, colour=colour)
        if args.command == "chat":
            return chat(_answerer(settings), settings)
        if args.command == "sandbox":
            os.environ.setdefault("PTB_TIMEDELTA", "1")  # as for the bot itself, below
            from bot.sandbox.session import sandbox  # Telegram and tornado only for the commands that need them

            return sandbox(_answerer(settings), settings, show_log=args.log)
        if args.command == "report":
            from bot.report.command import report  # SQLAlchemy only for the commands that need it

            return report(settings, args.since, args.format, args.output)
        if args.command == "add":
            return add(args, args.into or settings.knowledge_dir, sys.stdout)
        if args.command == "check":
            from bot.importing.check import check_folder

            problems = check_folder(args.folder or settings.knowledge_dir, settings.default_article)
            for problem in problems:
                print(problem)
            return KnowledgeError.exit_status if problems else EXIT_OK
        # Until PTB takes over SIGTERM, it ends start-up quietly instead of killing us.
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        # Opt in to PTB 23's timedelta durations now; PTB 22 warns on every RetryAfter otherwise.
        os.environ.setdefault("PTB_TIMEDELTA", "1")
        from bot.tg.app import run_bot

        return run_bot(settings)
    except BotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (python -m bot ask … | head -1): nothing more to say, and no
        # traceback. Standard output goes to devnull so that flushing it at exit cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _answerer(settings: Settings) -> Library:
    return Library.from_directory(settings.knowledge_dir, settings.cache_dir, settings.default_article)


def ask(answerer: Answerer | Library, question: Sequence[str], *, as_json: bool, colour: bool = False) -> int:
    """Answer the question given, or every line of standard input (on a terminal: one, asked for)."""
    terminal = Terminal(colour=colour)
    questions: Iterable[str]
    if question:
        questions = [" ".join(question)]
    elif sys.stdin.isatty():
        try:
            questions = [terminal.read(texts.ASK_PROMPT)]
        except EOFError:  # Ctrl-D at the prompt: nothing asked
            return EXIT_OK
    else:
        questions = (line.rstrip("\r\n") for line in sys.stdin)
    for text in questions:
        answer = answerer.answer(text)
        if as_json:
            print(json.dumps(answer_json(answer), ensure_ascii=False), flush=True)
        else:
            terminal.write(reply_rich(answerer, answer), end="\n\n")
    return EXIT_OK


def add(args: argparse.Namespace, into: Path, stdout: TextIO) -> int:
    """Import ``args.source`` into the knowledge folder ``into`` (or only report, with --dry-run)."""
    from bot.core.knowledge import load_knowledge
    from bot.importing.add import Options, import_article, report, summary, write

    if into.name == "bundled_knowledge" and not args.dry_run:
        # The copy installed with the package: overwritten by the next install, so not a place to add to.
        raise ConfigError(f"{into} is the knowledge installed with the package: give --into DIR or set KNOWLEDGE_DIR")
    options = Options(args.article_id, args.title, args.published, args.editor, args.place)
    imported = import_article(args.source, options, into)
    stdout.write(report(imported) + "\n")
    if args.dry_run:
        stdout.write(f"dry run: nothing written (would write into {into})\n")
        return EXIT_OK
    written, kept_default = write(imported, into)
    for path in written:
        stdout.write(f"wrote {path}\n")
    if kept_default is not None:
        stdout.write(f"marked {kept_default} 'default: true': it stays the folder's default article\n")
    stdout.write(summary(load_knowledge(into)) + "\n")
    return EXIT_OK
