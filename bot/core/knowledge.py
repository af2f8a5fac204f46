"""The articles the bot answers from: YAML files in ``knowledge/`` → frozen dataclasses.

Each ``*.yaml`` at the top of the knowledge folder is one article::

    id: tonglu                      # short slug, unique; used in citations and buttons
    title: ...                      # verbatim
    published: "2020/3/11 19:59"    # as printed
    editor: ...                     # optional (责任编辑)
    place: ...                      # optional
    default: true                   # optional: the folder's default article (see below)
    source: sources/xxx.txt         # optional; when given, the text must be verbatim from it
    body_line: 3                    # optional: the source line where the body starts (default 3)
    given: [title]                  # optional: fields given by hand, not read from the source
    examples: [...]                 # optional: questions it answers well (shown to new users)
    paragraphs:
    - id: p1                        # stable id, unique within the article
      headings: [...]               # optional section headings that open this paragraph
      text: ...                     # verbatim

**Verbatim.** A source file is a header (the lines before ``body_line``: the title line, the
date line, bylines) and the body. The title must be a header line (a Markdown ``#`` mark and
surrounding blanks aside) and ``published`` must stand in one, unless listed in ``given``.
The paragraphs' headings and texts, in order, must reproduce the body exactly, with one
allowance: *at a cut* — before a heading, between a heading and its text, between two
paragraphs, and at the ends — the source may have whitespace (line breaks, blank lines,
indentation) and, before a heading, its Markdown ``#`` mark, that the paragraphs do not keep.
Inside a heading or a text, nothing may differ.

**The default article** (its examples are offered to new users, old ``/start p7`` links open
it, and it wins ties) is the setting ``DEFAULT_ARTICLE`` when given, else the one article
marked ``default: true``, else the only article. A folder of several articles with none of
these is refused: the alphabet is no reason to prefer one.

Loading validates everything at once and raises :class:`KnowledgeError` naming the file
and the field, so a broken file stops start-up instead of the first user's question. A
knowledge folder may come from anyone who can set ``KNOWLEDGE_DIR``, so its size is bounded
before anything is indexed: the file's bytes, its nesting, the number and length of the
paragraphs; YAML aliases (``*name``, which let a small file stand for a huge one) are refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from bot.errors import KnowledgeError

ARTICLE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,23}")
# Bounds on what a knowledge folder may hold (the bundled article: 7 KB, 20 paragraphs of
# at most 250 characters). A paragraph is shown in one message, which holds 4,096.
MAX_FILE_BYTES = 4_000_000
MAX_NESTING = 20
MAX_PARAGRAPHS = 5_000
MAX_PASSAGES = 20_000  # in all articles together
MAX_TEXT_CHARS = 4_000  # a paragraph's text and headings, a title, any other text field
MAX_EXAMPLES = 50
PARAGRAPH_ID = re.compile(r"[A-Za-z0-9_]{1,16}")
HEADER_ID = "title"
# The original format: a title line, a date line, then the body.
DEFAULT_BODY_LINE = 3
# What the source may have at a cut that the paragraphs do not keep.
_CUT_BLANKS = re.compile(r"\s*")
_CUT_HEADING_MARK = re.compile(r"\s*(?:#{1,6}[ \t]*)?")
# Characters of context shown on each side of a difference.
_CONTEXT = 12


@dataclass(frozen=True)
class Passage:
    """One unit of retrieval: a paragraph of an article, or its header (title and date).

    ``number`` is the paragraph's position for citation (¶1, ¶2 …); the header is ¶0.
    ``headings`` are the section headings printed right before this paragraph (part of the
    verbatim body, restored as headings: the source ran them into the text).
    """

    article_id: str
    id: str
    number: int
    text: str
    headings: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Globally unique id, ``article/paragraph`` (short enough for callback data)."""
        return f"{self.article_id}/{self.id}"

    @property
    def source_text(self) -> str:
        """Headings and text as they stand in the source: one verbatim stretch of it."""
        return "".join(self.headings) + self.text

    @property
    def is_header(self) -> bool:
        """Whether this is the article's title-and-date passage rather than a paragraph."""
        return self.id == HEADER_ID

    @property
    def citation(self) -> str:
        """``¶7`` for a paragraph, ``标题`` for the header."""
        return "标题" if self.is_header else f"¶{self.number}"


@dataclass(frozen=True)
class Article:
    """One article: metadata and its paragraphs, in order."""

    id: str
    title: str
    published: str
    paragraphs: tuple[Passage, ...]
    editor: str | None = None
    place: str | None = None
    path: str = ""
    examples: tuple[str, ...] = ()
    marked_default: bool = False  # ``default: true`` in its file

    @cached_property
    def header(self) -> Passage:
        """The title and publication time, as printed at the top of the article."""
        return Passage(self.id, HEADER_ID, 0, f"{self.title}\n{self.published}")

    @property
    def body(self) -> str:
        """The article's body, headings included, exactly as in its source."""
        return "".join(p.source_text for p in self.paragraphs)

    def paragraph(self, number: int) -> Passage | None:
        """The paragraph cited as ¶``number``, if there is one."""
        if 1 <= number <= len(self.paragraphs):
            return self.paragraphs[number - 1]
        return None


@dataclass(frozen=True)
class Knowledge:
    """Every loaded article and every passage, addressable by key.

    The default article comes first (see :func:`order_articles`), so it also wins ties.
    """

    articles: tuple[Article, ...]
    by_key: Mapping[str, Passage] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_key = {p.key: p for a in self.articles for p in (a.header, *a.paragraphs)}
        object.__setattr__(self, "by_key", by_key)

    @property
    def default(self) -> Article:
        """The default article: its examples are offered, old ``p7`` links open it."""
        return self.articles[0]

    @property
    def examples(self) -> tuple[str, ...]:
        """Example questions to offer users: the default article's."""
        return self.default.examples

    @property
    def passages(self) -> tuple[Passage, ...]:
        """All passages in a fixed order: per article, the header then the paragraphs."""
        return tuple(self.by_key.values())

    def article(self, article_id: str) -> Article:
        """The article with this id (``KeyError`` if unknown)."""
        for article in self.articles:
            if article.id == article_id:
                return article
        raise KeyError(article_id)


def bundled_knowledge_dir() -> Path:
    """The knowledge that comes with the code: the checkout's ``knowledge/``, or the installed copy."""
    package = Path(__file__).resolve().parents[1]
    checkout = package.parent / "knowledge"
    if checkout.is_dir():
        return checkout
    # A wheel carries the top-level knowledge/ folder as the data package bot.bundled_knowledge.
    return package / "bundled_knowledge"


def article_files(directory: Path) -> list[Path]:
    """The article files of a knowledge folder: every ``*.yaml`` at its top."""
    return sorted(directory.glob("*.yaml"))


def load_knowledge(directory: Path, default: str | None = None) -> Knowledge:
    """Load and validate every article in ``directory``.

    ``default`` is the ``DEFAULT_ARTICLE`` setting (None: the folder says, see the module).
    """
    if not directory.is_dir():
        raise KnowledgeError(directory, "", "knowledge folder not found")
    files = article_files(directory)
    if not files:
        raise KnowledgeError(directory, "", "no article (*.yaml) in the knowledge folder")
    articles = [load_article(path) for path in files]
    passages = sum(len(a.paragraphs) + 1 for a in articles)
    if passages > MAX_PASSAGES:
        raise KnowledgeError(directory, "", f"{passages} passages in all: at most {MAX_PASSAGES}")
    seen: dict[str, Path] = {}
    for path, article in zip(files, articles, strict=True):
        if article.id in seen:
            raise KnowledgeError(path, "id", f"{article.id!r} is also the id of {seen[article.id]}")
        seen[article.id] = path
    return Knowledge(order_articles(directory, articles, default))


def order_articles(directory: Path, articles: list[Article], default: str | None = None) -> tuple[Article, ...]:
    """The articles with the default one first, the others in file order."""
    if default:
        chosen = [a for a in articles if a.id == default]
        if not chosen:
            known = ", ".join(a.id for a in articles)
            raise KnowledgeError(directory, "DEFAULT_ARTICLE", f"no article {default!r} here (there are: {known})")
    else:
        chosen = [a for a in articles if a.marked_default]
        if len(chosen) > 1:
            names = ", ".join(Path(a.path).name for a in chosen)
            raise KnowledgeError(directory, "default", f"more than one article is marked default: {names}")
        if not chosen and len(articles) > 1:
            raise KnowledgeError(
                directory,
                "default",
                f"{len(articles)} articles and no default: set DEFAULT_ARTICLE or mark one with 'default: true'",
            )
        chosen = chosen or articles[:1]
    first = chosen[0]
    return (first, *(a for a in articles if a is not first))


def load_article(path: Path) -> Article:
    """Load one article file, validating every field."""
    data = read_yaml(path)
    if data is None:
        raise KnowledgeError(path, "", "empty file")
    if not isinstance(data, dict):
        raise KnowledgeError(path, "", "expected a mapping of article fields")

    article_id = _text(data, "id", path, "")
    if not ARTICLE_ID.fullmatch(article_id):
        raise KnowledgeError(path, "id", "expected a short lower-case slug (a-z, 0-9, -)")
    title = _text(data, "title", path, "")
    published = _text(data, "published", path, "")
    editor = _optional_text(data, "editor", path)
    place = _optional_text(data, "place", path)

    raw_paragraphs = data.get("paragraphs")
    if not isinstance(raw_paragraphs, list) or not raw_paragraphs:
        raise KnowledgeError(path, "paragraphs", "expected a non-empty list")
    if len(raw_paragraphs) > MAX_PARAGRAPHS:
        raise KnowledgeError(path, "paragraphs", f"{len(raw_paragraphs)} paragraphs: at most {MAX_PARAGRAPHS}")
    paragraphs = tuple(_paragraphs(article_id, raw_paragraphs, path))

    examples = data.get("examples") or []
    if not isinstance(examples, list) or not all(isinstance(e, str) and e.strip() for e in examples):
        raise KnowledgeError(path, "examples", "expected a list of non-empty questions")
    if len(examples) > MAX_EXAMPLES or any(len(e) > MAX_TEXT_CHARS for e in examples):
        raise KnowledgeError(path, "examples", f"at most {MAX_EXAMPLES} questions of {MAX_TEXT_CHARS} characters")
    marked = data.get("default", False)
    if not isinstance(marked, bool):
        raise KnowledgeError(path, "default", "expected true or false")
    article = Article(
        article_id, title, published, paragraphs, editor, place, str(path), tuple(examples), marked_default=marked
    )
    source = _optional_text(data, "source", path)
    if source is not None:
        body_line = data.get("body_line", DEFAULT_BODY_LINE)
        if not isinstance(body_line, int) or isinstance(body_line, bool) or body_line < 1:
            raise KnowledgeError(path, "body_line", "expected a line number (1 or more)")
        given = data.get("given") or []
        if not isinstance(given, list) or not set(given) <= {"title", "published"}:
            raise KnowledgeError(path, "given", "expected a list of 'title' and 'published'")
        _check_verbatim(article, path, path.parent / source, body_line, frozenset(given))
    return article


def read_yaml(path: Path) -> Any:
    """The YAML document in ``path``, bounded in size and nesting, without aliases.

    Any problem is one :class:`KnowledgeError` naming the file (and the line), never a
    traceback: not even for a 100,000-level nesting that would exhaust the recursion.
    """
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise KnowledgeError(path, "", f"{size:,} bytes: a knowledge file may have at most {MAX_FILE_BYTES:,}")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeError(path, "", f"cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise KnowledgeError(path, "", "not UTF-8 text") from exc
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "malformed YAML"
        raise KnowledgeError(path, where, f"malformed YAML: {problem}") from exc
    except RecursionError:  # a safety net: the loader's own bound comes first
        raise KnowledgeError(path, "", f"nested more than {MAX_NESTING} levels deep") from None
    finally:
        loader.dispose()


class _BoundedLoader(yaml.SafeLoader):
    """``yaml.safe_load``'s loader, refusing aliases and nesting deeper than MAX_NESTING."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            problem = "aliases (*name) are not allowed in knowledge files"
        elif self._depth >= MAX_NESTING:
            problem = f"nested more than {MAX_NESTING} levels deep"
        else:
            problem = ""
        if problem:
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(None, None, problem, mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _paragraphs(article_id: str, raw: list[Any], path: Path) -> Iterable[Passage]:
    ids: set[str] = set()
    for index, item in enumerate(raw):
        where = f"paragraphs[{index}]"
        if not isinstance(item, dict):
            raise KnowledgeError(path, where, "expected a mapping with 'id' and 'text'")
        pid = _text(item, "id", path, where)
        if not PARAGRAPH_ID.fullmatch(pid) or pid == HEADER_ID:
            raise KnowledgeError(path, f"{where}.id", "expected 1-16 of A-Z a-z 0-9 _ (not 'title')")
        if pid in ids:
            raise KnowledgeError(path, f"{where}.id", f"duplicate id {pid!r}")
        ids.add(pid)
        text = _text(item, "text", path, where)
        headings = item.get("headings", [])
        if isinstance(headings, str):
            headings = [headings]
        if not isinstance(headings, list) or not all(isinstance(h, str) and h for h in headings):
            raise KnowledgeError(path, f"{where}.headings", "expected a list of non-empty strings")
        if len(text) + sum(len(h) for h in headings) > MAX_TEXT_CHARS:
            raise KnowledgeError(path, where, f"longer than {MAX_TEXT_CHARS} characters (headings and text)")
        yield Passage(article_id, pid, index + 1, text, tuple(headings))


def _text(data: dict[str, Any], name: str, path: Path, where: str) -> str:
    field_path = f"{where}.{name}" if where else name
    if name not in data:
        raise KnowledgeError(path, where, f"missing {name!r}")
    value = data[name]
    if not isinstance(value, str) or not value.strip():
        raise KnowledgeError(path, field_path, "expected non-empty text")
    if len(value) > MAX_TEXT_CHARS:
        raise KnowledgeError(path, field_path, f"longer than {MAX_TEXT_CHARS} characters")
    return value


def _optional_text(data: dict[str, Any], name: str, path: Path) -> str | None:
    if data.get(name) is None:
        return None
    return _text(data, name, path, "")


def _check_verbatim(article: Article, path: Path, source: Path, body_line: int, given: frozenset[str]) -> None:
    """The source's header holds the title and date; the paragraphs reproduce its body (see the module)."""
    try:
        original = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeError(path, "source", f"cannot read {source.name}") from exc
    lines = original.split("\n")
    header = lines[: body_line - 1]
    if "title" not in given and not any(_heading_line(line) == article.title for line in header):
        raise KnowledgeError(path, "title", f"not verbatim: no line of {source.name} before line {body_line} is it")
    if "published" not in given and not any(article.published in line for line in header):
        raise KnowledgeError(path, "published", f"not verbatim: no line of {source.name} before {body_line} has it")
    body = "\n".join(lines[body_line - 1 :])
    position = 0
    for index, paragraph in enumerate(article.paragraphs):
        pieces = [(h, _CUT_HEADING_MARK) for h in paragraph.headings] + [(paragraph.text, _CUT_BLANKS)]
        for piece, cut in pieces:
            skipped = cut.match(body, position)
            start = skipped.end() if skipped else position
            if not body.startswith(piece, start):
                offset = next(i for i, ch in enumerate(piece) if start + i >= len(body) or body[start + i] != ch)
                problem = _difference(source.name, body, start + offset, piece[offset:], body_line)
                raise KnowledgeError(path, f"paragraphs[{index}]", problem)
            position = start + len(piece)
    if body[position:].strip():
        at = position + len(body[position:]) - len(body[position:].lstrip())
        raise KnowledgeError(path, "paragraphs", _difference(source.name, body, at, "", body_line))


def _heading_line(line: str) -> str:
    """A header line without its Markdown ``#`` mark and surrounding blanks."""
    return _CUT_HEADING_MARK.sub("", line, count=1).strip()


def _difference(name: str, body: str, at: int, ours: str, body_line: int) -> str:
    """Both sides around the first difference, at ``body[at]`` (``ours``: the article from there on)."""
    line = body_line + body.count("\n", 0, at)
    column = at - (body.rfind("\n", 0, at) + 1) + 1
    before = body[max(0, at - _CONTEXT) : at]

    def shown(rest: str) -> str:
        return "“" + (before + rest[:_CONTEXT]).replace("\n", "⏎") + ("…”" if len(rest) > _CONTEXT else "”（完）")

    return (
        f"not verbatim: differs from {name} at line {line}, column {column}: "
        f"the source has {shown(body[at:])} where the article has {shown(ours)}"
    )
