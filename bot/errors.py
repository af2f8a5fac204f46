"""The bot's own errors: each says what is wrong and where, in one line."""

from __future__ import annotations


class BotError(Exception):
    """Base class of every error the bot raises on purpose."""


class ConfigError(BotError):
    """A setting in the environment is missing or malformed."""


class KnowledgeError(BotError):
    """A knowledge file is missing, unreadable, malformed or not verbatim.

    The message names the file and the field, e.g.
    ``knowledge/tonglu.yaml: paragraphs[3]: missing 'text'``.
    """

    def __init__(self, path: object, where: str, problem: str) -> None:
        self.path = str(path)
        self.where = where
        self.problem = problem
        location = f"{self.path}: {where}" if where else self.path
        super().__init__(f"{location}: {problem}")


class StoreError(BotError):
    """The question log's database cannot be used as it is (unknown driver, newer schema)."""
