"""``python -m bot sandbox``: talk to the real bot as a Telegram user would, with no Telegram.

The real bot (:func:`bot.tg.app.build_application`, polling as in production) runs against the
local Bot API server (:mod:`bot.sandbox.server`) on 127.0.0.1, both on one asyncio loop in a
thread of their own; the terminal stays in the main thread, so readline edits lines there and
Ctrl-C ends cleanly. The token is made up and only the local server ever sees it. Questions and
votes go to a temporary SQLite question log, removed at the end, never the user's own.

Every line typed is sent as a message from one user, in a private chat or (``/group``) a group,
where a plain line goes as ``/ask …``. A line that is a number presses that button of the bot's
last message in the chat. After each, the sandbox waits until the bot has handled the update
(a handler registered after all of the bot's own sees it last), then prints everything the bot
did: messages sent, messages edited, the toast of a button press; or that it said nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import tempfile
import threading
from collections.abc import Coroutine
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlparse

from telegram import Update
from telegram.ext import ContextTypes, TypeHandler

from bot.config import Settings
from bot.console import Terminal, history_file, use_colour
from bot.core.answering import Answerer
from bot.core.library import Library
from bot.replies import texts
from bot.sandbox.running import polling
from bot.sandbox.server import BotAPIServer, Sent
from bot.sandbox.view import buttons_of, keyboard_lines, rich_from_html
from bot.tg.app import build_application
from bot.tg.logs import configure_logging

T = TypeVar("T")

# A token of the right shape for the local server only (Telegram never sees it).
TOKEN = "1234567890:sandbox-token-for-the-local-server-only"
USERNAME = "TongluSandboxBot"
USER_ID = 4201
GROUP_ID = -1004201
SANDBOX_HISTORY = "sandbox_history"
# Seconds to wait for the bot to handle one update (a group over its flood limit waits up to a minute).
HANDLED_WITHIN = 90.0
# Registered after every handler of the bot: sees an update once the bot is done with it.
_LAST_GROUP = 1_000
_SHOWN = ("sendMessage", "editMessageText", "answerCallbackQuery")


class SandboxBot:
    """The local server and the real bot, on an event loop in a thread of their own.

    ``with SandboxBot(settings, answerer) as bot:`` starts both; :meth:`call` runs a coroutine on
    their loop and returns its result. Leaving stops polling, the bot and the server.
    """

    def __init__(self, settings: Settings, answerer: Answerer | Library, folder: Path) -> None:
        """``settings`` as loaded; the bot gets the local server, a log in ``folder`` and no chat limits."""
        self.server = BotAPIServer(TOKEN, USERNAME)
        self.user = self.server.user(USER_ID, texts.SANDBOX_USER, "sandbox_user")
        self.private = self.server.private_chat(self.user)
        self.group = self.server.group(GROUP_ID, texts.SANDBOX_GROUP_TITLE)
        self.settings = replace(
            settings,
            token=TOKEN,
            webhook_url=None,
            webhook_secret=None,
            allowed_chat_ids=frozenset(),
            admin_user_ids=frozenset({USER_ID}),  # so /stats can be tried
            database_url=f"sqlite:///{folder / 'questions.sqlite3'}",
        )
        self.answerer = answerer
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="sandbox-loop", daemon=True)
        self._stack = contextlib.AsyncExitStack()
        self._handled: dict[int, asyncio.Event] = {}
        self.shown = 0  # how many of server.sent have been printed

    def __enter__(self) -> SandboxBot:
        self._thread.start()
        try:
            self.call(self._start())
        except BaseException:
            self._end()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.call(self._stack.aclose())
        finally:
            self._end()

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` on the bot's loop; its result (Ctrl-C interrupts the wait, and cancels it)."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()
            raise

    def _end(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()

    async def _start(self) -> None:
        await self.server.start()
        self._stack.push_async_callback(self.server.stop)
        settings = replace(self.settings, base_url=self.server.base_url)
        application = build_application(settings, self.answerer)
        application.add_handler(TypeHandler(Update, self._done), group=_LAST_GROUP)
        await self._stack.enter_async_context(polling(application))

    async def _done(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self._handled.setdefault(update.update_id, asyncio.Event()).set()

    async def _handled_within(self, update_id: int, seconds: float) -> bool:
        event = self._handled.setdefault(update_id, asyncio.Event())
        try:
            await asyncio.wait_for(event.wait(), seconds)
        except TimeoutError:
            return False
        return True

    async def say(self, chat: dict[str, Any], text: str, seconds: float = HANDLED_WITHIN) -> bool:
        """The user sends ``text`` in ``chat``; whether the bot was done with it within ``seconds``."""
        await self.server.send(chat, self.user, text)
        return await self._handled_within(self.server.last_update_id, seconds)

    async def press(self, message: dict[str, Any], data: str, seconds: float = HANDLED_WITHIN) -> bool:
        """The user presses the button with ``data`` under the bot's ``message``."""
        await self.server.press(message, self.user, data)
        return await self._handled_within(self.server.last_update_id, seconds)

    def new(self) -> list[Sent]:
        """What the bot did since the last call, that a user would see."""
        sent = self.server.sent[self.shown :]
        self.shown += len(sent)
        return [s for s in sent if s.method in _SHOWN]


class Session:
    """The terminal side: reads lines, sends them or presses buttons, prints what the bot did."""

    def __init__(self, bot: SandboxBot, terminal: Terminal) -> None:
        """Talk to ``bot`` on ``terminal``, starting in the private chat."""
        self.bot = bot
        self.terminal = terminal
        self.chat = bot.private
        self.last: dict[int, int] = {}  # chat id → id of the bot's last message there

    def run(self) -> int:
        """Until /quit or the end of input; the exit status."""
        self.terminal.write(texts.SANDBOX_BANNER.format(bot=USERNAME, user=texts.SANDBOX_USER))
        while True:
            prompt = texts.SANDBOX_PROMPT_GROUP if self.chat is self.bot.group else texts.SANDBOX_PROMPT_PRIVATE
            try:
                line = self.terminal.read(self.terminal.styled(prompt, "b")).strip()
            except KeyboardInterrupt:
                if not self.terminal.interactive:
                    raise
                self.terminal.write("")
                continue
            except EOFError:
                if self.terminal.interactive:
                    self.terminal.write("")
                return 0
            if not self.terminal.interactive:  # a script: show what was "typed", as a transcript
                self.terminal.write(prompt + line)
            if not line:
                continue
            if line.lower() in ("/quit", "/exit"):
                return 0
            self.handle(line)

    def handle(self, line: str) -> None:
        """One line: a sandbox command, a button press, or a message."""
        if line.lower() == "/group":
            self.chat = self.bot.group
            self.terminal.write(self.terminal.styled(texts.SANDBOX_NOW_GROUP.format(title=self.chat["title"]), "i"))
            return
        if line.lower() == "/private":
            self.chat = self.bot.private
            self.terminal.write(self.terminal.styled(texts.SANDBOX_NOW_PRIVATE.format(bot=USERNAME), "i"))
            return
        if line.isdigit() and (message := self._last_message()) is not None and buttons_of(message):
            self.press(message, int(line))
            return
        if self.chat is self.bot.group and not line.startswith("/"):
            line = f"/ask {line}"
        self.show(self.bot.call(self.bot.say(self.chat, line)))

    def press(self, message: dict[str, Any], number: int) -> None:
        """Press button ``number`` (from 1) of ``message``: a callback, or a link followed."""
        buttons = buttons_of(message)
        if not 1 <= number <= len(buttons):
            self.terminal.write(texts.SANDBOX_NO_BUTTON.format(number=number))
            return
        button = buttons[number - 1]
        if "callback_data" in button:
            self.show(self.bot.call(self.bot.press(message, button["callback_data"])))
            return
        url = str(button.get("url", ""))
        payload = _start_payload(url)
        if payload is None:
            self.terminal.write(self.terminal.styled(texts.SANDBOX_LINK.format(url=url), "i"))
            return
        # A deep link to the bot opens the private chat with /start PAYLOAD, as Telegram does.
        self.terminal.write(self.terminal.styled(texts.SANDBOX_OPENS.format(payload=payload), "i"))
        self.chat = self.bot.private
        self.show(self.bot.call(self.bot.say(self.chat, f"/start {payload}")))

    def show(self, done: bool) -> None:
        """Print what the bot did (or that it said nothing), and remember its last message per chat."""
        printed = False
        for sent in self.bot.new():
            if sent.method == "answerCallbackQuery":
                if sent.params.get("text"):
                    self.terminal.write(self.terminal.styled(texts.SANDBOX_TOAST.format(text=sent.params["text"]), "i"))
                    printed = True
                continue
            printed = True
            header = texts.SANDBOX_SENT if sent.method == "sendMessage" else texts.SANDBOX_EDITED
            self.terminal.write(self.terminal.styled(header.format(bot=USERNAME), "i"))
            self.terminal.write(rich_from_html(sent.html))
            for row in keyboard_lines(sent.params):
                self.terminal.write(self.terminal.styled(row, "b"))
            self.terminal.write("")
            if isinstance(sent.result, dict) and sent.chat_id is not None:
                self.last[sent.chat_id] = int(sent.result["message_id"])
        if not done:
            self.terminal.write(texts.SANDBOX_TIMEOUT.format(seconds=round(HANDLED_WITHIN)))
        elif not printed:
            self.terminal.write(self.terminal.styled(texts.SANDBOX_SILENT, "i"))

    def _last_message(self) -> dict[str, Any] | None:
        """The bot's last message in the current chat, as it stands now (edits included)."""
        message_id = self.last.get(self.chat["id"])
        return self.bot.server.messages.get((self.chat["id"], message_id)) if message_id is not None else None


def _start_payload(url: str) -> str | None:
    """``PAYLOAD`` of a ``https://t.me/<this bot>?start=PAYLOAD`` link, else ``None``."""
    parsed = urlparse(url)
    if parsed.netloc != "t.me" or parsed.path.strip("/").lower() != USERNAME.lower():
        return None
    return parse_qs(parsed.query).get("start", [None])[0]


def sandbox(answerer: Answerer | Library, settings: Settings, *, show_log: bool = False) -> int:
    """``python -m bot sandbox``: the bot on 127.0.0.1 and a user at this terminal (or script)."""
    # The bot's own log would interleave with the conversation: warnings only, unless asked for.
    configure_logging(settings.log_level if show_log else logging.WARNING, TOKEN)
    terminal = Terminal(colour=use_colour(sys.stdout, settings), history=history_file(settings, SANDBOX_HISTORY))
    with tempfile.TemporaryDirectory(prefix="tonglu-bot-sandbox-") as folder:
        try:
            with SandboxBot(settings, answerer, Path(folder)) as bot:
                return Session(bot, terminal).run()
        finally:
            terminal.close()
