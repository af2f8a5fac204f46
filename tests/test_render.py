from __future__ import annotations

import re
from html.parser import HTMLParser

from bot.core.answering import Answerer
from bot.replies.render import MESSAGE_LIMIT, Rich, answer_rich, figures_index, highlight

ALLOWED_TAGS = {"b", "i", "u", "s", "a", "code", "pre", "blockquote", "tg-spoiler"}


class StrictTelegramHTML(HTMLParser):
    """Fails on anything Telegram's HTML parse mode would refuse."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        assert tag in ALLOWED_TAGS, tag
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack.pop() == tag, tag

    def handle_entityref(self, name: str) -> None:
        assert name in {"lt", "gt", "amp", "quot"}, name


def assert_valid_html(text: str) -> None:
    parser = StrictTelegramHTML()
    parser.feed(text)
    parser.close()
    assert parser.stack == []
    visible = re.sub(r"<[^>]+>", "", text)
    visible = visible.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert len(visible) <= MESSAGE_LIMIT


def test_user_and_article_text_is_escaped() -> None:
    rich = Rich().add("<b>&</script>").add("bold", "b")
    html = rich.html()
    assert html == "&lt;b&gt;&amp;&lt;/script&gt;<b>bold</b>"
    assert_valid_html(html)


def test_long_text_is_cut_at_the_limit_outside_tags() -> None:
    rich = Rich().add("快" * 3000).add("递" * 3000, "b").add("尾")
    html = rich.html()
    assert_valid_html(html)
    assert html.endswith("…</b>")


def test_highlight_bolds_matched_terms_and_trims_to_a_window() -> None:
    text = "甲" * 100 + "快递回归" + "乙" * 100
    rich = highlight(text, ["快递回归"], window=40)
    plain = rich.plain()
    assert "快递回归" in plain and plain.startswith("…") and plain.endswith("…")
    assert ("b", "快递回归") in rich.runs
    assert len(plain) <= 42


def test_answers_render_as_valid_html(answerer: Answerer) -> None:
    for question in (
        "快递回归攻坚战<b>目标",
        "全国快递包裹多少件？",
        "杭州天气",
        "两抓两转是什么意思",
        "Why was it postponed?",
    ):
        answer = answerer.answer(question)
        rendered = answer_rich(answerer.knowledge, answer, passages=3)
        assert_valid_html(rendered.html())


def test_a_missing_figure_is_said_in_words(answerer: Answerer) -> None:
    text = answer_rich(answerer.knowledge, answerer.answer("全国快递包裹多少件？")).plain()
    assert "原文此处的数字缺失" in text
    assert "全国快递包裹达亿件" in text


def test_english_questions_get_an_english_lead(answerer: Answerer) -> None:
    text = answer_rich(answerer.knowledge, answerer.answer("Why was the meeting postponed?")).plain()
    assert text.startswith("The article is in Chinese")
    assert "¶19" in text


def test_figures_index_lists_paragraphs_with_missing_markers(answerer: Answerer) -> None:
    lines = [line.plain() for line in figures_index(answerer.knowledge, answerer.figures)]
    assert any(line.startswith("¶11 ") and "全国快递包裹达亿件（数字缺失）" in line for line in lines)
    assert any("六大攻坚战" in line for line in lines)
