"""jieba's dictionary as a file that loads one first character at a time.

Loading jieba's dictionary (about 500,000 words and prefixes, and 350,000 part-of-speech
tags) is most of the bot's start-up. But cutting a sentence only ever looks up words that
begin with one of its characters: jieba's ``get_DAG`` asks ``frag in FREQ`` for fragments
``sentence[k:i]``. So the dictionary is saved in shards keyed by first character, and a
:class:`WordStore` stands in for jieba's ``FREQ`` dict, reading a shard the first time a
word starting with its character is asked for. A question touches a few dozen shards.

File layout: ``MAGIC``, an 8-byte header length, a marshal header (total frequency and each
shard's offset and length), then the marshal-encoded shards ``(frequencies, tags)``.
"""

from __future__ import annotations

import marshal
import struct
from collections.abc import Iterator, Mapping, MutableMapping
from pathlib import Path

MAGIC = b"TLWORDS1"
_LENGTH = struct.Struct("<Q")

Shard = tuple[dict[str, int], dict[str, str]]


class WordStore(MutableMapping[str, int]):
    """word → frequency (jieba's ``FREQ``), and word → part-of-speech tag, loaded lazily."""

    def __init__(
        self,
        total: int,
        shards: dict[str, Shard],
        blob: bytes = b"",
        offsets: Mapping[str, tuple[int, int]] | None = None,
        general_total: int | None = None,
    ) -> None:
        """Use :meth:`from_dicts` or :meth:`load`.

        ``general_total`` is jieba's own total before any article's words joined it: the
        measure of how common a word is in Chinese at large, the same whatever the articles.
        """
        self.total = total
        self.general_total = general_total or total
        self._shards = shards
        self._blob = blob
        self._offsets = dict(offsets or {})

    @classmethod
    def from_dicts(
        cls, freq: Mapping[str, int], tags: Mapping[str, str], total: int, general_total: int | None = None
    ) -> WordStore:
        """A store holding jieba's ``FREQ`` and a tag table, all in memory."""
        shards: dict[str, Shard] = {}
        for word, count in freq.items():
            if word:
                shards.setdefault(word[0], ({}, {}))[0][word] = count
        for word, tag in tags.items():
            if word:
                shards.setdefault(word[0], ({}, {}))[1][word] = tag
        return cls(total, shards, general_total=general_total)

    def save(self, path: Path) -> None:
        """Write every shard to ``path``."""
        blobs: list[bytes] = []
        offsets: dict[str, tuple[int, int]] = {}
        position = 0
        for first in sorted(set(self._shards) | set(self._offsets)):
            blob = marshal.dumps(self._shard(first))
            offsets[first] = (position, len(blob))
            blobs.append(blob)
            position += len(blob)
        header = marshal.dumps({"total": self.total, "general": self.general_total, "offsets": offsets})
        with path.open("wb") as out:
            out.write(MAGIC + _LENGTH.pack(len(header)) + header)
            for blob in blobs:
                out.write(blob)

    @classmethod
    def load(cls, path: Path) -> WordStore:
        """Read the header of a saved store; shards are decoded when first needed."""
        data = path.read_bytes()
        if not data.startswith(MAGIC):
            raise ValueError(f"{path}: not a word store")
        (length,) = _LENGTH.unpack_from(data, len(MAGIC))
        start = len(MAGIC) + _LENGTH.size
        header = marshal.loads(data[start : start + length])
        return cls(int(header["total"]), {}, data[start + length :], header["offsets"], int(header["general"]))

    def _shard(self, first: str) -> Shard:
        shard = self._shards.get(first)
        if shard is None:
            place = self._offsets.get(first)
            if place is None:
                shard = ({}, {})
            else:
                offset, length = place
                shard = marshal.loads(self._blob[offset : offset + length])
            self._shards[first] = shard
        return shard

    def tag(self, word: str) -> str | None:
        """Jieba's part-of-speech tag of ``word``, if its dictionary has one."""
        return self._shard(word[0])[1].get(word) if word else None

    def set_tag(self, word: str, tag: str) -> None:
        """Record the tag of a word added later (user dictionary)."""
        if word:
            self._shard(word[0])[1][word] = tag

    # --- the mapping jieba uses as FREQ ---------------------------------------------------

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and bool(word) and word in self._shard(word[0])[0]

    def __getitem__(self, word: str) -> int:
        if not word:
            raise KeyError(word)
        return self._shard(word[0])[0][word]

    def get(self, word: str, default: int | None = None) -> int | None:  # type: ignore[override]
        """The frequency of ``word``, or ``default``."""
        return self._shard(word[0])[0].get(word, default) if word else default

    def __setitem__(self, word: str, count: int) -> None:
        self._shard(word[0])[0][word] = count

    def __delitem__(self, word: str) -> None:
        del self._shard(word[0])[0][word]

    def __iter__(self) -> Iterator[str]:
        for first in sorted(set(self._shards) | set(self._offsets)):
            yield from self._shard(first)[0]

    def __len__(self) -> int:
        return sum(len(self._shard(first)[0]) for first in set(self._shards) | set(self._offsets))
