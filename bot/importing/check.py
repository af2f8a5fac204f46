"""``python -m bot check [DIR]``: every problem of a knowledge folder, one a line.

Each article file is loaded on its own (the first problem of each is reported), then what
concerns the folder: ids used twice, the default article, the lexicon layers (a layer for an
article that is not there, a malformed table, a synonym key the articles never use).
"""

from __future__ import annotations

from pathlib import Path

from bot.core.knowledge import Article, article_files, load_article, order_articles, read_yaml
from bot.core.lexicon import LEXICON, load_lexicon
from bot.errors import KnowledgeError


def check_folder(directory: Path, default: str | None = None) -> list[str]:
    """The problems of the knowledge folder ``directory`` (empty: it is fine)."""
    if not directory.is_dir():
        return [f"{directory}: knowledge folder not found"]
    files = article_files(directory)
    if not files:
        return [f"{directory}: no article (*.yaml) in the knowledge folder"]
    problems: list[str] = []
    articles: list[Article] = []
    ids = set()
    for path in files:
        ids.add(_declared_id(path))
        try:
            articles.append(load_article(path))
        except KnowledgeError as exc:
            problems.append(str(exc))
    seen: dict[str, str] = {}
    for article in articles:
        if article.id in seen:
            problems.append(f"{article.path}: id: {article.id!r} is also the id of {seen[article.id]}")
        seen.setdefault(article.id, article.path)
    if articles:
        try:
            order_articles(directory, articles, default)
        except KnowledgeError as exc:
            problems.append(str(exc))
    text = "".join(p.source_text for a in articles for p in (a.header, *a.paragraphs))
    lexicon = directory / LEXICON
    layers = [lexicon] + sorted(p for p in lexicon.iterdir() if p.is_dir()) if lexicon.is_dir() else []
    for layer in layers:
        if layer != lexicon and layer.name not in ids | seen.keys():
            problems.append(f"{layer}: a lexicon layer for no article (no article has the id {layer.name!r})")
            continue
        try:
            loaded = load_lexicon(layer)
        except KnowledgeError as exc:
            problems.append(str(exc))
            continue
        unused = sorted({t for terms in loaded.synonyms.values() for t in terms if t not in text})
        if unused and len(articles) == len(files):  # with an article unreadable, the text is not all there
            problems.append(f"{layer / 'synonyms.yaml'}: terms no article uses: {', '.join(unused)}")
    return problems


def _declared_id(path: Path) -> str:
    """The id an article file declares, even when the file has other problems."""
    try:
        data = read_yaml(path)  # bounded: a file too big or too deep for the loader is no id
    except KnowledgeError:
        return path.stem
    found = data.get("id") if isinstance(data, dict) else None
    return found if isinstance(found, str) else path.stem
