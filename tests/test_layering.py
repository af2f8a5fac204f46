"""The core (knowledge, tokenizer, retrieval, figures, answering, rendering, CLI) never imports Telegram."""

from __future__ import annotations

import subprocess
import sys

from .support import ROOT

CORE = [
    "bot.core.knowledge",
    "bot.core.tokenizer",
    "bot.core.wordstore",
    "bot.core.prebuilt",
    "bot.replies.messages",
    "bot.replies.payloads",
    "bot.core.lexicon",
    "bot.core.query",
    "bot.core.retrieval",
    "bot.core.figures",
    "bot.core.answering",
    "bot.replies.render",
    "bot.replies.texts",
    "bot.cli",
    "bot.privacy",
    "bot.store.log",
    "bot.report.command",
    "bot.replies.logbook",
]


def test_the_core_runs_with_telegram_unimportable() -> None:
    code = (
        "import sys; sys.modules['telegram'] = None; sys.modules['telegram.ext'] = None\n"
        + "".join(f"import {m}\n" for m in CORE)
        + "from bot.core.answering import Answerer\n"
        "from bot.core.knowledge import bundled_knowledge_dir\n"
        "a = Answerer.from_directory(bundled_knowledge_dir())\n"
        "assert a.answer('桐庐要打赢哪六大攻坚战？').answered\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_ask_imports_neither_telegram_nor_the_store() -> None:
    code = (
        "import sys, runpy\n"
        "sys.argv = ['bot', 'ask', '--json', '三通一达']\n"
        "try:\n    runpy.run_module('bot', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "assert 'telegram' not in sys.modules, 'telegram imported'\n"
        "assert 'bot.store' not in sys.modules and 'sqlalchemy' not in sys.modules, 'the store imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
