from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.core.answering import Answer, Answerer
from bot.core.verdict import Reason, Verdict

HERE = Path(__file__).resolve().parent


def best_text(answer: Answer) -> str:
    return answer.passages[0].passage.text


def test_answers_with_ranked_cited_passages_and_their_figures(answerer: Answerer) -> None:
    answer = answerer.answer("快递回归攻坚战定下了什么目标？")
    assert answer.answered and answer.reason == "answered"
    assert "百个公司落户" in best_text(answer)
    assert len(answer.passages) == 5
    scores = [r.score for r in answer.passages]
    assert scores[0] > 0
    assert any(f.text == "十亿税收" for f in answer.passages[0].figures)
    assert "快递回归" in answer.passages[0].matched


def test_paraphrases_land_on_the_right_paragraph(answerer: Answerer) -> None:
    assert "视频连线" in best_text(answerer.answer("这次大会是在网上开的吗"))
    assert "中国制笔之乡" in best_text(answerer.answer("做笔的产业有啥名气"))
    assert "原本打算在正月初七召开" in best_text(answerer.answer("会为什么拖了这么久"))


def test_traditional_characters_answer_like_simplified(answerer: Answerer) -> None:
    simplified = answerer.answer("传统产业要实现哪五大目标？")
    traditional = answerer.answer("傳統產業要實現哪五大目標？")
    assert [r.passage.key for r in traditional.passages] == [r.passage.key for r in simplified.passages]


def test_english_questions_get_the_chinese_passage(answerer: Answerer) -> None:
    answer = answerer.answer("Who commands the manufacturing battle?")
    assert answer.answered and answer.query.english
    assert "翁嫣" in best_text(answer)


def test_the_quotes_speaker_counts_from_the_next_sentence(answerer: Answerer) -> None:
    answer = answerer.answer("快递回归那部分是谁发言的？")
    assert answer.answered
    assert "周海静" in best_text(answer)


def test_publication_date_and_editor_come_from_the_header_and_byline(answerer: Answerer) -> None:
    assert "2020/3/11" in best_text(answerer.answer("这篇报道哪天发的？"))
    assert "蔡东海" in best_text(answerer.answer("谁是这篇报道的编辑？"))


@pytest.mark.parametrize(
    "question",
    [
        "上海明天的天气怎么样？",
        "推荐一本好看的小说",
        "从杭州到桐庐的高铁票多少钱？",
        "桐庐县长是谁？",  # only a 副县长 is named
        "圆通的老板是谁？",
        "富春未来城的面积有多大？",
        "What is the capital of France?",
    ],
)
def test_questions_the_article_does_not_answer_are_declined(answerer: Answerer, question: str) -> None:
    answer = answerer.answer(question)
    assert not answer.answered, (question, answer.reason)
    assert not answer.figure_missing
    assert len(answer.passages) == 5  # ranked candidates are given all the same


def test_a_term_the_article_names_but_never_explains_is_declined(answerer: Answerer) -> None:
    answer = answerer.answer("两抓两转是什么意思？")
    assert not answer.answered and answer.reason == "not_explained"
    assert "两抓两转" in best_text(answer)


def test_a_term_the_article_explains_is_answered(answerer: Answerer) -> None:
    answer = answerer.answer("一核两翼多点是什么意思？")
    assert answer.answered
    assert "以快递科技小镇为核心" in best_text(answer)


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("全国快递包裹一年有多少件？", "全国快递包裹达亿件"),
        ("连续多少天没有新增病例？", "连续天"),
        ("首批减负清单有几条？", "共计条"),
        ("三通一达的员工有多少人？", "从业人员超过万人"),
    ],
)
def test_a_number_the_source_lost_is_flagged_never_invented(answerer: Answerer, question: str, figure: str) -> None:
    answer = answerer.answer(question)
    assert answer.answered and answer.figure_missing
    assert answer.figure is not None and answer.figure.text == figure


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("要打赢几大攻坚战？", "六大攻坚战"),
        ("快递回归要落户多少个公司？", "百个公司"),
        ("交易中心是全国第几个？", "全国首个"),
        ("会原本打算什么时候开？", "正月初七"),
    ],
)
def test_a_number_the_article_gives_is_not_flagged(answerer: Answerer, question: str, figure: str) -> None:
    answer = answerer.answer(question)
    assert answer.answered and not answer.figure_missing
    assert answer.figure is not None and answer.figure.text == figure


def test_questions_without_a_number_are_never_flagged(answerer: Answerer) -> None:
    answer = answerer.answer("三通一达的包裹是哪家快递送的？")
    assert not answer.figure_missing and answer.figure is None


@pytest.mark.parametrize("question", ["", "   ", "？？？", "😀🎉", "x" * 10_000])
def test_bad_input_is_declined_with_a_reason(answerer: Answerer, question: str) -> None:
    answer = answerer.answer(question)
    assert not answer.answered
    assert answer.reason in {"empty", "too_long", "no_match"}


OWN_SETS = ["questions.yaml", "questions_more.yaml", "pool_tune.yaml", "pool_tune_c.yaml", "pool_tune_d.yaml"]


@pytest.mark.parametrize("name", [*OWN_SETS, "pool_tune_e.yaml", "pool_tune_f.yaml"])
def test_our_own_question_sets_hold(answerer: Answerer, name: str) -> None:
    # Questions written for this project (tests/data/), not the public development set nor
    # the frozen validation pool (which is scored, never tested against: see tests/data/README.md).
    questions = yaml.safe_load((HERE / "data" / name).read_text(encoding="utf-8"))
    answerable = [q for q in questions if q["answerable"]]
    unanswerable = [q for q in questions if not q["answerable"]]
    hits = false_declines = false_answers = flagged = false_flags = 0
    for q in questions:
        answer = answerer.answer(q["q"])
        if not q["answerable"]:
            false_answers += answer.verdict is Verdict.ANSWER
            continue
        top3 = [r.passage.source_text for r in answer.passages[:3]]
        hits += any(g in text for g in q["gold"] for text in top3)
        false_declines += answer.verdict is Verdict.NONE
        if q["figure_missing"]:
            flagged += answer.figure_missing
        else:
            false_flags += answer.figure_missing
    # Floors a little under what the method scores now (README, "How well it answers"): a
    # change that loses ground on any set fails here.
    assert hits / len(answerable) >= 0.9
    assert false_declines / len(answerable) <= 0.05
    assert false_answers / len(unanswerable) <= 0.25
    assert flagged >= 0.6 * sum(q["figure_missing"] for q in answerable)
    assert false_flags <= 1


# --- three verdicts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "missing_kind"),
    [
        ("富春未来城攻坚战的指挥长是谁？", Reason.NOT_STATED),  # the battle is named; no commander is
        ("采购交易中心总投资多少钱？", Reason.NOT_STATED),  # a 千亿平台 is no investment
        ("中国针织名镇是哪个镇？", Reason.NOT_STATED),  # the article never says which town
        ("两抓两转具体是哪两抓哪两转？", Reason.NOT_EXPLAINED),
        ("富春未来城的面积有多大？", Reason.NOT_STATED),
        ("第二批减负清单什么时候发布？", Reason.NOT_STATED),  # the article tells of the first batch only
        # 富春江科技城 holds 科技, but where 快递科技小镇 stands whole its parts elsewhere are other things.
        ("快递科技小镇位于哪个镇？", Reason.NOT_STATED),
        ("“拿我是问”这句话是哪个领导说的？", Reason.NOT_STATED),  # "我们的表态是…": a pronoun names nobody
        ("富春未来城打算建成什么样？", Reason.NOT_EXPLAINED),  # one item of the six battles' list, no more
        # How a plan turned out is after the report: 计划于今年月底实现正式运营 tells no result.
        ("交易中心运营后效果好吗", Reason.NOT_STATED),
        ("减负清单执行后基层反映如何？", Reason.NOT_STATED),
        # A comparison the article never makes (全力打造最强快递 puts nothing first among the six).
        ("六大攻坚战哪个投入最多？", Reason.NOT_STATED),
        ("制造业和快递哪个贡献更大？", Reason.NOT_STATED),
        ("为什么选富春江镇当两翼？", Reason.NOT_STATED),  # the layout is told, no reason for it
        ("垃圾分类要覆盖多少个村？", Reason.NOT_STATED),  # 村: the article counts none
        ("快递包裹比去年多了多少？", Reason.NOT_STATED),  # no year is compared with another
        ("受表彰的好干部叫什么名字？", Reason.NOT_STATED),  # a group answers who, not what they are called
        ("桐庐是杭州第一个发布减负清单的县吗？", Reason.UNKNOWN_WORDS),  # of 杭州 the article says nothing
        ("桐庐现在一共有多少家国家高新技术企业？", Reason.NOT_STATED),  # 净增国高企业〔?〕家 is a target to add
        ("交易中心最后按计划开业了吗", Reason.NOT_STATED),  # a plan, not how it turned out
        ("自营出口去年增长了多少？", Reason.NOT_STATED),  # this year's target, not last year's growth
        ("翁嫣之前在哪个单位工作？", Reason.NOT_STATED),
    ],
)
def test_near_questions_get_the_closest_passage_not_an_answer(
    answerer: Answerer, question: str, missing_kind: Reason
) -> None:
    answer = answerer.answer(question)
    assert answer.verdict is Verdict.CLOSEST and answer.reason is missing_kind
    assert answer.best is not None  # the closest passage is shown, under a caveat


def test_the_ordinal_the_article_tells_of_is_answered(answerer: Answerer) -> None:
    # "是第二批吗" is answered too: the passage says which batch it was (the first).
    for question in ("首批减负清单涉及哪些内容？", "第一批减负清单涉及哪些内容？", "减负清单是第二批的吗"):
        assert answerer.answer(question).verdict is Verdict.ANSWER, question


@pytest.mark.parametrize("question", ["上海最近有什么新闻", "帮我写一首关于春天的诗", "What is the capital of France?"])
def test_nothing_in_the_article_is_about_far_questions(answerer: Answerer, question: str) -> None:
    answer = answerer.answer(question)
    assert answer.verdict is Verdict.NONE and answer.best is None


@pytest.mark.parametrize(
    "question",
    [
        "今年桐庐要打哪些攻坚战？",  # a time word frames the question
        "周海静是什么官？",  # a role word asks who she is
        "六大攻坚战是哪些？老是记不住",  # filler
        "快递回归攻坚战是啥",
        "这次发布的减负清单是第几批？",
        "大会最早定在什么时候开？",  # 最早 with when: originally, not "the earliest of several"
        "富春未来城",  # a keyword: the list that names it is all the article says, and says it
        "垃圾分类也是攻坚战之一吗",  # the list answers whether it is on the list
        # A reason told near the question's words, in its sentence or the one before.
        "大会为什么推迟了？",
        "为什么要发布基层减负清单？",
        "这座中国最美县为什么能恢复往日生气？",
        "桐庐为什么要发起快递回归攻坚战",  # what it is for answers why: 要从快递人之乡迈向快递产业之乡
        "传统产业以前有什么辉煌",  # a past the passage tells (辉煌的历史)
        "交易中心以前全国有过吗",  # 全国首个: there was none before
        "桐庐的一把手是谁",  # 一把手 stands for 县委书记 (方毅): the person it names answers who
        # A role or a group next to the question's words answers who: 由县领导担任指挥长.
        "誓师环节上谁当指挥长？",
        "大会表彰了哪些人？",
        "桐庐现在是中风险吗？",  # a predicate the article never states is answered by what it does (低风险)
    ],
)
def test_framing_words_do_not_turn_an_answer_into_a_refusal(answerer: Answerer, question: str) -> None:
    assert answerer.answer(question).verdict is Verdict.ANSWER


@pytest.mark.parametrize(
    ("question", "wrong", "right"),
    [
        ("桐卢要打赢哪六大攻坚战？", "桐卢", "桐庐"),
        ("减复清单有什么内容", "减复", "减负"),
        ("翁焉是谁", "翁焉", "翁嫣"),
        ("减负请单一共几条", "减负请单", "减负清单"),  # 单一 is a word, but 请 sounds like 清
    ],
)
def test_typos_are_read_as_the_articles_terms(answerer: Answerer, question: str, wrong: str, right: str) -> None:
    answer = answerer.answer(question)
    assert answer.verdict is Verdict.ANSWER
    assert [(wrong in c.wrong and right in c.right) for c in answer.query.corrections] == [True]


@pytest.mark.parametrize(
    ("question", "typed", "term"),
    [
        ("Who is Fang Yi?", "fang yi", "方毅"),  # a name, capitalised: not 防疫, spelled alike
        ("what did zhou haijing say about parcels", "zhou haijing", "周海静"),
        ("jianfu qingdan 有几条", "jianfu qingdan", "减负清单"),
    ],
)
def test_terms_typed_in_pinyin_are_read_as_the_articles(
    answerer: Answerer, question: str, typed: str, term: str
) -> None:
    answer = answerer.answer(question)
    assert [(c.wrong, c.right) for c in answer.query.corrections] == [(typed, term)]
    assert answer.verdict is Verdict.ANSWER


def test_english_words_are_never_read_as_pinyin(answerer: Answerer) -> None:
    english = ["What are the six battles?", "How many parcels did the courier firms handle?", "Is Tonglu safe now?"]
    for question in english:
        assert answerer.answer(question).query.corrections == ()


def test_real_words_are_never_corrected(answerer: Answerer) -> None:
    for question in ["我老是搞不清六大攻坚战", "桐庐现在疫情咋样", "要打赢几大攻坚战", "一年产多少支笔"]:
        assert answerer.answer(question).query.corrections == ()


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("三通一达的市值是多少？", "三通一达总市值达亿"),
        ("三通一达的从业人员有多少？", "从业人员超过万人"),
        ("交易中心几月份运营？", "今年月底"),
        ("三通一达的包裹突破多少件了", "的包裹突破亿件"),
        ("传统产业的技改投资增长目标是多少", "技改投资增长回应"),  # the target's figure, not 五大目标
        ("传统产业那边亩均税收增长多少", "亩均税收增长提高"),  # not the first growth of the paragraph
        ("科技企业要新增几家", "科技企业家"),  # 新增规上企业〔?〕家 is the figure before the comma
        ("今年打算新增多少家规上企业", "新增规上企业家"),
        ("几位确诊病人治愈出院了", "位确诊病例已经全部治愈出院"),
        ("全国一年寄了多少个包裹", "全国快递包裹达亿件"),  # 个 of 包裹 counts what 件 counts
        ("县里多久没出现新的确诊病人了", "连续天"),  # 没出现 is no thing counted
    ],
)
def test_the_missing_figure_named_is_the_one_asked_for(answerer: Answerer, question: str, figure: str) -> None:
    answer = answerer.answer(question)
    assert answer.figure_missing and answer.figure is not None
    assert figure in answer.figure.text


def test_the_answering_sentence_is_the_paragraphs_own_not_its_heading(answerer: Answerer) -> None:
    # ¶9's headings (要打赢六大攻坚战) run into its first sentence without a full stop.
    answer = answerer.answer("桐庐要打赢哪六大攻坚战？")
    assert answer.best is not None and answer.sentence is not None
    passage = answer.best.passage
    start, end = answer.sentence
    assert start >= len(passage.source_text) - len(passage.text)
    assert "打赢六大攻坚战制造业" in passage.source_text[start:end]


@pytest.mark.parametrize(
    ("question", "opening"), [("制造业", "制造业是桐庐经济发展的主引擎"), ("垃圾分类", "在促进经济发展的同时")]
)
def test_a_keyword_finds_where_the_article_tells_of_it_not_the_list_of_six(
    answerer: Answerer, question: str, opening: str
) -> None:
    best = answerer.answer(question).best
    assert best is not None and best.passage.source_text.startswith(opening)
