from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.core import knowledge as knowledge_module
from bot.core.knowledge import Knowledge, bundled_knowledge_dir, load_article, load_knowledge
from bot.errors import KnowledgeError

from .support import BUNDLED, KNOWLEDGE


def test_paragraphs_and_headings_reproduce_the_seed_body_exactly(knowledge: Knowledge, seed_text: str) -> None:
    title, published, body = seed_text.split("\n", 2)
    article = knowledge.article("tonglu")
    assert article.title == title
    assert article.published == published
    joined = "".join("".join(p.headings) + p.text for p in article.paragraphs)
    assert joined == body


def test_metadata_and_headings(knowledge: Knowledge) -> None:
    article = knowledge.article("tonglu")
    assert article.published == "2020/3/11 19:59"
    assert article.editor == "蔡东海"
    assert article.place
    headings = [h for p in article.paragraphs for h in p.headings]
    assert "表彰担当作为好干部" in headings
    assert "发布全县第一批乡镇街道减负清单" in headings


def test_paragraphs_are_numbered_in_order_with_unique_ids(knowledge: Knowledge) -> None:
    article = knowledge.article("tonglu")
    assert [p.number for p in article.paragraphs] == list(range(1, len(article.paragraphs) + 1))
    assert len({p.id for p in article.paragraphs}) == len(article.paragraphs)
    assert article.paragraph(1) is article.paragraphs[0]
    assert article.paragraph(0) is None and article.paragraph(len(article.paragraphs) + 1) is None
    assert all(p.citation == f"¶{p.number}" for p in article.paragraphs)


def test_paragraphs_are_reader_sized(knowledge: Knowledge) -> None:
    # The topic turns are real paragraphs, not the whole body in one piece.
    lengths = [len(p.text) for p in knowledge.article("tonglu").paragraphs]
    assert len(lengths) >= 15
    assert max(lengths) <= 250


def test_header_passage_is_title_and_date(knowledge: Knowledge) -> None:
    header = knowledge.article("tonglu").header
    assert header.is_header and header.citation == "标题"
    assert "2020/3/11" in header.text
    assert knowledge.by_key[header.key] is header


def write_article(folder: Path, name: str, data: object) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


GOOD = {"id": "demo", "title": "标题", "published": "2024/1/2 10:00", "paragraphs": [{"id": "p1", "text": "第一段。"}]}


@pytest.mark.parametrize(
    ("change", "where", "problem"),
    [
        (lambda d: d.pop("title"), "", "missing 'title'"),
        (lambda d: d.update(title=""), "title", "expected non-empty text"),
        (lambda d: d.update(id="Not A Slug"), "id", "slug"),
        (lambda d: d.update(paragraphs=[]), "paragraphs", "non-empty list"),
        (lambda d: d["paragraphs"][0].pop("text"), "paragraphs[0]", "missing 'text'"),
        (lambda d: d["paragraphs"].append({"id": "p1", "text": "x"}), "paragraphs[1].id", "duplicate id"),
        (lambda d: d["paragraphs"][0].update(headings=[3]), "paragraphs[0].headings", "list of non-empty strings"),
        (lambda d: d["paragraphs"].append("text"), "paragraphs[1]", "expected a mapping"),
    ],
)
def test_a_malformed_article_names_file_and_field(tmp_path: Path, change, where: str, problem: str) -> None:
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    change(data)
    path = write_article(tmp_path, "demo.yaml", data)
    with pytest.raises(KnowledgeError) as raised:
        load_article(path)
    assert raised.value.path == str(path)
    assert raised.value.where == where
    assert problem in raised.value.problem
    assert str(path) in str(raised.value)


def test_malformed_yaml_empty_file_and_wrong_shape(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="malformed YAML"):
        load_article(broken)
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="empty file"):
        load_article(empty)
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="mapping"):
        load_article(listing)


def test_missing_or_empty_knowledge_folder(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="not found"):
        load_knowledge(tmp_path / "nowhere")
    with pytest.raises(KnowledgeError, match="no article"):
        load_knowledge(tmp_path)


def test_an_altered_paragraph_is_not_verbatim(tmp_path: Path) -> None:
    shutil.copytree(KNOWLEDGE, tmp_path / "k")
    path = tmp_path / "k" / "tonglu.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["paragraphs"][2]["text"] = data["paragraphs"][2]["text"].replace("低风险", "中风险")
    write_article(path.parent, path.name, data)
    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(tmp_path / "k")
    assert raised.value.where == "paragraphs[2]"
    assert "not verbatim" in raised.value.problem


def test_a_dropped_paragraph_is_not_verbatim(tmp_path: Path) -> None:
    shutil.copytree(KNOWLEDGE, tmp_path / "k")
    path = tmp_path / "k" / "tonglu.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["paragraphs"][-1]
    write_article(path.parent, path.name, data)
    with pytest.raises(KnowledgeError, match="not verbatim"):
        load_knowledge(tmp_path / "k")


def test_several_files_are_several_articles(tmp_path: Path) -> None:
    shutil.copytree(KNOWLEDGE, tmp_path / "k")
    write_article(tmp_path / "k", "zz-demo.yaml", GOOD)
    knowledge = load_knowledge(tmp_path / "k")
    assert [a.id for a in knowledge.articles] == ["tonglu", "demo"]
    assert "demo/p1" in knowledge.by_key and "tonglu/p1" in knowledge.by_key
    assert knowledge.article("demo").title == "标题"


def test_two_articles_with_one_id_are_refused(tmp_path: Path) -> None:
    write_article(tmp_path, "a.yaml", GOOD)
    write_article(tmp_path, "b.yaml", GOOD)
    with pytest.raises(KnowledgeError, match="also the id"):
        load_knowledge(tmp_path)


def test_the_bundled_knowledge_is_the_checkout_s() -> None:
    assert bundled_knowledge_dir() == BUNDLED


# --- bounds: a knowledge folder may come from anyone who can set KNOWLEDGE_DIR -------------------


def test_yaml_aliases_are_refused_before_anything_is_expanded(tmp_path: Path) -> None:
    # The review's file: one long text reused by alias in 2,000 paragraphs (687 KB on disk).
    lines = ["id: demo", "title: 标题", "published: x", "paragraphs:", "- id: p0", "  text: &big " + "字" * 1000]
    lines += [f"- id: p{i}\n  text: *big" for i in range(1, 2000)]
    path = tmp_path / "demo.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as raised:
        load_article(path)
    assert raised.value.where == "line 8"  # the first *big
    assert "aliases" in raised.value.problem


def test_deep_nesting_is_one_line_not_a_recursion_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("id: demo\nexamples: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as raised:
        load_article(path)
    assert "nested more than 20 levels deep" in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_file_over_the_size_limit_is_not_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_article(tmp_path, "demo.yaml", GOOD)
    monkeypatch.setattr(knowledge_module, "MAX_FILE_BYTES", path.stat().st_size - 1)
    with pytest.raises(KnowledgeError, match="bytes: a knowledge file may have at most"):
        load_article(path)


@pytest.mark.parametrize(
    ("change", "where", "problem"),
    [
        (lambda d: d["paragraphs"][0].update(text="字" * 4001), "paragraphs[0].text", "longer than 4000 characters"),
        (
            lambda d: d["paragraphs"][0].update(headings=["标" * 2000], text="字" * 2001),
            "paragraphs[0]",
            "longer than 4000",
        ),
        (lambda d: d.update(title="标" * 4001), "title", "longer than 4000 characters"),
        (lambda d: d.update(examples=["问？"] * 51), "examples", "at most 50"),
    ],
)
def test_size_limits_name_file_and_field(tmp_path: Path, change, where: str, problem: str) -> None:
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    change(data)
    path = write_article(tmp_path, "demo.yaml", data)
    with pytest.raises(KnowledgeError) as raised:
        load_article(path)
    assert (raised.value.where, problem in raised.value.problem) == (where, True), raised.value


def test_paragraphs_are_bounded_in_number(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_article(
        tmp_path, "demo.yaml", {**GOOD, "paragraphs": [{"id": f"p{i}", "text": "段。"} for i in range(4)]}
    )
    monkeypatch.setattr(knowledge_module, "MAX_PARAGRAPHS", 3)
    with pytest.raises(KnowledgeError, match="paragraphs: 4 paragraphs: at most 3"):
        load_article(path)


def test_passages_are_bounded_in_all_articles_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("a", "b"):
        write_article(tmp_path, f"{name}.yaml", {**GOOD, "id": name})
    monkeypatch.setattr(knowledge_module, "MAX_PASSAGES", 3)
    with pytest.raises(KnowledgeError, match="4 passages in all: at most 3"):
        load_knowledge(tmp_path)
