"""Feedback, the question log, /privacy, /forget, /stats and the report, end to end.

The real bot runs against the local Bot API server with a real database; what it stored is
then read back from the database itself, and the report is made from it.
"""

from __future__ import annotations

import html
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.core.answering import Answerer
from bot.core.knowledge import Knowledge
from bot.privacy import Hasher
from bot.report.summary import Report, build_report
from bot.sandbox.server import BotAPIServer, Sent
from bot.store.database import Store
from bot.store.log import utc_now

from .support.e2e import running_bot
from .support.postgres import PostgresServer
from .test_resilience_e2e import start_process, stop_process

ADMIN = 5550001
SECRET = b"an e2e secret of sixteen bytes or more"


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'questions.sqlite3'}"


def bot(server: BotAPIServer, answerer: Answerer, url: str, **settings: Any) -> Any:
    return running_bot(server, answerer, database_url=url, log_secret=SECRET, admin_user_ids={ADMIN}, **settings)


def votes_of(reply: Sent) -> dict[str, str]:
    return {b["text"]: b["callback_data"] for b in reply.buttons if b["text"] in ("👍", "👎")}


async def press(server: BotAPIServer, reply: Sent, user: dict[str, Any], label: str) -> str:
    """Press 👍 or 👎 under ``reply``; return the toast."""
    query = await server.press(reply.result, user, votes_of(reply)[label])
    await server.wait_for(lambda: server.callback_queries[query])
    answered = next(s for s in server.of("answerCallbackQuery") if s.params["callback_query_id"] == query)
    return str(answered.params["text"])


async def ask(server: BotAPIServer, chat: dict[str, Any], user: dict[str, Any], text: str) -> Sent:
    return await server.reply_to(await server.send(chat, user, text))


def read(url: str) -> Store:
    return Store(url)


def report_of(url: str, knowledge: Knowledge) -> Report:
    store = Store(url)
    until = utc_now() + timedelta(seconds=1)
    since = until - timedelta(days=1)
    try:
        return build_report(store.questions(since), store.votes(since), knowledge, since, until)
    finally:
        store.close()


# --- votes -------------------------------------------------------------------------------------------


async def test_a_vote_is_a_toast_and_a_second_press_changes_it(
    server: BotAPIServer, answerer: Answerer, url: str
) -> None:
    alice, bob = server.user(7349126580, "Alice"), server.user(7349126581, "Bob")
    chat = server.private_chat(alice)
    group = server.group(-1007349126582)
    async with bot(server, answerer, url):
        reply = await ask(server, chat, alice, "快递回归攻坚战定了什么目标？")
        assert set(votes_of(reply)) == {"👍", "👎"}
        assert all(len(data.encode()) <= 64 for data in votes_of(reply).values())
        assert await press(server, reply, alice, "👍") == "谢谢反馈"
        assert await press(server, reply, alice, "👎") == "谢谢反馈"
        in_group = await ask(server, group, bob, "/ask 快递回归攻坚战定了什么目标？")
        assert set(votes_of(in_group)) == {"👍", "👎"}
        assert await press(server, in_group, bob, "👍") == "谢谢反馈"
        assert await press(server, in_group, alice, "👍") == "谢谢反馈"  # one answer, from anyone's message
        sent = len(server.of("sendMessage"))
        declined = await ask(server, chat, alice, "杭州明天天气怎么样？")
    assert server.of("editMessageText") == [] and sent == 2  # nothing re-sent
    assert votes_of(declined) == {}  # nothing to vote on when nothing was answered
    store = read(url)
    votes = store.votes(utc_now() - timedelta(minutes=5))
    store.close()
    hasher = Hasher(SECRET)
    assert sorted((v.user_hash, v.up, v.chat_type) for v in votes) == sorted(
        [(hasher.user(alice["id"]), True, "private"), (hasher.user(bob["id"]), True, "group")]
    )  # Alice's 👎 was replaced by her 👍 in the group: the same answer, one vote each


async def test_a_vote_on_an_old_message_counts_after_a_restart(
    server: BotAPIServer, answerer: Answerer, url: str, knowledge: Knowledge
) -> None:
    alice = server.user(7349126580, "Alice")
    chat = server.private_chat(alice)
    async with bot(server, answerer, url):
        reply = await ask(server, chat, alice, "桐庐要打赢哪六大攻坚战？")
    async with bot(server, answerer, url):
        assert await press(server, reply, alice, "👎") == "谢谢反馈"
    [disliked] = report_of(url, knowledge).disliked
    assert disliked.question == "桐庐要打赢哪六大攻坚战？" and disliked.down == 1
    assert disliked.passage == answerer.answer("桐庐要打赢哪六大攻坚战？").passages[0].passage


# --- /privacy, /forget, /stats ---------------------------------------------------------------------------


async def test_privacy_says_what_is_kept_and_forget_deletes_it(
    server: BotAPIServer, answerer: Answerer, url: str
) -> None:
    alice, bob = server.user(7349126580, "Alice"), server.user(7349126581, "Bob")
    chat = server.private_chat(alice)
    async with bot(server, answerer, url, retention_days=14):
        privacy = await ask(server, chat, alice, "/privacy")
        assert "问题原文" in privacy.text and "14 天" in privacy.text and "/forget" in privacy.text
        reply = await ask(server, chat, alice, "三通一达的市值是多少？")
        await ask(server, chat, alice, "杭州明天天气怎么样？")
        await press(server, reply, alice, "👍")
        await ask(server, server.private_chat(bob), bob, "三通一达的市值是多少？")
        forgot = await ask(server, chat, alice, "/forget")
        assert forgot.text == "已删除你留下的 3 条记录。"
        again = await ask(server, chat, alice, "/forget")
        assert again.text == "没有你的记录。"
    store = read(url)
    assert store.counts() == (1, 0)  # Bob's question is all that is left
    assert store.questions(utc_now() - timedelta(minutes=5))[0].user_hash == Hasher(SECRET).user(bob["id"])
    store.close()


async def test_privacy_with_the_question_log_off(server: BotAPIServer, answerer: Answerer, url: str) -> None:
    alice = server.user(7349126580, "Alice")
    chat = server.private_chat(alice)
    async with bot(server, answerer, url, log_questions=False):
        assert "不保存你的问题" in (await ask(server, chat, alice, "/privacy")).text
        reply = await ask(server, chat, alice, "三通一达的市值是多少？")
        await press(server, reply, alice, "👎")
    store = read(url)
    assert store.counts() == (0, 1)
    store.close()


async def test_stats_for_admins_and_a_refusal_for_everyone_else(
    server: BotAPIServer, answerer: Answerer, url: str
) -> None:
    admin, alice = server.user(ADMIN, "Admin"), server.user(7349126580, "Alice")
    async with bot(server, answerer, url):
        for question in ("杭州明天天气怎么样？", "明天杭州天气", "桐庐要打赢哪六大攻坚战？"):
            await ask(server, server.private_chat(alice), alice, question)
        refused = await ask(server, server.private_chat(alice), alice, "/stats")
        stats = await ask(server, server.private_chat(admin), admin, "/stats")
        group = server.group(-1007349126583)
        await server.send(group, admin, "/stats")
        await ask(server, group, admin, "/ask 桐庐要打赢哪六大攻坚战？")  # answered: /stats was ignored
    assert refused.text == "只有管理员可以查看统计。"
    assert stats.text.startswith("最近 7 天：3 个问题，1 人提问。")
    assert "2× 杭州明天天气怎么样？" in stats.text
    assert len(server.of("sendMessage", group["id"])) == 1


# --- the report after a scripted session -----------------------------------------------------------------

WEATHER = ("杭州明天天气怎么样？", "明天杭州天气", "杭州明天的天气如何")
BATTLES = "桐庐要打赢哪六大攻坚战？"
MAYOR = "桐庐县长是谁"
PARCELS = "快递回归攻坚战定了什么目标？"
FUCHUN = "富春未来城什么时候建成"


async def scripted_session(server: BotAPIServer, answerer: Answerer, url: str) -> list[dict[str, Any]]:
    """Four people, private chats, two groups and inline mode; three votes, one of them changed."""
    alice, bob = server.user(7349126580, "Alice"), server.user(7349126581, "Bob")
    carol, dave = server.user(7349126584, "Carol"), server.user(7349126585, "Dave")
    async with bot(server, answerer, url):
        a, b = server.private_chat(alice), server.private_chat(bob)
        await ask(server, a, alice, WEATHER[0])
        battles_a = await ask(server, a, alice, BATTLES)
        await press(server, battles_a, alice, "👍")
        await ask(server, b, bob, WEATHER[1])
        await ask(server, b, bob, MAYOR)
        battles_b = await ask(server, b, bob, BATTLES)
        await press(server, battles_b, bob, "👎")
        parcels = await ask(server, b, bob, PARCELS)
        await press(server, parcels, bob, "👎")
        await press(server, parcels, bob, "👍")  # changed their mind
        await ask(server, server.group(-1007349126586), carol, f"/ask {WEATHER[2]}")
        await ask(server, server.group(-1007349126587), carol, f"/ask {MAYOR}")
        for typed in ("富春", FUCHUN):  # inline: logged once, when typing has stopped
            query = await server.inline_query(dave, typed)
            await server.wait_for(lambda q=query: server.inline_queries[q] is not None)
    return [alice, bob, carol, dave]


async def test_after_a_scripted_session_the_report_has_exactly_the_expected_groups_and_no_id_is_stored(
    server: BotAPIServer,
    answerer: Answerer,
    url: str,
    knowledge: Knowledge,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    people = await scripted_session(server, answerer, url)
    report = report_of(url, knowledge)
    verdict = {q: answerer.answer(q).verdict.value for q in (*WEATHER, BATTLES, MAYOR, PARCELS, FUCHUN)}
    assert report.total == 9 and report.people == 4
    assert (report.votes_up, report.votes_down) == (2, 1)
    assert report.days[-1].total == 9 and sum(d.total for d in report.days) == 9
    unanswered = [(g.count, {w for w, _ in g.wordings}) for g in report.unanswered]
    assert unanswered == [(3, set(WEATHER)), (2, {MAYOR}), (1, {FUCHUN})]
    assert report.unanswered[0].verdicts == {verdict[WEATHER[0]]: 3}
    assert report.unanswered[0].passage == answerer.answer(WEATHER[0]).passages[0].passage
    [disliked] = report.disliked
    assert (disliked.question, disliked.down, disliked.up) == (BATTLES, 1, 1)
    assert disliked.passage == answerer.answer(BATTLES).passages[0].passage
    asked = [(g.count, g.question) for g in report.most_asked]
    assert asked == [(3, WEATHER[0]), (2, BATTLES), (2, MAYOR), (1, PARCELS), (1, FUCHUN)]
    assert {verdict[q] for q in (BATTLES, PARCELS)} == {"answer"}
    assert verdict[WEATHER[0]] != "answer" and verdict[MAYOR] != "answer" and verdict[FUCHUN] != "answer"
    # The database files hold the questions, and not one user or chat id in clear.
    ids = [p["id"] for p in people] + [-1007349126586, -1007349126587]
    files = list((tmp_path / "data").glob("questions.sqlite3*"))
    raw = b"".join(f.read_bytes() for f in files)
    assert BATTLES.encode() in raw  # the right file: the questions are there
    for number in ids:
        for form in (str(number).encode(), str(abs(number)).encode(), number.to_bytes(8, "big", signed=True)):
            assert form not in raw, f"{number} is stored in clear"
        assert number.to_bytes(8, "little", signed=True) not in raw

    # python -m bot report, with the settings from the environment as the bot has them.
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["report", "--since", "1d"]) == 0
    text = capsys.readouterr().out
    assert "9 questions from 4 people" in text and f"  👎 1 👍 1  answer   {BATTLES}" in text
    assert main(["report", "--format", "html", "-o", str(tmp_path / "report.html")]) == 0
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and html.escape(WEATHER[0]) in page


# --- when the database cannot be had ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_the_bot_answers_on_when_the_database_is_unavailable(
    server: BotAPIServer,
    answerer: Answerer,
    tmp_path: Path,
    kind: str,
    request: pytest.FixtureRequest,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if kind == "sqlite":  # a folder that cannot be made: a file stands where it should be
        (tmp_path / "file").write_text("")
        url = f"sqlite:///{tmp_path / 'file' / 'questions.sqlite3'}"
    else:  # a real server, with the log's database taken down
        postgres: PostgresServer = request.getfixturevalue("postgres")
        url = postgres.database()
        postgres.refuse_connections(url)
    alice = server.user(7349126580, "Alice")
    chat = server.private_chat(alice)
    with caplog.at_level(logging.WARNING):
        async with bot(server, answerer, url):
            for question in (BATTLES, PARCELS, WEATHER[0]):
                assert "¶" in (await ask(server, chat, alice, question)).text or question == WEATHER[0]
            reply = await ask(server, chat, alice, BATTLES)
            assert await press(server, reply, alice, "👎") == "谢谢反馈"
            assert (await ask(server, chat, alice, "/forget")).text == "现在无法删除，请稍后再发送 /forget。"
            assert "¶" in (await ask(server, chat, alice, PARCELS)).text
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("bot") and r.levelno >= logging.WARNING]
    assert len(lines) == 1 and lines[0].startswith("question log:"), lines


# --- the black-box check: the bot and the report as processes ------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_ask_vote_stop_then_report_as_an_operator_would(
    server: BotAPIServer, tmp_path: Path, kind: str, request: pytest.FixtureRequest
) -> None:
    """Ask, press 👎, stop the bot with SIGTERM, run ``python -m bot report`` with the same DATABASE_URL."""
    postgres: PostgresServer | None = request.getfixturevalue("postgres") if kind == "postgresql" else None
    url = postgres.database() if postgres is not None else f"sqlite:///{tmp_path / 'questions.sqlite3'}"
    alice = server.user(7349126580, "Alice")
    chat = server.private_chat(alice)
    bot_process = await start_process(server, DATABASE_URL=url)
    try:
        unanswered = await server.reply_to(await server.send(chat, alice, MAYOR), timeout=30)
        answered = await ask(server, chat, alice, BATTLES)
        assert await press(server, answered, alice, "👎") == "谢谢反馈"
    finally:
        status, log = await stop_process(bot_process)
    assert status == 0 and "Traceback" not in log, log
    assert unanswered.text
    report = subprocess.run(
        [sys.executable, "-m", "bot", "report"],
        cwd=tmp_path,  # no .env here: the environment alone, as an operator's shell would give it
        env={"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", ""), "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert report.returncode == 0, report.stderr
    unanswered_part = report.stdout.split("grouped by what they ask:")[1].split("Answers voted 👎:")[0]
    disliked_part = report.stdout.split("Answers voted 👎:")[1].split("Most asked:")[0]
    assert MAYOR in unanswered_part and BATTLES not in unanswered_part
    assert f"👎 1 👍 0  answer   {BATTLES}" in disliked_part
    if postgres is not None:
        raw = postgres.dump(url)
    else:
        raw = b"".join(f.read_bytes() for f in tmp_path.glob("questions.sqlite3*"))
    assert BATTLES.encode() in raw and str(alice["id"]).encode() not in raw
