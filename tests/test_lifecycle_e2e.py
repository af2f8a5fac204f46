"""Start, run and stop, end to end: one line and an exit status for what is fatal, a bounded stop.

Against the local Bot API server, with its fault injection: a token it rejects (401 at start,
or revoked while running), a wrong URL (404), no server at all, a second poller (409), and
SIGTERM with a backlog followed by SIGKILL after the grace, as container platforms do.
The process-level runs are ``python -m bot`` itself; the quicker checks run the same
``bot.tg.lifecycle.serve`` in-process.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from typing import Any

import pytest

from bot.config import Settings
from bot.core.answering import Answerer
from bot.errors import AnotherInstance, ApiUnreachable, TokenRejected
from bot.sandbox.server import BotAPIServer
from bot.tg import polling
from bot.tg.app import build_application
from bot.tg.lifecycle import serve

from .support.e2e import ended, running_bot, start_bot, stop_bot, wait_ready

TOKEN = "987654321:SECRET-token_that-must_never-leak"
QUESTIONS = [
    "桐庐要打赢哪六大攻坚战？",
    "三通一达的市值有多少？",
    "谁是制造业攻坚战的指挥长？",
    "传统产业要实现哪五大目标？",
]


def assert_one_clean_line(log: str, *needles: str) -> str:
    """The process said what failed in one line: no traceback, no token, no dangling task."""
    assert "Traceback" not in log and "Task was destroyed" not in log, log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log, log
    errors = [line for line in log.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, log
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- start-up ---------------------------------------------------------------------------------------


@pytest.mark.slow  # a process; the wrong URL and the revoked token below are TokenRejected in process
async def test_a_rejected_token_ends_start_up_with_one_line_and_status_2(
    server: BotAPIServer,
    answerer: Answerer,  # answerer: the prepared index the process loads
) -> None:
    process = await start_bot(server, TELEGRAM_BOT_TOKEN=TOKEN)  # the server knows another token
    status, log = await ended(process)
    assert status == 2
    assert_one_clean_line(log, "rejected TELEGRAM_BOT_TOKEN", "@BotFather")
    assert len(log.strip().splitlines()) <= 3, log
    assert server.requests == ["getMe"]


async def test_a_wrong_api_url_says_which_setting_to_check(server: BotAPIServer, answerer: Answerer) -> None:
    with pytest.raises(TokenRejected) as raised:
        async with running_bot(server, answerer, base_url=server.base_url.replace("/bot", "/nothing")):
            pass
    assert "404 Not Found" in str(raised.value) and "TELEGRAM_API_BASE_URL" in str(raised.value)
    assert server.token not in str(raised.value) and server.token not in repr(raised.value)


async def test_an_unreachable_api_is_retried_then_one_line(
    server: BotAPIServer, answerer: Answerer, caplog: pytest.LogCaptureFixture
) -> None:
    base_url = f"http://127.0.0.1:{closed_port()}/bot"
    started = time.monotonic()
    with caplog.at_level(logging.WARNING), pytest.raises(ApiUnreachable) as raised:
        async with running_bot(server, answerer, base_url=base_url, startup_timeout=0.3):
            pass
    assert time.monotonic() - started < 5
    assert "cannot reach the Bot API" in str(raised.value) and "TELEGRAM_API_BASE_URL" in str(raised.value)
    attempts = [r for r in caplog.records if "getMe failed" in r.getMessage()]
    assert attempts and all(r.levelno == logging.WARNING and r.exc_info is None for r in attempts)


async def test_a_stop_during_start_up_retries_ends_them_at_once(answerer: Answerer) -> None:
    settings = Settings(token="1:x", base_url=f"http://127.0.0.1:{closed_port()}/bot", startup_timeout=30)
    stop = asyncio.Event()
    bot = asyncio.ensure_future(serve(build_application(settings, answerer), settings, stop=stop, signals=False))
    await asyncio.sleep(0.3)
    stop.set()  # SIGTERM
    await asyncio.wait_for(bot, 2)  # not 30 s of retries


@pytest.mark.slow
async def test_an_unreachable_api_exits_with_status_3(answerer: Answerer) -> None:  # answerer: the prepared index
    server = BotAPIServer()  # never started: nothing listens on its port
    server.port = closed_port()
    process = await start_bot(server, STARTUP_TIMEOUT_SECONDS="1")
    status, log = await ended(process)
    assert status == 3
    assert_one_clean_line(log, "cannot reach the Bot API", "STARTUP_TIMEOUT_SECONDS")


# --- fatal while running ----------------------------------------------------------------------------


def serving(server: BotAPIServer, answerer: Answerer, **settings: Any) -> asyncio.Future[None]:
    """``serve`` as ``python -m bot`` runs it (without signals), as a task."""
    settings_ = Settings(**{"token": server.token, "base_url": server.base_url, **settings})
    return asyncio.ensure_future(
        serve(build_application(settings_, answerer), settings_, poll_timeout=1, signals=False)
    )


async def test_a_token_revoked_while_running_stops_the_bot(server: BotAPIServer, answerer: Answerer) -> None:
    user = server.user(3100)
    chat = server.private_chat(user)
    bot = serving(server, answerer, shutdown_grace=0.5)
    await server.reply_to(await server.send(chat, user, QUESTIONS[0]))
    await server.revoke()
    with pytest.raises(TokenRejected, match="while polling"):
        await asyncio.wait_for(bot, 5)  # it stops by itself: no zombie
    left = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and "update" in t.get_name()]
    assert left == []


@pytest.mark.slow
async def test_a_token_revoked_while_running_ends_the_process_with_one_line(server: BotAPIServer) -> None:
    process = await start_bot(server)
    user = server.user(3200)
    chat = server.private_chat(user)
    await server.reply_to(await server.send(chat, user, QUESTIONS[0]), timeout=30)
    await server.revoke()
    status, log = await ended(process, timeout=15)  # no zombie: it ends by itself
    assert status == 2
    assert_one_clean_line(log, "rejected TELEGRAM_BOT_TOKEN while polling")


# --- a second instance --------------------------------------------------------------------------------


async def test_a_second_poller_with_the_same_token_is_refused(
    server: BotAPIServer, answerer: Answerer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(polling, "NEWCOMER_SECONDS", 0.1)
    user = server.user(3300)
    chat = server.private_chat(user)
    async with running_bot(server, answerer):
        await server.reply_to(await server.send(chat, user, QUESTIONS[0]))
        await asyncio.sleep(0.15)  # the first one is established
        with pytest.raises(AnotherInstance, match="another instance is polling with this token"):
            await asyncio.wait_for(serving(server, answerer), 5)
        for question in QUESTIONS[1:]:
            await server.send(chat, user, question)
        await server.wait_for(lambda: len(server.of("sendMessage", chat["id"])) >= len(QUESTIONS))
        await asyncio.sleep(0.5)
    assert len(server.of("sendMessage", chat["id"])) == len(QUESTIONS)  # each answered once


@pytest.mark.slow
async def test_a_second_process_with_the_same_token_exits_with_status_4(server: BotAPIServer) -> None:
    users = [server.user(3400 + i) for i in range(20)]
    chats = [server.private_chat(u) for u in users]
    first = await start_bot(server)
    await wait_ready(server)
    await server.reply_to(await server.send(chats[0], users[0], QUESTIONS[0]), timeout=30)
    await asyncio.sleep(5.5)  # established
    second = await start_bot(server)
    for user, chat in zip(users, chats, strict=True):  # questions while the second one starts
        await server.send(chat, user, QUESTIONS[1])
    status, log = await ended(second, timeout=30)
    assert status == 4
    assert_one_clean_line(log, "another instance is polling with this token", "webhook mode")
    await server.wait_for(lambda: len(server.of("sendMessage")) >= 21, timeout=30)
    await asyncio.sleep(1)
    status, log = await stop_bot(first)
    assert status == 0, log
    assert [len(server.of("sendMessage", c["id"])) for c in chats] == [2] + [1] * 19  # none twice
    assert log.count("WARNING") <= 1, log  # the first one said once that another poller came


# --- SIGTERM, the grace, SIGKILL -------------------------------------------------------------------------


async def backlog(server: BotAPIServer, chats: int, per_chat: int) -> list[tuple[dict[str, Any], list[str]]]:
    """``per_chat`` questions in each of ``chats`` private chats, asked before the bot starts."""
    plan = []
    for i in range(chats):
        user = server.user(3500 + i)
        chat = server.private_chat(user)
        asked = [QUESTIONS[(i + n) % len(QUESTIONS)] for n in range(per_chat)]
        for question in asked:
            await server.send(chat, user, question)
        plan.append((chat, asked))
    return plan


def assert_answered_once_in_order(server: BotAPIServer, answerer: Answerer, plan: list[Any]) -> None:
    expected = {q: answerer.answer(q).passages[0].passage.citation for q in QUESTIONS}
    for chat, asked in plan:
        answers = server.of("sendMessage", chat["id"])
        assert len(answers) == len(asked), (chat["id"], len(answers), len(asked))
        cited = [a.text.split("》", 1)[1].split()[0] for a in answers]
        assert cited == [expected[q] for q in asked]


@pytest.mark.slow
async def test_sigterm_with_a_backlog_stops_within_the_grace_and_a_restart_answers_the_rest_once(
    server: BotAPIServer, answerer: Answerer
) -> None:
    plan = await backlog(server, chats=30, per_chat=10)  # 300 questions: ten seconds at 30 a second
    first = await start_bot(server, SHUTDOWN_GRACE_SECONDS="1")
    await server.wait_for(lambda: len(server.of("sendMessage")) >= 60, timeout=30)
    confirmed_before = server.confirmed
    signalled = time.monotonic()
    # As a container platform: SIGTERM, then SIGKILL if it is still there after the grace and a margin.
    status, log = await stop_bot(first, grace=2.5)
    took = time.monotonic() - signalled
    assert status == 0, log  # it ended by itself, before the SIGKILL
    assert took < 2.5
    answered = len(server.of("sendMessage"))
    assert 60 <= answered < 300
    assert server.confirmed - 1 <= answered, "confirmed an update it had not answered"
    assert server.confirmed >= confirmed_before
    assert len(server.updates) >= 300 - answered  # the rest is still on the server
    assert "Traceback" not in log

    second = await start_bot(server)
    await server.wait_for(lambda: len(server.of("sendMessage")) >= 300, timeout=60)
    await asyncio.sleep(1.5)  # time for a repeat to show up, if there were one
    status, log = await stop_bot(second)
    assert status == 0, log
    assert len(server.of("sendMessage")) == 300
    assert_answered_once_in_order(server, answerer, plan)


@pytest.mark.slow
async def test_sigkill_loses_nothing_that_was_not_answered(server: BotAPIServer, answerer: Answerer) -> None:
    plan = await backlog(server, chats=20, per_chat=10)
    first = await start_bot(server)
    await server.wait_for(lambda: len(server.of("sendMessage")) >= 50, timeout=30)
    first.kill()  # no grace at all
    await ended(first)
    answered = len(server.of("sendMessage"))
    assert server.confirmed - 1 <= answered
    second = await start_bot(server)
    # Every question is answered: the ones in hand at the kill once more at most.
    for chat, asked in plan:
        await server.wait_for(lambda c=chat, a=asked: len(server.of("sendMessage", c["id"])) >= len(a), timeout=60)
    status, log = await stop_bot(second)
    assert status == 0, log
    repeated = len(server.of("sendMessage")) - 200
    assert 0 <= repeated <= 100  # at most one page was in hand
