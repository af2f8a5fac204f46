"""Every kind of input a bot in public groups meets, through the real bot.

Each row of ``CASES`` is one kind of input and a check of what a Telegram user would expect of
it: a reply that says something (:func:`says`), the answer the same question gets without the
noise (:func:`answers_like`), a polite "not in the article" (:func:`declines`), an edited answer
(:func:`edits`), a button's effect (:func:`pages_to`, :func:`toast`), inline results
(:func:`inline_like`, :func:`inline_hint`), or silence (:func:`silent`). After every row the bot
must have confirmed the input and answered a probe question in the same chat (one chat's
updates are handled in order, so the row's are done by then); it must have written to no other
chat, and the strict server must have refused nothing it sent.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.core.answering import MAX_QUESTION, Answerer
from bot.sandbox.server import BotAPIServer, Sent

from .support.e2e import STICKER, running_bot

BOT = "TongluTestBot"
PROBE = "桐庐要打赢哪六大攻坚战？"
# Asked after every row; its answer (¶19) is no row's, so it marks where the row's output ends.
CHECK = "原本打算正月初七召开的是什么会？"
EMPTY = "请输入一个关于这篇文章的问题"
EXPIRED = "这个按钮已失效，请重新提问。"
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
    answerer: Answerer
    user: dict[str, Any]
    private: dict[str, Any]
    group: dict[str, Any]
    other_bot: dict[str, Any]
    # Where in ``server.sent`` the row's own effect begins (after what a row set up for itself).
    mark: int = 0


@dataclass
class Outcome:
    """What the bot did about one row (the probe's answer left out)."""

    world: World
    posted: Any
    actions: list[Sent] = field(default_factory=list)

    @property
    def messages(self) -> list[Sent]:
        return [s for s in self.actions if s.method in ("sendMessage", "editMessageText")]

    @property
    def last(self) -> Sent:
        assert self.messages, "no reply"
        return self.messages[-1]


Post = Callable[[World], Awaitable[Any]]
Check = Callable[[Outcome], None]


# --- what a row posts ---------------------------------------------------------------------------


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
    """A button with ``data`` pressed under a fresh /start card; posts ``(query id, card)``."""

    async def post(w: World) -> Any:
        card = await w.server.reply_to(await w.server.send(w.private, w.user, "/start"))
        w.mark = len(w.server.sent)
        return await w.server.press(card.result, w.user, data), card

    return post


def inline(query: str) -> Post:
    async def post(w: World) -> Any:
        return await w.server.inline_query(w.user, query)

    return post


def raw(update: Callable[[World], dict[str, Any]]) -> Post:
    async def post(w: World) -> Any:
        return await w.server.post(update(w))

    return post


def edited(first: str, second: str) -> Post:
    """A question answered, then edited to ``second``; posts the first answer."""

    async def post(w: World) -> Any:
        question = await w.server.send(w.private, w.user, first)
        answer = await w.server.reply_to(question)
        w.mark = len(w.server.sent)
        await w.server.edit(question, second)
        return answer

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


# --- what a row expects --------------------------------------------------------------------------


def cited(text: str) -> str:
    """The first paragraph (``¶n``) a text cites."""
    found = re.search(r"¶\d+", text)
    return found.group() if found else ""


def top_citation(answerer: Answerer, question: str, k: int = 5) -> str:
    answer = answerer.answer(question, k=k)
    assert answer.answered, question
    return cited(answer.passages[0].passage.citation)


def says(*parts: str) -> Check:
    """One reply, saying each of ``parts``."""

    def check(o: Outcome) -> None:
        assert len(o.messages) == 1, [m.text[:40] for m in o.messages]
        assert all(part in o.last.text for part in parts), o.last.text[:120]

    return check


def answers_like(question: str) -> Check:
    """One answer, citing the paragraph that ``question`` (the input without its noise) gets."""

    def check(o: Outcome) -> None:
        assert len(o.messages) == 1, [m.text[:40] for m in o.messages]
        assert cited(o.last.text) == top_citation(o.world.answerer, question), o.last.text[:120]

    return check


def declines(o: Outcome) -> None:
    """One reply saying the article does not say, citing nothing."""
    assert len(o.messages) == 1
    assert "没有讲到" in o.last.text or "does not say" in o.last.text, o.last.text[:120]
    assert cited(o.last.text) == ""


def silent(o: Outcome) -> None:
    """The bot did nothing at all."""
    assert o.actions == [], [(s.method, s.text[:40]) for s in o.actions]


def edits(*parts: str) -> Check:
    """The earlier answer edited in place to say ``parts``; no new message."""

    def check(o: Outcome) -> None:
        answer: Sent = o.posted
        assert [s.method for s in o.messages] == ["editMessageText"]
        assert o.last.params["message_id"] == answer.result["message_id"]
        assert all(part in o.last.text for part in parts), o.last.text[:120]

    return check


def answered_query(o: Outcome) -> dict[str, Any]:
    """The one answerCallbackQuery of the row."""
    query_id = o.posted[0] if isinstance(o.posted, tuple) else o.posted["callback_query"]["id"]
    answers = [s for s in o.actions if s.method == "answerCallbackQuery"]
    assert [a.params["callback_query_id"] for a in answers] == [query_id]
    return answers[0].params


def toast(notice: str) -> Check:
    """The press answered with ``notice``; nothing sent or edited."""

    def check(o: Outcome) -> None:
        assert answered_query(o).get("text") == notice
        assert o.messages == []

    return check


def pages_to(citation: str, *, inline_message: bool = False) -> Check:
    """The press answered quietly and the pressed message turned to the page citing ``citation``."""

    def check(o: Outcome) -> None:
        assert not answered_query(o).get("text")
        assert [s.method for s in o.messages] == ["editMessageText"]
        edit = o.last.params
        if inline_message:
            assert edit["inline_message_id"] == "AAAA-inline"
        else:
            assert edit["message_id"] == o.posted[1].result["message_id"]
        assert cited(edit["text"]) == citation, edit["text"][:120]

    return check


def inline_like(question: str) -> Check:
    """Cited passages, the first the one ``question`` (the query without its noise) gets."""

    def check(o: Outcome) -> None:
        results = o.world.server.inline_queries[o.posted]
        assert results and all("¶" in r["title"] for r in results)
        assert cited(results[0]["title"]) == top_citation(o.world.answerer, question, k=10)
        assert all(r["input_message_content"]["message_text"] for r in results)

    return check


def inline_hint(o: Outcome) -> None:
    """No results, and a button that asks for a question."""
    assert o.world.server.inline_queries[o.posted] == []
    (answer,) = [s for s in o.actions if s.method == "answerInlineQuery"]
    assert answer.params["button"] == {"text": "输入关于文章的问题", "start_parameter": "inline"}


CASES: list[tuple[str, Post, Check]] = [
    ("whitespace only", text("   \n\t  "), says(EMPTY)),
    ("newlines only", text("\n\n\n"), says(EMPTY)),
    ("4,096 characters", text("快递回归" * 1024), says("问题太长了")),
    ("10,000 characters", text("桐" * 10_000), says("问题太长了")),
    ("one word up to the length limit", text("快递" * (MAX_QUESTION // 2)), answers_like("快递")),
    ("one character over the limit", text("快递" * (MAX_QUESTION // 2) + "？"), says("问题太长了")),
    ("emoji only", text("😀🎉🔥👍"), says(EMPTY)),
    ("punctuation only", text("？！。，……——"), says(EMPTY)),
    ("HTML bold injection", text("<b>快递回归</b>攻坚战的目标"), answers_like("快递回归攻坚战的目标")),
    ("HTML closing tag", text("</a>"), declines),
    ("ampersands", text("&amp; & &lt; 三通一达的市值 &"), answers_like("三通一达的市值")),
    ("script tag", text("<script>alert('x')</script>"), declines),
    ("Markdown", text("*快递回归* _攻坚战_ `目标`"), answers_like("快递回归 攻坚战 目标")),
    ("zero-width characters", text("快\u200b递\u200c回\u200d归攻坚战目标"), answers_like("快递回归攻坚战目标")),
    ("control characters", text("\x07\x1b[31m三通一达市值\x1b[0m"), answers_like("三通一达市值")),
    ("right-to-left override", text("\u202e快递回归攻坚战\u202c"), answers_like("快递回归攻坚战")),
    ("Arabic script", text("ما هو التوصيل السريع؟"), says("The article does not say")),
    ("full-width digits", text("２０２０年全国快递包裹多少件？"), says("原文此处的数字缺失")),
    ("mixed scripts", text("快递 express 回归 return 目标"), says("The article is in Chinese", "¶")),
    ("SQL-looking", text("'; DROP TABLE passages; --"), declines),
    ("shell-looking", text("$(rm -rf /); `cat /etc/passwd` | sh"), declines),
    ("not in the article", text("杭州明天的天气怎么样？"), declines),
    ("traditional characters", text("桐廬要打贏哪六大攻堅戰？"), answers_like("桐庐要打赢哪六大攻坚战？")),
    (
        "forwarded message",
        media({"text": PROBE, "forward_origin": {"type": "hidden_user", "date": 1, "sender_user_name": "某人"}}),
        answers_like(PROBE),
    ),
    ("inline query of 256 characters", inline("快递回归" * 64), inline_like("快递回归")),
    ("empty inline query", inline(""), inline_hint),
    ("inline query with HTML", inline("<b>快递</b> & 回归"), inline_like("快递 回归")),
    ("garbled callback data", press("\x00\ufffd垃圾"), toast(EXPIRED)),
    # Payloads are stateless and public: a well-formed one made up by hand simply works.
    ("forged callback data", press("m|1|tonglu|p1.p2"), pages_to("¶2")),
    ("stale callback data", press("f|tonglu|p99"), toast(EXPIRED)),
    ("64 bytes of junk", press("z" * 64), toast(EXPIRED)),
    ("button on an inline message", raw(inline_message_button), pages_to("¶2", inline_message=True)),
    ("unknown command in private", text("/weather"), says("没有这个命令", "/help")),
    ("unknown command in a group", text("/weather", "group"), silent),
    ("another bot's /start in a group", text("/start@OtherBot", "group"), silent),
    ("/ask with only a mention, in a group", text(f"/ask @{BOT}", "group"), says("用法：/ask 问题")),
    ("/start with a garbage payload", text("/start ../../etc/passwd"), says("你好", "可以试试这样问")),
    ("/start with a paragraph that does not exist", text("/start p999"), says("没有这个段落")),
    ("sticker", media({"sticker": STICKER}), says("请用文字提问")),
    ("photo with a caption", media({"photo": PHOTO, "caption": "快递回归"}), says("请用文字提问")),
    ("location", media({"location": {"latitude": 29.79, "longitude": 119.69}}), says("请用文字提问")),
    (
        "poll",
        media({"poll": {**POLL, "options": [{"text": "a", "voter_count": 0, "persistent_id": "o1"}]}}),
        says("请用文字提问"),
    ),
    # A poll as older servers send it, without the option ids PTB 22 requires: PTB cannot
    # read the update. It must not stall polling for everything after it.
    ("an update PTB cannot read", media({"poll": {**POLL, "options": [{"text": "a", "voter_count": 0}]}}), silent),
    ("voice", media({"voice": {"file_id": "v1", "file_unique_id": "vu1", "duration": 2}}), says("请用文字提问")),
    ("contact", media({"contact": {"phone_number": "+100", "first_name": "某人"}}), says("请用文字提问")),
    ("dice", media({"dice": {"emoji": "🎲", "value": 3}}), says("请用文字提问")),
    ("sticker in a group", media({"sticker": STICKER}, "group"), silent),
    ("another bot in private", from_bot(PROBE, "private"), silent),
    ("another bot mentioning us in a group", from_bot(f"@{BOT} {PROBE}", "group"), silent),
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
        silent,
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
        silent,
    ),
    ("group migrated to a supergroup", media({"migrate_to_chat_id": -100777}, "group"), silent),
    (
        "new members joined a group",
        media({"new_chat_members": [{"id": 77, "is_bot": False, "first_name": "新人"}]}, "group"),
        silent,
    ),
    ("bot added to a group", raw(lambda w: member_update(w, "member")), silent),
    ("bot removed from a group", raw(lambda w: member_update(w, "kicked")), silent),
    ("question edited to whitespace", edited(PROBE, "   "), edits(EMPTY)),
]


@pytest.fixture(scope="module")
async def world(answerer: Answerer) -> AsyncIterator[World]:
    server = BotAPIServer(username=BOT)
    await server.start()
    async with running_bot(server, answerer):
        yield World(
            server=server,
            answerer=answerer,
            user=server.user(4242, "Eve", "eve"),
            private=server.private_chat(server.user(4242, "Eve", "eve")),
            group=server.group(-4242, "测试群"),
            other_bot={"id": 999, "is_bot": True, "first_name": "OtherBot", "username": "OtherBot"},
        )
    await server.stop()


def test_the_table_has_at_least_40_kinds() -> None:
    assert len(CASES) >= 40
    assert len({name for name, _, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(("name", "post", "check"), CASES, ids=[c[0] for c in CASES])
async def test_bad_input(world: World, name: str, post: Post, check: Check) -> None:
    server = world.server
    # A group of its own for every row, so that no row waits out another's group flood limit.
    world.group = server.group(world.group["id"] - 1, "测试群")
    where = world.group if "group" in name or "channel" in name else world.private
    world.mark = len(server.sent)
    posted = await post(world)
    await server.acknowledged()  # the bot has the input
    # The bot is still up and done with the input: it answers a probe in the same chat.
    probe = await server.send(where, world.user, f"/ask@{BOT} {CHECK}" if where is world.group else CHECK)

    def probe_answer() -> Sent | None:
        after = [s for s in server.of("sendMessage", where["id"]) if s.result["message_id"] > probe["message_id"]]
        return next((s for s in after if "¶19" in s.text), None)

    probe_reply = await server.wait_for(probe_answer, timeout=15)
    actions = [s for s in server.sent[world.mark :] if s is not probe_reply]
    check(Outcome(world, posted, actions))
    assert {s.chat_id for s in actions} <= {where["id"], None}  # nothing went to another chat
    assert server.refused == [], server.refused
    assert server.rate_limited == []
    assert all(len(s.text) <= 4096 for s in actions)
