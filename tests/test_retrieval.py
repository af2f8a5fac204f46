from __future__ import annotations

import math
import random

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from bot.core.retrieval import EPSILON, K1, B, BM25Index

CORPUS = [
    ["快递", "回归", "攻坚战"],  # 0
    ["制造业", "攻坚战", "税收"],  # 1
    ["快递", "包裹", "快递"],  # 2
    ["垃圾", "分类"],  # 3
    ["平安", "桐庐"],  # 4
]


def ids(hits) -> list[int]:
    return [h.index for h in hits]


def test_ranks_a_tiny_corpus_in_the_expected_order() -> None:
    index = BM25Index.build(CORPUS)
    assert ids(index.search([("快递", 1.0)], 2)) == [2, 0]
    assert ids(index.search([("税收", 1.0), ("攻坚战", 1.0)], 2)) == [1, 0]
    assert index.search([("包裹", 1.0)], 1)[0].matched == ("包裹",)


def test_documents_without_a_query_term_score_zero_and_come_last_in_order() -> None:
    index = BM25Index.build(CORPUS)
    hits = index.search([("垃圾", 1.0)], 5)
    assert ids(hits) == [3, 0, 1, 2, 4]
    assert hits[0].score > 0 and all(h.score == 0 for h in hits[1:])
    assert all(h.score == 0 for h in index.search([("天气", 1.0)], 3))


def test_the_variant_is_okapi_with_its_idf_floor() -> None:
    # Okapi BM25 floors the idf of a term found in half or more of the documents at
    # epsilon × mean idf instead of letting it go negative (BM25L/Plus have no such floor).
    corpus = [["a", "x"], ["a", "y"], ["a", "z"], ["b"]]
    index = BM25Index.build(corpus)
    okapi = BM25Okapi(corpus, k1=K1, b=B, epsilon=EPSILON)
    assert index.idf["a"] == pytest.approx(EPSILON * okapi.average_idf)
    assert index.idf["x"] == pytest.approx(math.log((4 - 1 + 0.5) / (1 + 0.5)))
    assert (K1, B, EPSILON) == (1.5, 0.75, 0.25)


def test_weights_scale_a_terms_contribution() -> None:
    index = BM25Index.build(CORPUS)
    once = index.scores([("快递", 1.0)])
    half = index.scores([("快递", 0.5)])
    assert np.allclose(half, once * 0.5)


def test_scores_are_identical_to_rank_bm25_get_scores() -> None:
    rng = random.Random(7)
    vocabulary = [f"w{i}" for i in range(60)]
    corpus = [[rng.choice(vocabulary) for _ in range(rng.randint(1, 30))] for _ in range(300)]
    index = BM25Index.build(corpus)
    okapi = BM25Okapi(corpus, k1=K1, b=B, epsilon=EPSILON)
    for _ in range(50):
        query = [rng.choice(vocabulary + ["unknown"]) for _ in range(rng.randint(1, 6))]
        expected = okapi.get_scores(query)
        ours = index.scores([(t, 1.0) for t in query])
        assert np.array_equal(ours, expected)  # bit for bit, not approximately
        top = sorted(range(len(corpus)), key=lambda i: (-expected[i], i))[:5]
        hits = index.search([(t, 1.0) for t in query], 5)
        assert ids(hits) == top
        assert [h.score for h in hits] == [float(expected[i]) for i in top]


def test_an_empty_corpus_is_refused() -> None:
    with pytest.raises(ValueError):
        BM25Index.build([])
