"""The report: grouping, counting and the three formats, on records made by hand."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from bot.core.knowledge import Knowledge
from bot.report.formats import chart, markdown, page, parse_since, render, text
from bot.report.summary import Report, build_report
from bot.store.records import QuestionRecord, VoteRecord

UNTIL = datetime(2026, 5, 8, 12, 0)
SINCE = UNTIL - timedelta(days=7)


def asked(
    day: int, question: str, concepts: tuple[str, ...], verdict: str, user: str = "u1", best: str = "tonglu/p2"
) -> QuestionRecord:
    return QuestionRecord(
        asked_at=datetime(2026, 5, day, 9, 0),
        chat_type="private",
        user_hash=user,
        chat_hash=user,
        question=question,
        digest=f"{abs(hash(question)) % 10**8:08d}",
        concepts=concepts,
        verdict=verdict,
        reason="answered" if verdict == "answer" else "off_topic",
        passages=(best,) if best else (),
        figure=None,
        figure_missing=False,
        ms=day,
    )


@pytest.fixture
def report(knowledge: Knowledge) -> Report:
    questions = [
        asked(2, "杭州明天天气怎么样？", ("天气", "明天", "杭州"), "none", "u1"),
        asked(2, "桐庐要打赢哪六大攻坚战？", ("六大攻坚战", "打赢", "桐庐"), "answer", "u1", "tonglu/p9"),
        asked(5, "明天杭州天气", ("天气", "明天", "杭州"), "none", "u2"),
        asked(5, "桐庐县长是谁", ("县长", "桐庐"), "closest", "u2", "tonglu/p18"),
        asked(5, "a | b", (), "none", "u3", ""),
        asked(8, "杭州明天天气怎么样？", ("天气", "明天", "杭州"), "none", "u3"),
    ]
    votes = [
        VoteRecord(datetime(2026, 5, 2, 9, 1), "u1", "private", "tonglu", "p9", "answer", questions[1].digest, False),
        VoteRecord(datetime(2026, 5, 2, 9, 2), "u2", "group", "tonglu", "p9", "answer", questions[1].digest, True),
        VoteRecord(datetime(2026, 5, 2, 9, 3), "u2", "group", "tonglu", "p4", "answer", "unlogged", False),
    ]
    return build_report(questions, votes, knowledge, SINCE, UNTIL)


def test_totals_days_and_shares(report: Report) -> None:
    assert report.total == 6 and report.people == 3
    assert report.verdicts == {"none": 4, "answer": 1, "closest": 1}
    assert report.share("none") == pytest.approx(4 / 6)
    assert [d.day for d in report.days] == [date(2026, 5, d) for d in range(1, 9)]  # empty days too
    assert [d.total for d in report.days] == [0, 2, 0, 0, 3, 0, 0, 1]
    assert (report.votes_up, report.votes_down) == (1, 2)
    assert (report.ms_median, report.ms_p95) == (5, 8)


def test_unanswered_questions_are_grouped_by_concepts_most_frequent_first(report: Report, knowledge: Knowledge) -> None:
    groups = [(g.count, g.question, dict(g.wordings)) for g in report.unanswered]
    assert groups == [
        (3, "杭州明天天气怎么样？", {"杭州明天天气怎么样？": 2, "明天杭州天气": 1}),
        (1, "桐庐县长是谁", {"桐庐县长是谁": 1}),
        (1, "a | b", {"a | b": 1}),  # no concepts: grouped by its words
    ]
    assert report.unanswered[0].passage == knowledge.by_key["tonglu/p2"]
    assert report.unanswered[2].passage is None and report.unanswered[2].passage_key is None


def test_disliked_answers_with_their_question_when_it_was_logged(report: Report, knowledge: Knowledge) -> None:
    second, first = report.disliked  # 👎 first, then the fewest 👍
    assert (first.question, first.down, first.up, first.passage) == (
        "桐庐要打赢哪六大攻坚战？",
        1,
        1,
        knowledge.by_key["tonglu/p9"],
    )
    assert (second.question, second.down, second.passage_key) == (None, 1, "tonglu/p4")


def test_text_and_markdown(report: Report) -> None:
    plain = text(report, "sqlite:///q.sqlite3")
    assert "6 questions from 3 people" in plain and "none 4 (67%)" in plain
    assert "     3  none     杭州明天天气怎么样？" in plain and "also: 明天杭州天气 ×1" in plain
    assert "(question not logged)" in plain
    md = markdown(report)
    assert "| 2026-05-05 | 3 | 0 | 1 | 2 |" in md
    assert "a \\| b" in md  # a | in a question does not break the table
    assert render(report, "markdown") == md


def test_the_html_page_is_self_contained(report: Report) -> None:
    html = page(report, "postgresql+psycopg://bot:***@db/log")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert not re.search(r"<script|<link|<img|src=|href=|url\(|https?:", html)
    assert "<svg" in html and "杭州明天天气怎么样？" in html


def test_the_chart_stacks_each_days_verdicts(report: Report) -> None:
    svg = chart(report, height=180)
    bars = re.findall(
        r'<rect x="[\d.]+" y="[\d.]+" width="\d+" height="([\d.]+)" fill="(#\w+)"><title>([^<]+)</title>', svg
    )
    assert [title for _, _, title in bars] == [
        "2026-05-02: 1 answer",
        "2026-05-02: 1 none",
        "2026-05-05: 1 closest",
        "2026-05-05: 2 none",
        "2026-05-08: 1 none",
    ]
    heights = {title: float(h) for h, _, title in bars}
    assert heights["2026-05-05: 2 none"] == pytest.approx(2 * heights["2026-05-08: 1 none"], abs=0.2)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("7d", UNTIL - timedelta(days=7)), ("12h", UNTIL - timedelta(hours=12)), ("2026-05-01", datetime(2026, 5, 1))],
)
def test_since(value: str, expected: datetime) -> None:
    assert parse_since(value, UNTIL) == expected


def test_a_bad_since_says_what_it_takes() -> None:
    with pytest.raises(ValueError, match="7d, 12h"):
        parse_since("last week", UNTIL)
