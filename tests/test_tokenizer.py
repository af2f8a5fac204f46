from __future__ import annotations

import pytest

from bot.core.answering import Answerer
from bot.core.tokenizer import Tokenizer


@pytest.fixture(scope="module")
def tokenizer(answerer: Answerer) -> Tokenizer:
    return answerer.tokenizer


def test_normalize_folds_width_case_script_and_invisible_marks(tokenizer: Tokenizer) -> None:
    assert tokenizer.normalize("ＡＢＣ１２３") == "abc123"
    assert tokenizer.normalize("桐廬攻堅戰") == "桐庐攻坚战"
    assert tokenizer.normalize("快\u200b递") == "快递"


def test_traditional_and_simplified_questions_meet_on_the_same_tokens(tokenizer: Tokenizer) -> None:
    assert tokenizer.tokens("減負清單") == tokenizer.tokens("减负清单")


def test_stop_words_and_punctuation_are_dropped(tokenizer: Tokenizer) -> None:
    tokens = tokenizer.tokens("桐庐的快递是什么？！")
    assert "的" not in tokens and "什么" not in tokens and "？" not in tokens
    assert "桐庐" in tokens and "快递" in tokens


def test_search_mode_adds_the_parts_of_long_words(tokenizer: Tokenizer) -> None:
    tokens = tokenizer.tokens("减负清单")
    assert {"减负", "清单", "减负清单"} <= set(tokens)


def test_whole_words_keep_their_parts(tokenizer: Tokenizer) -> None:
    # A 副县长 is not the 县长: the article names no 县长.
    assert "县长" not in tokenizer.tokens("桐庐县副县长翁嫣")
    assert "副县长" in tokenizer.tokens("桐庐县副县长翁嫣")


def test_the_user_dictionary_keeps_the_articles_names_whole(tokenizer: Tokenizer) -> None:
    for name in ("三通一达", "翁嫣", "周海静", "蔡东海", "两抓两转"):
        assert name in tokenizer.tokens(f"这是{name}。"), name


def test_passages_and_questions_share_one_function(tokenizer: Tokenizer) -> None:
    sentence = "桐庐发起快递回归攻坚战"
    assert tokenizer.tokens(sentence) == tokenizer.tokens(sentence + "？")


def test_is_noun_uses_the_dictionary_tags(tokenizer: Tokenizer) -> None:
    assert tokenizer.is_noun("天气")
    assert not tokenizer.is_noun("释放")
