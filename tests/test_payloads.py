from __future__ import annotations

import pytest

from bot.replies import payloads
from bot.replies.payloads import Example, FiguresPage, Full, More, Paragraph, Vote, decode, encode


@pytest.mark.parametrize(
    "action",
    [
        More("tonglu", ("p11", "p12", "p15"), 1),
        Full("tonglu", "p3"),
        Example(2),
        FiguresPage(0),
        Paragraph("tonglu", 22),
        Vote(True, "answer", "tonglu", "p13", "AbCd-_12"),
        Vote(False, "closest", "a" * 24, "b" * 24, "zzzzzzzz"),
    ],
)
def test_round_trip(action: payloads.Action) -> None:
    data = encode(action)
    assert len(data.encode()) <= 64
    assert decode(data) == action


def test_long_id_lists_are_shortened_to_fit_64_bytes() -> None:
    action = More("a-rather-long-article-id", tuple(f"para_{i}" for i in range(20)), 0)
    data = encode(action)
    assert len(data.encode()) <= 64
    decoded = decode(data)
    assert isinstance(decoded, More) and decoded.ids == action.ids[: len(decoded.ids)]


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "m",
        "m|x|tonglu|p1",
        "f|tonglu",
        "x|",
        "x|-1",
        "zzz",
        "m|1|TONG LU|p1",
        "f|tonglu|p1|extra",
        "😀" * 20,
        "g|" + "9" * 70,
        "p|tonglu|１",
        "v|u|a|tonglu|p13|short",
        "v|x|a|tonglu|p13|AbCd-_12",
        "v|u|n|tonglu|p13|AbCd-_12",
        "v|u|a|tonglu|p13|AbCd-_12|x",
    ],
)
def test_garbled_or_forged_data_decodes_to_none(data: str | None) -> None:
    assert decode(data) is None


def test_a_vote_on_the_longest_ids_fits_64_bytes_and_none_is_never_voted_on() -> None:
    assert len(encode(Vote(False, "closest", "a" * 24, "b" * 24, "zzzzzzzz")).encode()) == 64
    with pytest.raises(ValueError):
        encode(Vote(True, "none", "tonglu", "p1", "AbCd-_12"))
