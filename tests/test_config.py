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
