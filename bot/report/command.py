"""``python -m bot report``: read the question log, sum it up, write it out."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings
from bot.core.knowledge import load_knowledge
from bot.errors import ConfigError, StoreError
from bot.report.formats import parse_since, render
from bot.report.summary import build_report
from bot.store.database import Store
from bot.store.log import one_line, utc_now


def report(settings: Settings, since: str, fmt: str, output: Path | None) -> int:
    """Write the report on the log at ``settings.database_url`` since ``since`` (7d, 12h, a date)."""
    if settings.database_url is None:
        raise ConfigError("DATABASE_URL is not set")
    until = utc_now()
    try:
        start = parse_since(since, until)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    store = Store(settings.database_url)
    try:
        store.open(create=False)
        questions, votes = store.questions(start, until), store.votes(start, until)
    except SQLAlchemyError as exc:
        raise StoreError(f"question log {store.where}: {one_line(exc)}") from None
    finally:
        store.close()
    summary = build_report(questions, votes, load_knowledge(settings.knowledge_dir), start, until)
    text = render(summary, fmt, store.where)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        print(f"wrote {output}", file=sys.stderr)
    return 0
