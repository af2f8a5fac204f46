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
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": "mysql://localhost/log"}, "DATABASE_URL"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": "questions.sqlite3"}, "DATABASE_URL"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "LOG_QUESTIONS": "maybe"}, "LOG_QUESTIONS"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "LOG_RETENTION_DAYS": "0"}, "LOG_RETENTION_DAYS"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "LOG_SECRET": "short"}, "LOG_SECRET"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "ADMIN_USER_IDS": "12,me"}, "ADMIN_USER_IDS"),
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


def test_question_log_defaults() -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert settings.database_url is not None and settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("/tonglu-bot/questions.sqlite3")
    assert settings.log_questions and settings.retention_days == 30 and settings.admin_user_ids == frozenset()
    # Without LOG_SECRET the key comes from the token: stable, and not the token itself.
    assert settings.hash_key == load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}).hash_key
    assert TOKEN.encode() not in settings.hash_key


def test_question_log_settings() -> None:
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "DATABASE_URL": "postgresql://bot:pw@127.0.0.1/log",
            "LOG_QUESTIONS": "off",
            "LOG_RETENTION_DAYS": "7",
            "LOG_SECRET": "sixteen-chars-or-more",
            "ADMIN_USER_IDS": "12, 34",
        }
    )
    assert settings.database_url == "postgresql://bot:pw@127.0.0.1/log"
    assert not settings.log_questions and settings.retention_days == 7
    assert settings.hash_key == b"sixteen-chars-or-more" and settings.admin_user_ids == {12, 34}
    assert "pw" not in repr(settings) and "sixteen" not in repr(settings)


@pytest.mark.parametrize(("value", "no_color"), [(None, False), ("", False), ("1", True), ("false", True)])
def test_no_color_is_set_and_not_empty(value: str | None, no_color: bool) -> None:
    # https://no-color.org: any non-empty value, whatever it says, turns colour off.
    environ = {} if value is None else {"NO_COLOR": value}
    assert load_settings(environ).no_color is no_color


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
