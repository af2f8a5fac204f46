"""What the bot sends, as plain values: HTML text and buttons, with no Telegram types.

The handlers turn a :class:`Reply` into a message or an edit; everything a user sees is
decided here, where it can be tested without a server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.answering import Answer, Answerer, RankedPassage
from bot.core.knowledge import Article, Passage
from bot.core.library import Library
from bot.core.verdict import Reason, Verdict
from bot.privacy import Hasher
from bot.replies import payloads, texts
from bot.replies.render import Rich, answer_rich, decline_rich, figures_index, passage_rich

FIGURES_PER_PAGE = 12
INLINE_RESULTS = 10
_DEEP_LINK = re.compile(r"(?:([a-z0-9][a-z0-9-]{0,23})-)?p(\d{1,4})")


@dataclass(frozen=True)
class Button:
    """An inline keyboard button: a callback payload or a URL."""

    text: str
    callback: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Reply:
    """A message to send or an edit to make."""

    html: str
    buttons: tuple[tuple[Button, ...], ...] = ()


@dataclass(frozen=True)
class InlineResult:
    """One inline-mode result: a passage with its citation."""

    id: str
    title: str
    description: str
    html: str


class Replies:
    """Builds every reply from the answerer's knowledge."""

    def __init__(self, answerer: Answerer | Library, username: str = "", hasher: Hasher | None = None) -> None:
        """``username`` is the bot's (for deep links), known after ``getMe``; ``hasher`` digests questions."""
        self.answerer = answerer
        self.knowledge = answerer.knowledge
        self.username = username
        self.hasher = hasher or Hasher(b"")

    # --- answers ---------------------------------------------------------------------------

    def answer(self, answer: Answer, *, group: bool) -> Reply:
        """The reply to a question: the answering sentence first (the paragraph a tap away).

        In a private chat the whole paragraph follows in an expandable quotation; in a group
        the sentence alone, with 全文 ¶N and a link to read on in private. The closest passage
        comes under a caveat; with nothing about it, a plain "not in the article" and examples.
        """
        if answer.verdict is Verdict.NONE:
            rich = decline_rich(answer, self.answerer.examples) if not group else self._short_decline(answer)
            buttons = () if group else self._example_buttons(3)
            return Reply(rich.html(), buttons)
        rich = answer_rich(self.knowledge, answer, group=group)
        best = answer.passages[0]
        row: list[Button] = []
        if group:
            row.append(self._full_button(best.passage))
        more = self._more_button(answer.passages, page=1)
        if more is not None:
            row.append(more)
        rows = [tuple(row)] if row else []
        if group and self.username:
            rows.append((Button(texts.BUTTON_PRIVATE, url=self.deep_link(best.passage)),))
        return Reply(rich.html(), tuple(rows) + self.feedback_row(answer))

    def feedback_row(self, answer: Answer) -> tuple[tuple[Button, ...], ...]:
        """The 👍/👎 row under an ``answer`` or ``closest`` reply; no row for other verdicts.

        Each payload names the answer (article, passage, verdict, question digest), so a vote
        needs no memory of the message and still counts after a restart.
        """
        if answer.verdict not in (Verdict.ANSWER, Verdict.CLOSEST) or not answer.passages:
            return ()
        passage = answer.passages[0].passage
        digest = self.hasher.question(answer.question)
        try:
            up, down = (
                payloads.encode(payloads.Vote(flag, answer.verdict.value, passage.article_id, passage.id, digest))
                for flag in (True, False)
            )
        except ValueError:  # ids too long for a payload: no feedback rather than no answer
            return ()
        return ((Button(texts.BUTTON_UP, up), Button(texts.BUTTON_DOWN, down)),)

    def more(self, action: payloads.More) -> Reply | None:
        """Page ``action.page`` of an answer's passages (``None`` if the ids are unknown)."""
        passages = [self.knowledge.by_key.get(f"{action.article}/{pid}") for pid in action.ids]
        if not passages or None in passages or not 0 <= action.page < len(passages):
            return None
        shown = [p for p in passages if p is not None]
        passage = shown[action.page]
        rich = Rich().add(f"{action.page + 1}/{len(shown)} ", "i")
        rich.extend(passage_rich(self.knowledge, self._unranked(passage)))
        row = []
        if action.page > 0:
            row.append(Button(texts.BUTTON_PREVIOUS, payloads.encode(_page(action, action.page - 1))))
        if action.page + 1 < len(shown):
            row.append(Button(texts.BUTTON_MORE, payloads.encode(_page(action, action.page + 1))))
        return Reply(rich.html(), (tuple(row),) if row else ())

    def full(self, article_id: str, pid: str) -> Reply | None:
        """The whole paragraph, with buttons to the ones before and after."""
        passage = self.knowledge.by_key.get(f"{article_id}/{pid}")
        return self.paragraph(article_id, passage.number) if passage is not None else None

    def paragraph(self, article_id: str, number: int) -> Reply | None:
        """Paragraph ¶``number`` of an article, whole, with its figures."""
        try:
            article = self.knowledge.article(article_id)
        except KeyError:
            return None
        passage = article.paragraph(number)
        if passage is None:
            return None
        rich = passage_rich(self.knowledge, self._unranked(passage))
        row = []
        for neighbour in (article.paragraph(number - 1), article.paragraph(number + 1)):
            if neighbour is not None:
                row.append(
                    Button(neighbour.citation, payloads.encode(payloads.Paragraph(article.id, neighbour.number)))
                )
        return Reply(rich.html(), (tuple(row),) if row else ())

    def inline(self, answer: Answer) -> list[InlineResult]:
        """Up to ten passages for inline mode, best first, each with its citation."""
        results = []
        for ranked in answer.passages[:INLINE_RESULTS]:
            if ranked.score <= 0:
                break
            passage = ranked.passage
            article = self.knowledge.article(passage.article_id)
            results.append(
                InlineResult(
                    id=passage.key.replace("/", "-"),
                    title=texts.CITATION.format(title=article.title, citation=passage.citation),
                    description=passage.text[:100],
                    html=passage_rich(self.knowledge, ranked).html(),
                )
            )
        return results

    # --- commands --------------------------------------------------------------------------

    def start(self, payload: str = "") -> Reply:
        """/start: the article card and example questions, or a deep-linked paragraph."""
        if payload and (found := _DEEP_LINK.fullmatch(payload)):
            article_id = found.group(1) or self.knowledge.default.id  # an old p7 link: the default
            opened = self.paragraph(article_id, int(found.group(2)))
            return opened or Reply(Rich().add(texts.PARAGRAPH_NOT_FOUND).html())
        rich = Rich().add(texts.START + "\n\n")
        for article in self.knowledge.articles:
            rich.add(self._card(article) + "\n", "b")
        rich.add("\n" + texts.TRY_INSTEAD)
        return Reply(rich.html(), self._example_buttons(len(self.answerer.examples)))

    def articles(self) -> Reply:
        """/articles: every article, the default first, each with a button to its first paragraph."""
        rich = Rich().add(texts.ARTICLES_TITLE.format(count=len(self.knowledge.articles)), "b")
        rows = []
        for article in self.knowledge.articles:
            rich.add("\n\n" + self._card(article))
            if article is self.knowledge.default and len(self.knowledge.articles) > 1:
                rich.add(" " + texts.ARTICLE_DEFAULT, "i")
            opening = payloads.encode(payloads.Paragraph(article.id, 1))
            rows.append((Button(texts.BUTTON_READ.format(title=_short(article.title)), opening),))
        return Reply(rich.html(), tuple(rows))

    def help(self) -> Reply:
        """/help."""
        return Reply(Rich().add(texts.HELP.format(username=self.username or "bot")).html())

    def about(self) -> Reply:
        """/about: title, date, editor, paragraph and figure counts."""
        return Reply(self.about_rich().html())

    def about_rich(self) -> Rich:
        """What /about says, as styled text (the console prints it too)."""
        rich = Rich()
        for i, article in enumerate(self.knowledge.articles):
            figures = [f for p in (article.header, *article.paragraphs) for f in self.answerer.figures(p)]
            if i:
                rich.add("\n\n")
            rich.add(
                texts.ABOUT.format(
                    title=article.title,
                    published=article.published,
                    editor=article.editor or "—",
                    paragraphs=len(article.paragraphs),
                    figures=len(figures),
                    missing=sum(f.missing for f in figures),
                )
            )
        if len(self.knowledge.articles) > 1:
            rich.add("\n\n" + texts.ABOUT_ARTICLES.format(count=len(self.knowledge.articles)))
        return rich

    def figures(self, page: int = 0) -> Reply | None:
        """/figures: the figures index, paged with buttons."""
        lines = figures_index(self.knowledge, self.answerer.figures)
        if not lines:
            return Reply(Rich().add(texts.FIGURES_NONE).html())
        pages = (len(lines) + FIGURES_PER_PAGE - 1) // FIGURES_PER_PAGE
        if not 0 <= page < pages:
            return None
        rich = Rich().add(texts.FIGURES_TITLE.format(page=page + 1, pages=pages), "b")
        for line in lines[page * FIGURES_PER_PAGE : (page + 1) * FIGURES_PER_PAGE]:
            rich.add("\n").extend(line)
        row = []
        if page > 0:
            row.append(Button(texts.BUTTON_PREVIOUS, payloads.encode(payloads.FiguresPage(page - 1))))
        if page + 1 < pages:
            row.append(Button(texts.BUTTON_NEXT, payloads.encode(payloads.FiguresPage(page + 1))))
        return Reply(rich.html(), (tuple(row),) if row else ())

    def text(self, line: str) -> Reply:
        """A plain line of ours, escaped."""
        return Reply(Rich().add(line).html())

    # --- helpers -----------------------------------------------------------------------------

    def deep_link(self, passage: Passage) -> str:
        """t.me link that opens ``passage`` in a private chat with the bot (``?start=tonglu-p7``)."""
        return f"https://t.me/{self.username}?start={passage.article_id}-p{passage.number}"

    def _full_button(self, passage: Passage) -> Button:
        return Button(
            texts.BUTTON_FULL.format(citation=passage.citation),
            payloads.encode(payloads.Full(passage.article_id, passage.id)),
        )

    def _more_button(self, ranked: tuple[RankedPassage, ...], page: int) -> Button | None:
        same_article = [
            r.passage for r in ranked if r.score > 0 and r.passage.article_id == ranked[0].passage.article_id
        ]
        if len(same_article) <= page:
            return None
        action = payloads.More(same_article[0].article_id, tuple(p.id for p in same_article), page)
        return Button(texts.BUTTON_MORE, payloads.encode(action))

    def _unranked(self, passage: Passage) -> RankedPassage:
        return RankedPassage(passage, 0.0, (), self.answerer.figures(passage))

    def _example_buttons(self, count: int) -> tuple[tuple[Button, ...], ...]:
        examples = self.answerer.examples[:count]
        return tuple((Button(example, payloads.encode(payloads.Example(i))),) for i, example in enumerate(examples))

    def _short_decline(self, answer: Answer) -> Rich:
        """A decline short enough for a group: one line and the /figures hint."""
        if answer.reason is Reason.EMPTY:
            return Rich().add(texts.ASK_USAGE.format(example=self.example))
        if answer.reason is Reason.TOO_LONG:
            return decline_rich(answer, self.answerer.examples)
        line = texts.NOT_IN_ARTICLE_EN if answer.query.english else texts.NOT_IN_ARTICLE
        return Rich().add(line + " " + texts.FIGURES_HINT)

    @property
    def example(self) -> str:
        """One example question, for usage hints."""
        return self.answerer.examples[0] if self.answerer.examples else ""

    @staticmethod
    def _card(article: Article) -> str:
        return texts.ARTICLE_CARD.format(
            title=article.title, published=article.published, paragraphs=len(article.paragraphs)
        )


def _short(title: str, limit: int = 16) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


def _page(action: payloads.More, page: int) -> payloads.More:
    return payloads.More(action.article, action.ids, page)
