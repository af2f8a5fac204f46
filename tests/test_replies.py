"""What the bot sends, checked without a server."""

from __future__ import annotations

import re

import pytest

from bot.core.answering import Answerer
from bot.replies import payloads
from bot.replies.messages import Replies

from .test_render import assert_valid_html


@pytest.fixture(scope="module")
def replies(answerer: Answerer) -> Replies:
    return Replies(answerer, username="TongluTestBot")


def all_callbacks(reply) -> list[str]:
    return [b.callback for row in reply.buttons for b in row if b.callback]


def test_private_answer_is_whole_with_a_more_button(replies: Replies) -> None:
    answer = replies.answerer.answer("快递回归攻坚战定了什么目标？")
    reply = replies.answer(answer, group=False)
    assert_valid_html(reply.html)
    assert answer.passages[0].passage.text in re.sub(r"<[^>]+>", "", reply.html).replace("〔?〕", "")
    more = [decode for decode in map(payloads.decode, all_callbacks(reply)) if isinstance(decode, payloads.More)]
    assert more and more[0].page == 1


def test_group_answer_is_trimmed_with_full_and_private_buttons(replies: Replies) -> None:
    answer = replies.answerer.answer("制造业要净增多少国高企业？")
    reply = replies.answer(answer, group=True)
    assert_valid_html(reply.html)
    visible = re.sub(r"<[^>]+>", "", reply.html).replace("〔?〕", "")
    assert answer.passages[0].passage.text not in visible  # the sentence, not the paragraph
    assert "净增国高企业家" in visible
    buttons = [b for row in reply.buttons for b in row]
    assert any(b.url == "https://t.me/TongluTestBot?start=tonglu-p10" for b in buttons)
    assert any(isinstance(payloads.decode(b.callback), payloads.Full) for b in buttons if b.callback)


def test_more_pages_walk_the_ranked_passages(replies: Replies) -> None:
    action = payloads.More("tonglu", ("p13", "p11", "p9"), 1)
    page = replies.more(action)
    assert page is not None and "¶11" in page.html and "2/3" in page.html
    assert {type(payloads.decode(c)) for c in all_callbacks(page)} == {payloads.More}
    assert replies.more(payloads.More("tonglu", ("p13",), 5)) is None
    assert replies.more(payloads.More("tonglu", ("p999",), 0)) is None


def test_start_payloads(replies: Replies) -> None:
    assert "¶7" in replies.start("p7").html
    assert "¶7" in replies.start("tonglu-p7").html
    assert "没有这个段落" in replies.start("p99").html
    card = replies.start("")
    assert "2020/3/11 19:59" in card.html and "22 段" in card.html
    assert 3 <= len(card.buttons) <= 4


def test_figures_pages_cover_every_line_once(replies: Replies) -> None:
    first = replies.figures(0)
    assert first is not None
    pages = [first]
    while True:
        nxt = [payloads.decode(c) for c in all_callbacks(pages[-1])]
        forward = [a for a in nxt if isinstance(a, payloads.FiguresPage) and a.page == len(pages)]
        if not forward:
            break
        page = replies.figures(forward[0].page)
        assert page is not None
        pages.append(page)
    text = "".join(p.html for p in pages)
    assert text.count("<b>¶11</b>") == 1
    assert replies.figures(len(pages)) is None


def test_inline_results_are_cited_and_valid(replies: Replies) -> None:
    results = replies.inline(replies.answerer.answer("快递", k=10))
    assert 1 <= len(results) <= 10
    for result in results:
        assert "¶" in result.title and len(result.id.encode()) <= 64
        assert_valid_html(result.html)


def test_about_counts_paragraphs_and_figures(replies: Replies) -> None:
    about = replies.about().html
    assert "段落：22 段" in about and "蔡东海" in about and "缺失" in about


def test_feedback_row_names_the_answer_in_its_payloads(replies: Replies) -> None:
    answer = replies.answerer.answer("快递回归攻坚战定了什么目标？")
    for group in (False, True):
        reply = replies.answer(answer, group=group)
        assert reply.buttons[-1] == replies.feedback_row(answer)[0]
    up, down = (payloads.decode(b.callback) for b in replies.feedback_row(answer)[0])
    best = answer.passages[0].passage
    assert up == payloads.Vote(True, "answer", best.article_id, best.id, replies.hasher.question(answer.question))
    assert down == payloads.Vote(False, "answer", best.article_id, best.id, up.digest)


def test_no_feedback_row_when_the_article_does_not_answer(replies: Replies) -> None:
    answer = replies.answerer.answer("杭州明天天气怎么样？")
    assert replies.feedback_row(answer) == ()
    assert not any(
        isinstance(payloads.decode(c), payloads.Vote) for c in all_callbacks(replies.answer(answer, group=False))
    )
