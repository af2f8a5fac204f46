"""What the operator should look at: the question log summed up, as plain values.

- questions per day (UTC) and the share of each verdict;
- the questions answered ``none`` or ``closest``, grouped when they ask the same thing (the
  same concepts: the question's content words after the core's normalisation, so 杭州明天天气
  怎么样 and 明天杭州的天气如何 are one group), most frequent first, each with the passage
  that came closest;
- the answers voted 👎, with their question and passage;
- the most asked questions (grouped the same way).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.core.knowledge import Knowledge, Passage
from bot.store.records import QuestionRecord, VoteRecord

VERDICTS = ("answer", "closest", "none")
UNANSWERED = ("closest", "none")
TOP_GROUPS = 20
TOP_ASKED = 10
TOP_DISLIKED = 20


@dataclass(frozen=True)
class Day:
    """Questions of one day (UTC), by verdict."""

    day: date
    verdicts: Mapping[str, int]

    @property
    def total(self) -> int:
        """Questions that day."""
        return sum(self.verdicts.values())


@dataclass(frozen=True)
class Group:
    """Questions that ask the same thing: the same concepts (or, with none, the same words)."""

    concepts: tuple[str, ...]
    count: int
    wordings: tuple[tuple[str, int], ...]  # how it was asked, most often first
    verdicts: Mapping[str, int]
    passage_key: str | None  # the passage most often ranked first
    passage: Passage | None  # … if the knowledge still has it

    @property
    def question(self) -> str:
        """The most frequent wording."""
        return self.wordings[0][0]


@dataclass(frozen=True)
class Disliked:
    """An answer voted 👎: a question, the passage it got, and the votes on it."""

    passage_key: str
    passage: Passage | None
    verdict: str
    question: str | None  # None when the question was not logged (LOG_QUESTIONS=off, or pruned)
    down: int
    up: int


@dataclass(frozen=True)
class Report:
    """The question log from ``since`` to ``until`` (UTC), summed up."""

    since: datetime
    until: datetime
    days: tuple[Day, ...]
    verdicts: Mapping[str, int]
    people: int  # distinct askers (by keyed hash)
    unanswered: tuple[Group, ...]
    disliked: tuple[Disliked, ...]
    most_asked: tuple[Group, ...]
    votes_up: int
    votes_down: int
    ms_median: int | None
    ms_p95: int | None

    @property
    def total(self) -> int:
        """Questions in the period."""
        return sum(self.verdicts.values())

    def share(self, verdict: str) -> float:
        """The share of questions with ``verdict`` (0 when there are none)."""
        return self.verdicts.get(verdict, 0) / self.total if self.total else 0.0


def build_report(
    questions: Sequence[QuestionRecord],
    votes: Sequence[VoteRecord],
    knowledge: Knowledge,
    since: datetime,
    until: datetime,
) -> Report:
    """Sum up the questions and votes of a period; passages are looked up in ``knowledge``."""
    verdicts = Counter(q.verdict for q in questions)
    per_day: dict[date, Counter[str]] = defaultdict(Counter)
    for record in questions:
        per_day[record.asked_at.date()][record.verdict] += 1
    days = tuple(Day(day, dict(per_day.get(day, Counter()))) for day in _dates(since.date(), until.date()))
    times = sorted(q.ms for q in questions)
    return Report(
        since=since,
        until=until,
        days=days,
        verdicts=dict(verdicts),
        people=len({q.user_hash for q in questions}),
        unanswered=_groups((q for q in questions if q.verdict in UNANSWERED), knowledge)[:TOP_GROUPS],
        disliked=_disliked(questions, votes, knowledge)[:TOP_DISLIKED],
        most_asked=_groups(questions, knowledge)[:TOP_ASKED],
        votes_up=sum(v.up for v in votes),
        votes_down=sum(not v.up for v in votes),
        ms_median=times[len(times) // 2] if times else None,
        ms_p95=times[min(len(times) - 1, int(len(times) * 0.95))] if times else None,
    )


def group_key(record: QuestionRecord) -> tuple[str, ...]:
    """What makes two questions the same: their concepts, or their words when they have none."""
    return record.concepts or (" ".join(record.question.split()),)


def _groups(records: Iterable[QuestionRecord], knowledge: Knowledge) -> tuple[Group, ...]:
    """Questions grouped by :func:`group_key`, most frequent first (then first asked first)."""
    grouped: dict[tuple[str, ...], list[QuestionRecord]] = {}
    for record in records:
        grouped.setdefault(group_key(record), []).append(record)
    groups = []
    for members in grouped.values():
        wordings = Counter(" ".join(m.question.split()) for m in members)
        best = Counter(m.best for m in members if m.best is not None).most_common(1)
        key = best[0][0] if best else None
        groups.append(
            Group(
                concepts=members[0].concepts,
                count=len(members),
                wordings=tuple(wordings.most_common()),
                verdicts=dict(Counter(m.verdict for m in members)),
                passage_key=key,
                passage=knowledge.by_key.get(key) if key else None,
            )
        )
    # sorted() is stable: equal counts keep the order in which they were first asked.
    return tuple(sorted(groups, key=lambda g: -g.count))


def _disliked(
    questions: Sequence[QuestionRecord], votes: Sequence[VoteRecord], knowledge: Knowledge
) -> tuple[Disliked, ...]:
    """Answers with at least one 👎, most 👎 first, each with its question when it was logged."""
    asked = {q.digest: q.question for q in questions}
    tally: dict[tuple[str, str, str], list[int]] = {}
    for vote in votes:
        counts = tally.setdefault((vote.key, vote.verdict, vote.digest), [0, 0])
        counts[0 if not vote.up else 1] += 1
    disliked = [
        Disliked(key, knowledge.by_key.get(key), verdict, asked.get(digest), down, up)
        for (key, verdict, digest), (down, up) in tally.items()
        if down
    ]
    return tuple(sorted(disliked, key=lambda d: (-d.down, d.up)))


def _dates(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
