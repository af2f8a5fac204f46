"""Handlers end to end: ALLOWED_CHAT_IDS for every kind of update, bounded answer memory,
a deleted question still answered."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.core.answering import Answerer
from bot.replies import payloads
from bot.sandbox.server import BotAPIServer
from bot.tg import handlers
from bot.tg.memory import AnswerMemory

from .support.e2e import running_bot

QUESTION = "快递回归攻坚战定了什么目标？"


async def test_allowed_chat_ids_hold_for_buttons_edits_and_inline_queries_too(
    server: BotAPIServer, answerer: Answerer
) -> None:
    user = server.user(6500)
    allowed, other = server.group(-6500), server.group(-6501)
    async with running_bot(server, answerer):  # before the group was taken off the list
        question = await server.send(other, user, f"/ask {QUESTION}")
        old_answer = await server.reply_to(question)
    more = next(b["callback_data"] for b in old_answer.buttons if b["text"] == "更多")
    forged = payloads.encode(payloads.Example(0))  # would post a new message
    sent_before = len(server.sent)

    async with running_bot(server, answerer, allowed_chat_ids=frozenset({-6500})):
        pressed = [await server.press(old_answer.result, user, data) for data in (more, forged)]
        await server.edit(question, f"/ask {QUESTION}？")
        await server.send(other, user, f"/ask {QUESTION}")
        in_group = await server.inline_query(user, QUESTION, chat_type="group")
        in_channel = await server.inline_query(user, QUESTION, chat_type="channel")
        in_private = await server.inline_query(user, QUESTION, chat_type="sender")
        unknown = await server.inline_query(user, QUESTION, chat_type=None)  # a secret chat
        await server.reply_to(await server.send(allowed, user, f"/ask {QUESTION}"))  # served, and after the rest
        await server.wait_for(lambda: all(server.callback_queries[q] for q in pressed))
        await server.wait_for(lambda: all(server.inline_queries[q] is not None for q in (in_group, in_channel)))
        await server.wait_for(lambda: all(server.inline_queries[q] is not None for q in (in_private, unknown)))

    done = server.sent[sent_before:]
    in_other = [s for s in done if s.chat_id == other["id"]]
    assert in_other == []  # no edit, no new message, in the group not served
    assert [s.method for s in done if s.method == "answerCallbackQuery"] == ["answerCallbackQuery"] * 2
    assert server.inline_queries[in_group] == [] and server.inline_queries[in_channel] == []
    assert server.inline_queries[in_private] and server.inline_queries[unknown]
    assert len(server.of("sendMessage", allowed["id"])) == 1


async def test_answers_are_remembered_within_bounds(server: BotAPIServer, answerer: Answerer) -> None:
    users = [server.user(6600 + i) for i in range(4)]
    chats = [server.private_chat(u) for u in users]
    async with running_bot(server, answerer) as application:
        memory = application.bot_data[handlers.ANSWERS] = AnswerMemory(max_per_chat=2, max_answers=3)
        questions = []
        for user, chat in zip(users, chats, strict=True):
            questions.append(await server.send(chat, user, QUESTION))
            await server.reply_to(questions[-1])
        assert len(memory) == 3 and memory.chats == 3  # the first chat's answer is forgotten
        # An edit of a remembered question edits its answer; of a forgotten one, answers anew.
        await server.edit(questions[-1], "三通一达的市值有多少？")
        await server.wait_for(lambda: server.of("editMessageText", chats[-1]["id"]))
        await server.edit(questions[0], "三通一达的市值有多少？")
        await server.wait_for(lambda: len(server.of("sendMessage", chats[0]["id"])) == 2)
        assert server.of("editMessageText", chats[0]["id"]) == []
        assert len(memory) == 3


async def test_a_question_deleted_before_its_answer_still_gets_it(
    server: BotAPIServer, answerer: Answerer, caplog: pytest.LogCaptureFixture
) -> None:
    group = server.group(-6700)
    user = server.user(6700)
    server.fail("getUpdates", "slow", delay=0.15)  # time for the user to delete the question
    with caplog.at_level(logging.WARNING):
        async with running_bot(server, answerer):
            question = await server.send(group, user, f"/ask {QUESTION}")
            await server.delete(question)
            reply = await server.reply_to(question)
            await asyncio.sleep(0.1)
    assert reply.params["reply_parameters"]["message_id"] == question["message_id"]
    assert reply.params["reply_parameters"]["allow_sending_without_reply"] is True
    assert "reply_to_message" not in reply.result  # sent without the reply: the question is gone
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
