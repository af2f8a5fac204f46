"""Logging set-up: one line a record on stderr, the bot token redacted from every one.

The token is redacted twice over: from every log record (:class:`RedactToken`), and from
everything written to standard output and error (:class:`RedactingStream`), so that no
traceback, warning or exception message printed by anyone can carry it either.
"""

from __future__ import annotations

import io
import logging
import sys
import time
from typing import Any, TextIO

REDACTED = "<token>"


class RedactToken(logging.Filter):
    """Replaces the bot token in every log line, whoever logs it (httpx logs URLs with it)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message with the token replaced; always keep the record."""
        if not self.token:
            return True
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, REDACTED)
            record.args = ()
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if self.token in text:
                record.exc_text = text.replace(self.token, REDACTED)
        return True


class RedactingStream(io.TextIOBase):
    """A text stream that writes to another with the token replaced, a whole line at a time.

    Lines are held until their end (or a flush), so a token written in pieces is still caught.
    """

    def __init__(self, stream: TextIO, token: str) -> None:
        super().__init__()
        self.stream = stream
        self.token = token
        self._partial = ""

    def write(self, text: str) -> int:
        """Write whole lines now, the rest at the next newline or flush."""
        self._partial += text
        if "\n" in self._partial:
            lines, _, self._partial = self._partial.rpartition("\n")
            self.stream.write(self._redact(lines + "\n"))
        return len(text)

    def flush(self) -> None:
        """Write what is held, redacted."""
        if self._partial:
            self.stream.write(self._redact(self._partial))
            self._partial = ""
        self.stream.flush()

    def _redact(self, text: str) -> str:
        return text.replace(self.token, REDACTED) if self.token else text

    def writable(self) -> bool:
        """It is written to."""
        return True

    def isatty(self) -> bool:
        """As the stream it writes to."""
        return self.stream.isatty()

    def fileno(self) -> int:
        """As the stream it writes to (for code that asks; writing through it is not redacted)."""
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """As the stream it writes to."""
        return str(getattr(self.stream, "encoding", "utf-8"))


def configure_logging(level: int, token: str) -> None:
    """One line a record on stderr, token redacted; httpx's request log kept quiet.

    Standard output and error are wrapped in :class:`RedactingStream` first, so that even an
    uncaught exception's traceback or a library's warning cannot print the token.
    """
    if token and not isinstance(sys.stderr, RedactingStream):
        sys.stdout = RedactingStream(sys.stdout, token)
        sys.stderr = RedactingStream(sys.stderr, token)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactToken(token))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # httpx logs every request URL, and the URL holds the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # tornado says "Malformed HTTP message" at INFO for every bad webhook request, anyone's.
    logging.getLogger("tornado.general").setLevel(max(level, logging.WARNING))
    logging.getLogger("httpcore").setLevel(max(level, logging.INFO))


class Quiet:
    """A WARNING at most once per ``interval`` seconds, saying how many like it were held back.

    For what an attacker or a broken peer can repeat thousands of times a second (refused
    webhook requests, accept errors): the log says it happens without being flooded.
    """

    def __init__(self, logger: logging.Logger, interval: float) -> None:
        self.logger = logger
        self.interval = interval
        self._last: float | None = None
        self._held = 0

    def warning(self, message: str, *args: Any) -> None:
        """Log it now, or count it for the next line."""
        now = time.monotonic()
        if self._last is not None and now - self._last < self.interval:
            self._held += 1
            return
        if self._held:
            message += f" (and {self._held} more like it in the last {self.interval:.0f} s)"
        self.logger.warning(message, *args)
        self._last, self._held = now, 0
