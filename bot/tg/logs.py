"""Logging set-up: one line a record on stderr, the bot token redacted from every one."""

from __future__ import annotations

import logging
import sys


class RedactToken(logging.Filter):
    """Replaces the bot token in every log line, whoever logs it (httpx logs URLs with it)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message with the token replaced; always keep the record."""
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, "<token>")
            record.args = ()
        if record.exc_info and record.exc_info[1] is not None and self.token in str(record.exc_info[1]):
            record.exc_text = logging.Formatter().formatException(record.exc_info).replace(self.token, "<token>")
        return True


def configure_logging(level: int, token: str) -> None:
    """One line a record on stderr, token redacted; httpx's request log kept quiet."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactToken(token))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # httpx logs every request URL, and the URL holds the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(max(level, logging.INFO))
