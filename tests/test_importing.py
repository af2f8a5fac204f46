"""Adding an article in one command, and answering from it beside the bundled one.

The second article (``tests/data/articles/songyang.txt``) is our own: a county news report the
method was never tuned on. ``python -m bot add`` runs once for the module (in process, as the
command line runs it); the folder it writes is the bundled knowledge plus that article.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.core.answering import Answerer
from bot.core.knowledge import load_knowledge
from bot.core.library import Library
from bot.importing.check import check_folder
from bot.importing.paragraphs import split_body
from bot.importing.source import SourceError, parse
from bot.replies import payloads
from bot.replies.messages import Replies
from bot.sandbox.server import BotAPIServer

from .conftest import CACHE
from .support import KNOWLEDGE, ROOT
from .support.e2e import running_bot

SONGYANG = ROOT / "tests" / "data" / "articles" / "songyang.txt"
QUESTIONS = yaml.safe_load((ROOT / "tests" / "data" / "songyang_questions.yaml").read_text(encoding="utf-8"))
# The public development questions, in ../shared beside the checkout (or beside its worktree folder).
DEV = next(
    (d / "shared" / "eval" / "dev.yaml" for d in (ROOT.parent, ROOT.parent.parent) if (d / "shared").is_dir()), ROOT
)


@pytest.fixture(scope="module")
def added(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The bundled knowledge plus the second article, added with one command; and what it printed."""
    folder = tmp_path_factory.mktemp("two") / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    out = io.StringIO()
    sys_stdout, sys.stdout = sys.stdout, out
    try:
        status = main(["add", str(SONGYANG), "--into", str(folder), "--place", "浙江省丽水市松阳县"])
    finally:
        sys.stdout = sys_stdout
    assert status == 0
    return folder, out.getvalue()


@pytest.fixture(scope="module")
def library(added: tuple[Path, str]) -> Library:
    return Library.from_directory(added[0], CACHE)


def test_add_writes_the_article_its_source_and_its_terms(added: tuple[Path, str]) -> None:
    folder, printed = added
    article = load_knowledge(folder).article("songyang")
    assert article.title == "横樟村“幸福食堂”开张 两百多位老人家门口吃上热乎饭"
    assert article.published == "2023-11-16 08:45"
    assert article.editor == "陈丽萍" and article.place == "浙江省丽水市松阳县"
    assert (folder / "sources" / "songyang.txt").read_bytes() == SONGYANG.read_bytes()
    # The source's own paragraphs, its Markdown headings as headings, the byline on its own.
    assert [p.headings for p in article.paragraphs if p.headings] == [
        ("一餐一补，钱从哪里来",),
        ("全县老年食堂明年底全覆盖",),
    ]
    assert article.paragraphs[-1].text == "责任编辑：陈丽萍"
    assert article.paragraphs[0].text.startswith("昨天上午11点") and article.paragraphs[0].text.endswith("她笑着说。")
    userdict = (folder / "lexicon" / "songyang" / "userdict.txt").read_text(encoding="utf-8").split("\n")
    for term in ("横樟村 ns", "古市镇 ns", "阙玉英 nr", "叶建华 nr", "两餐一送 nz", "大岭根村 ns"):
        assert term in userdict
    assert "两餐一送" in (folder / "lexicon" / "songyang" / "not_figures.txt").read_text(encoding="utf-8")
    for seen in (
        "《横樟村“幸福食堂”开张",
        "2023-11-16 08:45 (line 2)",
        "陈丽萍 (line 20)",
        "一餐一补，钱从哪里来 (¶3)",
    ):
        assert seen in printed
    # English reaches words inside the article's compounds too (党支部书记 → 书记), and the byline.
    english = yaml.safe_load((folder / "lexicon" / "songyang" / "english.yaml").read_text(encoding="utf-8"))
    assert "书记" in english["secretary"] and "编辑" in english["editor"]
    assert "约120平方米" in printed and "0 of them missing" in printed  # figures found, none falsely missing
    assert "the folder loads: 2 article(s)" in printed and "default tonglu" in printed


def test_the_bot_answers_the_new_article_with_the_same_json_contract(
    added: tuple[Path, str], library: Library, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # `python -m bot ask --json` with KNOWLEDGE_DIR at the folder (in process: the same code path).
    folder, _ = added
    answerable = [q for q in QUESTIONS if q["answerable"]]
    monkeypatch.setenv("KNOWLEDGE_DIR", str(folder))
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(q["q"] + "\n" for q in answerable)))
    capsys.readouterr()
    assert main(["ask", "--json"]) == 0
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(answers) == len(answerable)
    hits = 0
    for question, answer in zip(answerable, answers, strict=True):
        assert answer["question"] == question["q"]
        assert {"verdict", "answered", "figure_missing", "figure", "reason", "passages"} <= answer.keys()
        assert len(answer["passages"]) == 5
        assert answer["figure_missing"] is False  # nothing is missing from this source
        top = answer["passages"][:3]
        hits += any(g in p["text"] for p in top for g in question["gold"])
        if any(g in top[0]["text"] for g in question["gold"]):
            assert top[0]["id"].startswith("songyang/")
    # A floor, not the score: the article's words reach it (see README for the measured figures).
    assert hits / len(answerable) >= 0.75


def test_adding_an_article_changes_no_answer_about_the_bundled_one(library: Library, answerer: Answerer) -> None:
    sets = [DEV] if DEV.is_file() else []
    sets += [ROOT / "tests" / "data" / name for name in ("questions.yaml", "questions_more.yaml")]
    questions = [q["q"] for path in sets for q in yaml.safe_load(path.read_text(encoding="utf-8"))]
    taken = []
    for question in questions:
        alone, beside = answerer.answer(question), library.answer(question)
        if beside.passages[0].passage.is_header and alone.passages[0].passage.is_header:
            continue  # "when was it published": every article's date (below)
        if beside.passages[0].passage.article_id != "tonglu":
            taken.append(question)
            # The new article may answer only what the bundled one does not.
            assert not alone.answered, question
            continue
        assert [(r.passage.key, r.score) for r in beside.passages] == [
            (r.passage.key, r.score) for r in alone.passages
        ], question
        assert (beside.verdict, beside.figure) == (alone.verdict, alone.figure), question
    assert len(taken) <= len(questions) // 20, taken


def test_when_was_it_published_answers_per_article(library: Library) -> None:
    answer = library.answer("这篇文章是什么时候发布的？")
    assert answer.answered
    assert [r.passage.key for r in answer.passages[:2]] == ["tonglu/title", "songyang/title"]


def test_links_and_buttons_name_the_article(library: Library) -> None:
    replies = Replies(library, username="TongluTestBot")
    assert "¶7" in replies.start("p7").html and "方毅" in replies.start("p7").html  # old links: the default
    assert "县民政局副局长吴晓东" in replies.start("songyang-p5").html
    answer = library.answer("横樟村的老人每餐要付多少钱？")
    assert answer.passages[0].passage.article_id == "songyang"
    reply = replies.answer(answer, group=True)
    urls = [b.url for row in reply.buttons for b in row if b.url]
    assert urls and all("start=songyang-p" in u for u in urls)
    assert "《横樟村“幸福食堂”开张" in reply.html  # the citation names its article
    listing = replies.articles()
    assert "目标不降，任务不减" in listing.html and "幸福食堂" in listing.html
    opened = [payloads.decode(b.callback) for row in listing.buttons for b in row]
    assert opened == [payloads.Paragraph("tonglu", 1), payloads.Paragraph("songyang", 1)]


async def test_articles_and_deep_links_end_to_end(library: Library) -> None:
    server = BotAPIServer(username="TongluTestBot")
    await server.start()
    try:
        async with running_bot(server, library):
            user = server.user(7001, "Ming", "ming")
            chat = server.private_chat(user)
            listing = await server.reply_to(await server.send(chat, user, "/articles"))
            assert "2 篇文章" in listing.text and "（默认）" in listing.text
            opened = await server.reply_to(await server.send(chat, user, "/start songyang-p3"))
            assert "《横樟村“幸福食堂”开张 两百多位老人家门口吃上热乎饭》¶3" in opened.text
            old = await server.reply_to(await server.send(chat, user, "/start p7"))
            assert "《目标不降，任务不减！桐庐全县誓师奋进》¶7" in old.text
        assert server.refused == []
    finally:
        await server.stop()


# --- the pieces, on small texts ----------------------------------------------------------------------


def test_the_source_header_gives_title_date_editor_and_where_the_body_starts() -> None:
    text = "# 标题在这里\n\n2024年3月1日 10:00  来源：某某新闻\n作者：张三\n\n正文第一段。\n\n责任编辑：李四"
    header = parse(text)
    assert (header.title, header.published, header.editor) == ("标题在这里", "2024年3月1日 10:00", "李四")
    assert header.body_line == 6 and header.body.startswith("正文第一段。")
    given = parse("正文第一段，没有标题行。\n第二段。", title="给定的标题", published="2024/3/1")
    assert given.given == ("title", "published") and given.body_line == 1
    with pytest.raises(SourceError, match="--published"):
        parse("标题\n正文没有日期。")


def test_paragraphs_keep_the_source_s_breaks_and_cut_run_on_text_at_sentence_ends() -> None:
    def words(sentence: str) -> list[str]:
        return [sentence[i : i + 2] for i in range(0, len(sentence) - 1, 2)]

    run_on = "甲乙丙丁戊己庚辛。" * 60
    body = "## 小标题\n\n第一段。\n\n一个独立的短标题\n\n第二段比标题长得多。\n\n" + run_on + "\n\n责任编辑：王五"
    pieces = split_body(body, words)
    assert pieces[0].headings == ("小标题",) and pieces[0].text == "第一段。"
    assert pieces[1].headings == ("一个独立的短标题",)
    long = [p for p in pieces if p.cut]
    assert len(long) >= 2 and all(60 <= len(p.text) <= 320 and p.text.endswith("。") for p in long)
    assert pieces[-1].text == "责任编辑：王五"
    assert "".join(p.text for p in long) == run_on


def test_check_prints_each_problem_on_one_line(
    added: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _ = added
    assert check_folder(folder) == []
    broken = tmp_path / "k"
    shutil.copytree(folder, broken)
    data = yaml.safe_load((broken / "songyang.yaml").read_text(encoding="utf-8"))
    data["paragraphs"][1]["text"] = data["paragraphs"][1]["text"].replace("1126人", "1162人")
    (broken / "songyang.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (broken / "tonglu.yaml").write_text("id: [", encoding="utf-8")
    (broken / "lexicon" / "nobody").mkdir()
    problems = check_folder(broken)
    assert len(problems) == 3 and all("\n" not in p for p in problems)
    assert any("tonglu.yaml: line 1: malformed YAML" in p for p in problems)
    assert any("lexicon/nobody: a lexicon layer for no article" in p for p in problems)
    verbatim = next(p for p in problems if "songyang.yaml" in p)
    # Both sides around the first difference.
    assert "paragraphs[1]" in verbatim and "“…" not in verbatim
    assert "1126人" in verbatim and "1162人" in verbatim and "line 6, column 24" in verbatim
    capsys.readouterr()
    assert main(["check", str(broken)]) == 1
    assert capsys.readouterr().out.splitlines() == problems


@pytest.mark.slow  # a second import: four seconds
def test_dry_run_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    into = tmp_path / "new"
    assert main(["add", str(SONGYANG), "--into", str(into), "--dry-run"]) == 0
    assert not into.exists()
    assert "dry run: nothing written" in capsys.readouterr().out
