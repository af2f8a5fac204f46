"""The local Bot API server's own promises: long polls end when it stops, confirmed offsets, flood limits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.sandbox.server import BotAPIServer


@pytest.fixture
async def server() -> AsyncIterator[BotAPIServer]:
    server = BotAPIServer(group_limit=2, group_period=0.3)
    await server.start()
    yield server
    await server.stop()


async def call(client: httpx.AsyncClient, server: BotAPIServer, method: str, **params: Any) -> httpx.Response:
    return await client.post(f"{server.base_url}{server.token}/{method}", json=params)


async def test_stopping_ends_a_long_poll_at_once(server: BotAPIServer) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        poll = asyncio.create_task(call(client, server, "getUpdates", timeout=30))
        await server.wait_for(lambda: "getUpdates" in server.requests)
        started = time.monotonic()
        await server.stop()
        response = await poll
        ended = time.monotonic() - started
    assert response.json() == {"ok": True, "result": []}
    assert ended < 0.5


async def test_an_update_is_confirmed_by_a_later_offset(server: BotAPIServer) -> None:
    user = server.user(1)
    first = await server.post({"message": {"message_id": 1, "date": 1, "chat": server.private_chat(user)}})
    second = await server.send(server.private_chat(user), user, "你好")
    async with httpx.AsyncClient() as client:
        fetched = (await call(client, server, "getUpdates")).json()["result"]
        assert [u["update_id"] for u in fetched] == [first["update_id"], first["update_id"] + 1]
        assert server.confirmed <= first["update_id"]  # fetched is not confirmed
        await call(client, server, "getUpdates", offset=first["update_id"] + 1)
        await server.acknowledged(first["update_id"])
        assert server.confirmed <= server.last_update_id  # the second is not confirmed yet
        await call(client, server, "getUpdates", offset=server.last_update_id + 1)
        await server.acknowledged()
    assert second["text"] == "你好" and server.updates == []


async def test_a_group_over_its_limit_is_refused_until_its_window_passes(server: BotAPIServer) -> None:
    group = server.group(-1)
    async with httpx.AsyncClient() as client:
        codes = [(await call(client, server, "sendMessage", chat_id=-1, text="好")).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        await asyncio.sleep(0.3)
        assert (await call(client, server, "sendMessage", chat_id=-1, text="好")).status_code == 200
    assert len(server.rate_limited) == 1 and group["id"] == -1


async def test_what_was_sent_stays_as_sent_after_an_edit(server: BotAPIServer) -> None:
    user = server.user(2)
    server.private_chat(user)
    async with httpx.AsyncClient() as client:
        sent = (await call(client, server, "sendMessage", chat_id=2, text="第一版")).json()["result"]
        await call(client, server, "editMessageText", chat_id=2, message_id=sent["message_id"], text="第二版")
    assert [s.text for s in server.sent] == ["第一版", "第二版"]
