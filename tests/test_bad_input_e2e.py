"""Every kind of input a bot in public groups meets, through the real bot.

Each row of ``CASES`` is one kind of input and what a Telegram user would expect: an answer
(``answer``), a specific reply (any other text: a substring it must contain), or silence
(``silent``). After every row the bot must still answer a probe question in the same chat,
and the strict server must have refused nothing the bot sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from bot.core.answering import Answerer
from bot.sandbox.server import BotAPIServer, Sent

from .support.e2e import STICKER, running_bot

BOT = "TongluTestBot"
PROBE = "桐庐要打赢哪六大攻坚战？"
# Asked after every row; its answer (¶19) is no row's, so it marks where the row's output ends.
CHECK = "原本打算正月初七召开的是什么会？"
POLL = {
    "id": "1",
    "question": "？",
    "total_voter_count": 0,
    "is_closed": False,
    "is_anonymous": True,
    "type": "regular",
    "allows_multiple_answers": False,
    "allows_revoting": False,
    "members_only": False,
}
PHOTO = [{"file_id": "p1", "file_unique_id": "pu1", "width": 90, "height": 90}]


@dataclass
class World:
    server: BotAPIServer
    user: dict[str, Any]
    private: dict[str, Any]
    group: dict[str, Any]
    other_bot: dict[str, Any]


Post = Callable[[World], Awaitable[Any]]


def text(value: str, where: str = "private") -> Post:
    async def post(w: World) -> Any:
        return await w.server.send(getattr(w, where), w.user, value)

    return post


def media(extra: dict[str, Any], where: str = "private") -> Post:
    async def post(w: World) -> Any:
        return await w.server.send(getattr(w, where), w.user, extra=extra)

    return post


def from_bot(value: str, where: str) -> Post:
    async def post(w: World) -> Any:
        return await w.server.send(getattr(w, where), w.other_bot, value)

    return post


def press(data: str) -> Post:
    async def post(w: World) -> Any:
        message = await w.server.reply_to(await w.server.send(w.private, w.user, "/start"))
        query = await w.server.press(message.result, w.user, data)
        await w.server.wait_for(lambda: w.server.callback_queries[query])
        return query

    return post


def inline(query: str) -> Post:
    async def post(w: World) -> Any:
        query_id = await w.server.inline_query(w.user, query)
        await w.server.wait_for(lambda: w.server.inline_queries[query_id] is not None)
        return query_id

    return post


def raw(update: Callable[[World], dict[str, Any]]) -> Post:
    async def post(w: World) -> Any:
        return await w.server.post(update(w))

    return post


def edited(first: str, second: str) -> Post:
    async def post(w: World) -> Any:
        question = await w.server.send(w.private, w.user, first)
        await w.server.reply_to(question)
        return await w.server.edit(question, second)

    return post


def inline_message_button(w: World) -> dict[str, Any]:
    query = {
        "id": "iq-1",
        "from": w.user,
        "inline_message_id": "AAAA-inline",
        "chat_instance": "ci-inline",
        "data": "m|1|tonglu|p1.p2",
    }
    w.server.callback_queries["iq-1"] = False
    return {"callback_query": query}


def member_update(w: World, status: str) -> dict[str, Any]:
    bot_user = w.server.bot_user
    return {
        "my_chat_member": {
            "chat": w.group,
            "from": w.user,
            "date": 1,
            "old_chat_member": {"status": "member", "user": bot_user},
            "new_chat_member": {"status": status, "user": bot_user}
            if status != "kicked"
            else {"status": "kicked", "user": bot_user, "until_date": 0},
        }
    }


CASES: list[tuple[str, Post, str]] = [
    ("whitespace only", text("   \n\t  "), "请输入一个关于这篇文章的问题"),
    ("newlines only", text("\n\n\n"), "请输入一个关于这篇文章的问题"),
    ("4,096 characters", text("快递回归" * 1024), "问题太长了"),
    ("10,000 characters", text("桐" * 10_000), "问题太长了"),
    ("one word 999 times", text("快递" * 499), "answer"),
    ("emoji only", text("😀🎉🔥👍"), "请输入一个关于这篇文章的问题"),
    ("punctuation only", text("？！。，……——"), "请输入一个关于这篇文章的问题"),
    ("HTML bold injection", text("<b>快递回归</b>攻坚战的目标"), "answer"),
    ("HTML closing tag", text("</a>"), "not"),
    ("ampersands", text("&amp; & &lt; 三通一达的市值 &"), "answer"),
    ("script tag", text("<script>alert('x')</script>"), "not"),
    ("Markdown", text("*快递回归* _攻坚战_ `目标`"), "answer"),
    ("zero-width characters", text("快\u200b递\u200c回\u200d归攻坚战目标"), "¶13"),
    ("control characters", text("\x07\x1b[31m三通一达市值\x1b[0m"), "answer"),
    ("right-to-left override", text("\u202e快递回归攻坚战\u202c"), "answer"),
    ("Arabic script", text("ما هو التوصيل السريع؟"), "The article does not say"),
    ("full-width digits", text("２０２０年全国快递包裹多少件？"), "原文此处的数字缺失"),
    ("mixed scripts", text("快递 express 回归 return 目标"), "answer"),
    ("SQL-looking", text("'; DROP TABLE passages; --"), "not"),
    ("shell-looking", text("$(rm -rf /); `cat /etc/passwd` | sh"), "not"),
    ("not in the article", text("杭州明天的天气怎么样？"), "not"),
    ("traditional characters", text("桐廬要打贏哪六大攻堅戰？"), "¶9"),
    (
        "forwarded message",
        media({"text": PROBE, "forward_origin": {"type": "hidden_user", "date": 1, "sender_user_name": "某人"}}),
        "answer",
    ),
    ("inline query of 256 characters", inline("快递回归" * 64), "inline"),
    ("empty inline query", inline(""), "inline"),
    ("inline query with HTML", inline("<b>快递</b> & 回归"), "inline"),
    ("garbled callback data", press("\x00\ufffd垃圾"), "callback"),
    ("forged callback data", press("m|1|tonglu|p1.p2"), "callback"),
    ("stale callback data", press("f|tonglu|p99"), "callback"),
    ("64 bytes of junk", press("z" * 64), "callback"),
    ("button on an inline message", raw(inline_message_button), "callback"),
    ("unknown command in private", text("/weather"), "没有这个命令"),
    ("unknown command in a group", text("/weather", "group"), "silent"),
    ("another bot's /start in a group", text("/start@OtherBot", "group"), "silent"),
    ("/ask with only a mention, in a group", text(f"/ask @{BOT}", "group"), "用法"),
    ("/start with a garbage payload", text("/start ../../etc/passwd"), "你好"),
    ("/start with a paragraph that does not exist", text("/start p999"), "没有这个段落"),
    ("sticker", media({"sticker": STICKER}), "请用文字提问"),
    ("photo with a caption", media({"photo": PHOTO, "caption": "快递回归"}), "请用文字提问"),
    ("location", media({"location": {"latitude": 29.79, "longitude": 119.69}}), "请用文字提问"),
    (
        "poll",
        media({"poll": {**POLL, "options": [{"text": "a", "voter_count": 0, "persistent_id": "o1"}]}}),
        "请用文字提问",
    ),
    # A poll as older servers send it, without the option ids PTB 22 requires: PTB cannot
    # read the update. It must not stall polling for everything after it.
    ("an update PTB cannot read", media({"poll": {**POLL, "options": [{"text": "a", "voter_count": 0}]}}), "silent"),
    ("voice", media({"voice": {"file_id": "v1", "file_unique_id": "vu1", "duration": 2}}), "请用文字提问"),
    ("contact", media({"contact": {"phone_number": "+100", "first_name": "某人"}}), "请用文字提问"),
    ("dice", media({"dice": {"emoji": "🎲", "value": 3}}), "请用文字提问"),
    ("sticker in a group", media({"sticker": STICKER}, "group"), "silent"),
    ("another bot in private", from_bot(PROBE, "private"), "silent"),
    ("another bot mentioning us in a group", from_bot(f"@{BOT} {PROBE}", "group"), "silent"),
    (
        "channel post",
        raw(
            lambda w: {
                "channel_post": {
                    "message_id": 1,
                    "date": 1,
                    "text": PROBE,
                    "chat": {"id": -1009, "type": "channel", "title": "频道"},
                }
            }
        ),
        "silent",
    ),
    (
        "edited channel post",
        raw(
            lambda w: {
                "edited_channel_post": {
                    "message_id": 1,
                    "date": 1,
                    "edit_date": 2,
                    "text": PROBE,
                    "chat": {"id": -1009, "type": "channel", "title": "频道"},
                }
            }
        ),
        "silent",
    ),
    ("group migrated to a supergroup", media({"migrate_to_chat_id": -100777}, "group"), "silent"),
    (
        "new members joined a group",
        media({"new_chat_members": [{"id": 77, "is_bot": False, "first_name": "新人"}]}, "group"),
        "silent",
    ),
    ("bot added to a group", raw(lambda w: member_update(w, "member")), "silent"),
    ("bot removed from a group", raw(lambda w: member_update(w, "kicked")), "silent"),
    ("question edited to whitespace", edited(PROBE, "   "), "请输入一个关于这篇文章的问题"),
]


@pytest.fixture(scope="module")
async def world(answerer: Answerer) -> AsyncIterator[World]:
    server = BotAPIServer(username=BOT)
    await server.start()
    async with running_bot(server, answerer):
        yield World(
            server=server,
            user=server.user(4242, "Eve", "eve"),
            private=server.private_chat(server.user(4242, "Eve", "eve")),
            group=server.group(-4242, "测试群"),
            other_bot={"id": 999, "is_bot": True, "first_name": "OtherBot", "username": "OtherBot"},
        )
    await server.stop()


def test_the_table_has_at_least_40_kinds() -> None:
    assert len(CASES) >= 40
    assert len({name for name, _, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(("name", "post", "expect"), CASES, ids=[c[0] for c in CASES])
async def test_bad_input(world: World, name: str, post: Post, expect: str) -> None:
    server = world.server
    # A group of its own for every row, so that no row waits out another's group flood limit.
    world.group = server.group(world.group["id"] - 1, "测试群")
    where = world.group if "group" in name or "channel" in name else world.private
    before = len(server.sent)
    posted = await post(world)
    # The bot is still up and done with the input: it answers a probe in the same chat.
    probe = await server.send(where, world.user, f"/ask@{BOT} {CHECK}" if where is world.group else CHECK)

    def probe_answer() -> Sent | None:
        after = [s for s in server.of("sendMessage", where["id"]) if s.result["message_id"] > probe["message_id"]]
        return next((s for s in after if "¶19" in s.text), None)

    probe_reply = await server.wait_for(probe_answer, timeout=15)
    await asyncio.sleep(0.05)
    actions = [s for s in server.sent[before:] if s is not probe_reply]
    messages = [s for s in actions if s.method in ("sendMessage", "editMessageText")]
    if expect == "silent":
        assert messages == [], f"{name}: {[m.text[:40] for m in messages]}"
    elif expect == "callback":
        query_id = posted["callback_query"]["id"] if isinstance(posted, dict) else posted
        await server.wait_for(lambda: server.callback_queries[query_id])
    elif expect == "inline":
        assert isinstance(server.inline_queries[posted], list)
    else:
        assert messages, f"{name}: no reply"
        last = messages[-1].text
        if expect == "answer":
            assert "¶" in last, f"{name}: {last[:80]}"
        elif expect == "not":
            assert "没有讲到" in last or "does not say" in last, f"{name}: {last[:80]}"
        else:
            assert expect in last, f"{name}: {last[:80]}"
    assert server.refused == [], server.refused
    assert all(len(s.text) <= 4096 for s in actions)


async def test_no_other_chat_received_anything(world: World) -> None:
    chats = {s.chat_id for s in world.server.of("sendMessage")}
    assert all(chat == world.private["id"] or chat <= -4242 for chat in chats)
    assert -1009 not in chats  # the channel
    assert world.server.of("leaveChat") == []
    assert world.server.rate_limited == []
