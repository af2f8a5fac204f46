"""Thin PTB payloads.

Each reads the update, returns early when there is nothing to do, makes one call into the
core and sends what :mod:`bot.replies.messages` built.
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import timedelta
from typing import Any, cast

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes

from bot.config import Settings
from bot.core.answering import Answer
from bot.core.verdict import Verdict
from bot.replies import logbook, payloads, texts
from bot.replies.messages import Replies, Reply
from bot.report.summary import build_report
from bot.store.log import QuestionLog, utc_now
from bot.tg import lifecycle
from bot.tg.memory import AnswerMemory

log = logging.getLogger(__name__)

REPLIES = "replies"
SETTINGS = "settings"
LOG = "question_log"
STATS_DAYS = 7
ANSWERS = "answers"  # bot_data: the AnswerMemory (which answer each question got)
INLINE_CACHE_SECONDS = 300

Context = ContextTypes.DEFAULT_TYPE


def replies_of(context: Context) -> Replies:
    """The reply builder handed over in ``bot_data`` before polling started."""
    return cast(Replies, context.bot_data[REPLIES])


def settings_of(context: Context) -> Settings:
    """The settings handed over in ``bot_data``."""
    return cast(Settings, context.bot_data[SETTINGS])


def log_of(context: Context) -> QuestionLog:
    """The question log handed over in ``bot_data``."""
    return cast(QuestionLog, context.bot_data[LOG])


def answers_of(context: Context) -> AnswerMemory:
    """The answers remembered, handed over in ``bot_data``."""
    return cast(AnswerMemory, context.bot_data[ANSWERS])


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """Our buttons as Telegram's inline keyboard."""
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.text, callback_data=b.callback, url=b.url) for b in row] for row in reply.buttons]
    )


# --- start-up ------------------------------------------------------------------------------


async def post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Publish the command menus and say, in one line, that the bot is ready."""
    me = application.bot
    replies = cast(Replies, application.bot_data[REPLIES])
    replies.username = me.username
    menus = (
        (texts.COMMANDS_PRIVATE, BotCommandScopeAllPrivateChats()),
        (texts.COMMANDS_GROUP, BotCommandScopeAllGroupChats()),
    )
    for commands, scope in menus:
        try:
            await me.set_my_commands([BotCommand(c, d) for c, d in commands], scope=scope)
        except TelegramError as exc:  # a menu is a nicety: answering matters more
            log.warning("could not publish the %s command menu: %s", scope.type, exc)
    cast(QuestionLog, application.bot_data[LOG]).start()
    articles = ", ".join(a.id for a in replies.knowledge.articles)
    log.info("ready as @%s, answering from %s (%d passages)", me.username, articles, len(replies.knowledge.passages))


async def post_shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Write what the question log still holds before the process ends."""
    await cast(QuestionLog, application.bot_data[LOG]).close()


# --- questions -----------------------------------------------------------------------------


async def gate(update: Update, context: Context) -> None:
    """ALLOWED_CHAT_IDS, for every kind of update, before any handler sees it.

    Messages, edits and button presses of a chat not served go no further (a press is
    answered, so its spinner stops, and nothing else happens). Inline queries say only the
    kind of chat they are typed in: those from groups and channels are not answered (which
    group is not known), private ones (or of an unknown kind) are. Membership changes pass:
    :func:`membership` leaves the chats not served.
    """
    settings = settings_of(context)
    if not settings.allowed_chat_ids or update.my_chat_member is not None:
        return
    chat = update.effective_chat
    if chat is not None:
        if settings.serves(chat.id, chat.type == ChatType.PRIVATE):
            return
    elif update.inline_query is not None:
        if update.inline_query.chat_type in (None, ChatType.SENDER, ChatType.PRIVATE):
            return
    elif update.callback_query is None:
        return  # nothing of a chat: no handler of ours acts on it
    if update.callback_query is not None:
        await update.callback_query.answer()
    elif update.inline_query is not None:
        await update.inline_query.answer([], cache_time=INLINE_CACHE_SECONDS)
    raise ApplicationHandlerStop


def _servable(update: Update, context: Context) -> Message | None:
    """The message to act on, unless it comes from a bot (chats not served: see :func:`gate`)."""
    message = update.effective_message
    if message is None or update.effective_chat is None:
        return None
    if message.from_user is not None and message.from_user.is_bot:
        return None
    return message


async def private_text(update: Update, context: Context) -> None:
    """Private chat: any text is a question."""
    message = _servable(update, context)
    if message is None or not message.text:
        return
    await respond(update, context, message, message.text, group=False)


async def group_text(update: Update, context: Context) -> None:
    """Group: answer mentions of the bot and replies to its messages; stay silent otherwise."""
    message = _servable(update, context)
    if message is None or not message.text:
        return
    username = context.bot.username.lower()
    mentions = [
        (entity, value)
        for entity, value in message.parse_entities([MessageEntity.MENTION]).items()
        if value.lower() == f"@{username}"
    ]
    replied = message.reply_to_message
    to_us = replied is not None and replied.from_user is not None and replied.from_user.id == context.bot.id
    if not mentions and not to_us:
        return
    question = _without_mentions(message, [e for e, _ in mentions])
    await respond(update, context, message, question, group=True)


async def ask(update: Update, context: Context) -> None:
    """/ask 问题 (also /ask@ThisBot 问题; PTB ignores /ask@OtherBot)."""
    message = _servable(update, context)
    if message is None or not message.text:
        return
    parts = message.text.split(maxsplit=1)
    question = parts[1] if len(parts) > 1 else ""
    question = " ".join(w for w in question.split() if w.lower() != f"@{context.bot.username.lower()}")
    group = message.chat.type != ChatType.PRIVATE
    if not question.strip():
        await _send(
            message, replies_of(context).text(texts.ASK_USAGE.format(example=replies_of(context).example)), quote=group
        )
        return
    await respond(update, context, message, question, group=group)


async def respond(update: Update, context: Context, message: Message, question: str, *, group: bool) -> None:
    """Answer ``question``; for an edited question, edit the earlier answer instead."""
    replies = replies_of(context)
    started = time.perf_counter()
    answer = replies.answerer.answer(question)
    reply = replies.answer(answer, group=group)
    ms = round((time.perf_counter() - started) * 1000)
    _log_answer(message, question, answer, ms)
    digest = hashlib.blake2b((reply.html + repr(reply.buttons)).encode(), digest_size=8).digest()
    answers = answers_of(context)
    earlier = answers.get(message.chat_id, message.message_id)
    if update.edited_message is not None and earlier is not None:
        if earlier.digest == digest:
            return  # the edit does not change the answer: say nothing
        try:
            await context.bot.edit_message_text(
                reply.html, chat_id=message.chat_id, message_id=earlier.answer_id, reply_markup=keyboard(reply)
            )
            answers.put(message.chat_id, message.message_id, earlier.answer_id, digest)
            _log_question(context, message, answer, ms)
            return
        except BadRequest as exc:  # the answer was deleted or is too old to edit: answer anew
            log.info("could not edit answer %s: %s", earlier.answer_id, exc.message)
    sent = await _send(message, reply, quote=group)
    _log_question(context, message, answer, ms)
    answers.put(message.chat_id, message.message_id, sent.message_id, digest)


def _log_answer(message: Message, question: str, answer: Answer, ms: int) -> None:
    """One INFO line per question answered; the question itself only at DEBUG (it is the user's words)."""
    cited = answer.passages[0].passage.key if answer.passages and answer.verdict is not Verdict.NONE else "-"
    chat = message.chat.type
    log.info("answered chat=%s verdict=%s reason=%s passage=%s ms=%d", chat, answer.verdict, answer.reason, cited, ms)
    log.debug("question chat=%s text=%r", chat, question)


def _log_question(context: Context, message: Message, answer: Answer, ms: int) -> None:
    if message.from_user is not None:
        log_of(context).question(
            answer, chat_type=message.chat.type, user_id=message.from_user.id, chat_id=message.chat_id, ms=ms
        )


async def _send(message: Message, reply: Reply, *, quote: bool) -> Message:
    """Reply in the message's chat (and forum topic), quoting it in groups.

    Quoting allows sending without the reply (a Defaults of the Application): a question
    deleted before its answer still gets it.
    """
    return await message.reply_html(reply.html, reply_markup=keyboard(reply), do_quote=quote)


def _without_mentions(message: Message, entities: list[MessageEntity]) -> str:
    """The message text with the given mention entities cut out (offsets are UTF-16)."""
    text = message.text or ""
    encoded = text.encode("utf-16-le")
    for entity in sorted(entities, key=lambda e: e.offset, reverse=True):
        start, end = entity.offset * 2, (entity.offset + entity.length) * 2
        encoded = encoded[:start] + b" " + b"\x00" + encoded[end:]
    return encoded.decode("utf-16-le").strip()


# --- commands ------------------------------------------------------------------------------


async def start(update: Update, context: Context) -> None:
    """/start, and /start p7 from a deep link."""
    message = _servable(update, context)
    if message is None:
        return
    payload = context.args[0] if context.args else ""
    await _send(message, replies_of(context).start(payload), quote=False)


async def help_command(update: Update, context: Context) -> None:
    """/help."""
    message = _servable(update, context)
    if message is not None:
        await _send(message, replies_of(context).help(), quote=message.chat.type != ChatType.PRIVATE)


async def about(update: Update, context: Context) -> None:
    """/about."""
    message = _servable(update, context)
    if message is not None:
        await _send(message, replies_of(context).about(), quote=message.chat.type != ChatType.PRIVATE)


async def articles(update: Update, context: Context) -> None:
    """/articles: the articles the bot answers from."""
    message = _servable(update, context)
    if message is not None:
        await _send(message, replies_of(context).articles(), quote=message.chat.type != ChatType.PRIVATE)


async def figures(update: Update, context: Context) -> None:
    """/figures: the figures index, first page."""
    message = _servable(update, context)
    reply = replies_of(context).figures(0)
    if message is not None and reply is not None:
        await _send(message, reply, quote=message.chat.type != ChatType.PRIVATE)


async def privacy(update: Update, context: Context) -> None:
    """/privacy: what the question log keeps, and for how long."""
    message = _servable(update, context)
    if message is None:
        return
    log_ = log_of(context)
    reply = logbook.privacy(
        enabled=log_.enabled, keep_questions=log_.keep_questions, retention_days=log_.retention.days
    )
    await _send(message, reply, quote=message.chat.type != ChatType.PRIVATE)


async def forget(update: Update, context: Context) -> None:
    """/forget: delete everything the user's hash left in the question log."""
    message = _servable(update, context)
    if message is None or message.from_user is None:
        return
    count = await log_of(context).forget(message.from_user.id)
    reply = logbook.forgotten(count, enabled=log_of(context).enabled)
    await _send(message, reply, quote=message.chat.type != ChatType.PRIVATE)


async def stats(update: Update, context: Context) -> None:
    """/stats (private chats): the report's short version, for ADMIN_USER_IDS only."""
    message = _servable(update, context)
    if message is None or message.from_user is None:
        return
    if message.from_user.id not in settings_of(context).admin_user_ids:
        await _send(message, replies_of(context).text(texts.STATS_REFUSED), quote=False)
        return
    until = utc_now()
    since = until - timedelta(days=STATS_DAYS)
    knowledge = replies_of(context).knowledge
    report = await log_of(context).read(since, lambda asked, voted: build_report(asked, voted, knowledge, since, until))
    await _send(message, logbook.stats(report, days=STATS_DAYS, enabled=log_of(context).enabled), quote=False)


async def unknown_command(update: Update, context: Context) -> None:
    """An unknown command in a private chat gets the help text."""
    message = _servable(update, context)
    if message is None:
        return
    reply = replies_of(context).help()
    await _send(message, Reply(replies_of(context).text(texts.UNKNOWN_COMMAND).html + "\n\n" + reply.html), quote=False)


async def not_text(update: Update, context: Context) -> None:
    """Stickers, photos, voice… in a private chat: ask for text."""
    message = _servable(update, context)
    if message is not None:
        await _send(
            message, replies_of(context).text(texts.SEND_TEXT.format(example=replies_of(context).example)), quote=False
        )


# --- buttons and inline mode -----------------------------------------------------------------


async def button(update: Update, context: Context) -> None:
    """Every button press is answered; stale or forged payloads get a short notice."""
    query = update.callback_query
    if query is None:
        return
    replies = replies_of(context)
    action = payloads.decode(query.data)
    reply: Reply | None = None
    match action:
        case payloads.More():
            reply = replies.more(action)
        case payloads.Full(article, pid):
            reply = replies.full(article, pid)
        case payloads.Paragraph(article, number):
            reply = replies.paragraph(article, number)
        case payloads.FiguresPage(page):
            reply = replies.figures(page)
        case payloads.Vote() if f"{action.article}/{action.pid}" in replies.knowledge.by_key:
            # Queued first (it never waits): the vote counts even if the toast cannot be sent.
            log_of(context).vote(
                user_id=query.from_user.id,
                chat_type=query.message.chat.type if query.message is not None else "inline",
                article=action.article,
                passage=action.pid,
                verdict=action.verdict,
                digest=action.digest,
                up=action.up,
            )
            await query.answer(texts.FEEDBACK_THANKS)
            return
        case payloads.Example(index) if 0 <= index < len(replies.answerer.examples):
            await query.answer()
            if isinstance(query.message, Message):
                started = time.perf_counter()
                answer = replies.answerer.answer(replies.answerer.examples[index])
                example = replies.answer(answer, group=query.message.chat.type != ChatType.PRIVATE)
                ms = round((time.perf_counter() - started) * 1000)
                await query.message.reply_html(example.html, reply_markup=keyboard(example), do_quote=False)
                log_of(context).question(
                    answer,
                    chat_type=query.message.chat.type,
                    user_id=query.from_user.id,
                    chat_id=query.message.chat_id,
                    ms=ms,
                )
            return
    if reply is None:
        await query.answer(texts.BUTTON_EXPIRED)
        return
    await query.answer()
    try:
        await query.edit_message_text(reply.html, reply_markup=keyboard(reply))
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


async def inline_query(update: Update, context: Context) -> None:
    """@ThisBot 问题 in any chat: up to ten passages, each with its citation."""
    query = update.inline_query
    if query is None:
        return
    replies = replies_of(context)
    text = query.query.strip()
    if not text:
        await query.answer(
            [],
            cache_time=INLINE_CACHE_SECONDS,
            button=InlineQueryResultsButton(texts.INLINE_HINT, start_parameter="inline"),
        )
        return
    started = time.perf_counter()
    answer = replies.answerer.answer(text, k=10)
    results = replies.inline(answer) if answer.answered else []
    ms = round((time.perf_counter() - started) * 1000)
    articles = [
        InlineQueryResultArticle(
            id=r.id, title=r.title, description=r.description, input_message_content=InputTextMessageContent(r.html)
        )
        for r in results
    ]
    button = None if articles else InlineQueryResultsButton(texts.INLINE_NOTHING, start_parameter="help")
    await query.answer(articles, cache_time=INLINE_CACHE_SECONDS, button=button)
    log_of(context).question(answer, chat_type="inline", user_id=query.from_user.id, chat_id=None, ms=ms, inline=True)


# --- membership and errors -------------------------------------------------------------------


async def membership(update: Update, context: Context) -> None:
    """Leave groups the bot may not serve; log being added or removed."""
    change = update.my_chat_member
    if change is None:
        return
    chat = change.chat
    status = change.new_chat_member.status
    if status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        log.info("removed from chat %s", chat.id)
        return
    if not settings_of(context).serves(chat.id, chat.type == ChatType.PRIVATE):
        log.info("leaving chat %s: not in ALLOWED_CHAT_IDS", chat.id)
        await context.bot.leave_chat(chat.id)
        return
    log.info("added to chat %s (%s)", chat.id, chat.type)


async def error_handler(update: object, context: Context) -> None:
    """Log first; then, for a user's message, a short apology.

    Faults of the network or of Telegram's flood control are expected: one warning line,
    no traceback, no apology.
    """
    error = context.error
    if isinstance(error, InvalidToken):  # revoked while running: stop with one line, do not linger
        lifecycle.fail(context.application, lifecycle.token_rejected(error, settings_of(context).base_url))
        return
    if isinstance(error, (RetryAfter, TimedOut, NetworkError)) and not isinstance(error, BadRequest):
        # The request layer has already said so in one line; here it only gave up.
        if update is None:
            log.debug("polling: %s", error)
        else:
            log.warning("gave up on an update after repeated %s", type(error).__name__)
        return
    if isinstance(error, Forbidden):
        log.warning("not allowed to write there: %s", error)
        return
    log.error("error while handling an update", exc_info=error)
    if isinstance(update, Update) and update.effective_message is not None and update.callback_query is None:
        try:
            await update.effective_message.reply_text(texts.ERROR)
        except TelegramError as exc:
            log.warning("could not apologise: %s", exc)
