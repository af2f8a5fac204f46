from __future__ import annotations

import math
import random
import time

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


def _every_substring_part(tokenizer: Tokenizer, word: str) -> list[str]:
    """The parts as the first version found them: every substring looked up (cubic work)."""
    found: list[str] = []
    for size in range(2, len(word)):
        found.extend(g for g in (word[i : i + size] for i in range(len(word) - size + 1)) if tokenizer.store.get(g))
    return found


def test_the_parts_of_a_word_are_those_of_every_substring(tokenizer: Tokenizer, seed_text: str) -> None:
    rng = random.Random(13)
    words = set(tokenizer.cut(tokenizer.normalize(seed_text)))
    for _ in range(500):
        start = rng.randrange(len(seed_text))
        words.add(tokenizer.normalize(seed_text[start : start + rng.randint(3, 30)]))
    words |= {"1" * 40, "2020年3月11日", "abcdefghijklmnop", "攻坚战攻坚战攻坚战"}
    for word in sorted(w for w in words if len(w) > 2):
        assert tokenizer._parts(word) == _every_substring_part(tokenizer, word), word


@pytest.mark.parametrize("unit", ["1", "a", "1.", "攻坚战"])
def test_cutting_one_long_token_is_linear(tokenizer: Tokenizer, unit: str) -> None:
    def seconds(size: int) -> float:
        text = unit * (size // len(unit))
        best = math.inf
        for _ in range(3):
            started = time.perf_counter()
            tokenizer.cut(text)
            best = min(best, time.perf_counter() - started)
        return best

    short, long = seconds(500), seconds(2000)
    # Four times the text: linear work takes about four times as long, cubic work 64 times.
    assert long < 10 * short + 0.002, (short, long)
    assert short < 0.01, short
