"""The benchmark's own correctness check, on a small corpus (speed is the bench's to report)."""

from __future__ import annotations

import json

import pytest

from benchmarks.bench import scale_worker, summary


def test_rankings_match_rank_bm25_on_a_synthetic_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    scale_worker(300, 25)
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["passages"] == 300
    assert result["identical_top5"] == "25/25"


def test_summary_figures() -> None:
    figure = summary("x", "ms", [3.0, 1.0, 2.0], "anchor", [4.0, 4.0])
    assert (figure.median, figure.low, figure.high) == (2.0, 1.0, 3.0)
    assert figure.ratio == 0.5
