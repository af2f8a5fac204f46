"""The layers import one way: core ← replies ← tg; nothing under bot/ imports the tests.

Read from the source (every ``import`` of every module under ``bot/``, function-level ones too),
then run: the core, the replies and ``python -m bot ask`` work with Telegram, tornado, ``bot.tg``
and ``bot.sandbox`` unimportable.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from .support import ROOT

BOT = ROOT / "bot"
# What each part of bot/ may not import (a name and everything under it).
NEVER = {
    "bot": ("tests", "benchmarks"),
    "bot.core": (
        "telegram",
        "tornado",
        "httpx",
        "sqlalchemy",
        "bot.tg",
        "bot.replies",
        "bot.sandbox",
        "bot.config",
        "bot.cli",
        "bot.store",
        "bot.report",
        "bot.importing",
    ),
    "bot.importing": ("telegram", "tornado", "bot.tg", "bot.sandbox", "bot.store"),
    "bot.store": ("telegram", "tornado", "bot.tg", "bot.sandbox"),
    "bot.replies": ("telegram", "tornado", "httpx", "bot.tg", "bot.sandbox", "bot.cli"),
    "bot.tg": ("bot.sandbox", "bot.cli"),
    "bot.console": ("telegram", "tornado", "httpx", "bot.tg", "bot.sandbox", "bot.cli"),
}
# Only the settings module reads .env.
ONLY = {"dotenv": "bot.config"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[str, int]]:
    """Every module ``path`` imports, with the line; ``from a import b`` counts as ``a`` and ``a.b``."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.append((module, node.lineno))
            found += [(f"{module}.{alias.name}", node.lineno) for alias in node.names]
    return found


def under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def all_imports() -> dict[str, list[tuple[str, int]]]:
    return {module_name(path): imports(path) for path in sorted(BOT.rglob("*.py"))}


def test_the_scan_sees_imports_of_every_kind() -> None:
    found = all_imports()
    assert {"bot.core", "bot.replies", "bot.tg", "bot.sandbox", "bot.cli"} <= found.keys()
    names = {module: {n for n, _ in imported} for module, imported in found.items()}
    assert "telegram.ext" in names["bot.tg.app"]  # from-imports
    assert "jieba.posseg" in names["bot.core.tokenizer"]  # inside a function
    assert "bot.tg.app" in names["bot.cli"]  # a lazy import in the command line
    assert "bot.replies.payloads" in names["bot.replies.messages"]  # from a package, a module


def forbidden_for(module: str) -> list[str]:
    never = [name for layer, names in NEVER.items() if under(module, layer) for name in names]
    return never + [dependency for dependency, owner in ONLY.items() if module != owner]


def test_each_layer_imports_only_what_it_may() -> None:
    wrong = [
        f"{module}:{line} imports {name}"
        for module, imported in all_imports().items()
        for name, line in imported
        if any(under(name, forbidden) for forbidden in forbidden_for(module))
    ]
    assert wrong == []


def test_the_core_and_ask_run_with_telegram_and_the_test_server_unimportable() -> None:
    code = (
        "import importlib, pkgutil, runpy, sys\n"
        "for name in ('telegram', 'tornado', 'httpx', 'bot.tg', 'bot.sandbox'):\n"
        "    sys.modules[name] = None\n"
        "import bot.core, bot.replies\n"
        "for package in (bot.core, bot.replies):\n"
        "    for module in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
        "        importlib.import_module(module.name)\n"
        "sys.argv = ['bot', 'ask', '--json', '桐庐要打赢哪六大攻坚战？']\n"
        "try:\n"
        "    runpy.run_module('bot', run_name='__main__')\n"
        "except SystemExit as stop:\n"
        "    assert not stop.code, stop.code\n"
    )
    # The session's prepared-index folder comes with the environment: a load, not a build.
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["answered"] is True
