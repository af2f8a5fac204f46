from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from bot.core.answering import Answerer, RankedPassage
from bot.replies.render import MESSAGE_LIMIT, QUOTE_INDENT, Rich, answer_rich, figures_index, highlight, passage_rich
from bot.replies.texts import GAP, GAP_LEGEND

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


def test_a_quotation_is_one_blockquote_in_html_and_indented_in_text() -> None:
    rich = Rich().add("句子").add("\n").quote(Rich().add("段落").add("重点", "b").add("\n第二行"))
    assert rich.html() == "句子\n<blockquote expandable>段落<b>重点</b>\n第二行</blockquote>"
    assert rich.plain() == "句子\n    段落重点\n    第二行"
    assert "\x1b[1m" in rich.ansi() and "\x1b[2m" in rich.ansi()


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
        for group in (False, True):
            assert_valid_html(answer_rich(answerer.knowledge, answer, group=group).html())


def test_a_missing_figure_is_said_first_naming_it(answerer: Answerer) -> None:
    text = answer_rich(answerer.knowledge, answerer.answer("全国快递包裹多少件？")).plain()
    first = text.splitlines()[0]
    assert first.startswith("原文此处的数字缺失") and "全国快递包裹达〔?〕亿件" in first


def test_english_questions_get_an_english_lead(answerer: Answerer) -> None:
    text = answer_rich(answerer.knowledge, answerer.answer("Why was the meeting postponed?")).plain()
    assert text.startswith("The article is in Chinese")
    assert "¶19" in text


SUDDEN = "只是突如其来的新冠肺炎疫情打乱了原本的计划。"


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        ("三通一达的市值是多少？", "年，三通一达总市值达亿，从业人员超过万人。"),
        (
            "会原本打算什么时候开？",
            "据了解，这场筹备已久的战疫情促发展暨奋进大会，原本打算在正月初七召开，只是突如其来的新冠肺炎疫情打乱了原本的计划。",
        ),
        ("谁是制造业攻坚战的指挥长？", "这场攻坚战指挥长桐庐县副县长翁嫣说道。"),
        ("风险等级是多少", "随着全县已经连续天没有新增确诊病例，风险等级也保持在低风险位确诊病例已经全部治愈出院。"),
    ],
)
def test_the_answer_leads_with_the_sentence_that_answers(answerer: Answerer, question: str, sentence: str) -> None:
    answer = answerer.answer(question)
    assert answer.sentence is not None
    best = answer.passages[0].passage.source_text
    assert best[answer.sentence[0] : answer.sentence[1]] == sentence
    lines = answer_rich(answerer.knowledge, answer).plain().replace(GAP, "").splitlines()
    body = [line for line in lines if not line.startswith((QUOTE_INDENT, "原文此处"))]
    assert sentence in body  # the sentence on a line of its own, before the paragraph


def test_the_paragraph_follows_in_an_expandable_quotation(answerer: Answerer) -> None:
    answer = answerer.answer("三通一达的市值是多少？")
    html = answer_rich(answerer.knowledge, answer).html()
    assert_valid_html(html)
    quoted = re.search(r"<blockquote expandable>(.*)</blockquote>", html, re.S)
    assert quoted is not None
    assert re.sub(r"<[^>]+>", "", quoted.group(1)).replace(GAP, "") == answer.passages[0].passage.text
    group = answer_rich(answerer.knowledge, answer, group=True).html()
    assert "blockquote" not in group  # in a group the paragraph is a button away


def test_every_stripped_figure_is_marked_once_with_one_legend(answerer: Answerer) -> None:
    passage = answerer.knowledge.by_key["tonglu/p11"]
    figures = answerer.figures(passage)
    gaps = sum(len(f.gaps) for f in figures if f.missing)
    assert gaps == 7  # 年, 达亿件, 突破亿件, 近, 年, 达亿, 超过万人
    text = passage_rich(answerer.knowledge, RankedPassage(passage, 0.0, (), figures)).plain()
    assert text.count(GAP) == gaps + 1  # and once in the legend
    assert text.count(GAP_LEGEND) == 1
    assert text.replace(GAP, "").count(passage.text) == 1


def test_the_closest_passage_comes_under_a_caveat_in_the_users_language(answerer: Answerer) -> None:
    text = answer_rich(answerer.knowledge, answerer.answer("富春未来城攻坚战的指挥长是谁？")).plain()
    assert text.startswith("文章没有直接回答“富春未来城攻坚战的指挥长是谁”")
    assert "与“富春未来城”最相关的段落" in text and "¶9" in text
    english = answer_rich(answerer.knowledge, answerer.answer("What is the budget of the trading center?")).plain()
    assert english.startswith("The article does not answer") and "budget" in english
    far = answer_rich(answerer.knowledge, answerer.answer("What is the population of Tonglu?")).plain()
    assert far.startswith("The article does not say") and "It answers questions like these" in far


def test_a_typo_is_said_as_read(answerer: Answerer) -> None:
    text = answer_rich(answerer.knowledge, answerer.answer("桐卢要打赢哪六大攻坚战？")).plain()
    assert text.splitlines()[0] == "按“桐庐”理解“桐卢”。"
    # In the user's language: a name typed in pinyin in an English question.
    english = answer_rich(answerer.knowledge, answerer.answer("Who is Weng Yan?")).plain()
    assert english.splitlines()[0] == "Read “weng yan” as 翁嫣."


def test_figures_index_lists_paragraphs_with_missing_markers(answerer: Answerer) -> None:
    lines = [line.plain() for line in figures_index(answerer.knowledge, answerer.figures)]
    assert any(line.startswith("¶11 ") and "全国快递包裹达亿件（数字缺失）" in line for line in lines)
    assert any("六大攻坚战" in line for line in lines)


def test_a_terminal_style_ends_before_each_line_end() -> None:
    # Left open over a newline, bold would run into the next line (and the indent of a quotation).
    rich = Rich().add("粗体\n下一行", "b").quote(Rich().add("段落\n第二行"))
    for line in rich.ansi().split("\n"):
        assert line.count("\x1b[0m") == len(re.findall(r"\x1b\[[12]m", line))
