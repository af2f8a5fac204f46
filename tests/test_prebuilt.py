from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.core.answering import Answerer
from bot.core.prebuilt import INDEX, WORDS, digest_of, prepare
from bot.core.retrieval import BM25Index
from bot.core.wordstore import WordStore

from .support import KNOWLEDGE

SENTENCES = [
    "在快递回归攻坚战誓师环节上，桐庐县委常委周海静抛出了一串数字",
    "桐庐县长叫什么名字？",
    "中通圆通申通韵达这几家一年送多少件？",
    "杭州今天天气怎么样",
    "What does one core two wings mean?",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    cache = tmp_path_factory.mktemp("cache")
    return cache, prepare(KNOWLEDGE, cache=cache)


def test_the_second_start_loads_what_the_first_built(built) -> None:
    cache, first = built
    assert not first.cached
    second = prepare(KNOWLEDGE, cache=cache)
    assert second.cached
    for sentence in SENTENCES:
        text = first.tokenizer.normalize(sentence)
        assert second.tokenizer.cut(text) == first.tokenizer.cut(text)
        assert [second.tokenizer.is_noun(w) for w in second.tokenizer.words(text)] == [
            first.tokenizer.is_noun(w) for w in first.tokenizer.words(text)
        ]
    terms = [("快递", 1.0), ("回归", 0.8), ("三通一达", 1.0)]
    assert np.array_equal(second.index.scores(terms), first.index.scores(terms))


def test_answers_are_the_same_from_the_cache(built) -> None:
    cache, first = built
    second = prepare(KNOWLEDGE, cache=cache)
    a, b = Answerer.from_prepared(first), Answerer.from_prepared(second)
    for question in [
        "快递回归攻坚战定了什么目标？",
        "桐庐县长是谁？",
        "全国快递包裹多少件？",
        "桐卢要打哪些仗",
        "病人出院了吗",
    ]:
        x, y = a.answer(question), b.answer(question)
        assert [(r.passage.key, r.score) for r in x.passages] == [(r.passage.key, r.score) for r in y.passages]
        assert (x.verdict, x.reason, x.figure, x.query.corrections) == (
            y.verdict,
            y.reason,
            y.figure,
            y.query.corrections,
        )


def test_a_changed_knowledge_folder_gets_a_new_index(tmp_path: Path) -> None:
    folder = tmp_path / "k"
    shutil.copytree(KNOWLEDGE, folder)
    before = digest_of(folder)
    synonyms = folder / "lexicon" / "synonyms.yaml"
    synonyms.write_text(synonyms.read_text(encoding="utf-8") + "\n快递: [速递]\n", encoding="utf-8")
    assert digest_of(folder) != before


@pytest.mark.slow  # a second index build
def test_a_corrupt_entry_is_rebuilt(built, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # A copy of the entry the first start wrote (building one costs seconds).
    cache = tmp_path / "cache"
    entry = cache / digest_of(KNOWLEDGE)
    shutil.copytree(built[0] / entry.name, entry)
    assert prepare(KNOWLEDGE, cache=cache).cached
    with (entry / WORDS).open("r+b") as words:
        words.seek(1000)
        words.write(b"garbage")
    with caplog.at_level(logging.WARNING):
        again = prepare(KNOWLEDGE, cache=cache)
    assert not again.cached
    assert "corrupt" in caplog.text
    assert prepare(KNOWLEDGE, cache=cache).cached


@pytest.mark.slow  # a second index build
def test_an_unwritable_cache_folder_only_costs_time(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    prepared = prepare(KNOWLEDGE, cache=blocker / "cache")
    assert not prepared.cached
    assert prepared.index.size == len(prepared.knowledge.passages)


def test_word_store_round_trip(tmp_path: Path) -> None:
    store = WordStore.from_dicts({"快递": 10, "快": 5, "回归": 3, "三通一达": 7}, {"快递": "n", "回归": "v"}, 25)
    store.save(tmp_path / "w.bin")
    loaded = WordStore.load(tmp_path / "w.bin")
    assert loaded.total == 25
    assert dict(loaded.items()) == dict(store.items())
    assert loaded.tag("快递") == "n" and loaded.tag("三通一达") is None
    assert "快递" in loaded and "快递员" not in loaded and "" not in loaded
    assert loaded.get("没有") is None
    loaded["快递员"] = 2
    assert loaded["快递员"] == 2
    (tmp_path / "bad.bin").write_bytes(b"nope")
    with pytest.raises(ValueError):
        WordStore.load(tmp_path / "bad.bin")


def test_index_round_trip(tmp_path: Path) -> None:
    corpus = [["快递", "回归", "快递"], ["制造业"], ["快递", "包裹"]]
    index = BM25Index.build(corpus)
    index.save(tmp_path / INDEX)
    loaded = BM25Index.load(tmp_path / INDEX)
    assert loaded.size == 3 and loaded.idf == index.idf
    assert loaded.terms_of(0) == {"快递", "回归"}
    query = [("快递", 1.0), ("包裹", 1.0)]
    assert np.array_equal(loaded.scores(query), index.scores(query))
