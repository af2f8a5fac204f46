"""API faults, bursts, restarts, secrets, broken knowledge and webhook mode, end to end.

In-process runs use the real Application; the restart, secret, knowledge and webhook tests
run ``python -m bot`` itself as a separate process against the local Bot API server.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from bot.core.answering import Answerer
from bot.sandbox.server import BotAPIServer
from bot.tg.transport import TELEGRAM_LIMITS, FloodLimits

from .support import KNOWLEDGE, ROOT
from .support.e2e import running_bot

QUESTIONS = [
    "桐庐要打赢哪六大攻坚战？",
    "快递回归攻坚战定了什么目标？",
    "这个会原本打算什么时候开？",
    "三通一达的市值有多少？",
    "谁是制造业攻坚战的指挥长？",
    "传统产业要实现哪五大目标？",
    "发布减负清单是想释放什么信号？",
    "一核两翼多点指什么？",
    "集中采购交易中心能提供什么？",
    "这篇报道的责任编辑是谁？",
]
KINDS = ["429", "500", "502", "slow", "drop"]  # of faults the local server injects


def citations(answerer: Answerer) -> dict[str, str]:
    """The paragraph (``¶n``) each of QUESTIONS is answered with."""
    return {q: first_citation(answerer.answer(q).passages[0].passage.citation) for q in QUESTIONS}


# --- faults ---------------------------------------------------------------------------------------


def fault_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Our WARNING lines (not the local server's own); no ERROR line and no traceback allowed."""
    ours = [r for r in caplog.records if not r.name.startswith("tornado")]
    assert [r.getMessage() for r in ours if r.levelno >= logging.ERROR] == []
    warnings = [r for r in ours if r.levelno == logging.WARNING]
    assert all(r.exc_info is None for r in warnings)
    return [r.getMessage() for r in warnings]


async def test_every_fault_in_sending_is_survived_with_one_warning_and_every_question_answered_once(
    server: BotAPIServer, answerer: Answerer, caplog: pytest.LogCaptureFixture
) -> None:
    users = [server.user(7000 + i) for i in range(len(KINDS))]
    chats = [server.private_chat(u) for u in users]
    with caplog.at_level(logging.WARNING):
        async with running_bot(server, answerer, timeout=1.5):
            # All at once: the five answers take one fault each, and wait them out side by side.
            for kind in KINDS:
                server.fail("sendMessage", kind, retry_after=1, delay=2.5)  # slow: beyond the 1.5 s time-out
            for i, (user, chat) in enumerate(zip(users, chats, strict=True)):
                await server.send(chat, user, QUESTIONS[i])
            await server.wait_for(lambda: all(server.of("sendMessage", c["id"]) for c in chats), timeout=30)
        # The bot has stopped, and handled every update it fetched: a duplicate would be here.
    assert sorted(server.fault_log) == sorted(("sendMessage", kind) for kind in KINDS)
    assert [len(server.of("sendMessage", c["id"])) for c in chats] == [1] * len(KINDS)
    warnings = fault_warnings(caplog)
    assert len(warnings) == len(KINDS), warnings
    assert all("sendMessage" in w for w in warnings)


@pytest.mark.parametrize(
    "kind",
    # PTB's polling waits 1 s after a failed getUpdates (1.5 s after a 429, the time-out after
    # a slow answer): two kinds in the quick suite, every kind in the slow one.
    [kind if kind in ("500", "drop") else pytest.param(kind, marks=pytest.mark.slow) for kind in KINDS],
)
async def test_a_fault_in_polling_is_survived_with_one_warning_and_the_question_answered_once(
    server: BotAPIServer, answerer: Answerer, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    user = server.user(7100)
    chat = server.private_chat(user)
    with caplog.at_level(logging.WARNING):
        async with running_bot(server, answerer, timeout=1.5):
            # A slow answer outlasts the client's time-out (1.5 s; long polls wait 1 s more).
            server.fail("getUpdates", kind, retry_after=1, delay=4.0)
            # The poll under way may end with the first question; the next one meets the fault.
            await server.reply_to(await server.send(chat, user, QUESTIONS[0]))
            # So an answer to a question asked now comes after the fault.
            await server.reply_to(await server.send(chat, user, QUESTIONS[1]), timeout=30)
        # The bot has stopped, and handled every update it fetched: a duplicate would be here.
    assert server.fault_log == [("getUpdates", kind)]
    assert len(server.of("sendMessage", chat["id"])) == 2
    warnings = fault_warnings(caplog)
    assert len(warnings) == 1 and "getUpdates" in warnings[0], warnings


async def test_a_server_without_command_menus_still_gets_answers(
    server: BotAPIServer, answerer: Answerer, caplog: pytest.LogCaptureFixture
) -> None:
    server.unsupported.add("setMyCommands")
    user = server.user(7200)
    with caplog.at_level(logging.WARNING):
        async with running_bot(server, answerer):
            reply = await server.reply_to(await server.send(server.private_chat(user), user, QUESTIONS[0]))
    assert "¶9" in reply.text
    assert "command menu" in caplog.text


# --- burst ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Burst:
    """Questions from many chats at once; the last group is asked more than its limit allows."""

    private_chats: int
    per_private: int
    groups: int
    per_group: int
    busy_group: int
    limits: FloodLimits


# Telegram's own limits, in real time: 1,000 questions from 100 chats, one group over its 20 a minute.
REAL_TIME = Burst(90, 10, 9, 8, 28, TELEGRAM_LIMITS)
# The same properties in seconds: 4 messages in half a second in a group, 10 in 0.1 s in all.
SHORT_WINDOWS = Burst(
    10,
    5,
    2,
    3,
    10,
    FloodLimits(overall=10, overall_period=0.1, overall_margin=0.01, group=4, group_period=0.5, group_margin=0.02),
)


def first_citation(text: str) -> str:
    found = re.search(r"¶\d+", text)
    return found.group() if found else ""


def spans(times: list[float], count: int) -> list[float]:
    """The time from each message to the ``count``-th after it."""
    return [later - first for first, later in zip(times, times[count:], strict=False)]


@pytest.mark.parametrize(
    "burst",
    [
        pytest.param(SHORT_WINDOWS, id="short windows"),
        pytest.param(REAL_TIME, id="real time", marks=pytest.mark.slow),
    ],
)
async def test_a_burst_is_answered_once_in_order_within_the_flood_limits(answerer: Answerer, burst: Burst) -> None:
    limits = burst.limits
    server = BotAPIServer(
        group_limit=limits.group,
        group_period=limits.group_period,
        overall_limit=limits.overall,
        overall_period=limits.overall_period,
    )
    await server.start()
    expected = citations(answerer)
    private = [server.private_chat(server.user(8000 + i)) for i in range(burst.private_chats)]
    groups = [server.group(-8000 - i) for i in range(burst.groups + 1)]
    plan: list[tuple[dict[str, Any], int]] = [(chat, burst.per_private) for chat in private]
    plan += [(group, burst.per_group) for group in groups[:-1]] + [(groups[-1], burst.busy_group)]
    assert burst.busy_group > limits.group  # it must wait for its window
    total = sum(n for _, n in plan)
    asked: dict[int, list[dict[str, Any]]] = {}
    try:
        async with running_bot(server, answerer, flood_limits=limits):
            started = time.monotonic()
            for round_ in range(max(n for _, n in plan)):
                for chat, count in plan:
                    if round_ < count:
                        user = server.user(chat["id"] if chat["id"] > 0 else 9000)
                        text = QUESTIONS[round_ % len(QUESTIONS)]
                        message = await server.send(chat, user, text if chat["id"] > 0 else f"/ask {text}")
                        asked.setdefault(chat["id"], []).append(message)
            await server.wait_for(lambda: len(server.of("sendMessage")) >= total, timeout=180)
            drained = time.monotonic() - started
        # The bot has stopped, and handled every update it fetched: nothing more will come.
    finally:
        await server.stop()
    print(f"\n{total:,} questions from {len(plan)} chats drained in {drained:.1f} s")
    assert len(server.of("sendMessage")) == total
    assert server.rate_limited == []  # the server never had to refuse a message for flooding
    assert server.refused == []
    for chat_id, messages in asked.items():
        answers = server.of("sendMessage", chat_id)
        assert len(answers) == len(messages)
        got = [first_citation(a.text) for a in answers]
        assert got == [expected[m["text"].removeprefix("/ask ")] for m in messages]  # in order
        if chat_id < 0:
            quoted = [a.params["reply_parameters"]["message_id"] for a in answers]
            assert quoted == [m["message_id"] for m in messages]
    # The busy group was held to its limit, and all chats together to theirs.
    busy = [a.at for a in server.of("sendMessage", groups[-1]["id"])]
    assert min(spans(busy, limits.group)) > limits.group_period
    assert drained > limits.group_period * ((burst.busy_group - 1) // limits.group)
    every = [a.at for a in server.of("sendMessage")]
    assert min(spans(every, limits.overall)) > limits.overall_period


# --- the bot as a process ----------------------------------------------------------------------------


async def start_process(server: BotAPIServer, **env: str) -> asyncio.subprocess.Process:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "TELEGRAM_BOT_TOKEN": server.token,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "LOG_LEVEL": "INFO",
        "DATABASE_URL": os.environ["DATABASE_URL"],  # the session's own question log (see conftest)
        # The test session's prepared-index folder, not the user's.
        "BOT_CACHE_DIR": os.environ["BOT_CACHE_DIR"],
        **env,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=ROOT,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def stop_process(process: asyncio.subprocess.Process) -> tuple[int, str]:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    out, err = await asyncio.wait_for(process.communicate(), 30)
    return process.returncode or 0, (out + err).decode()


# The processes of these three take seconds; the fast suite has the same guarantees in process
# (test_delivery_e2e, test_logs, test_webhook_e2e).
@pytest.mark.slow
async def test_sigterm_stops_gracefully_and_a_restart_loses_repeats_and_breaks_nothing(server: BotAPIServer) -> None:
    users = [server.user(6000 + i) for i in range(10)]
    chats = [server.private_chat(u) for u in users]
    reader = server.user(6100)
    reader_chat = server.private_chat(reader)

    async def ask_round(round_: int) -> None:
        for user, chat in zip(users, chats, strict=True):
            await server.send(chat, user, QUESTIONS[(round_ + user["id"]) % len(QUESTIONS)])

    first = await start_process(server)
    await server.wait_for(lambda: len(server.of("setMyCommands")) == 2, timeout=30)
    old = await server.reply_to(await server.send(reader_chat, reader, "快递回归攻坚战定了什么目标？"), timeout=30)
    for round_ in range(3):
        await ask_round(round_)
    await server.wait_for(lambda: len(server.of("sendMessage")) >= 6, timeout=30)
    status, log = await stop_process(first)  # SIGTERM while answering
    assert status == 0, log
    assert "Traceback" not in log
    answered_before = len(server.of("sendMessage"))
    await ask_round(3)  # asked while the bot is down

    second = await start_process(server)
    await server.wait_for(lambda: len(server.of("setMyCommands")) == 4, timeout=30)
    await server.wait_for(lambda: len(server.of("sendMessage")) >= 41, timeout=60)
    # A button under an answer of the first run still works: payloads hold all they need.
    more = next(b for b in old.buttons if b["text"] == "更多")
    await server.press(old.result, reader, more["callback_data"])
    edit = await server.wait_for(lambda: server.of("editMessageText", reader_chat["id"]), timeout=30)
    assert edit[0].params["message_id"] == old.result["message_id"] and "2/" in edit[0].text
    await server.acknowledged()  # nothing left for a third start
    status, log = await stop_process(second)  # it stops once it has handled all it fetched
    assert status == 0, log
    assert len(server.of("sendMessage")) == 41, f"{answered_before} answered before the restart"
    for chat in chats:
        assert len(server.of("sendMessage", chat["id"])) == 4


@pytest.mark.slow
async def test_the_token_never_appears_in_any_log_line() -> None:
    token = "987654321:SECRET-token_that-must_never-leak"
    server = BotAPIServer(token=token)
    await server.start()
    try:
        process = await start_process(server, LOG_LEVEL="DEBUG")
        user = server.user(6200)
        chat = server.private_chat(user)
        server.fail("sendMessage", "500")
        server.fail("getUpdates", "drop")
        await server.reply_to(await server.send(chat, user, "三通一达的市值有多少？"), timeout=30)
        status, log = await stop_process(process)
    finally:
        await server.stop()
    assert status == 0
    assert "DEBUG" in log and "sendMessage" in log  # the log was really at DEBUG
    assert token not in log
    assert token.split(":")[1] not in log


def test_env_files_are_git_ignored() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".env" in ignored


async def test_allowed_chat_ids_leave_and_ignore_other_groups(server: BotAPIServer, answerer: Answerer) -> None:
    user = server.user(6300)
    allowed, other = server.group(-6300), server.group(-6301)
    async with running_bot(server, answerer, allowed_chat_ids=frozenset({-6300})):
        bot_user = server.bot_user
        await server.post(
            {
                "my_chat_member": {
                    "chat": other,
                    "from": user,
                    "date": 1,
                    "old_chat_member": {"status": "left", "user": bot_user},
                    "new_chat_member": {"status": "member", "user": bot_user},
                }
            }
        )
        await server.wait_for(lambda: server.of("leaveChat"))
        await server.send(other, user, "/ask 桐庐要打赢哪六大攻坚战？")
        await server.reply_to(await server.send(allowed, user, "/ask 桐庐要打赢哪六大攻坚战？"))
        private = server.private_chat(user)
        await server.reply_to(await server.send(private, user, "桐庐要打赢哪六大攻坚战？"))
    assert [s.chat_id for s in server.of("leaveChat")] == [-6301]
    assert server.of("sendMessage", -6301) == []


# --- broken knowledge -----------------------------------------------------------------------------------


BROKEN = ["missing", "empty", "malformed", "no text", "not verbatim", "alias bomb", "deep nesting"]


def broken_knowledge(tmp_path: Path, kind: str) -> tuple[Path, str]:
    folder = tmp_path / kind
    if kind == "missing":
        return folder, "knowledge folder not found"
    folder.mkdir()
    (folder / "sources").mkdir()
    source = KNOWLEDGE / "sources" / "000_607b4a56a32727df.txt"
    (folder / "sources" / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    data = yaml.safe_load((KNOWLEDGE / "tonglu.yaml").read_text(encoding="utf-8"))
    path = folder / "tonglu.yaml"
    if kind == "empty":
        path.write_text("", encoding="utf-8")
        return folder, "tonglu.yaml: empty file"
    if kind == "malformed":
        path.write_text("id: tonglu\ntitle: [unclosed\n", encoding="utf-8")
        return folder, "tonglu.yaml: line"
    if kind == "alias bomb":  # one long text reused by alias in 2,000 paragraphs
        lines = ["id: tonglu", "title: t", "published: p", "paragraphs:", "- id: p0", "  text: &t " + "字" * 200_000]
        path.write_text("\n".join(lines + [f"- id: p{i}\n  text: *t" for i in range(1, 2000)]), encoding="utf-8")
        return folder, "tonglu.yaml: line 8: malformed YAML: aliases (*name) are not allowed"
    if kind == "deep nesting":
        path.write_text("id: tonglu\nexamples: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
        return folder, "nested more than 20 levels deep"
    if kind == "no text":
        del data["paragraphs"][4]["text"]
        expected = "tonglu.yaml: paragraphs[4]: missing 'text'"
    else:  # not verbatim
        data["paragraphs"][10]["text"] = data["paragraphs"][10]["text"].replace("亿件", "100亿件", 1)
        expected = "tonglu.yaml: paragraphs[10]: not verbatim"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return folder, expected


@pytest.mark.parametrize(
    "kind",
    # Each kind's message is checked in process (test_knowledge), and test_cli shows one as a
    # process's one line; here every kind, as the bot starts, in the slow suite.
    [pytest.param(k, marks=pytest.mark.slow) for k in BROKEN],
)
async def test_broken_knowledge_stops_start_up_before_telegram(server: BotAPIServer, tmp_path: Path, kind: str) -> None:
    folder, expected = broken_knowledge(tmp_path, kind)
    process = await start_process(server, KNOWLEDGE_DIR=str(folder))
    out, err = await asyncio.wait_for(process.communicate(), 60)
    lines = err.decode().strip().splitlines()
    assert process.returncode not in (0, None)
    assert len(lines) == 1, lines
    assert expected in lines[0]
    assert server.requests == []  # it never reached the Bot API


# --- webhook mode ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
async def test_webhook_mode_answers_and_refuses_requests_without_the_secret(server: BotAPIServer) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram-hook"
    process = await start_process(
        server, WEBHOOK_URL=url, WEBHOOK_SECRET="s3cret-value_1", WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port)
    )
    try:
        await server.wait_for(lambda: server.webhook is not None, timeout=30)
        assert server.webhook == {"url": url, "secret_token": "s3cret-value_1", "max_connections": 40}
        user = server.user(6400)
        chat = server.private_chat(user)
        reply = await server.reply_to(await server.send(chat, user, "三通一达的市值有多少？"), timeout=30)
        assert "¶11" in reply.text
        await server.wait_for(lambda: server.webhook_deliveries)  # answered 200 once handled
        forged = {
            "update_id": 99999,
            "message": {"message_id": 1, "date": 1, "chat": chat, "from": user, "text": "伪造的更新"},
        }
        async with httpx.AsyncClient() as client:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                response = await client.post(url, json=forged, headers=headers)
                assert response.status_code == 403
        # Had the bot taken a forged update, it would answer it before a question asked after it.
        probe = await server.reply_to(await server.send(chat, user, "桐庐要打赢哪六大攻坚战？"), timeout=30)
        assert server.of("sendMessage", chat["id"]) == [reply, probe]
    finally:
        status, log = await stop_process(process)
    assert status == 0, log
