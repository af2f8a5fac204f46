"""A runtime-only install (``pip install .``, no extras) ships and imports every module of bot/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .support import ROOT

# What the wheel is built from: the checkout without tests, caches or virtual environments.
SOURCES = ["pyproject.toml", "README.md", "bot", "knowledge"]


def checkout_modules() -> list[str]:
    modules = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        modules.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return modules


@pytest.mark.slow
def test_a_runtime_only_install_imports_every_module_and_answers(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a copy: building in the checkout would leave build/ behind
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=120)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    installed = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", source], env=env, capture_output=True, text=True, timeout=900
    )
    assert installed.returncode == 0, installed.stderr

    code = (
        "import importlib, json, pkgutil, sys\n"
        "import bot\n"
        "found = ['bot'] + [m.name for m in pkgutil.walk_packages(bot.__path__, 'bot.')]\n"
        "for name in found:\n"
        "    importlib.import_module(name)\n"
        "extras = [m for m in ('pytest', 'ruff', 'mypy') if importlib.util.find_spec(m)]\n"
        "print(json.dumps({'modules': found, 'extras': extras, 'from': bot.__file__}))\n"
    )
    # Away from the checkout, so that only the installed package can be imported.
    done = subprocess.run([python, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert str(venv) in report["from"]
    assert report["extras"] == []  # really a runtime-only install
    shipped = [m for m in report["modules"] if not m.startswith("bot.bundled_knowledge")]
    assert sorted(shipped) == checkout_modules()

    answer = subprocess.run(
        [python, "-m", "bot", "ask", "--json", "桐庐要打赢哪六大攻坚战？"],
        cwd=tmp_path,
        env={**env, "BOT_CACHE_DIR": str(tmp_path / "cache")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout)["answered"] is True
