"""The token in no output: log records, anything printed (tracebacks too), reprs."""

from __future__ import annotations

import io
import logging
import traceback

from bot.config import Settings
from bot.core.answering import Answerer
from bot.tg.app import build_application
from bot.tg.logs import Quiet, RedactingStream, RedactToken

TOKEN = "987654321:SECRET-token_that-must_never-leak"


def test_printed_text_is_redacted_even_in_pieces_and_tracebacks() -> None:
    out = io.StringIO()
    stream = RedactingStream(out, TOKEN)
    stream.write("GET /bot" + TOKEN[:10])
    stream.write(TOKEN[10:] + "/getMe\n")
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
    except RuntimeError as exc:
        traceback.print_exception(exc, file=stream)
    stream.write("no newline at the end: " + TOKEN)
    stream.flush()
    assert TOKEN not in out.getvalue() and TOKEN.split(":")[1] not in out.getvalue()
    assert out.getvalue().startswith("GET /bot<token>/getMe\n")
    assert "was rejected" in out.getvalue() and out.getvalue().endswith("no newline at the end: <token>")


def test_log_records_are_redacted_with_their_exceptions() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RedactToken(TOKEN))
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    try:
        logger.warning("url %s", f"https://api.telegram.org/bot{TOKEN}/getMe")
        try:
            raise ValueError(TOKEN)
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    assert TOKEN not in out.getvalue() and out.getvalue().count("<token>") == 2


def test_no_repr_holds_the_token(answerer: Answerer) -> None:
    settings = Settings(token=TOKEN)
    application = build_application(settings, answerer)
    for value in (settings, application, application.bot):
        assert TOKEN not in repr(value) and TOKEN.split(":")[1] not in repr(value)


def test_a_repeated_warning_is_logged_once_an_interval() -> None:
    out = io.StringIO()
    logger = logging.getLogger("test.quiet")
    logger.addHandler(handler := logging.StreamHandler(out))
    try:
        quiet = Quiet(logger, interval=3600)
        for _ in range(1000):
            quiet.warning("cannot accept connections: %s", "Too many open files")
    finally:
        logger.removeHandler(handler)
    assert out.getvalue() == "cannot accept connections: Too many open files\n"
