"""``python -m bot chat``: the console's commands in-process, and a session on a pseudo-terminal."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from bot.console import Console, Terminal
from bot.core.answering import Answerer
from bot.replies import texts

from .conftest import CACHE
from .support.terminal import CTRL_C, UP, Typist

QUESTION = "三通一达的市值是多少？"


@pytest.fixture
def console(answerer: Answerer) -> Console:
    return Console(answerer)


def run(console: Console, lines: str) -> str:
    out = io.StringIO()
    assert console.run(Terminal(io.StringIO(lines), out)) == 0
    return out.getvalue()


def test_blank_lines_are_ignored_and_only_quit_ends(console: Console) -> None:
    shown = run(console, f"{QUESTION}\n\n   \n杭州天气\nquit\n不会被读到\n")
    assert "¶11" in shown and "文章里没有讲到这个" in shown
    assert "不会被读到" not in shown


def test_the_end_of_input_ends_too(console: Console) -> None:
    assert "¶11" in run(console, QUESTION)


def test_more_pages_through_the_last_answer_numbered_as_the_bot_does(console: Console) -> None:
    assert console.respond("更多").plain() == texts.CONSOLE_NOTHING_YET
    first = console.respond(QUESTION).plain()
    assert texts.CONSOLE_MORE.format(count=2) in first
    second = console.respond("more").plain()
    assert second.startswith("2/2 《") and "¶12" in second
    assert console.respond("更多").plain() == texts.CONSOLE_NO_MORE


@pytest.mark.parametrize("command", ["/p 7", "/p p7", "/p ¶7", "/p tonglu 7", "/p tonglu-p7", "/P 7"])
def test_p_opens_a_paragraph_with_the_way_to_its_neighbours(console: Console, command: str) -> None:
    shown = console.respond(command).plain()
    assert shown.splitlines()[0].endswith("¶7")
    assert "桐庐县委书记方毅说道" in shown
    assert shown.splitlines()[-1] == "/p 6 上一段 · /p 8 下一段"


@pytest.mark.parametrize("command", ["/p 99", "/p 0", "/p other-p7"])
def test_p_says_when_there_is_no_such_paragraph(console: Console, command: str) -> None:
    assert console.respond(command).plain() == texts.PARAGRAPH_NOT_FOUND


def test_commands_are_not_questions(console: Console) -> None:
    assert console.respond("/figures").plain().startswith("文中的数字")
    assert "¶11" in console.respond("/figures").plain()
    assert "责任编辑" in console.respond("/about").plain()
    assert "/p 7" in console.respond("help").plain()
    assert console.respond("/p").plain().startswith("用法：/p 7")
    assert console.respond("/nonsense").plain() == texts.CONSOLE_UNKNOWN


@pytest.mark.parametrize(
    ("question", "hint"),
    [("杭州明天天气怎么样？", texts.CONSOLE_HINT), ("What is the population of Paris?", texts.CONSOLE_HINT_EN)],
)
def test_a_decline_points_at_what_the_console_has(console: Console, question: str, hint: str) -> None:
    shown = console.respond(question).plain()
    assert shown.startswith((texts.NOT_IN_ARTICLE, texts.NOT_IN_ARTICLE_EN))
    assert shown.endswith("\n" + hint)
    assert texts.FIGURES_HINT not in shown


def test_a_session_on_a_terminal_edits_lines_keeps_history_and_colours(tmp_path: Path) -> None:
    # A cache folder of its own (for the history file) that shares the session's prepared index.
    for entry in CACHE.iterdir():
        (tmp_path / entry.name).symlink_to(entry)
    with Typist("chat", env={"BOT_CACHE_DIR": str(tmp_path)}) as typist:
        typist.expect("问> ")
        typist.type(QUESTION + "\r")
        answer = typist.expect("问> ")
        assert "¶11" in answer and "\x1b[1m" in answer  # bold: colour on a terminal
        typist.type(UP + "\r")  # ↑ brings back the question, Enter asks it again
        assert QUESTION in typist.expect(r"¶11") and "更多" in typist.expect("问> ")
        typist.type("更多\r")
        assert re.search(r"2/2 .*¶12", typist.expect("问> "))
        typist.type("\r")  # a blank line: a new prompt, nothing else
        assert re.sub(r"\x1b\[[0-9;]*m|\s", "", typist.expect("问> ")) == "问>"
        typist.type("/p 7\r")
        assert "桐庐县委书记方毅说道" in typist.expect("问> ")
        typist.type("help\r")
        assert "/figures" in typist.expect("问> ")
        typist.type("半句话")
        typist.expect("半句话")
        typist.type(CTRL_C)  # drops the line, as in a shell
        assert re.sub(r"\x1b\[[0-9;]*m|\s", "", typist.expect("问> ")) == "问>"
        typist.type("quit\r")
        assert typist.wait() == 0
    history = (tmp_path / "chat_history").read_text(encoding="utf-8").splitlines()
    assert history == [QUESTION, "更多", "/p 7", "help", "quit"]
    assert (tmp_path / "chat_history").stat().st_mode & 0o077 == 0
