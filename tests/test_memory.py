from __future__ import annotations

from bot.tg.memory import AnswerMemory


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_each_chat_keeps_its_latest_answers() -> None:
    memory = AnswerMemory(max_per_chat=2, max_answers=100)
    for message_id in (1, 2, 3):
        memory.put(10, message_id, 100 + message_id, b"d")
    assert memory.get(10, 1) is None
    assert memory.get(10, 3) is not None and memory.get(10, 3).answer_id == 103  # type: ignore[union-attr]
    assert len(memory) == 2


def test_the_chats_least_recently_answered_are_forgotten_first() -> None:
    memory = AnswerMemory(max_per_chat=5, max_answers=4)
    for chat_id in range(1, 5):
        memory.put(chat_id, 1, 1, b"d")
    memory.put(1, 2, 2, b"d")  # chat 1 is active again: chat 2 is now the least recent
    assert len(memory) == 4
    assert memory.get(2, 1) is None
    assert memory.get(1, 1) is not None and memory.get(3, 1) is not None
    assert memory.chats == 3


def test_answers_expire() -> None:
    clock = Clock()
    memory = AnswerMemory(max_age=60, clock=clock)
    memory.put(1, 1, 1, b"d")
    clock.now = 30
    memory.put(2, 1, 1, b"d")
    clock.now = 61
    assert memory.get(1, 1) is None and memory.get(2, 1) is not None
    memory.put(3, 1, 1, b"d")  # forgetting happens as answers come
    assert memory.chats == 2 and len(memory) == 2


def test_many_chats_stay_within_the_bound() -> None:
    memory = AnswerMemory(max_per_chat=2, max_answers=1000)
    for chat_id in range(2000):
        for message_id in range(3):
            memory.put(chat_id, message_id, message_id, b"12345678")
    assert len(memory) == 1000 and memory.chats == 500
