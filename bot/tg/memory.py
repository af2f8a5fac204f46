"""Which answer each question got, so that editing the question edits the answer: bounded.

PTB's ``chat_data`` keeps an entry for every chat ever seen, forever. This keeps at most
``MAX_PER_CHAT`` answers a chat and ``MAX_ANSWERS`` in all (the chats least recently active
are forgotten first), each for ``MAX_AGE`` seconds: about 150 bytes an answer, a few MB at
most. A question edited after its answer was forgotten simply gets a new answer.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import NamedTuple

MAX_PER_CHAT = 100
MAX_ANSWERS = 20_000
MAX_AGE = 48 * 3600.0  # seconds


class Remembered(NamedTuple):
    """The bot's answer to a question, and a digest of what it said."""

    answer_id: int
    digest: bytes
    at: float


class AnswerMemory:
    """question (chat id, message id) → the answer it got; bounded in count and age."""

    def __init__(
        self,
        max_per_chat: int = MAX_PER_CHAT,
        max_answers: int = MAX_ANSWERS,
        max_age: float = MAX_AGE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_per_chat, self.max_answers, self.max_age = max_per_chat, max_answers, max_age
        self.clock = clock
        # Chats in order of their last answer, oldest first; in each, answers oldest first.
        self._chats: OrderedDict[int, OrderedDict[int, Remembered]] = OrderedDict()
        self._count = 0

    def get(self, chat_id: int, message_id: int) -> Remembered | None:
        """The answer to this question, unless forgotten or too old."""
        answers = self._chats.get(chat_id)
        found = answers.get(message_id) if answers is not None else None
        if found is None or self.clock() - found.at > self.max_age:
            return None
        return found

    def put(self, chat_id: int, message_id: int, answer_id: int, digest: bytes) -> None:
        """Remember an answer; forget what is over the bounds."""
        now = self.clock()
        answers = self._chats.setdefault(chat_id, OrderedDict())
        self._chats.move_to_end(chat_id)
        self._count += message_id not in answers
        answers[message_id] = Remembered(answer_id, digest, now)
        answers.move_to_end(message_id)
        while len(answers) > self.max_per_chat:
            answers.popitem(last=False)
            self._count -= 1
        self._forget(now)

    def _forget(self, now: float) -> None:
        """Drop whole chats whose last answer is too old, then the oldest answers over the total."""
        while self._chats:
            chat_id, answers = next(iter(self._chats.items()))
            newest = next(reversed(answers.values()))
            if now - newest.at <= self.max_age and self._count <= self.max_answers:
                return
            if now - newest.at > self.max_age:
                del self._chats[chat_id]
                self._count -= len(answers)
                continue
            answers.popitem(last=False)
            self._count -= 1
            if not answers:
                del self._chats[chat_id]

    def __len__(self) -> int:
        """Answers remembered."""
        return self._count

    @property
    def chats(self) -> int:
        """Chats with an answer remembered."""
        return len(self._chats)
