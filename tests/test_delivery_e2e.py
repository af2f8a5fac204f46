"""Updates in hand, end to end: no chat waits on another, nothing confirmed before it is handled.

The real bot against the local Bot API server, in-process (``bot.tg.delivery`` and
``bot.tg.polling``); the process-level scenarios (SIGTERM, SIGKILL, restarts) are in
``test_lifecycle_e2e.py``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.core.answering import Answerer
from bot.sandbox.server import BotAPIServer

from .support.e2e import running_bot

QUESTION = "桐庐要打赢哪六大攻坚战？"


@pytest.fixture
async def server() -> AsyncIterator[BotAPIServer]:
    server = BotAPIServer()
    await server.start()
    yield server
    await server.stop()
    assert server.refused == [] and server.rate_limited == []


async def ask_in_group(server: BotAPIServer, group: dict[str, Any], count: int) -> list[dict[str, Any]]:
    user = server.user(4242)
    return [await server.send(group, user, f"/ask {QUESTION}") for _ in range(count)]


async def test_a_private_question_is_answered_within_a_second_while_a_group_has_100_waiting(
    server: BotAPIServer, answerer: Answerer
) -> None:
    group = server.group(-4200)
    alice = server.user(4201)
    chat = server.private_chat(alice)
    # 120 questions in one group: 20 are answered at once, 100 wait for the group's minute.
    # (They fill more than one getUpdates page: the one in hand is parked to fetch past it.)
    await ask_in_group(server, group, 120)
    async with running_bot(server, answerer, shutdown_grace=0.2):
        await server.wait_for(lambda: len(server.of("sendMessage", group["id"])) >= 20)
        await asyncio.sleep(0.3)
        assert len(server.of("sendMessage", group["id"])) == 20  # the other 100 are waiting
        for question in ("三通一达的市值有多少？", "谁是制造业攻坚战的指挥长？"):
            started = time.monotonic()
            reply = await server.reply_to(await server.send(chat, alice, question), timeout=5)
            waited = time.monotonic() - started
            assert waited < 1.0, f"the private question waited {waited:.2f} s"
            assert "¶" in reply.text
    assert len(server.of("sendMessage", group["id"])) == 20
    # What the grace left unanswered in the group stays on the server for the next start.
    answered = {s.params["reply_parameters"]["message_id"] for s in server.of("sendMessage", group["id"])}
    assert len(answered) == 20


async def test_nothing_is_confirmed_before_it_is_answered_and_the_backlog_stays_on_the_server(
    server: BotAPIServer, answerer: Answerer
) -> None:
    chats = [server.private_chat(server.user(4300 + i)) for i in range(50)]
    for round_ in range(6):  # 300 questions, at 30 answers a second: ten seconds of work
        for chat in chats:
            await server.send(chat, server.user(chat["id"]), QUESTION if round_ % 2 else "三通一达的市值有多少？")
    samples = []
    async with running_bot(server, answerer, shutdown_grace=0.2):
        for _ in range(8):
            await asyncio.sleep(0.06)
            # Updates below server.confirmed are confirmed: each must have been answered.
            samples.append((server.confirmed - 1, len(server.of("sendMessage")), len(server.updates)))
    for confirmed, answered, pending in samples:
        assert confirmed <= answered, samples
        assert pending >= 300 - answered - 100, samples  # at most one page fetched ahead of the answers
    assert samples[-1][1] < 300  # the test saw a backlog
    assert server.confirmed - 1 <= len(server.of("sendMessage"))  # also after the grace
