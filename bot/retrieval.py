"""BM25 ranking over tokenised passages: the one place that knows rank_bm25.

The variant is Okapi BM25 (``rank_bm25.BM25Okapi``, k1=1.5, b=0.75, epsilon=0.25), chosen on
purpose: a passage that shares no term with the question scores exactly 0, so only passages
that contain a query term need scoring (the index below is inverted), and a term found in
half or more of the passages keeps a small positive idf (epsilon × mean idf) instead of a
negative one. BM25L/BM25Plus would give every passage a positive score and need a pass over
the whole corpus per query. Scores are never the answerability decision: see answering.

rank_bm25 supplies the statistics (idf, document lengths); scoring walks posting lists that
hold each term's precomputed contribution, computed with the same floating-point operations
as ``BM25Okapi.get_scores`` so the scores are identical to the bit, only faster.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice

import numpy as np
from numpy.typing import NDArray
from rank_bm25 import BM25Okapi

K1 = 1.5
B = 0.75
EPSILON = 0.25


@dataclass(frozen=True)
class Hit:
    """One ranked document: its position in the corpus, score and the query terms it has."""

    index: int
    score: float
    matched: tuple[str, ...]


class BM25Index:
    """An inverted Okapi BM25 index over a fixed corpus of token lists."""

    def __init__(self, corpus: Sequence[Sequence[str]]) -> None:
        """Index ``corpus`` (one token list per document, in a fixed order)."""
        if not corpus:
            raise ValueError("cannot index an empty corpus")
        # rank_bm25 divides by the mean length; an all-empty corpus would divide by zero.
        okapi = BM25Okapi([list(doc) or [""] for doc in corpus], k1=K1, b=B, epsilon=EPSILON)
        self.size = len(corpus)
        self.idf: dict[str, float] = dict(okapi.idf)
        self.terms: list[frozenset[str]] = [frozenset(doc) for doc in corpus]
        doc_len = np.asarray(okapi.doc_len)
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for index, doc in enumerate(corpus):
            for term, count in Counter(doc).items():
                ids, tfs = postings.setdefault(term, ([], []))
                ids.append(index)
                tfs.append(count)
        self._postings: dict[str, tuple[NDArray[np.intp], NDArray[np.float64]]] = {}
        for term, (ids, tfs) in postings.items():
            ids_array = np.asarray(ids, dtype=np.intp)
            tf = np.asarray(tfs)
            dl = doc_len[ids_array]
            # The same expression, in the same order, as BM25Okapi.get_scores.
            part = (self.idf.get(term) or 0) * (tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / okapi.avgdl)))
            self._postings[term] = (ids_array, part)

    def scores(self, terms: Iterable[tuple[str, float]]) -> NDArray[np.float64]:
        """BM25 scores of every document for weighted query terms (weight 1 = one occurrence)."""
        scores = np.zeros(self.size)
        for term, weight in terms:
            posting = self._postings.get(term)
            if posting is not None:
                ids, part = posting
                scores[ids] += part if weight == 1.0 else weight * part
        return scores

    def search(self, terms: Sequence[tuple[str, float]], k: int) -> list[Hit]:
        """The ``k`` best documents, best first; ties keep corpus order.

        Documents that share no term score 0 and come last, in corpus order, so that ``k``
        results are given whenever the corpus has them.
        """
        scores = self.scores(terms)
        k = min(k, self.size)
        if k <= 0:
            return []
        positive = np.flatnonzero(scores > 0)
        if len(positive) > k:
            # argpartition finds the k-th best cheaply; keep every tie with it, then sort.
            best = positive[np.argpartition(-scores[positive], k - 1)[:k]]
            positive = positive[scores[positive] >= scores[best].min()]
        order = positive[np.lexsort((positive, -scores[positive]))][:k].tolist()
        if len(order) < k:
            chosen = set(order)
            rest = (i for i in range(self.size) if i not in chosen)
            order.extend(islice(rest, k - len(order)))
        query = [t for t, _ in terms]
        return [
            Hit(int(i), float(scores[i]), tuple(t for t in dict.fromkeys(query) if t in self.terms[i])) for i in order
        ]
