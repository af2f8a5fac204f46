"""What the bot tells the user about a question: the verdict, and the reason for it.

- ``answer``: the article answers it; the best passage is given as the answer.
- ``closest``: the article is about the question's topic but may not answer exactly what was
  asked; the closest passage is shown under a caveat saying what the article does not say.
- ``none``: nothing in the article is about it; no passage is quoted as relevant.
"""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    """What the user is told."""

    ANSWER = "answer"
    CLOSEST = "closest"
    NONE = "none"


class Reason(StrEnum):
    """Why the verdict is what it is (shown in ``ask --json``, chosen by the gate)."""

    ANSWERED = "answered"
    EMPTY = "empty"  # no letter or digit: not a question
    TOO_LONG = "too_long"
    NO_MATCH = "no_match"  # no passage shares a word with the question
    OFF_TOPIC = "off_topic"  # the question is about things the article never mentions
    NOT_COVERED = "not_covered"  # the best passage holds too little of the question
    NOT_EXPLAINED = "not_explained"  # "what does X mean", and the article only names X
    NOT_STATED = "not_stated"  # a number is asked, and the passage states none of its kind

    @property
    def verdict(self) -> Verdict:
        """The verdict this reason leads to."""
        return Verdict.ANSWER if self is Reason.ANSWERED else Verdict.NONE
