"""Webhook mode end to end: Telegram's requests answered, everyone else's bounded.

The real bot in webhook mode (``bot.tg.webhook``), in-process, with the local Bot API server
delivering updates as Telegram does (the secret header, up to ``max_connections`` at once,
each again until it gets 200); the rest is raw HTTP from the test: no secret, oversized and
trickling bodies, idle connections, replays, an update PTB cannot read.
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
import socket
import time
from collections.abc import AsyncIterator

import pytest

from bot.core.answering import Answerer
from bot.sandbox.server import BotAPIServer
from bot.tg import webhook

from .support.e2e import running_bot, start_bot, stop_bot

SECRET = "s3cret-value_1"
QUESTION = "三通一达的市值有多少？"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
async def server() -> AsyncIterator[BotAPIServer]:
    server = BotAPIServer()
    await server.start()
    yield server
    await server.stop()
    assert server.refused == []


@pytest.fixture(scope="module")
async def hook(server: BotAPIServer, answerer: Answerer) -> AsyncIterator[int]:
    """The bot in webhook mode (one for the module); its port. Bounds lowered for the tests."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(webhook, "BODY_TIMEOUT", 0.5)
        patch.setattr(webhook, "HEADER_TIMEOUT", 0.5)
        patch.setattr(webhook, "MAX_CONNECTIONS", 5)
        port = free_port()
        url = f"http://127.0.0.1:{port}/telegram-hook"
        async with running_bot(
            server, answerer, webhook_url=url, webhook_secret=SECRET, webhook_port=port, shutdown_grace=0.5
        ):
            assert server.webhook is not None and server.webhook["secret_token"] == SECRET
            yield port


async def exchange(port: int, data: bytes, wait: float = 3.0) -> tuple[bytes, float]:
    """Send raw bytes; what comes back until the server closes (or ``wait``), and how long it took."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    try:
        writer.write(data)
        await writer.drain()
        async with asyncio.timeout(wait):
            answer = await reader.read()  # until the server closes the connection
    except TimeoutError:
        answer = b"(still open)"
    except (ConnectionResetError, BrokenPipeError):
        answer = b"(reset)"  # closed while we were still sending
    writer.close()
    return answer, time.monotonic() - started


def post(
    path: str = "/telegram-hook", secret: str | None = SECRET, length: int | None = None, body: bytes = b""
) -> bytes:
    headers = [f"POST {path} HTTP/1.1", "Host: bot", "Connection: close", "Content-Type: application/json"]
    if secret is not None:
        headers.append(f"X-Telegram-Bot-Api-Secret-Token: {secret}")
    headers.append(f"Content-Length: {len(body) if length is None else length}")
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + body


@pytest.mark.parametrize("secret", [None, "wrong"])
async def test_without_the_secret_the_body_is_never_read(server: BotAPIServer, hook: int, secret: str | None) -> None:
    # Headers announcing 50 MB, and not a byte of it sent: the answer comes at once.
    answer, took = await exchange(hook, post(secret=secret, length=50_000_000))
    assert answer.startswith(b"HTTP/1.1 403"), answer
    assert took < 1.0


async def test_bodies_are_capped_at_a_megabyte(server: BotAPIServer, hook: int) -> None:
    answer, took = await exchange(hook, post(length=2_000_000))  # announced: refused before reading
    assert answer.startswith(b"HTTP/1.1 400"), answer
    chunked = (
        b"POST /telegram-hook HTTP/1.1\r\nHost: bot\r\nTransfer-Encoding: chunked\r\n"
        + f"X-Telegram-Bot-Api-Secret-Token: {SECRET}\r\n\r\n".encode()
        + (b"80000\r\n" + b"{" * 0x80000 + b"\r\n") * 3
    )
    answer, took = await exchange(hook, chunked)  # not announced: cut off at the cap
    assert answer.startswith(b"HTTP/1.1 400") or answer == b"(reset)", answer


async def test_trickling_bodies_and_headers_are_cut_off(hook: int) -> None:
    body, headers = await asyncio.gather(
        exchange(hook, post(length=100, body=b'{"update_id": ')),  # the body never finishes
        exchange(hook, b"POST /telegram-hook HTTP/1.1\r\nHost: bot\r\n"),  # nor do the headers
    )
    for answer, took in (body, headers):
        assert answer == b"" and 0.4 < took < 2.0  # closed after the time-out, no answer


async def test_connections_are_bounded(server: BotAPIServer, hook: int) -> None:
    opened = [await asyncio.open_connection("127.0.0.1", hook) for _ in range(8)]

    async def closed_at_once(reader: asyncio.StreamReader) -> bool:
        try:
            async with asyncio.timeout(0.2):  # the idle time-out (0.5 s) has not come yet
                return await reader.read() == b""
        except TimeoutError:
            return False

    closed = await asyncio.gather(*(closed_at_once(reader) for reader, _ in opened))
    assert sum(closed) == 3  # over the bound of 5: closed as they came
    for _, writer in opened:
        writer.close()
    user = server.user(2200)
    await server.reply_to(await server.send(server.private_chat(user), user, QUESTION), timeout=5)


async def test_an_unreadable_update_is_acknowledged_and_skipped(
    server: BotAPIServer, hook: int, caplog: pytest.LogCaptureFixture
) -> None:
    user = server.user(2300)
    chat = server.private_chat(user)
    with caplog.at_level(logging.WARNING):
        broken = await server.post({"message": {"message_id": 1, "chat": chat, "text": "私人消息"}})  # no date
        reply = await server.reply_to(await server.send(chat, user, QUESTION))
    assert "¶11" in reply.text
    assert (broken["update_id"], 200) in server.webhook_answers
    assert [a for a in server.webhook_answers if a[0] == broken["update_id"]] == [(broken["update_id"], 200)]
    skipped = [r.getMessage() for r in caplog.records if "skipped update" in r.getMessage()]
    assert skipped == [f"webhook: skipped update {broken['update_id']}: cannot read it: 'date'"]
    assert "私人消息" not in caplog.text


async def test_a_replayed_update_is_answered_once(server: BotAPIServer, hook: int) -> None:
    user = server.user(2400)
    chat = server.private_chat(user)
    message = await server.send(chat, user, QUESTION)
    await server.reply_to(message)
    await server.wait_for(lambda: server.webhook_deliveries)
    update = json.dumps({"update_id": server.webhook_deliveries[-1], "message": message}).encode()
    answers = await asyncio.gather(*(exchange(hook, post(body=update)) for _ in range(3)))
    assert all(a.startswith(b"HTTP/1.1 200") for a, _ in answers)
    await asyncio.sleep(0.3)
    assert len(server.of("sendMessage", chat["id"])) == 1


@pytest.mark.slow
async def test_running_out_of_file_descriptors_is_logged_once_and_survived(server: BotAPIServer) -> None:
    def few_files() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (24, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

    port = free_port()
    process = await start_bot(
        server,
        preexec_fn=few_files,
        WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram-hook",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_PORT=str(port),
    )
    try:
        await server.wait_for(lambda: server.webhook is not None, timeout=30)
        flood = [await asyncio.open_connection("127.0.0.1", port) for _ in range(60)]
        await asyncio.sleep(3)  # the bot keeps failing to accept them all this while
        for _, writer in flood:
            writer.close()
        user = server.user(2500)
        reply = await server.reply_to(await server.send(server.private_chat(user), user, QUESTION), timeout=30)
        assert "¶11" in reply.text
    finally:
        status, log = await stop_bot(process)
    assert status == 0, log
    assert "Traceback" not in log
    lines = [line for line in log.splitlines() if "cannot accept connections" in line]
    assert len(lines) == 1 and "Too many open files" in lines[0], log
