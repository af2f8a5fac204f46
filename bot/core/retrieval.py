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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from rank_bm25 import BM25Okapi

K1 = 1.5
B = 0.75
EPSILON = 0.25
# Documents whose term sets are kept once looked up.
_DOC_SET_CACHE = 4096


@dataclass(frozen=True)
class Hit:
    """One ranked document: its position in the corpus, score and the query terms it has."""

    index: int
    score: float
    matched: tuple[str, ...]


class BM25Index:
    """An inverted Okapi BM25 index over a fixed corpus of token lists.

    Posting lists are stored compressed-row style: the documents of term ``t`` are
    ``ids[starts[t]:starts[t + 1]]`` (ascending) with their precomputed contributions in
    ``parts``; a forward list gives each document's terms. Both are plain arrays, saved and
    loaded as one ``.npz`` file.
    """

    def __init__(
        self,
        terms: list[str],
        idf: NDArray[np.float64],
        starts: NDArray[np.int64],
        ids: NDArray[np.int32],
        parts: NDArray[np.float64],
        doc_starts: NDArray[np.int64],
        doc_terms: NDArray[np.int32],
    ) -> None:
        """Wrap the arrays (use :meth:`build` or :meth:`load`)."""
        self._terms = terms
        self._starts, self._ids, self._parts = starts, ids, parts
        self._doc_starts, self._doc_terms = doc_starts, doc_terms
        self.size = len(doc_starts) - 1
        self.idf: dict[str, float] = dict(zip(terms, idf.tolist(), strict=True))
        self._term_ids = {term: i for i, term in enumerate(terms)}
        self._arrays: dict[str, NDArray[Any]] = {
            "idf": idf,
            "starts": starts,
            "ids": ids,
            "parts": parts,
            "doc_starts": doc_starts,
            "doc_terms": doc_terms,
        }
        self._doc_sets: dict[int, frozenset[str]] = {}

    @classmethod
    def build(cls, corpus: Sequence[Sequence[str]]) -> BM25Index:
        """Index ``corpus`` (one token list per document, in a fixed order)."""
        if not corpus:
            raise ValueError("cannot index an empty corpus")
        # rank_bm25 divides by the mean length; an all-empty corpus would divide by zero.
        okapi = BM25Okapi([list(doc) or [""] for doc in corpus], k1=K1, b=B, epsilon=EPSILON)
        terms = sorted(okapi.idf)
        term_ids = {term: i for i, term in enumerate(terms)}
        postings: list[list[tuple[int, int]]] = [[] for _ in terms]
        forward: list[list[int]] = []
        for index, counts in enumerate(okapi.doc_freqs):
            own = sorted(term_ids[t] for t in counts)
            forward.append(own)
            for term_id in own:
                postings[term_id].append((index, counts[terms[term_id]]))
        doc_len = np.asarray(okapi.doc_len)
        idf = np.array([okapi.idf[t] for t in terms], dtype=np.float64)
        starts = np.zeros(len(terms) + 1, dtype=np.int64)
        starts[1:] = np.cumsum([len(p) for p in postings])
        ids = np.fromiter((i for p in postings for i, _ in p), dtype=np.int32, count=int(starts[-1]))
        tf = np.fromiter((c for p in postings for _, c in p), dtype=np.int64, count=int(starts[-1]))
        parts = np.empty(len(ids), dtype=np.float64)
        for term_id, term in enumerate(terms):
            lo, hi = starts[term_id], starts[term_id + 1]
            q_freq, dl = tf[lo:hi], doc_len[ids[lo:hi]]
            # The same expression, in the same order, as BM25Okapi.get_scores: same bits.
            parts[lo:hi] = (okapi.idf.get(term) or 0) * (
                q_freq * (K1 + 1) / (q_freq + K1 * (1 - B + B * dl / okapi.avgdl))
            )
        doc_starts = np.zeros(len(forward) + 1, dtype=np.int64)
        doc_starts[1:] = np.cumsum([len(f) for f in forward])
        doc_terms = np.fromiter((t for f in forward for t in f), dtype=np.int32, count=int(doc_starts[-1]))
        return cls(terms, idf, starts, ids, parts, doc_starts, doc_terms)

    def save(self, path: Path) -> None:
        """Write the index to ``path`` (an ``.npz`` file)."""
        arrays: dict[str, Any] = {"terms": np.array(self._terms, dtype=str), **self._arrays}
        with path.open("wb") as out:
            np.savez(out, **arrays)

    @classmethod
    def load(cls, path: Path) -> BM25Index:
        """Read an index written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
        terms = arrays.pop("terms").tolist()
        return cls(terms, **arrays)

    def document_frequency(self, term: str) -> int:
        """How many documents hold ``term``."""
        term_id = self._term_ids.get(term)
        return 0 if term_id is None else int(self._starts[term_id + 1] - self._starts[term_id])

    def terms_of(self, doc: int) -> frozenset[str]:
        """The distinct terms of document ``doc``."""
        found = self._doc_sets.get(doc)
        if found is None:
            lo, hi = self._doc_starts[doc], self._doc_starts[doc + 1]
            found = frozenset(self._terms[t] for t in self._doc_terms[lo:hi].tolist())
            if len(self._doc_sets) < _DOC_SET_CACHE:
                self._doc_sets[doc] = found
        return found

    def scores(self, terms: Iterable[tuple[str, float]]) -> NDArray[np.float64]:
        """BM25 scores of every document for weighted query terms (weight 1 = one occurrence)."""
        scores = np.zeros(self.size)
        for term, weight in terms:
            term_id = self._term_ids.get(term)
            if term_id is not None:
                lo, hi = self._starts[term_id], self._starts[term_id + 1]
                part = self._parts[lo:hi]
                scores[self._ids[lo:hi]] += part if weight == 1.0 else weight * part
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
        query = list(dict.fromkeys(t for t, _ in terms))
        return [Hit(int(i), float(scores[i]), tuple(t for t in query if t in self.terms_of(i))) for i in order]
