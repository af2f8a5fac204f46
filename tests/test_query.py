from __future__ import annotations

import pytest

from bot.core.answering import Answerer
from bot.core.query import Query


@pytest.fixture(scope="module")
def analyze(answerer: Answerer):
    return answerer.analyzer.analyze


def terms(query: Query) -> set[str]:
    return {t for t, _ in query.terms}


def test_everyday_words_reach_the_articles_terms(analyze) -> None:
    assert "攻坚战" in terms(analyze("要打哪几场仗"))
    assert "从业人员" in terms(analyze("快递公司雇了多少人"))
    assert "三通一达" in terms(analyze("中通圆通加起来多大"))
    assert "制笔" in terms(analyze("做笔的厂子怎么样"))


def test_lexicon_terms_weigh_less_than_the_users_own_words(analyze) -> None:
    weights = dict(analyze("病人出院了吗").terms)
    assert 0 < weights["确诊病例"] < weights["出院"] <= 1.0


def test_words_common_in_chinese_weigh_less_than_names(analyze) -> None:
    weights = dict(analyze("周海静在会议上讲了什么").terms)
    assert weights["周海静"] == 1.0
    assert weights["会议"] < weights["周海静"]


def test_a_word_the_article_uses_is_not_replaced_by_a_shorter_aliass_term(analyze) -> None:
    # 减负清单 is the article's own word; 减负 → 基层减负 must not drag 基层 in.
    query = analyze("减负清单发给谁")
    concept = next(c for c in query.concepts if c.text == "减负清单")
    assert "基层" not in concept.terms


def test_english_questions_are_looked_up_in_the_glossary(analyze) -> None:
    query = analyze("Why was the meeting postponed?")
    assert query.english
    assert {"大会", "原本打算"} <= terms(query)
    assert "postponed" not in {c.text for c in query.concepts if not c.known}


def test_english_inflections_fold_onto_glossary_keys(analyze) -> None:
    assert "包裹" in terms(analyze("How many parcels?"))
    assert "传统产业" in terms(analyze("traditionally"))


def test_unknown_english_words_stay_unknown_nouns(analyze) -> None:
    query = analyze("What is the population of Tonglu?")
    unknown = [c for c in query.concepts if not c.known]
    assert [c.text for c in unknown] == ["population"]
    assert unknown[0].noun


def test_question_frames_do_not_become_words(analyze) -> None:
    # Without cutting 哪天 out first, jieba reads 哪天开的 as 哪 / 天开 / 的.
    assert "天开" not in {c.text for c in analyze("誓师大会是哪天开的").concepts}
    assert {c.text for c in analyze("桐庐县长叫什么名字").concepts} == {"桐庐", "县长"}


@pytest.mark.parametrize(
    ("question", "number", "unit"),
    [
        ("一年送多少件快递", True, "件"),
        ("连续几天没有新增", True, "duration"),
        ("干部在一线坚守了多长时间", True, "duration"),
        ("工业投资要增长多少", True, "%"),
        ("工厂贡献了百分之多少的税", True, "%"),
        ("市值多少钱", True, "钱"),
        ("大会是哪天开的", True, "date"),
        ("交易中心是全国第几个", True, "ordinal"),
        ("How many people work there?", True, "人"),
        ("谁是指挥长", False, None),
        ("这几家公司是哪几家", False, None),
    ],
)
def test_intent_number_and_unit(analyze, question: str, number: bool, unit: str | None) -> None:
    intent = analyze(question).intent
    assert intent.number is number
    assert intent.unit == unit


def test_intent_who_and_definition(analyze) -> None:
    assert analyze("快递回归是谁讲的").intent.who
    assert analyze("两抓两转是什么意思").intent.definition
    assert analyze("What does 'two wings' refer to?").intent.definition
    assert not analyze("两抓两转要怎么落实").intent.definition


def test_empty_and_punctuation_only_questions_have_no_concepts(analyze) -> None:
    for text in ("", "   ", "？？！", "😀😀"):
        assert analyze(text).empty, text
        assert not analyze(text).concepts
    function_words_only = analyze("的了吗")
    assert not function_words_only.empty and not function_words_only.concepts


def test_html_entities_and_terminal_escapes_are_not_words(analyze) -> None:
    assert {c.text for c in analyze("&amp; 三通一达 &lt;").concepts} == {"三通一达"}
    assert {c.text for c in analyze("\x1b[31m三通一达\x1b[0m\x07").concepts} == {"三通一达"}


def test_other_scripts_are_answered_in_english(analyze) -> None:
    assert analyze("ما هو التوصيل السريع؟").english
