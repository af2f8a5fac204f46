from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .support import KNOWLEDGE, ROOT
from .support.terminal import Typist


def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_ask_json_follows_the_contract() -> None:
    done = run("ask", "--json", "三通一达加起来市值多少钱？")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    answer = json.loads(lines[0])
    assert answer["question"] == "三通一达加起来市值多少钱？"
    assert answer["answered"] is True and answer["figure_missing"] is True
    assert len(answer["passages"]) == 5
    for passage in answer["passages"]:
        assert set(passage) >= {"id", "text", "score", "figures"}
        assert isinstance(passage["score"], float)
        assert all(set(f) >= {"text", "missing"} for f in passage["figures"])
    scores = [p["score"] for p in answer["passages"]]
    assert scores == sorted(scores, reverse=True)
    assert "三通一达总市值达亿" in answer["passages"][0]["text"]
    assert done.stderr == ""


STDIN_QUESTIONS = [
    "桐庐要打赢哪六大攻坚战？",
    "",
    "杭州今天天气怎么样？",
    "Why was the meeting postponed?",
    "快递回归攻坚战的目标是什么？",
]


@pytest.fixture(scope="module")
def stdin_answers() -> list[dict[str, Any]]:
    """One ``ask --json`` process answering STDIN_QUESTIONS, one a line (shared: a start-up is a second)."""
    done = run("ask", "--json", stdin="\n".join(STDIN_QUESTIONS) + "\n")
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_ask_json_reads_one_question_a_line_and_answers_in_order(stdin_answers: list[dict[str, Any]]) -> None:
    assert [a["question"] for a in stdin_answers] == STDIN_QUESTIONS
    assert [a["answered"] for a in stdin_answers] == [True, False, False, True, True]
    assert all(len(a["passages"]) == 5 for a in stdin_answers)


def test_passage_texts_are_verbatim_from_the_seed(stdin_answers: list[dict[str, Any]], seed_text: str) -> None:
    for answer in stdin_answers:
        for passage in answer["passages"]:
            assert passage["text"] in seed_text


BAD = ["", "   ", "x" * 10_000, "😀😀😀"]
MISSING_FIGURE = "全国快递包裹一年有多少件？"


@pytest.fixture(scope="module")
def readable() -> subprocess.CompletedProcess[str]:
    """One ``ask`` process answering BAD, then MISSING_FIGURE, as text for people."""
    return run("ask", stdin="\n".join([*BAD, MISSING_FIGURE]) + "\n")


def test_bad_input_gets_a_clear_message_and_status_0(readable: subprocess.CompletedProcess[str]) -> None:
    assert readable.returncode == 0
    assert "Traceback" not in readable.stderr
    said = re.findall(r"请输入一个关于这篇文章的问题|问题太长了", readable.stdout)
    assert said == ["请输入一个关于这篇文章的问题"] * 2 + ["问题太长了", "请输入一个关于这篇文章的问题"]


def test_readable_answer_cites_the_paragraph_and_the_missing_figure(readable: subprocess.CompletedProcess[str]) -> None:
    last = readable.stdout.rsplit("请输入一个关于这篇文章的问题", 1)[1]  # after the answers to BAD
    assert "¶" in last
    assert "数字缺失" in last


def test_a_broken_knowledge_file_exits_non_zero_with_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "k"
    broken.mkdir()
    data = yaml.safe_load((KNOWLEDGE / "tonglu.yaml").read_text(encoding="utf-8"))
    del data["paragraphs"][3]["text"]
    (broken / "tonglu.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    done = run("ask", "问题", env={"KNOWLEDGE_DIR": str(broken)})
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "tonglu.yaml" in lines[0] and "paragraphs[3]" in lines[0] and "text" in lines[0]


def test_ask_to_a_closed_pipe_ends_quietly_with_status_0(tmp_path: Path) -> None:
    # More answers than a pipe holds: `head -1` has gone long before the last is written.
    questions = tmp_path / "questions.txt"
    questions.write_text("桐庐要打赢哪六大攻坚战？\n" * 300, encoding="utf-8")
    command = [sys.executable, "-m", "bot", "ask"]
    with (
        questions.open("rb") as stdin,
        subprocess.Popen(command, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT) as ask,
    ):
        assert ask.stdout is not None and ask.stderr is not None
        head = subprocess.run(["head", "-1"], stdin=ask.stdout, capture_output=True, timeout=60, check=True)
        ask.stdout.close()  # only head read it: now that head has ended, the pipe is closed
        stderr = ask.stderr.read()
        status = ask.wait(timeout=60)
    assert "¶9" in head.stdout.decode()
    assert (status, stderr.decode()) == (0, "")


def test_ask_with_no_question_on_a_terminal_asks_for_one() -> None:
    with Typist("ask", env={"NO_COLOR": "1"}) as typist:
        typist.expect("问题：")
        typist.type("桐庐要打赢哪六大攻坚战？\r")
        answer = typist.expect(r"¶9.*\n(.*\n)*.*攻坚战")
        assert typist.wait() == 0
    # NO_COLOR: no styles, though this is a terminal.
    assert not re.search(r"\x1b\[[0-9;]*m", answer)
