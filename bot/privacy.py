"""Keyed hashes: how the question log tells people, chats and questions apart without knowing them.

User and chat ids are never stored in clear. Each is an HMAC-SHA256 under a secret key kept
outside the database (``LOG_SECRET``, or a key derived from the bot token): the same person
always hashes the same, so votes are counted per person and ``/forget`` finds what a person
left, but the database alone does not say who. (A plain hash would not do: Telegram ids are
numbers of ten digits or so, and every one of them can be hashed and looked up.)

The question digest names a question in a button payload and joins a vote to its question
in the log; it is keyed too, so a vote kept without the question text (``LOG_QUESTIONS=off``)
does not let anyone confirm a guess of what was asked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

# Hex characters kept of an id's HMAC (128 bits: no two people share one).
ID_CHARS = 32
# Bytes of a question digest (48 bits: 8 characters in a button payload).
DIGEST_BYTES = 6
DIGEST_CHARS = 8


class Hasher:
    """Keyed hashes of user ids, chat ids and questions, each in its own domain."""

    def __init__(self, key: bytes) -> None:
        """Hash with ``key`` (any length; an empty key still hashes, unkeyed in effect)."""
        self._key = key

    def user(self, user_id: int) -> str:
        """The stored stand-in for a Telegram user id."""
        return self._mac(b"user:", str(user_id).encode()).hexdigest()[:ID_CHARS]

    def chat(self, chat_id: int) -> str:
        """The stored stand-in for a Telegram chat id."""
        return self._mac(b"chat:", str(chat_id).encode()).hexdigest()[:ID_CHARS]

    def question(self, text: str) -> str:
        """A short digest of a question: 8 characters of ``A-Za-z0-9_-``."""
        digest = self._mac(b"question:", text.strip().encode()).digest()[:DIGEST_BYTES]
        return base64.urlsafe_b64encode(digest).decode()

    def _mac(self, domain: bytes, value: bytes) -> hmac.HMAC:
        return hmac.new(self._key, domain + value, hashlib.sha256)
