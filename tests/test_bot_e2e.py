"""The bot end to end: the real Application against the strict local Bot API server."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.core.answering import Answerer
from bot.replies import payloads
from bot.sandbox.server import BotAPIServer, Sent

from .support.e2e import STICKER, running_bot

BOT = "TongluTestBot"


@pytest.fixture
async def server() -> AsyncIterator[BotAPIServer]:
    server = BotAPIServer(username=BOT)
    await server.start()
    yield server
    await server.stop()
    assert server.refused == [], "the bot sent something Telegram would refuse"


@pytest.fixture
async def bot(server: BotAPIServer, answerer: Answerer) -> AsyncIterator[Any]:
    async with running_bot(server, answerer) as application:
        yield application


@pytest.fixture
def alice(server: BotAPIServer) -> dict[str, Any]:
    return server.user(1001, "Alice", "alice")


async def silent_then_answers(server: BotAPIServer, chat: dict[str, Any], user: dict[str, Any], chatter: str) -> None:
    """``chatter`` gets no reply: the bot answers the next question, and nothing before it."""
    before = len(server.of("sendMessage", chat["id"]))
    await server.send(chat, user, chatter)
    probe = await server.send(chat, user, f"/ask@{BOT} 桐庐要打赢哪六大攻坚战？")
    reply = await server.reply_to(probe)
    assert reply.params["reply_parameters"]["message_id"] == probe["message_id"]
    assert len(server.of("sendMessage", chat["id"])) == before + 1


# --- start-up -----------------------------------------------------------------------------------


async def test_startup_publishes_commands_and_logs_ready(
    server: BotAPIServer, answerer: Answerer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="bot"):
        async with running_bot(server, answerer):
            pass
    assert {"all_private_chats", "all_group_chats"} <= server.commands.keys()
    assert "ask" in {c["command"] for c in server.commands["all_group_chats"]}
    assert "start" in {c["command"] for c in server.commands["all_private_chats"]}
    ready = [r.getMessage() for r in caplog.records if "ready" in r.getMessage()]
    assert len(ready) == 1 and f"@{BOT}" in ready[0]


# --- private chats ---------------------------------------------------------------------------------


async def test_private_question_gets_the_cited_passage_and_a_more_button(
    server: BotAPIServer, bot: Any, alice: dict[str, Any]
) -> None:
    chat = server.private_chat(alice)
    question = await server.send(chat, alice, "快递回归攻坚战定了什么目标？")
    reply = await server.reply_to(question)
    assert "¶13" in reply.text and "百个公司落户" in reply.text
    assert "<b>" in reply.html
    more = next(b for b in reply.buttons if b["text"] == "更多")
    assert len(more["callback_data"].encode()) <= 64

    query = await server.press(reply.result, alice, more["callback_data"])
    edit = await server.wait_for(lambda: server.of("editMessageText", chat["id"]))
    assert edit[0].params["message_id"] == reply.result["message_id"]
    assert "2/" in edit[0].text and "¶13" not in edit[0].text
    assert server.callback_queries[query] is True


async def test_a_missing_figure_is_said_plainly(server: BotAPIServer, bot: Any, alice: dict[str, Any]) -> None:
    chat = server.private_chat(alice)
    reply = await server.reply_to(await server.send(chat, alice, "全国快递包裹一年多少件？"))
    first = reply.text.splitlines()[0]
    assert first.startswith("原文此处的数字缺失") and "全国快递包裹达〔?〕亿件" in first
    assert reply.text.count("〔?〕原文此处的数字缺失") == 1  # the mark explained once


async def test_not_in_the_article_is_said_plainly_with_hints(
    server: BotAPIServer, bot: Any, alice: dict[str, Any]
) -> None:
    chat = server.private_chat(alice)
    reply = await server.reply_to(await server.send(chat, alice, "杭州明天天气怎么样？"))
    assert "文章里没有讲到这个" in reply.text
    assert "/figures" in reply.text
    assert reply.buttons and all(payloads.decode(b["callback_data"]) for b in reply.buttons)


async def test_english_questions_get_an_english_lead(server: BotAPIServer, bot: Any, alice: dict[str, Any]) -> None:
    chat = server.private_chat(alice)
    reply = await server.reply_to(await server.send(chat, alice, "Why was the meeting postponed?"))
    assert reply.text.startswith("The article is in Chinese")
    assert "正月初七" in reply.text


async def test_start_shows_the_article_card_and_example_buttons(
    server: BotAPIServer, bot: Any, alice: dict[str, Any]
) -> None:
    chat = server.private_chat(alice)
    reply = await server.reply_to(await server.send(chat, alice, "/start"))
    assert "目标不降，任务不减！桐庐全县誓师奋进" in reply.text
    assert "2020/3/11" in reply.text and "段" in reply.text
    assert 3 <= len(reply.buttons) <= 4
    example = reply.buttons[0]
    query = await server.press(reply.result, alice, example["callback_data"])
    answer = await server.wait_for(lambda: server.of("sendMessage", chat["id"])[1:])
    assert "¶" in answer[0].text
    assert server.callback_queries[query] is True


async def test_start_with_a_deep_link_opens_the_paragraph(
    server: BotAPIServer, bot: Any, alice: dict[str, Any]
) -> None:
    chat = server.private_chat(alice)
    reply = await server.reply_to(await server.send(chat, alice, "/start p7"))
    assert reply.text.startswith("《目标不降，任务不减！桐庐全县誓师奋进》¶7")
    assert {b["text"] for b in reply.buttons} == {"¶6", "¶8"}
    await server.press(reply.result, alice, next(b["callback_data"] for b in reply.buttons if b["text"] == "¶8"))
    edit = await server.wait_for(lambda: server.of("editMessageText", chat["id"]))
    assert "¶8" in edit[0].text


async def test_help_about_and_figures(server: BotAPIServer, bot: Any, alice: dict[str, Any]) -> None:
    chat = server.private_chat(alice)
    help_reply = await server.reply_to(await server.send(chat, alice, "/help"))
    assert "/ask" in help_reply.text and "/figures" in help_reply.text
    about = await server.reply_to(await server.send(chat, alice, "/about"))
    assert "蔡东海" in about.text and "2020/3/11 19:59" in about.text and "22 段" in about.text
    figures = await server.reply_to(await server.send(chat, alice, "/figures"))
    assert "（数字缺失）" in figures.text and "¶" in figures.text
    assert figures.buttons  # the figures fill more than a page
    await server.press(figures.result, alice, figures.buttons[-1]["callback_data"])
    page = await server.wait_for(lambda: server.of("editMessageText", chat["id"]))
    assert "（2/" in page[0].text


async def test_other_input_in_private_gets_a_hint(server: BotAPIServer, bot: Any, alice: dict[str, Any]) -> None:
    chat = server.private_chat(alice)
    reply = await server.reply_to(await server.send(chat, alice, extra={"sticker": STICKER}))
    assert "请用文字提问" in reply.text
    unknown = await server.reply_to(await server.send(chat, alice, "/weather"))
    assert "没有这个命令" in unknown.text and "/help" in unknown.text


async def test_a_stale_or_forged_button_is_answered_politely(
    server: BotAPIServer, bot: Any, alice: dict[str, Any]
) -> None:
    chat = server.private_chat(alice)
    reply = await server.reply_to(await server.send(chat, alice, "/start"))
    for data in ("m|9|tonglu|p999", "garbage", "f|nope|p1", "x|77"):
        query = await server.press(reply.result, alice, data)
        await server.wait_for(lambda q=query: server.callback_queries[q])
    notices = [s.params.get("text") for s in server.of("answerCallbackQuery")]
    assert notices == ["这个按钮已失效，请重新提问。"] * 4
    assert server.of("editMessageText") == []


async def test_an_edited_question_edits_the_answer(server: BotAPIServer, bot: Any, alice: dict[str, Any]) -> None:
    chat = server.private_chat(alice)
    question = await server.send(chat, alice, "三通一达的市值是多少？")
    answer = await server.reply_to(question)
    await server.edit(question, "大会原本打算哪天开？")
    edit = await server.wait_for(lambda: server.of("editMessageText", chat["id"]))
    assert edit[0].params["message_id"] == answer.result["message_id"]
    assert "正月初七" in edit[0].text
    # An edit that does not change the answer changes nothing.
    await server.edit(question, "大会原本打算哪天开？ ")
    probe = await server.send(chat, alice, "桐庐要打赢哪六大攻坚战？")
    await server.reply_to(probe)
    assert len(server.of("editMessageText", chat["id"])) == 1
    assert len(server.of("sendMessage", chat["id"])) == 2


# --- groups ------------------------------------------------------------------------------------------


async def test_group_answers_ask_commands_quoting_the_question(
    server: BotAPIServer, bot: Any, alice: dict[str, Any]
) -> None:
    group = server.group(-100)
    for text in ("/ask 桐庐要打赢哪六大攻坚战？", f"/ask@{BOT} 谁是制造业攻坚战的指挥长？"):
        question = await server.send(group, alice, text)
        reply = await server.reply_to(question)
        assert reply.params["reply_parameters"]["message_id"] == question["message_id"]
        assert "¶" in reply.text


async def test_group_answers_are_short_with_more_in_private(
    server: BotAPIServer, bot: Any, alice: dict[str, Any]
) -> None:
    group = server.group(-101)
    question = await server.send(group, alice, "/ask 制造业要净增多少家国高企业？")
    reply = await server.reply_to(question)
    assert len(reply.text) < 600
    # The sentence that answers, not the paragraph (it is a button away).
    assert "净增国高企业〔?〕家" in reply.text and "这场攻坚战指挥长" not in reply.text
    urls = [b["url"] for b in reply.buttons if "url" in b]
    assert urls == [f"https://t.me/{BOT}?start=tonglu-p10"]
    full = next(b for b in reply.buttons if b["text"] == "全文 ¶10")
    await server.press(reply.result, alice, full["callback_data"])
    edit = await server.wait_for(lambda: server.of("editMessageText", group["id"]))
    assert "制造业是桐庐经济发展的主引擎" in edit[0].text and "这场攻坚战指挥长" in edit[0].text


async def test_group_answers_mentions_and_replies_to_the_bot(
    server: BotAPIServer, bot: Any, alice: dict[str, Any]
) -> None:
    group = server.group(-102, supergroup=True)
    mention = await server.send(group, alice, f"@{BOT} 会议原本打算什么时候开？")
    answer = await server.reply_to(mention)
    assert "正月初七" in answer.text
    follow_up = await server.send(group, alice, "那为什么推迟了？", reply_to=answer.result)
    again = await server.reply_to(follow_up)
    assert again.params["reply_parameters"]["message_id"] == follow_up["message_id"]


async def test_group_stays_silent_on_chatter_and_other_bots_commands(
    server: BotAPIServer, bot: Any, alice: dict[str, Any]
) -> None:
    bob = server.user(1002, "Bob")
    chatter = ["今天中午吃什么？", "/ask@OtherBot 桐庐要打赢哪六大攻坚战？", "/weather", "@someone_else 你好"]
    for i, text in enumerate(chatter):
        # a group each: the bot answers a group once every 3 s at most
        await silent_then_answers(server, server.group(-1030 - i), alice, text)
    group = server.group(-1039)
    other = await server.send(group, bob, "随便聊聊")
    await silent_then_answers(server, group, alice, "回复别人的消息")
    assert other


async def test_ask_without_a_question_gets_usage(server: BotAPIServer, bot: Any, alice: dict[str, Any]) -> None:
    for i, text in enumerate(("/ask", f"/ask@{BOT}", f"/ask @{BOT}")):
        group = server.group(-1040 - i)
        reply = await server.reply_to(await server.send(group, alice, text))
        assert "用法：/ask 问题" in reply.text


async def test_forum_topic_answers_go_to_the_same_topic(server: BotAPIServer, bot: Any, alice: dict[str, Any]) -> None:
    forum = server.group(-105, forum=True)
    question = await server.send(forum, alice, "/ask 垃圾分类攻坚战", thread_id=42)
    reply = await server.reply_to(question)
    assert int(reply.params["message_thread_id"]) == 42


# --- the log -------------------------------------------------------------------------------------------


async def test_each_question_answered_is_one_info_line_and_its_text_only_at_debug(
    server: BotAPIServer, bot: Any, alice: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    private, group = server.private_chat(alice), server.group(-110)
    with caplog.at_level(logging.DEBUG, logger="bot.tg.handlers"):
        await server.reply_to(await server.send(private, alice, "三通一达的市值是多少？"))
        await server.reply_to(await server.send(group, alice, f"/ask@{BOT} 杭州明天天气怎么样？"))
    lines = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "bot.tg.handlers"]
    info = [line for level, line in lines if level == logging.INFO]
    assert len(info) == 2
    assert re.fullmatch(r"answered chat=private verdict=answer reason=answered passage=tonglu/p11 ms=\d+", info[0])
    assert re.fullmatch(r"answered chat=group verdict=none reason=\w+ passage=- ms=\d+", info[1])
    asked = [line for level, line in lines if "三通一达" in line or "天气" in line]
    assert len(asked) == 2 and all(level == logging.DEBUG for level, line in lines if line in asked)


# --- inline mode -----------------------------------------------------------------------------------


async def test_inline_mode_returns_cited_passages(server: BotAPIServer, bot: Any, alice: dict[str, Any]) -> None:
    query = await server.inline_query(alice, "快递回归")
    await server.wait_for(lambda: server.inline_queries[query] is not None)
    results = server.inline_queries[query]
    assert 1 <= len(results) <= 10
    assert all("¶" in r["title"] for r in results)
    assert len({r["id"] for r in results}) == len(results)
    nothing = await server.inline_query(alice, "杭州天气")
    await server.wait_for(lambda: server.inline_queries[nothing] is not None)
    assert server.inline_queries[nothing] == []


def all_messages_are_valid(sent: list[Sent]) -> bool:
    return all(len(s.text) <= 4096 for s in sent)
