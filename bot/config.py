"""Settings from the environment and ``.env``, validated at once and frozen.

This is the only module that reads ``os.environ`` or ``.env``; every other module is given
the :class:`Settings` (or the one value it needs) by its caller. Every subcommand loads them
the same way, so ``KNOWLEDGE_DIR`` in ``.env`` means the same folder to ``python -m bot`` and to
``python -m bot ask``.

``.env`` is read from the working directory, as people expect; a variable set in the
environment wins over the same one in ``.env``.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from dotenv import dotenv_values
from platformdirs import user_data_path

from bot.core.knowledge import ARTICLE_ID, bundled_knowledge_dir
from bot.errors import ConfigError

TELEGRAM_BASE_URL = "https://api.telegram.org/bot"
CACHE_NAME = "tonglu-bot"
DATABASE_FILE = "questions.sqlite3"
DEFAULT_RETENTION_DAYS = 30
# Without LOG_SECRET, ids are hashed with a key derived from the token (kept apart from the log too).
_DERIVED_KEY_LABEL = b"tonglu-bot question log key\x00"
_MIN_SECRET = 16
_DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres", "postgresql+psycopg")
_SWITCH = {"on": True, "true": True, "yes": True, "1": True, "off": False, "false": False, "no": False, "0": False}
# A bot token is the bot's numeric id, a colon and a secret of letters, digits, _ and -.
_TOKEN = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{1,100}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Seconds SIGTERM leaves for finishing the updates in hand (container platforms kill after 10).
SHUTDOWN_GRACE = 8.0
# Seconds start-up keeps trying to reach the Bot API before it gives up (exit status 3).
STARTUP_TIMEOUT = 30.0


@dataclass(frozen=True)
class Settings:
    """Everything the bot and the command line are told by their environment.

    ``token`` is empty for the commands that need no Telegram (``ask``, ``chat``); the bot
    loads its settings with ``need_token=True``.
    """

    token: str = field(default="", repr=False)
    knowledge_dir: Path = field(default_factory=bundled_knowledge_dir)
    default_article: str | None = None  # None: the knowledge folder says (see bot.core.knowledge)
    cache_dir: Path | None = None  # prepared indexes; None: built in memory at every start
    base_url: str = TELEGRAM_BASE_URL
    log_level: int = logging.INFO
    allowed_chat_ids: frozenset[int] = frozenset()
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    shutdown_grace: float = SHUTDOWN_GRACE
    startup_timeout: float = STARTUP_TIMEOUT
    # The question log and votes (see bot.store). None: nothing is stored (load_settings always
    # gives a URL: an SQLite file in the user's data folder unless DATABASE_URL says otherwise).
    database_url: str | None = field(default=None, repr=False)
    log_questions: bool = True  # False: no question log; votes are kept without question text
    retention_days: int = DEFAULT_RETENTION_DAYS
    log_secret: bytes = field(default=b"", repr=False)  # the HMAC key for ids; b"": derived from the token
    admin_user_ids: frozenset[int] = frozenset()
    # NO_COLOR (https://no-color.org): set and non-empty, the terminal commands print no ANSI styles.
    no_color: bool = False

    @property
    def hash_key(self) -> bytes:
        """The key that hashes user and chat ids: ``LOG_SECRET``, else one derived from the token."""
        return self.log_secret or hashlib.sha256(_DERIVED_KEY_LABEL + self.token.encode()).digest()

    @property
    def base_file_url(self) -> str:
        """Where files are fetched: the API URL with ``/file`` before its ``/bot``."""
        if self.base_url.endswith("/bot"):
            return self.base_url[: -len("/bot")] + "/file/bot"
        return self.base_url

    def serves(self, chat_id: int, private: bool) -> bool:
        """Whether the bot may answer in this chat (private chats always)."""
        return private or not self.allowed_chat_ids or chat_id in self.allowed_chat_ids


def read_environment(dotenv: Path | None = None) -> dict[str, str]:
    """The process environment over the variables of ``dotenv`` (default: ``./.env``).

    A ``.env`` that cannot be read is one :class:`ConfigError` line, not a traceback.
    """
    path = dotenv if dotenv is not None else Path.cwd() / ".env"
    values: dict[str, str] = {}
    if path.is_file():
        try:
            values = {k: v for k, v in dotenv_values(path, encoding="utf-8").items() if v is not None}
        except (OSError, UnicodeDecodeError) as exc:
            reason = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else (exc.strerror or str(exc))
            raise ConfigError(f"{path}: cannot read: {reason}") from None
    return {**values, **os.environ}


def load_settings(environ: Mapping[str, str] | None = None, *, need_token: bool = False) -> Settings:
    """Read and validate the settings; raise :class:`ConfigError` naming the variable.

    ``environ`` defaults to :func:`read_environment`. With ``need_token``, a missing or
    malformed ``TELEGRAM_BOT_TOKEN`` is an error; without, the token is checked only if set.
    """
    env = read_environment() if environ is None else environ

    def get(name: str) -> str:
        return env.get(name, "").strip()

    token = get("TELEGRAM_BOT_TOKEN")
    if need_token and not token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set (see .env.example)")
    if token and not _TOKEN.fullmatch(token):
        raise ConfigError("TELEGRAM_BOT_TOKEN is malformed: expected digits, a colon and the secret (123456:ABC-…)")

    base_url = get("TELEGRAM_API_BASE_URL") or TELEGRAM_BASE_URL
    parsed = urlparse(base_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError("TELEGRAM_API_BASE_URL must be an http(s) URL such as http://127.0.0.1:8081/bot")

    level_name = (get("LOG_LEVEL") or "INFO").upper()
    if level_name not in _LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(_LEVELS)}")

    allowed = _ids(get, "ALLOWED_CHAT_IDS", "a chat id")

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

    knowledge = get("KNOWLEDGE_DIR")
    default_article = get("DEFAULT_ARTICLE") or None
    if default_article is not None and not ARTICLE_ID.fullmatch(default_article):
        raise ConfigError("DEFAULT_ARTICLE must be an article id: a short lower-case slug (a-z, 0-9, -)")
    shutdown_grace = _seconds(get, "SHUTDOWN_GRACE_SECONDS", SHUTDOWN_GRACE)
    startup_timeout = _seconds(get, "STARTUP_TIMEOUT_SECONDS", STARTUP_TIMEOUT)
    return Settings(
        knowledge_dir=Path(knowledge).expanduser() if knowledge else bundled_knowledge_dir(),
        default_article=default_article,
        cache_dir=_cache_dir(get),
        token=token,
        base_url=base_url,
        log_level=getattr(logging, level_name),
        allowed_chat_ids=frozenset(allowed),
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        webhook_listen=get("WEBHOOK_LISTEN") or "127.0.0.1",
        webhook_port=int(port_text),
        database_url=_database_url(get),
        log_questions=_switch(get, "LOG_QUESTIONS", default=True),
        retention_days=_retention_days(get),
        log_secret=_log_secret(get),
        admin_user_ids=_ids(get, "ADMIN_USER_IDS", "a user id"),
        # Not stripped: the convention is "present and not an empty string".
        no_color=bool(env.get("NO_COLOR", "")),
        shutdown_grace=shutdown_grace,
        startup_timeout=startup_timeout,
    )


def _ids(get: Callable[[str], str], name: str, what: str) -> frozenset[int]:
    """A comma-separated list of Telegram ids."""
    ids: set[int] = set()
    for part in filter(None, (p.strip() for p in get(name).split(","))):
        try:
            ids.add(int(part))
        except ValueError:
            raise ConfigError(f"{name}: {part!r} is not {what}") from None
    return frozenset(ids)


def _switch(get: Callable[[str], str], name: str, *, default: bool) -> bool:
    value = get(name).lower()
    if not value:
        return default
    if value not in _SWITCH:
        raise ConfigError(f"{name} must be on or off")
    return _SWITCH[value]


def _database_url(get: Callable[[str], str]) -> str:
    """``DATABASE_URL``, else an SQLite file in the user's data folder."""
    url = get("DATABASE_URL")
    if not url:
        return f"sqlite:///{user_data_path(CACHE_NAME, appauthor=False) / DATABASE_FILE}"
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in _DATABASE_SCHEMES or "://" not in url:
        raise ConfigError("DATABASE_URL must be sqlite:///PATH or postgresql://USER:PASSWORD@HOST/DATABASE")
    return url


def _retention_days(get: Callable[[str], str]) -> int:
    text = get("LOG_RETENTION_DAYS") or str(DEFAULT_RETENTION_DAYS)
    if not text.isdigit() or not 1 <= int(text) <= 3650:
        raise ConfigError("LOG_RETENTION_DAYS must be a number of days from 1 to 3650")
    return int(text)


def _log_secret(get: Callable[[str], str]) -> bytes:
    secret = get("LOG_SECRET")
    if secret and len(secret) < _MIN_SECRET:
        raise ConfigError(f"LOG_SECRET must be at least {_MIN_SECRET} characters (or unset: derived from the token)")
    return secret.encode()


def _seconds(get: Callable[[str], str], name: str, default: float) -> float:
    """A duration in seconds (0 to one hour), or ``default`` when unset."""
    text = get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value <= 3600:
        raise ConfigError(f"{name} must be a number of seconds from 0 to 3600")
    return value


def _cache_dir(get: Callable[[str], str]) -> Path | None:
    """``$BOT_CACHE_DIR``, else ``$XDG_CACHE_HOME/tonglu-bot``, else ``~/.cache/tonglu-bot``."""
    if configured := get("BOT_CACHE_DIR"):
        return Path(configured).expanduser()
    if base := get("XDG_CACHE_HOME"):
        return Path(base) / CACHE_NAME
    try:
        return Path.home() / ".cache" / CACHE_NAME
    except RuntimeError:  # no home directory: nowhere to keep it
        return None
