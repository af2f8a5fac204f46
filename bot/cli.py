"""The command line: ``python -m bot [ask|chat]``; with no command, the Telegram bot."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Iterable, Sequence
from typing import TextIO

from bot import __version__
from bot.config import Settings, load_settings
from bot.core.answering import Answerer
from bot.errors import BotError
from bot.replies.render import answer_json, answer_rich

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
    ask.add_argument("question", nargs="*", help="the question (default: one a line from standard input)")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    commands.add_parser("chat", help="ask questions interactively in the terminal")
    commands.add_parser("run", help="run the Telegram bot (the default)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(need_token=args.command in (None, "run"))
        if args.command == "ask":
            return ask(_answerer(settings), args.question, as_json=args.json)
        if args.command == "chat":
            return chat(_answerer(settings), sys.stdin, sys.stdout)
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


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _answerer(settings: Settings) -> Answerer:
    return Answerer.from_directory(settings.knowledge_dir, settings.cache_dir)


def ask(answerer: Answerer, question: Sequence[str], *, as_json: bool) -> int:
    """Answer the question given, or every line of standard input."""
    questions: Iterable[str] = [" ".join(question)] if question else (line.rstrip("\r\n") for line in sys.stdin)
    for text in questions:
        answer = answerer.answer(text)
        if as_json:
            print(json.dumps(answer_json(answer), ensure_ascii=False), flush=True)
        else:
            print(answer_rich(answerer.knowledge, answer, passages=3).plain(), end="\n\n", flush=True)
    return EXIT_OK


def chat(answerer: Answerer, stdin: TextIO, stdout: TextIO) -> int:
    """An interactive session: a question a line, answers as the bot would give them."""
    article = answerer.knowledge.articles[0]
    stdout.write(f"《{article.title}》 — 输入问题，回车发送；空行或 Ctrl-D 退出。\n")
    interactive = stdin.isatty()
    while True:
        if interactive:
            stdout.write("问> ")
            stdout.flush()
        line = stdin.readline()
        if not line or not line.strip() or line.strip() in ("exit", "quit", "/quit"):
            return EXIT_OK
        answer = answerer.answer(line.strip())
        stdout.write(answer_rich(answerer.knowledge, answer, passages=3).plain() + "\n\n")
        stdout.flush()
