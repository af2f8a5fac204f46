"""What the question log keeps, as plain values: no ids in clear, no Telegram types."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class QuestionRecord:
    """One question answered (or declined), as logged.

    ``user_hash`` and ``chat_hash`` are keyed hashes (see :mod:`bot.privacy`); ``chat_hash`` is
    ``None`` for inline queries, which belong to no chat the bot is in. ``passages`` are the
    ranked passage keys (``article/pid``), best first: the first is the one cited when the
    verdict is ``answer`` or ``closest``. ``concepts`` are the question's content words after
    normalisation, sorted: questions that ask the same thing share them.
    """

    asked_at: datetime  # UTC, naive
    chat_type: str  # private, group, supergroup or inline
    user_hash: str
    chat_hash: str | None
    question: str
    digest: str
    concepts: tuple[str, ...]
    verdict: str
    reason: str
    passages: tuple[str, ...]
    figure: str | None
    figure_missing: bool
    ms: int

    @property
    def best(self) -> str | None:
        """The key of the best passage, if any passage matched."""
        return self.passages[0] if self.passages else None


@dataclass(frozen=True)
class VoteRecord:
    """One person's 👍 or 👎 on one answer (a second press replaces the first)."""

    voted_at: datetime  # UTC, naive
    user_hash: str
    chat_type: str
    article: str
    passage: str
    verdict: str
    digest: str
    up: bool

    @property
    def key(self) -> str:
        """The voted passage's key, ``article/pid``."""
        return f"{self.article}/{self.passage}"
