"""``python -m bot sandbox``: what it prints is what Telegram shows, and a scripted session end to end."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.core.answering import Answerer
from bot.replies.messages import Replies
from bot.replies.render import answer_rich
from bot.sandbox.view import keyboard_lines, rich_from_html

from .support import ROOT


def test_telegram_html_reads_back_as_styled_text() -> None:
    html = (
        "<b>粗</b>与<i>斜</i> &lt;a&gt; &amp;\n<blockquote expandable>引<b>文</b>\n第二行</blockquote>\n"
        '<a href="https://t.me/TongluBot?start=tonglu-p7">链接</a>'
    )
    rich = rich_from_html(html)
    assert rich.plain() == "粗与斜 <a> &\n    引文\n    第二行\n链接 (https://t.me/TongluBot?start=tonglu-p7)"
    assert ("b", "粗") in rich.runs and ("i", "斜") in rich.runs and ("qb", "文") in rich.runs


@pytest.mark.parametrize(
    ("question", "group"),
    [("三通一达的市值是多少？", False), ("三通一达的市值是多少？", True), ("富春未来城什么时候建成？", False)],
)
def test_a_reply_reads_back_as_the_console_prints_it(answerer: Answerer, question: str, group: bool) -> None:
    answer = answerer.answer(question)
    rich = answer_rich(answerer.knowledge, answer, group=group)
    html = Replies(answerer).answer(answer, group=group).html
    assert rich_from_html(html).plain() == rich.plain()
    assert rich_from_html(html).ansi() == rich.ansi()


def test_buttons_are_numbered_across_rows() -> None:
    markup = {"inline_keyboard": [[{"text": "全文 ¶11"}, {"text": "更多"}], [{"text": "👍"}, {"text": "👎"}]]}
    assert keyboard_lines({"reply_markup": markup}) == ["[1] 全文 ¶11  [2] 更多", "[3] 👍  [4] 👎"]


SCRIPT = ["三通一达的市值是多少？", "1", "/group", "三通一达的市值是多少？", "/quit", "不会被发送"]


@pytest.fixture(scope="module")
def session() -> subprocess.CompletedProcess[str]:
    """``printf … | python -m bot sandbox --log``: one process for the whole script."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "sandbox", "--log"],
        input="\n".join(SCRIPT) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "LOG_LEVEL": "INFO"},
        timeout=120,
    )


def test_a_scripted_session_ends_at_quit_with_status_0(session: subprocess.CompletedProcess[str]) -> None:
    assert session.returncode == 0, session.stderr
    assert "不会被发送" not in session.stdout
    assert "Traceback" not in session.stderr


def test_a_question_gets_the_answer_with_its_citation_and_numbered_buttons(
    session: subprocess.CompletedProcess[str],
) -> None:
    private = session.stdout.split("私聊> 三通一达的市值是多少？\n", 1)[1].split("私聊> 1\n", 1)[0]
    lines = private.splitlines()
    assert lines[0] == "── @TongluSandboxBot ──"
    assert lines[1].startswith("原文此处的数字缺失：“三通一达总市值达〔?〕亿”")
    assert lines[2] == "《目标不降，任务不减！桐庐全县誓师奋进》¶11"
    assert lines[3] == "〔?〕年，三通一达总市值达〔?〕亿，从业人员超过〔?〕万人。"
    assert lines[4].startswith("    在快递回归攻坚战誓师环节上")  # the expandable quotation, shown expanded
    assert "[1] 更多" in lines and "[2] 👍  [3] 👎" in lines


def test_pressing_more_by_its_number_shows_the_next_passage_as_an_edit(
    session: subprocess.CompletedProcess[str],
) -> None:
    pressed = session.stdout.split("私聊> 1\n", 1)[1].split("私聊> /group", 1)[0]
    lines = pressed.splitlines()
    assert lines[0] == "── @TongluSandboxBot 编辑了上面的消息 ──"
    assert lines[1] == "2/2 《目标不降，任务不减！桐庐全县誓师奋进》¶12"
    assert "[1] 上一页" in lines


def test_in_a_group_a_plain_line_is_asked_and_gets_the_short_answer(
    session: subprocess.CompletedProcess[str],
) -> None:
    group = session.stdout.split("群聊> 三通一达的市值是多少？\n", 1)[1].split("群聊> /quit", 1)[0]
    lines = group.splitlines()
    assert lines[2] == "《目标不降，任务不减！桐庐全县誓师奋进》¶11"
    assert lines[3] == "〔?〕年，三通一达总市值达〔?〕亿，从业人员超过〔?〕万人。"
    assert not any(line.startswith("    ") for line in lines)  # the sentence alone, the paragraph a button away
    assert "[1] 全文 ¶11  [2] 更多" in lines


def test_the_bot_logs_each_answer_in_one_line_without_the_question(
    session: subprocess.CompletedProcess[str],
) -> None:
    answered = [line for line in session.stderr.splitlines() if " answered " in line]
    assert len(answered) == 2
    assert "chat=private verdict=answer" in answered[0] and "chat=group verdict=answer" in answered[1]
    assert "三通一达" not in session.stderr
    assert "sandbox-token" not in session.stderr  # the made-up token is redacted like a real one
