"""Replies about the question log: /privacy, /forget and the admins' /stats, as plain values."""

from __future__ import annotations

from bot.replies import texts
from bot.replies.messages import Reply
from bot.replies.render import Rich
from bot.report.summary import Report

# Lines of each list /stats shows (the full report has the rest).
STATS_LINES = 5


def privacy(*, enabled: bool, keep_questions: bool, retention_days: int) -> Reply:
    """/privacy: what is kept, and for how long, as the bot is configured."""
    if not enabled:
        line = texts.PRIVACY_NOTHING
    elif keep_questions:
        line = texts.PRIVACY_LOG.format(days=retention_days)
    else:
        line = texts.PRIVACY_VOTES_ONLY.format(days=retention_days)
    return Reply(Rich().add(line).html())


def forgotten(count: int | None, *, enabled: bool) -> Reply:
    """/forget: how many records went (``None``: the database could not be reached)."""
    if not enabled or count == 0:
        line = texts.FORGET_NOTHING
    elif count is None:
        line = texts.FORGET_UNAVAILABLE
    else:
        line = texts.FORGET_DONE.format(count=count)
    return Reply(Rich().add(line).html())


def stats(report: Report | None, *, days: int, enabled: bool) -> Reply:
    """/stats: the report's short version (``report`` None: the database could not be reached)."""
    if not enabled:
        return Reply(Rich().add(texts.STATS_OFF).html())
    if report is None:
        return Reply(Rich().add(texts.STATS_UNAVAILABLE).html())
    rich = Rich().add(texts.STATS_TOTALS.format(days=days, total=report.total, people=report.people), "b")
    shares = {v: f"{report.verdicts.get(v, 0)}（{report.share(v):.0%}）" for v in ("answer", "closest", "none")}
    rich.add("\n" + texts.STATS_VERDICTS.format(**shares))
    rich.add("\n" + texts.STATS_VOTES.format(up=report.votes_up, down=report.votes_down))
    if report.unanswered:
        rich.add("\n\n" + texts.STATS_UNANSWERED, "b")
        for group in report.unanswered[:STATS_LINES]:
            rich.add(f"\n{group.count}× {group.question}")
    if report.disliked:
        rich.add("\n\n" + texts.STATS_DISLIKED, "b")
        for disliked in report.disliked[:STATS_LINES]:
            citation = disliked.passage.citation if disliked.passage is not None else disliked.passage_key
            question = disliked.question if disliked.question is not None else texts.STATS_NOT_LOGGED
            rich.add(f"\n👎{disliked.down} {question} → {citation}")
    rich.add("\n\n" + texts.STATS_FULL, "i")
    return Reply(rich.html())
