from __future__ import annotations

import logging

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
