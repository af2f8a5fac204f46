"""Settings from the environment, validated at once and frozen; the only reader of os.environ."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlparse

from bot.errors import ConfigError

TELEGRAM_BASE_URL = "https://api.telegram.org/bot"
# A bot token is the bot's numeric id, a colon and a secret of letters, digits, _ and -.
_TOKEN = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{1,100}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True)
class Settings:
    """Everything the bot is told by its environment."""

    token: str = field(repr=False)
    base_url: str = TELEGRAM_BASE_URL
    log_level: int = logging.INFO
    allowed_chat_ids: frozenset[int] = frozenset()
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443

    @property
    def base_file_url(self) -> str:
        """Where files are fetched: the API URL with ``/file`` before its ``/bot``."""
        if self.base_url.endswith("/bot"):
            return self.base_url[: -len("/bot")] + "/file/bot"
        return self.base_url

    def serves(self, chat_id: int, private: bool) -> bool:
        """Whether the bot may answer in this chat (private chats always)."""
        return private or not self.allowed_chat_ids or chat_id in self.allowed_chat_ids


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the settings; raise :class:`ConfigError` naming the variable."""
    env = os.environ if environ is None else environ

    def get(name: str) -> str:
        return env.get(name, "").strip()

    token = get("TELEGRAM_BOT_TOKEN")
    if not token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set (see .env.example)")
    if not _TOKEN.fullmatch(token):
        raise ConfigError("TELEGRAM_BOT_TOKEN is malformed: expected digits, a colon and the secret (123456:ABC-…)")

    base_url = get("TELEGRAM_API_BASE_URL") or TELEGRAM_BASE_URL
    parsed = urlparse(base_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError("TELEGRAM_API_BASE_URL must be an http(s) URL such as http://127.0.0.1:8081/bot")

    level_name = (get("LOG_LEVEL") or "INFO").upper()
    if level_name not in _LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(_LEVELS)}")

    allowed: set[int] = set()
    for part in filter(None, (p.strip() for p in get("ALLOWED_CHAT_IDS").split(","))):
        try:
            allowed.add(int(part))
        except ValueError:
            raise ConfigError(f"ALLOWED_CHAT_IDS: {part!r} is not a chat id") from None

    webhook_url = get("WEBHOOK_URL") or None
    webhook_secret = get("WEBHOOK_SECRET") or None
    if webhook_url is not None:
        if urlparse(webhook_url).scheme not in ("http", "https"):
            raise ConfigError("WEBHOOK_URL must be an http(s) URL")
        if webhook_secret is None or not _SECRET.fullmatch(webhook_secret):
            raise ConfigError("WEBHOOK_SECRET must be set with WEBHOOK_URL: 1-256 of A-Z a-z 0-9 _ -")
    port_text = get("WEBHOOK_PORT") or "8443"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ConfigError("WEBHOOK_PORT must be a port number")

    return Settings(
        token=token,
        base_url=base_url,
        log_level=getattr(logging, level_name),
        allowed_chat_ids=frozenset(allowed),
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        webhook_listen=get("WEBHOOK_LISTEN") or "127.0.0.1",
        webhook_port=int(port_text),
    )
