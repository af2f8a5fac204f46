from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.cli import chat
from bot.core.answering import Answerer

from .support import KNOWLEDGE, ROOT


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


def test_ask_json_reads_one_question_a_line_and_answers_in_order() -> None:
    questions = ["桐庐要打赢哪六大攻坚战？", "", "杭州今天天气怎么样？", "Why was the meeting postponed?"]
    done = run("ask", "--json", stdin="\n".join(questions) + "\n")
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [a["question"] for a in answers] == questions
    assert [a["answered"] for a in answers] == [True, False, False, True]
    assert all(len(a["passages"]) == 5 for a in answers)


def test_passage_texts_are_verbatim_from_the_seed(seed_text: str) -> None:
    done = run("ask", "--json", "快递回归攻坚战的目标是什么？")
    for passage in json.loads(done.stdout)["passages"]:
        assert passage["text"] in seed_text


@pytest.mark.parametrize("question", ["", "   ", "x" * 10_000, "😀😀😀"])
def test_bad_input_gets_a_clear_message_and_status_0(question: str) -> None:
    done = run("ask", question)
    assert done.returncode == 0
    assert done.stdout.strip()
    assert "Traceback" not in done.stderr


def test_readable_answer_cites_the_paragraph_and_the_missing_figure() -> None:
    done = run("ask", "全国快递包裹一年有多少件？")
    assert done.returncode == 0
    assert "¶" in done.stdout
    assert "数字缺失" in done.stdout


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


def test_chat_answers_each_line_until_an_empty_one(answerer: Answerer) -> None:
    import io

    out = io.StringIO()
    status = chat(answerer, io.StringIO("三通一达的市值是多少？\n杭州天气\n\n不会被读到\n"), out)
    assert status == 0
    text = out.getvalue()
    assert "¶11" in text
    assert "文章里没有讲到这个" in text
    assert "不会被读到" not in text
