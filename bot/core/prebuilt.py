"""Start-up costs paid once: the tokenizer's dictionary and the index, saved and checksummed.

Building the answerer means loading jieba's dictionary and tags (about a second) and
tokenising and indexing every passage (seconds for a large knowledge folder). Both are
saved under a cache folder, in a directory named by a digest of everything they depend on:
every file of the knowledge folder, the versions of this package and of jieba, and the file
format. Any change to the knowledge makes a new digest, so a stale index is never used. A
manifest holds the BLAKE2 digest of each saved file, checked on every load; a missing,
corrupt or half-written entry is rebuilt. Entries are written to a temporary directory and
renamed into place, so processes starting together never see each other's partial work.

The folder is the settings' ``cache_dir`` (see :mod:`bot.config`). If it cannot be written,
everything is built in memory.
"""

from __future__ import annotations

import hashlib
import json
import logging
import marshal
import re
import shutil
import tempfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import jieba

from bot import __version__
from bot.core import thesaurus
from bot.core.knowledge import Knowledge, Passage, load_knowledge
from bot.core.lexicon import Lexicon, language_files, load_layers
from bot.core.query import DATE_TERM
from bot.core.retrieval import BM25Index
from bot.core.spelling import homophone_table, pinyin_table
from bot.core.tokenizer import Tokenizer
from bot.core.wordstore import WordStore

log = logging.getLogger(__name__)

FORMAT = "5"
WORDS = "words.bin"
INDEX = "index.npz"
LANGUAGE = "language.bin"
MANIFEST = "manifest.json"
# Entries kept in the cache folder (one per knowledge folder state), newest first.
KEEP_ENTRIES = 4
_CJK_TERM = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
# Labels that let the header passage answer "when was it published", "what is the title".
HEADER_LABELS = f"标题 发布 {DATE_TERM}"


@dataclass(frozen=True)
class Prepared:
    """What an Answerer is made of."""

    knowledge: Knowledge
    lexicon: Lexicon
    tokenizer: Tokenizer
    index: BM25Index
    language: Language
    cached: bool  # loaded from the cache rather than built
    # Each article's own index (its own statistics): what answers it as if it were alone.
    articles: Mapping[str, BM25Index] = field(default_factory=dict)


@dataclass(frozen=True)
class Language:
    """What the question analysis knows of Chinese at large, cut down to this article.

    Built from pypinyin and the Cilin when the index is built, saved beside it.
    """

    terms: tuple[str, ...]  # the article's terms a typo may stand for
    homophones: dict[str, str]  # each character of those terms → characters that sound like it
    bridge: dict[str, tuple[str, ...]]  # a word → the article's synonyms of it
    kinds: dict[str, str]  # a word → person, time or place
    pinyin: dict[str, list[str]]  # toneless pinyin (fangyi) → the terms spelled so (方毅, 防疫)

    @classmethod
    def build(cls, vocabulary: Collection[str], aliases: Mapping[str, Collection[str]]) -> Language:
        """From the index's vocabulary and the lexicon's aliases (normalised: alias → article terms)."""
        extra_terms = {t for terms in aliases.values() for t in terms}
        terms = sorted({t for t in (*vocabulary, *extra_terms) if len(t) >= 2 and _CJK_TERM.fullmatch(t)})
        return cls(
            terms=tuple(terms),
            homophones=homophone_table({c for t in terms for c in t}),
            bridge=thesaurus.bridge(set(vocabulary), aliases),
            kinds=thesaurus.kinds(),
            pinyin=pinyin_table(terms),
        )

    def save(self, path: Path) -> None:
        """Write to ``path``."""
        path.write_bytes(marshal.dumps((list(self.terms), self.homophones, self.bridge, self.kinds, self.pinyin)))

    @classmethod
    def load(cls, path: Path) -> Language:
        """Read what :meth:`save` wrote."""
        terms, homophones, bridge, kinds, pinyin = marshal.loads(path.read_bytes())
        return cls(tuple(terms), homophones, bridge, kinds, pinyin)


def digest_of(directory: Path, default: str | None = None) -> str:
    """A digest of every file of the knowledge folder and of the code that reads them.

    The ``DEFAULT_ARTICLE`` setting counts too: the default article comes first in the index.
    """
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"format={FORMAT} bot={__version__} jieba={jieba.__version__}\n".encode())
    if default:
        digest.update(f"default={default}\n".encode())
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(directory)).encode() + b"\0")
        digest.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    # The bundled language files, when the folder has none of its own.
    for path in language_files(directory):
        if not path.is_relative_to(directory):
            digest.update(b"language:" + path.name.encode() + b"\0")
            digest.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    return digest.hexdigest()


def prepare(directory: Path, cache: Path | None, default: str | None = None) -> Prepared:
    """Load the knowledge, then the saved tokenizer and index, or build them.

    What is built is saved under ``cache`` when there is one. ``default`` is the
    ``DEFAULT_ARTICLE`` setting (see :func:`bot.core.knowledge.load_knowledge`).
    """
    knowledge = load_knowledge(directory, default)  # validated on every start: it is cheap
    lexicon = load_layers(directory, (a.id for a in knowledge.articles))
    entry = cache / digest_of(directory, default) if cache is not None else None
    names = _index_names(len(knowledge.articles))
    loaded = _load(entry, names) if entry is not None else None
    if loaded is not None:
        store, indexes, language = loaded
        if [i.size for i in indexes] == _sizes(knowledge):
            tokenizer = Tokenizer(store, lexicon.stopwords, lexicon.whole_words)
            return _prepared(knowledge, lexicon, tokenizer, indexes, language, cached=True)
    terms = sorted(lexicon.article_terms)
    tokenizer = Tokenizer.build(lexicon.userdicts, terms, lexicon.stopwords, lexicon.whole_words)
    indexes = [build_index(knowledge, tokenizer)]
    if len(knowledge.articles) > 1:
        indexes.extend(build_index(Knowledge((a,)), tokenizer) for a in knowledge.articles)
    aliases = {tokenizer.normalize(a): [tokenizer.normalize(t) for t in terms] for a, terms in lexicon.synonyms.items()}
    language = Language.build(indexes[0].idf.keys(), aliases)
    if entry is not None:
        _save(entry, tokenizer.store, dict(zip(names, indexes, strict=True)), language)
    return _prepared(knowledge, lexicon, tokenizer, indexes, language, cached=False)


def _index_names(articles: int) -> list[str]:
    """The saved indexes: all passages, then each article's when there are several."""
    return [INDEX] + ([f"index-{i}.npz" for i in range(articles)] if articles > 1 else [])


def _sizes(knowledge: Knowledge) -> list[int]:
    sizes = [len(knowledge.passages)]
    if len(knowledge.articles) > 1:
        sizes.extend(len(a.paragraphs) + 1 for a in knowledge.articles)
    return sizes


def _prepared(
    knowledge: Knowledge,
    lexicon: Lexicon,
    tokenizer: Tokenizer,
    indexes: list[BM25Index],
    language: Language,
    *,
    cached: bool,
) -> Prepared:
    own = indexes[1:] or indexes[:1]
    articles = {a.id: index for a, index in zip(knowledge.articles, own, strict=True)}
    return Prepared(knowledge, lexicon, tokenizer, indexes[0], language, cached, articles)


def build_index(knowledge: Knowledge, tokenizer: Tokenizer) -> BM25Index:
    """The BM25 index over every passage of ``knowledge``, in :attr:`Knowledge.passages` order."""
    return BM25Index.build([tokenizer.tokens(index_text(p)) for p in knowledge.passages])


def index_text(passage: Passage) -> str:
    """What is indexed for a passage: its own headings and text; the header is labelled."""
    if passage.is_header:
        return f"{HEADER_LABELS} {passage.text}"
    return passage.source_text


def _file_digest(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=16)
    with path.open("rb") as data:
        for chunk in iter(lambda: data.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _load(entry: Path, names: list[str]) -> tuple[WordStore, list[BM25Index], Language] | None:
    try:
        manifest = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))
        for name in (WORDS, LANGUAGE, *names):
            if manifest["files"][name] != _file_digest(entry / name):
                log.warning("prepared index %s is corrupt: rebuilding it", entry.name)
                return None
        indexes = [BM25Index.load(entry / name) for name in names]
        return WordStore.load(entry / WORDS), indexes, Language.load(entry / LANGUAGE)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, EOFError, TypeError) as exc:
        log.warning("prepared index %s unreadable (%s): rebuilding it", entry.name, exc)
        return None


def _save(entry: Path, store: WordStore, indexes: Mapping[str, BM25Index], language: Language) -> None:
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=entry.parent))
        try:
            store.save(staging / WORDS)
            language.save(staging / LANGUAGE)
            for name, index in indexes.items():
                index.save(staging / name)
            files = {name: _file_digest(staging / name) for name in (WORDS, LANGUAGE, *indexes)}
            (staging / MANIFEST).write_text(json.dumps({"files": files}), encoding="utf-8")
            shutil.rmtree(entry, ignore_errors=True)
            staging.rename(entry)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        _prune(entry.parent, keep=entry)
    except OSError as exc:
        log.info("could not save the prepared index in %s (%s); it is rebuilt at every start", entry.parent, exc)


def _prune(folder: Path, keep: Path) -> None:
    entries = sorted(
        (p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in entries[KEEP_ENTRIES:]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
