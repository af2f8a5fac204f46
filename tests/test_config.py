from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import TELEGRAM_BASE_URL, load_settings
from bot.errors import ConfigError

TOKEN = "123456:ABC-def_ghi"


def test_defaults_and_base_urls() -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert settings.base_url == TELEGRAM_BASE_URL
    assert settings.log_level == logging.INFO
    local = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot"})
    assert local.base_file_url == "http://127.0.0.1:8081/file/bot"


def test_the_token_never_shows_in_repr() -> None:
    assert TOKEN not in repr(load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}))


@pytest.mark.parametrize(
    ("environ", "names"),
    [
        ({}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "not a token"}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": "localhost:8081"}, "TELEGRAM_API_BASE_URL"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "ALLOWED_CHAT_IDS": "-100,abc"}, "ALLOWED_CHAT_IDS"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_URL": "https://example.invalid/hook"}, "WEBHOOK_SECRET"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_PORT": "99999"}, "WEBHOOK_PORT"),
    ],
)
def test_bad_settings_name_the_variable(environ: dict[str, str], names: str) -> None:
    with pytest.raises(ConfigError, match=names):
        load_settings(environ, need_token=True)


def test_allowed_chats() -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "ALLOWED_CHAT_IDS": "-100, -200"})
    assert settings.allowed_chat_ids == {-100, -200}
    assert settings.serves(-100, private=False)
    assert not settings.serves(-300, private=False)
    assert settings.serves(42, private=True)


def test_the_env_file_is_read_from_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TELEGRAM_BOT_TOKEN", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nLOG_LEVEL=debug\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    settings = load_settings(need_token=True)
    assert settings.token == TOKEN and settings.log_level == logging.DEBUG
    monkeypatch.setenv("LOG_LEVEL", "ERROR")  # the environment wins over .env
    assert load_settings().log_level == logging.ERROR
    monkeypatch.chdir(tmp_path.parent)  # elsewhere, that .env is not read
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN is not set"):
        load_settings(need_token=True)


def test_a_malformed_env_file_is_one_line_and_status_2(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes(b"TELEGRAM_BOT_TOKEN=\xff\xfe\n")
    environment = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    done = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"error: {tmp_path / '.env'}: cannot read: not UTF-8 text"]


@pytest.mark.parametrize(
    ("name", "value", "field", "expected"),
    [
        ("SHUTDOWN_GRACE_SECONDS", "2.5", "shutdown_grace", 2.5),
        ("STARTUP_TIMEOUT_SECONDS", "0", "startup_timeout", 0.0),
    ],
)
def test_durations(name: str, value: str, field: str, expected: float) -> None:
    assert getattr(load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, name: value}), field) == expected
    assert getattr(load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}), field) > 0
    for bad in ("-1", "soon", "nan", "7200"):
        with pytest.raises(ConfigError, match=name):
            load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, name: bad})
