"""The bot's own errors: each says what is wrong and where, in one line.

Each kind has the exit status ``python -m bot`` ends with when it stops the bot (the README
lists them): 1 knowledge, 2 settings and token, 3 the Bot API cannot be reached, 4 another
instance holds the token.
"""

from __future__ import annotations


class BotError(Exception):
    """Base class of every error the bot raises on purpose."""

    exit_status = 1


class ConfigError(BotError):
    """A setting in the environment is missing or malformed."""

    exit_status = 2


class KnowledgeError(BotError):
    """A knowledge file is missing, unreadable, malformed or not verbatim.

    The message names the file and the field, e.g.
    ``knowledge/tonglu.yaml: paragraphs[3]: missing 'text'``.
    """

    exit_status = 1

    def __init__(self, path: object, where: str, problem: str) -> None:
        self.path = str(path)
        self.where = where
        self.problem = problem
        location = f"{self.path}: {where}" if where else self.path
        super().__init__(f"{location}: {problem}")


class StoreError(BotError):
    """The question log's database cannot be used as it is (unknown driver, newer schema)."""


class TokenRejected(ConfigError):
    """The Bot API refused the token (401, or 404 for a wrong base URL), at start or later."""


class ApiUnreachable(BotError):
    """The Bot API could not be reached at start-up, after retrying for a while."""

    exit_status = 3


class AnotherInstance(BotError):
    """Another process polls with the same token (409 Conflict), or a webhook is set for it."""

    exit_status = 4
