"""The report as text (a terminal), Markdown (an issue, a wiki) or one self-contained HTML page.

The HTML page needs no network to be viewed: its style is inline and its chart of daily
questions by verdict is an inline SVG.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from bot.core.knowledge import Passage
from bot.report.summary import VERDICTS, Disliked, Group, Report

FORMATS = ("text", "markdown", "html")
# Characters of a passage shown beside a question.
PASSAGE_CHARS = 60
# Days that each get a date under their bar; a longer period labels every n-th day.
LABELLED_DAYS = 31
COLOURS = {"answer": "#2e7d32", "closest": "#f9a825", "none": "#c62828"}
_SINCE = re.compile(r"(\d{1,4})([dh])")


def parse_since(value: str, now: datetime) -> datetime:
    """``7d``, ``12h`` or a date (``2026-05-01``, UTC) → the start of the period."""
    value = value.strip()
    if found := _SINCE.fullmatch(value):
        amount = int(found.group(1))
        return now - (timedelta(days=amount) if found.group(2) == "d" else timedelta(hours=amount))
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        raise ValueError(f"--since: {value!r} is neither 7d, 12h nor a date such as 2026-05-01") from None


def render(report: Report, fmt: str, where: str = "") -> str:
    """The report in ``fmt`` (one of :data:`FORMATS`); ``where`` names the database."""
    renderers: dict[str, Callable[[Report, str], str]] = {"text": text, "markdown": markdown, "html": page}
    return renderers[fmt](report, where)


# --- shared wording ----------------------------------------------------------------------------------


def _period(report: Report) -> str:
    return f"{report.since:%Y-%m-%d %H:%M} → {report.until:%Y-%m-%d %H:%M} UTC"


def _totals(report: Report) -> str:
    shares = " · ".join(f"{v} {report.verdicts.get(v, 0)} ({report.share(v):.0%})" for v in VERDICTS)
    line = (
        f"{report.total} questions from {report.people} people · {shares} · 👍 {report.votes_up} 👎 {report.votes_down}"
    )
    if report.ms_median is not None:
        line += f" · answer time p50 {report.ms_median} ms, p95 {report.ms_p95} ms"
    return line


def _passage(passage: Passage | None, key: str | None) -> str:
    if passage is None:
        return f"{key} (no longer in the knowledge)" if key else "no passage matched"
    text = passage.text if len(passage.text) <= PASSAGE_CHARS else passage.text[:PASSAGE_CHARS] + "…"
    return f"{passage.citation} {text}"


def _verdicts(group: Group) -> str:
    return "/".join(v for v in VERDICTS if group.verdicts.get(v))


def _also(group: Group) -> str:
    others = [f"{w} ×{n}" for w, n in group.wordings[1:4]]
    if len(group.wordings) > 4:
        others.append(f"{len(group.wordings) - 4} more wordings")
    return "; ".join(others)


def _question(disliked: Disliked) -> str:
    return disliked.question if disliked.question is not None else "(question not logged)"


# --- text ------------------------------------------------------------------------------------------


def text(report: Report, where: str = "") -> str:
    """For a terminal."""
    lines = [f"Question log {_period(report)}" + (f" ({where})" if where else ""), _totals(report), ""]
    lines.append("Per day (UTC)   total  " + "  ".join(f"{v:>7}" for v in VERDICTS))
    for day in report.days:
        counts = "  ".join(f"{day.verdicts.get(v, 0):>7}" for v in VERDICTS)
        lines.append(f"{day.day:%Y-%m-%d}     {day.total:>5}  {counts}")
    lines += ["", "Not answered (none) or only a closest passage (closest), grouped by what they ask:"]
    lines += _text_groups(report.unanswered, "nearest passage") or ["  none"]
    lines += ["", "Answers voted 👎:"]
    for d in report.disliked:
        lines.append(f"  👎 {d.down} 👍 {d.up}  {d.verdict:<8} {_question(d)}")
        lines.append(f"      passage: {_passage(d.passage, d.passage_key)}")
    if not report.disliked:
        lines.append("  none")
    lines += ["", "Most asked:"]
    lines += _text_groups(report.most_asked, "best passage") or ["  none"]
    return "\n".join(lines) + "\n"


def _text_groups(groups: Iterable[Group], label: str) -> list[str]:
    lines = []
    for group in groups:
        lines.append(f"  {group.count:>4}  {_verdicts(group):<8} {group.question}")
        if also := _also(group):
            lines.append(f"        also: {also}")
        if group.concepts:
            lines.append(f"        concepts: {' '.join(group.concepts)}")
        lines.append(f"        {label}: {_passage(group.passage, group.passage_key)}")
    return lines


# --- Markdown ----------------------------------------------------------------------------------------


def markdown(report: Report, where: str = "") -> str:
    """For an issue or a wiki page."""
    out = [f"# Question log, {_period(report)}", ""]
    if where:
        out += [f"Database: `{where}`", ""]
    out += [_totals(report), "", "## Per day (UTC)", ""]
    out += ["| day | total | " + " | ".join(VERDICTS) + " |", "|---|---:|" + "---:|" * len(VERDICTS)]
    for day in report.days:
        out.append(
            f"| {day.day:%Y-%m-%d} | {day.total} | " + " | ".join(str(day.verdicts.get(v, 0)) for v in VERDICTS) + " |"
        )
    out += ["", "## Not answered or only a closest passage", ""]
    out += _markdown_groups(report.unanswered, "nearest passage")
    out += ["", "## Answers voted 👎", ""]
    if report.disliked:
        out += ["| 👎 | 👍 | verdict | question | passage |", "|---:|---:|---|---|---|"]
        for d in report.disliked:
            cells = (_question(d), _passage(d.passage, d.passage_key))
            out.append(f"| {d.down} | {d.up} | {d.verdict} | " + " | ".join(_cell(c) for c in cells) + " |")
    else:
        out.append("None.")
    out += ["", "## Most asked", ""]
    out += _markdown_groups(report.most_asked, "best passage")
    return "\n".join(out) + "\n"


def _markdown_groups(groups: tuple[Group, ...], label: str) -> list[str]:
    if not groups:
        return ["None."]
    out = [f"| times | verdict | question | also asked as | concepts | {label} |", "|---:|---|---|---|---|---|"]
    for g in groups:
        cells = (g.question, _also(g), " ".join(g.concepts), _passage(g.passage, g.passage_key))
        out.append(f"| {g.count} | {_verdicts(g)} | " + " | ".join(_cell(c) for c in cells) + " |")
    return out


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


# --- HTML ------------------------------------------------------------------------------------------

_STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; }
table { border-collapse: collapse; width: 100%; } th, td { border-bottom: 1px solid #ddd; padding: .3em .5em; }
th { text-align: left; background: #f5f5f5; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
svg { max-width: 100%; height: auto; }
.muted { color: #777; } .legend span { display: inline-block; width: .8em; height: .8em; margin: 0 .3em 0 1em; }
"""


def page(report: Report, where: str = "") -> str:
    """One self-contained page: inline style, an inline SVG chart, no scripts, nothing fetched."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh"><head><meta charset="utf-8">',
        f"<title>Question log, {e(_period(report))}</title><style>{_STYLE}</style></head><body>",
        f"<h1>Question log, {e(_period(report))}</h1>",
        f'<p class="muted">{e(where)}</p>' if where else "",
        f"<p>{e(_totals(report))}</p>",
        "<h2>Questions per day (UTC), by verdict</h2>",
        chart(report),
        '<p class="legend">' + "".join(f'<span style="background:{COLOURS[v]}"></span>{v}' for v in VERDICTS) + "</p>",
        "<h2>Not answered or only a closest passage</h2>",
        _html_groups(report.unanswered, "nearest passage"),
        "<h2>Answers voted 👎</h2>",
    ]
    if report.disliked:
        rows = "".join(
            f'<tr><td class="n">{d.down}</td><td class="n">{d.up}</td><td>{d.verdict}</td>'
            f"<td>{e(_question(d))}</td><td>{e(_passage(d.passage, d.passage_key))}</td></tr>"
            for d in report.disliked
        )
        head = "<tr><th>👎 down</th><th>👍 up</th><th>verdict</th><th>question</th><th>passage</th></tr>"
        parts.append(f"<table>{head}{rows}</table>")
    else:
        parts.append('<p class="muted">None.</p>')
    parts += ["<h2>Most asked</h2>", _html_groups(report.most_asked, "best passage"), "</body></html>"]
    return "\n".join(p for p in parts if p) + "\n"


def _html_groups(groups: tuple[Group, ...], label: str) -> str:
    if not groups:
        return '<p class="muted">None.</p>'
    e = html.escape
    rows = "".join(
        f'<tr><td class="n">{g.count}</td><td>{_verdicts(g)}</td><td>{e(g.question)}'
        + (f'<br><span class="muted">{e(_also(g))}</span>' if _also(g) else "")
        + f"</td><td>{e(' '.join(g.concepts))}</td><td>{e(_passage(g.passage, g.passage_key))}</td></tr>"
        for g in groups
    )
    head = f"<tr><th>times</th><th>verdict</th><th>question</th><th>concepts</th><th>{label}</th></tr>"
    return f"<table>{head}{rows}</table>"


def chart(report: Report, height: int = 180) -> str:
    """Daily questions as stacked bars (answer, closest, none), as inline SVG."""
    bar, gap, left, bottom, top = 26, 14, 36, 34, 10
    days = report.days
    width = left + len(days) * (bar + gap) + gap
    peak = max((d.total for d in days), default=0) or 1
    scale = (height - bottom - top) / peak
    every = math.ceil(len(days) / LABELLED_DAYS) if days else 1  # a date under every bar, or every n-th
    e = html.escape
    out = [
        f'<svg width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="questions per day by verdict" '
        'font-family="system-ui, sans-serif" font-size="11">',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#999"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{peak}</text>',
        f'<text x="{left - 6}" y="{height - bottom}" text-anchor="end">0</text>',
    ]
    for i, day in enumerate(days):
        x = left + gap + i * (bar + gap)
        y = float(height - bottom)
        for verdict in VERDICTS:
            count = day.verdicts.get(verdict, 0)
            if not count:
                continue
            h = count * scale
            y -= h
            out.append(
                f'<rect x="{x}" y="{y:.1f}" width="{bar}" height="{h:.1f}" fill="{COLOURS[verdict]}">'
                f"<title>{e(f'{day.day:%Y-%m-%d}: {count} {verdict}')}</title></rect>"
            )
        if i % every == 0:
            middle = x + bar / 2
            out.append(
                f'<text x="{middle}" y="{height - bottom + 14}" text-anchor="middle">{day.day:%m-%d}</text>'
                f'<text x="{middle}" y="{height - bottom + 27}" text-anchor="middle" fill="#777">{day.total}</text>'
            )
    out.append("</svg>")
    return "".join(out)
