from __future__ import annotations

import re

from bot.privacy import Hasher


def test_hashes_are_stable_keyed_and_apart_by_domain() -> None:
    one, other = Hasher(b"k" * 32), Hasher(b"j" * 32)
    assert one.user(7349126580) == one.user(7349126580) != other.user(7349126580)
    assert one.user(7349126580) != one.chat(7349126580)  # a private chat's id is its user's id
    assert re.fullmatch(r"[0-9a-f]{32}", one.user(7349126580))
    assert "7349126580" not in one.user(7349126580) + one.chat(7349126580)


def test_question_digests_fit_a_payload_and_ignore_surrounding_blanks() -> None:
    hasher = Hasher(b"k" * 32)
    digest = hasher.question("桐庐要打赢哪六大攻坚战？")
    assert re.fullmatch(r"[A-Za-z0-9_-]{8}", digest)
    assert digest == hasher.question(" 桐庐要打赢哪六大攻坚战？\n") != hasher.question("三通一达")
    assert digest != Hasher(b"j" * 32).question("桐庐要打赢哪六大攻坚战？")
