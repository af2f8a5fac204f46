"""The lexicon is written from the article's own terms, and is well-formed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.knowledge import Knowledge
from bot.core.lexicon import load_layers, load_lexicon
from bot.errors import KnowledgeError

from .support import KNOWLEDGE

LEXICON = KNOWLEDGE / "lexicon"


def top_level_keys(path: Path) -> list[str]:
    return re.findall(r"^([^#\s][^:]*):", path.read_text(encoding="utf-8"), flags=re.M)


@pytest.mark.parametrize("name", ["synonyms.yaml", "everyday.yaml", "english.yaml", "everyday_en.yaml"])
def test_no_key_is_written_twice(name: str) -> None:
    # YAML would keep only the last of two equal keys, silently.
    keys = top_level_keys(LEXICON / name)
    assert len(keys) == len(set(keys)), sorted(k for k in set(keys) if keys.count(k) > 1)


def test_every_synonym_key_is_the_articles_own_term(knowledge: Knowledge) -> None:
    text = "".join(p.source_text for p in knowledge.passages)
    missing = [key for key in top_level_keys(LEXICON / "synonyms.yaml") if key not in text]
    assert missing == []


def test_every_english_term_leads_to_the_article(knowledge: Knowledge) -> None:
    text = "".join(p.source_text for p in knowledge.passages) + "标题 日期 县长"
    lexicon = load_lexicon(LEXICON)
    unreachable = {key: terms for key, terms in lexicon.english.items() if not any(t in text for t in terms)}
    assert unreachable == {}


def test_a_malformed_lexicon_names_the_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "synonyms.yaml").write_text("快递: 速递\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="synonyms.yaml: 快递: expected a list"):
        load_lexicon(tmp_path)


def test_a_missing_lexicon_is_empty(tmp_path: Path) -> None:
    lexicon = load_lexicon(tmp_path)
    assert not lexicon.synonyms and not lexicon.english and lexicon.userdict is None


# Interrogatives: a question's wording, never a way of saying the article's terms.
_QUESTION_WORD = re.compile(
    r"什么|啥|怎么|怎样|如何|为什么|为何|咋|哪|谁|多少|多久|多长|\b(what|who|when|where|why|how|which)\b"
)


def test_no_alias_is_a_question_template(knowledge: Knowledge) -> None:
    # "多久 → 一个多月" answered how long the meeting lasted with the epidemic's weeks.
    lexicon = load_layers(KNOWLEDGE, [a.id for a in knowledge.articles])
    templates = [alias for alias in (*lexicon.synonyms, *lexicon.english) if _QUESTION_WORD.search(alias)]
    assert templates == []


def test_lexicon_files_are_bounded_like_articles(tmp_path: Path) -> None:
    (tmp_path / "synonyms.yaml").write_text("攻坚战: &a [仗]\n战役: *a\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="synonyms.yaml: line 2: malformed YAML: aliases"):
        load_lexicon(tmp_path)


def test_a_folder_without_a_lexicon_still_speaks_everyday_chinese(tmp_path: Path) -> None:
    # What `python -m bot add` writes has no synonyms.yaml: the language's own layer reaches it.
    lexicon = load_layers(tmp_path, [])
    assert "确诊病例" in lexicon.synonyms["病人"] and "快递" in lexicon.synonyms["物流"]
    assert "快递" in lexicon.english["courier"] and "包裹" in lexicon.english["parcel"]
    assert lexicon.dialect["而家"] == "现在" and "请问" in lexicon.stopwords


def test_the_everyday_layer_holds_no_article_s_names(tmp_path: Path) -> None:
    # Names and the article's own phrases stay in its synonyms.yaml, where a new article never sees them.
    everyday = set(top_level_keys(LEXICON / "everyday.yaml"))
    names = {"方毅", "翁嫣", "周海静", "蔡东海", "桐庐", "富春未来城", "一核两翼多点"}
    assert everyday.isdisjoint(top_level_keys(LEXICON / "synonyms.yaml")) and everyday.isdisjoint(names)
    english = load_layers(tmp_path, []).english  # a folder of its own: only the language's files
    assert not {t for terms in english.values() for t in terms} & names
