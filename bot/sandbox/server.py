"""A strict local Bot API server on 127.0.0.1, for the sandbox, the tests and the benchmark.

Telegram's servers cannot be reached from a test machine; this stands in for them. It runs on
tornado, which the webhook extra of python-telegram-bot installs anyway, so a runtime install
can run it (``python -m bot sandbox``).

It answers the bot like Telegram does — long-polling ``getUpdates`` with offsets, ``getMe``,
``sendMessage``, ``editMessageText``, ``answerCallbackQuery``, ``answerInlineQuery``,
``setMyCommands``, ``sendChatAction``, ``deleteWebhook``, ``setWebhook``, ``leaveChat`` — and
refuses what Telegram refuses: text over 4096 characters or empty, HTML that Telegram's parser
rejects, ``callback_data`` over 64 bytes, replies to messages that do not exist, edits that
change nothing, callback queries answered twice, more than 20 messages a minute in a group.

The test side drives it in-process: :meth:`BotAPIServer.send` posts a user's message (with
command and mention entities at UTF-16 offsets), :meth:`edit`, :meth:`press`,
:meth:`inline_query` and :meth:`post` make the other updates, :attr:`sent` holds everything the
bot did, :meth:`acknowledged` waits until the bot has confirmed the updates posted (the event
to wait for before checking that the bot said nothing), and :meth:`fail` injects faults (429
with ``retry_after``, 500, 502, slow answers, dropped connections) into the next calls of a
method. As Telegram does, a second ``getUpdates`` ends the one waiting with 409 Conflict, and
:meth:`revoke` makes every call (a waiting long poll too) answer 401; :attr:`confirmed` is what
the bot has confirmed, :attr:`updates` what it has not; :meth:`delete` removes a user's message
(a reply to it needs ``allow_sending_without_reply``). In webhook mode it posts up to
``max_connections`` updates at once, each until it is answered 200 (:attr:`webhook_answers`
holds every answer). The flood limits are Telegram's unless a test passes shorter ones.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, cast

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

MAX_TEXT = 4096
MAX_CALLBACK_BYTES = 64
GROUP_LIMIT = 20  # messages a minute in one group
GROUP_PERIOD = 60.0
OVERALL_LIMIT = 30  # messages a second in all
OVERALL_PERIOD = 1.0
STOP_GRACE = 0.5  # seconds that stopping waits for long polls to answer
_JSON_FIELDS = {
    "reply_markup",
    "reply_parameters",
    "commands",
    "scope",
    "results",
    "link_preview_options",
    "entities",
    "allowed_updates",
    "button",
}
_INT_FIELDS = {"chat_id", "message_id", "message_thread_id", "offset", "limit", "timeout", "cache_time"}
_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")


class BadRequest(Exception):
    """A request Telegram would refuse: becomes a 400 answer."""


@dataclass
class Fault:
    """A fault to inject into the next ``times`` calls of ``method``."""

    method: str
    kind: str  # "429", "500", "502", "slow", "drop"
    times: int = 1
    retry_after: int = 1
    delay: float = 3.0


@dataclass
class Sent:
    """Something the bot did: a message sent or edited, a query answered, a chat left."""

    method: str
    params: dict[str, Any]
    result: Any = None
    at: float = field(default_factory=time.monotonic)

    @property
    def chat_id(self) -> int | None:
        """The chat the bot acted in, if any."""
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        """The visible text (HTML parsed) of a sent or edited message."""
        return self.result.get("text", "") if isinstance(self.result, dict) else ""

    @property
    def html(self) -> str:
        """The HTML the bot sent."""
        return str(self.params.get("text", ""))

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The inline keyboard's buttons, row after row."""
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


class _TelegramHTML(HTMLParser):
    """Telegram's HTML parse mode: a few tags, four named entities, strict nesting."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _TAGS:
            raise BadRequest(f'Bad Request: can\'t parse entities: unsupported start tag "{tag}"')
        if tag == "a" and not dict(attrs).get("href"):
            raise BadRequest("Bad Request: can't parse entities: <a> without href")
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise BadRequest(f'Bad Request: can\'t parse entities: unsupported start tag "{tag}"')

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise BadRequest(
                f"Bad Request: can't parse entities: can't find end tag corresponding to start tag \"{tag}\""
            )
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data or ">" in data:
            raise BadRequest("Bad Request: can't parse entities: unescaped < or >")
        if "&" in data:
            raise BadRequest("Bad Request: can't parse entities: unescaped &")
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in ("lt", "gt", "amp", "quot"):
            raise BadRequest(f'Bad Request: can\'t parse entities: unsupported HTML entity "&{name};"')
        self.text.append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.text.append(html.unescape(f"&#{name};"))

    def handle_comment(self, data: str) -> None:
        raise BadRequest("Bad Request: can't parse entities: unexpected comment")

    def handle_decl(self, decl: str) -> None:
        raise BadRequest("Bad Request: can't parse entities: unexpected declaration")


def parse_html(text: str) -> str:
    """Visible text of Telegram HTML, or :class:`BadRequest` as Telegram would refuse it."""
    parser = _TelegramHTML()
    parser.feed(text)
    parser.close()
    if parser.rawdata:  # an unfinished tag or entity at the end
        raise BadRequest("Bad Request: can't parse entities: unclosed tag or entity at the end")
    if parser.stack:
        raise BadRequest(
            f"Bad Request: can't parse entities: can't find end tag corresponding to start tag \"{parser.stack[-1]}\""
        )
    return "".join(parser.text)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts offsets and limits."""
    return len(text.encode("utf-16-le")) // 2


class BotAPIServer:
    """The server and its test-side controls. ``await start()``, then use :attr:`base_url`.

    It refuses (429) a message beyond ``group_limit`` in ``group_period`` seconds in one group,
    or beyond ``overall_limit`` in ``overall_period`` seconds in all: Telegram's limits unless
    given shorter ones.
    """

    def __init__(
        self,
        token: str = "123456789:TEST-token_for-local_tests",
        username: str = "TongluTestBot",
        *,
        group_limit: int = GROUP_LIMIT,
        group_period: float = GROUP_PERIOD,
        overall_limit: int = OVERALL_LIMIT,
        overall_period: float = OVERALL_PERIOD,
    ) -> None:
        self.token = token
        self.group_limit, self.group_period = group_limit, group_period
        self.overall_limit, self.overall_period = overall_limit, overall_period
        self.bot_user = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": "Tonglu Test Bot",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self.last_update_id = 0  # of the latest update posted
        self.confirmed = 0  # the bot has confirmed every update with a lower id
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._query_ids = itertools.count(1000)
        self.chats: dict[int, dict[str, Any]] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.sent: list[Sent] = []
        self.refused: list[tuple[str, dict[str, Any], str]] = []
        self.conflicts = 0  # getUpdates answered 409
        self.rate_limited: list[tuple[str, dict[str, Any]]] = []
        self.callback_queries: dict[str, bool] = {}
        self.inline_queries: dict[str, Any] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.faults: list[Fault] = []
        self.fault_log: list[tuple[str, str]] = []
        self.webhook: dict[str, Any] | None = None
        self.webhook_deliveries: list[int] = []
        self.webhook_answers: list[tuple[int, int]] = []  # (update_id, HTTP status or 0 for no answer)
        self._poll_ids = itertools.count(1)  # each getUpdates call's number: the latest one is active
        self._active_poll = 0
        self.requests: list[str] = []
        self.unsupported: set[str] = set()  # methods to answer 404, like an emulator that lacks them
        self._group_sends: dict[int, deque[float]] = {}
        self._all_sends: deque[float] = deque()
        self._changed = asyncio.Condition()
        self._http: HTTPServer | None = None
        self._stopping = False
        self._answering_polls = 0  # getUpdates calls being answered
        self._delivery: asyncio.Task[None] | None = None
        self.port = 0

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on 127.0.0.1 and a free port (see :attr:`base_url`)."""
        self._stopping = False
        app = Application([(r"/bot([^/]*)/([A-Za-z]+)", _MethodHandler, {"server": self})], log_function=_quiet)
        self._http = HTTPServer(app, idle_connection_timeout=60)
        sockets = bind_sockets(0, "127.0.0.1")
        self._http.add_sockets(sockets)
        self.port = int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Stop listening and delivering; end every long poll at once (with no updates)."""
        self._stopping = True
        if self._delivery is not None:
            self._delivery.cancel()
        async with self._changed:
            self._changed.notify_all()
        if self._http is not None:
            self._http.stop()
            # The long polls just woken answer before their connections close.
            deadline = time.monotonic() + STOP_GRACE
            while self._answering_polls and time.monotonic() < deadline:
                await asyncio.sleep(0.005)
            await self._http.close_all_connections()
            self._http = None

    @property
    def base_url(self) -> str:
        """What the bot is given as ``TELEGRAM_API_BASE_URL``."""
        return f"http://127.0.0.1:{self.port}/bot"

    # --- HTTP --------------------------------------------------------------------------------

    async def _handle(self, request: _MethodHandler, token: str, method: str) -> None:
        polls = int(method == "getUpdates")
        self._answering_polls += polls
        try:
            await self._answer(request, token, method)
        finally:
            self._answering_polls -= polls

    async def _answer(self, request: _MethodHandler, token: str, method: str) -> None:
        self.requests.append(method)
        if token != self.token:
            request.reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        try:
            params = self._params(request)
        except BadRequest as exc:
            request.reply(400, {"ok": False, "error_code": 400, "description": str(exc)})
            return
        fault = self._take_fault(method)
        if fault is not None:
            self.fault_log.append((method, fault.kind))
            if fault.kind == "429":
                request.reply(429, _too_many_requests(fault.retry_after))
                return
            if fault.kind in ("500", "502"):
                code = int(fault.kind)
                text = "Internal Server Error" if code == 500 else "Bad Gateway"
                request.reply(code, {"ok": False, "error_code": code, "description": text})
                return
            if fault.kind == "drop":
                request.drop()
                return
            if fault.kind == "slow":
                await asyncio.sleep(fault.delay)
                if request.gone:
                    return  # the client gave up: the request had no effect
        handler = getattr(self, f"_api_{method}", None)
        if handler is None or method in self.unsupported:
            request.reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        try:
            result = await handler(params)
        except Unauthorized:
            request.reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        except BadRequest as exc:
            status = 409 if str(exc).startswith("Conflict") else 400
            if status == 409:
                self.conflicts += 1  # not the bot's mistake: another getUpdates (or a webhook) came first
            else:
                self.refused.append((method, params, str(exc)))
            request.reply(status, {"ok": False, "error_code": status, "description": str(exc)})
            return
        except RateLimited as exc:
            self.rate_limited.append((method, params))
            request.reply(429, _too_many_requests(exc.retry_after))
            return
        request.reply(200, {"ok": True, "result": result})

    def _params(self, request: _MethodHandler) -> dict[str, Any]:
        http = request.request
        params: dict[str, Any] = {k: v[-1].decode() for k, v in http.query_arguments.items()}
        if http.headers.get("Content-Type", "").startswith("application/json") and http.body:
            try:
                body = json.loads(http.body)
            except ValueError:
                raise BadRequest("Bad Request: can't parse JSON body") from None
            if isinstance(body, dict):
                params.update(body)
        else:
            params.update({k: v[-1].decode() for k, v in http.body_arguments.items()})
        for name in _JSON_FIELDS & params.keys():
            if isinstance(params[name], str):
                try:
                    params[name] = json.loads(params[name])
                except json.JSONDecodeError:
                    raise BadRequest(f"Bad Request: can't parse {name} JSON object") from None
        for name in _INT_FIELDS & params.keys():
            if isinstance(params[name], str) and re.fullmatch(r"-?\d+", params[name]):
                params[name] = int(params[name])
        return params

    def _take_fault(self, method: str) -> Fault | None:
        for fault in self.faults:
            if fault.method == method and fault.times > 0:
                fault.times -= 1
                if fault.times == 0:
                    self.faults.remove(fault)
                return fault
        return None

    # --- Bot API methods -----------------------------------------------------------------------

    async def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        if _flag(params.get("drop_pending_updates")):
            self.updates.clear()
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url", "")
        if not url:
            return await self._api_deleteWebhook(params)
        if not str(url).startswith(("http://", "https://")):
            raise BadRequest("Bad Request: bad webhook: an HTTPS URL must be provided for webhook")
        self.webhook = {
            "url": url,
            "secret_token": params.get("secret_token"),
            "max_connections": int(params.get("max_connections") or 40),
        }
        if _flag(params.get("drop_pending_updates")):
            self.updates.clear()
        if self._delivery is None or self._delivery.done():
            self._delivery = asyncio.create_task(self._deliver())
        return True

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise BadRequest(
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first"
            )
        offset = int(params.get("offset") or 0)
        limit = min(int(params.get("limit") or 100), 100)
        timeout = float(params.get("timeout") or 0)
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            await self._confirm(offset)
        # Only one getUpdates at a time: this one ends the one waiting, as on Telegram.
        poll = self._active_poll = next(self._poll_ids)
        token = self.token
        deadline = time.monotonic() + timeout
        async with self._changed:
            self._changed.notify_all()
            while not self.updates and time.monotonic() < deadline and not self._stopping:
                if poll != self._active_poll or token != self.token:
                    break
                try:
                    await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
                except TimeoutError:
                    break
        if token != self.token:
            raise Unauthorized
        if poll != self._active_poll:
            raise BadRequest(
                "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
            )
        return self.updates[:limit]

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        text = self._check_text(params)
        self._check_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat, params)
        self._rate_check(chat)
        message = self._new_message(chat, self.bot_user, text)
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        thread = params.get("message_thread_id")
        if thread is not None:
            message["message_thread_id"] = int(thread)
            message["is_topic_message"] = True
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        # A copy: what was sent stays as sent when the message is edited later.
        await self._record("sendMessage", params, dict(message))
        return message

    async def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        text = self._check_text(params)
        self._check_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            await self._record("editMessageText", params, True)
            return True
        chat = self._chat(params)
        key = (chat["id"], int(params.get("message_id") or 0))
        message = self.messages.get(key)
        if message is None:
            raise BadRequest("Bad Request: message to edit not found")
        if message["from"]["id"] != self.bot_user["id"]:
            raise BadRequest("Bad Request: message can't be edited")
        markup = params.get("reply_markup")
        if message["text"] == text and message.get("reply_markup") == markup:
            raise BadRequest(
                "Bad Request: message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message"
            )
        message["text"] = text
        message["edit_date"] = int(time.time())
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        await self._record("editMessageText", params, dict(message))
        return message

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if self.callback_queries.get(query_id) is not False:
            raise BadRequest("Bad Request: query is too old and response timeout expired or query ID is invalid")
        if len(str(params.get("text") or "")) > 200:
            raise BadRequest("Bad Request: MESSAGE_TOO_LONG")
        self.callback_queries[query_id] = True
        await self._record("answerCallbackQuery", params, True)
        return True

    async def _api_answerInlineQuery(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("inline_query_id", ""))
        if query_id not in self.inline_queries or self.inline_queries[query_id] is not None:
            raise BadRequest("Bad Request: query is too old and response timeout expired or query ID is invalid")
        results = params.get("results")
        if not isinstance(results, list) or len(results) > 50:
            raise BadRequest("Bad Request: RESULTS_TOO_MUCH")
        ids = [str(r.get("id", "")) for r in results]
        if len(set(ids)) != len(ids) or any(not i or len(i.encode()) > 64 for i in ids):
            raise BadRequest("Bad Request: RESULT_ID_INVALID")
        for result in results:
            content = result.get("input_message_content") or {}
            if result.get("type") != "article" or not result.get("title") or "message_text" not in content:
                raise BadRequest("Bad Request: RESULT_INVALID")
            self._check_text({"text": content["message_text"], "parse_mode": content.get("parse_mode")})
            self._check_markup(result.get("reply_markup"))
        self.inline_queries[query_id] = results
        await self._record("answerInlineQuery", params, True)
        return True

    async def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise BadRequest("Bad Request: commands must be a list of at most 100")
        for command in commands:
            if not _COMMAND.fullmatch(str(command.get("command", ""))):
                raise BadRequest("Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise BadRequest("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        scope = (params.get("scope") or {}).get("type", "default")
        self.commands[scope] = commands
        await self._record("setMyCommands", params, True)
        return True

    async def _api_getMyCommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands.get((params.get("scope") or {}).get("type", "default"), [])

    async def _api_sendChatAction(self, params: dict[str, Any]) -> bool:
        self._chat(params)
        await self._record("sendChatAction", params, True)
        return True

    async def _api_leaveChat(self, params: dict[str, Any]) -> bool:
        self._chat(params)
        await self._record("leaveChat", params, True)
        return True

    # --- checks --------------------------------------------------------------------------------

    def _chat(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            chat_id = int(params.get("chat_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise BadRequest("Bad Request: chat not found") from None
        chat = self.chats.get(chat_id)
        if chat is None:
            raise BadRequest("Bad Request: chat not found")
        return chat

    def _check_text(self, params: dict[str, Any]) -> str:
        raw = params.get("text")
        if raw is None:
            raise BadRequest("Bad Request: message text is empty")
        raw = str(raw)
        parse_mode = str(params.get("parse_mode") or "")
        if parse_mode.lower() == "html":
            text = parse_html(raw)
        elif parse_mode:
            raise BadRequest(f"Bad Request: unsupported parse_mode {parse_mode}")
        else:
            text = raw
        if not text.strip():
            raise BadRequest("Bad Request: message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise BadRequest("Bad Request: message is too long")
        return text

    def _check_markup(self, markup: Any) -> None:
        if not markup:
            return
        rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
        if not isinstance(rows, list):
            raise BadRequest("Bad Request: can't parse reply keyboard markup JSON object")
        for row in rows:
            for button in row:
                if not button.get("text"):
                    raise BadRequest("Bad Request: BUTTON_TEXT_EMPTY")
                data = button.get("callback_data")
                kinds = [k for k in ("callback_data", "url", "switch_inline_query") if k in button]
                if len(kinds) != 1:
                    raise BadRequest("Bad Request: BUTTON_TYPE_INVALID")
                if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_BYTES:
                    raise BadRequest("Bad Request: BUTTON_DATA_INVALID")
                if "url" in button and not str(button["url"]).startswith(("http://", "https://", "tg://")):
                    raise BadRequest("Bad Request: BUTTON_URL_INVALID")

    def _reply_target(self, chat: dict[str, Any], params: dict[str, Any]) -> dict[str, Any] | None:
        reply = params.get("reply_parameters") or {}
        message_id = reply.get("message_id") or params.get("reply_to_message_id")
        if not message_id:
            return None
        target_chat = int(reply.get("chat_id", chat["id"]))
        target = self.messages.get((target_chat, int(message_id)))
        if target is None and not reply.get("allow_sending_without_reply"):
            raise BadRequest("Bad Request: message to be replied not found")
        return target

    def _rate_check(self, chat: dict[str, Any]) -> None:
        now = time.monotonic()
        while self._all_sends and now - self._all_sends[0] > self.overall_period:
            self._all_sends.popleft()
        if len(self._all_sends) >= self.overall_limit:
            raise RateLimited(1)
        if chat["type"] in ("group", "supergroup"):
            sends = self._group_sends.setdefault(chat["id"], deque())
            while sends and now - sends[0] > self.group_period:
                sends.popleft()
            if len(sends) >= self.group_limit:
                raise RateLimited(max(1, int(self.group_period - (now - sends[0])) + 1))
            sends.append(now)
        self._all_sends.append(now)

    # --- state ---------------------------------------------------------------------------------

    def _new_message(self, chat: dict[str, Any], sender: dict[str, Any], text: str | None) -> dict[str, Any]:
        ids = self._message_ids.setdefault(chat["id"], itertools.count(1))
        message: dict[str, Any] = {"message_id": next(ids), "date": int(time.time()), "chat": chat, "from": sender}
        if text is not None:
            message["text"] = text
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    async def _record(self, method: str, params: dict[str, Any], result: Any) -> None:
        self.sent.append(Sent(method, params, result))
        async with self._changed:
            self._changed.notify_all()

    async def _push(self, update: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **update}
        self.last_update_id = update["update_id"]
        self.updates.append(update)
        async with self._changed:
            self._changed.notify_all()
        return update

    async def _confirm(self, offset: int) -> None:
        """The bot will not be given the updates below ``offset`` again."""
        if offset > self.confirmed:
            self.confirmed = offset
            async with self._changed:
                self._changed.notify_all()

    async def _deliver(self) -> None:
        """Webhook mode: post updates to the bot's URL, up to max_connections at once, in order.

        Each is posted again (after a pause) until it is answered 200.
        """
        client = AsyncHTTPClient(force_instance=True, max_clients=100)
        in_flight: set[int] = set()
        tasks: set[asyncio.Task[None]] = set()
        try:
            while self.webhook is not None:
                waiting = [u for u in self.updates if u["update_id"] not in in_flight]
                if not waiting or len(in_flight) >= self.webhook["max_connections"]:
                    async with self._changed:
                        try:
                            await asyncio.wait_for(self._changed.wait(), 0.5)
                        except TimeoutError:
                            pass
                    continue
                update = waiting[0]
                in_flight.add(update["update_id"])
                task = asyncio.create_task(self._post_update(client, dict(self.webhook), update, in_flight))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
        finally:
            for task in tasks:
                task.cancel()
            client.close()

    async def _post_update(
        self, client: AsyncHTTPClient, webhook: dict[str, Any], update: dict[str, Any], in_flight: set[int]
    ) -> None:
        headers = {"Content-Type": "application/json"}
        if webhook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = webhook["secret_token"]
        request = HTTPRequest(
            webhook["url"], method="POST", body=json.dumps(update), headers=headers, request_timeout=10
        )
        try:
            response = await client.fetch(request, raise_error=False)
            code = response.code
        except (OSError, HTTPClientError):
            code = 0
        self.webhook_answers.append((update["update_id"], code))
        if code == 200:
            self.webhook_deliveries.append(update["update_id"])
            self.updates = [u for u in self.updates if u["update_id"] != update["update_id"]]
            # Confirmed: every update below the lowest one still waiting for its 200.
            await self._confirm(min((u["update_id"] for u in self.updates), default=self.last_update_id + 1))
        else:
            await asyncio.sleep(0.2)
        in_flight.discard(update["update_id"])
        async with self._changed:
            self._changed.notify_all()

    # --- the test side -------------------------------------------------------------------------

    def user(self, user_id: int, first_name: str = "用户", username: str | None = None) -> dict[str, Any]:
        """A user (not a bot)."""
        user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "zh-hans"}
        if username:
            user["username"] = username
        return user

    def private_chat(self, user: dict[str, Any]) -> dict[str, Any]:
        """The private chat with ``user``."""
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        self.chats[chat["id"]] = chat
        return chat

    def group(
        self, chat_id: int, title: str = "讨论组", *, supergroup: bool = False, forum: bool = False
    ) -> dict[str, Any]:
        """A group, or a supergroup (``forum``: with topics)."""
        chat: dict[str, Any] = {"id": chat_id, "type": "supergroup" if supergroup or forum else "group", "title": title}
        if forum:
            chat["is_forum"] = True
        self.chats[chat_id] = chat
        return chat

    async def send(
        self,
        chat: dict[str, Any],
        user: dict[str, Any],
        text: str | None = None,
        *,
        reply_to: dict[str, Any] | None = None,
        thread_id: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A user's message, with bot_command and mention entities (UTF-16 offsets)."""
        message = self._new_message(chat, user, text)
        if text:
            entities = _entities(text)
            if entities:
                message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
        message.update(extra or {})
        await self._push({"message": message})
        return message

    async def edit(self, message: dict[str, Any], text: str) -> dict[str, Any]:
        """The user edits an earlier message."""
        message = {**message, "text": text, "edit_date": int(time.time())}
        entities = _entities(text)
        if entities:
            message["entities"] = entities
        else:
            message.pop("entities", None)
        self.messages[(message["chat"]["id"], message["message_id"])] = message
        await self._push({"edited_message": message})
        return message

    async def press(self, message: dict[str, Any], user: dict[str, Any], data: str) -> str:
        """The user presses a button with ``data`` under the bot's ``message``."""
        query_id = str(next(self._query_ids))
        self.callback_queries[query_id] = False
        current = self.messages.get((message["chat"]["id"], message["message_id"]), message)
        await self._push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user,
                    "message": current,
                    "chat_instance": f"ci{message['chat']['id']}",
                    "data": data,
                }
            }
        )
        return query_id

    async def inline_query(self, user: dict[str, Any], query: str, chat_type: str | None = "sender") -> str:
        """The user types ``@bot query`` in a chat of ``chat_type`` (sender: the chat with the bot)."""
        query_id = str(next(self._query_ids))
        self.inline_queries[query_id] = None
        await self._push(
            {"inline_query": {"id": query_id, "from": user, "query": query, "offset": "", "chat_type": chat_type}}
        )
        return query_id

    async def post(self, update: dict[str, Any]) -> dict[str, Any]:
        """Any other update, as given (``update_id`` is added)."""
        return await self._push(update)

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait until ``predicate()`` is truthy; return its value."""
        deadline = time.monotonic() + timeout
        while True:
            # Checked under the lock that every change notifies under, so no change is missed.
            async with self._changed:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("timed out waiting for the bot")
                try:
                    await asyncio.wait_for(self._changed.wait(), min(remaining, 0.2))
                except TimeoutError:
                    pass

    async def acknowledged(self, update_id: int | None = None, timeout: float = 10.0) -> None:
        """Wait until the bot has confirmed update ``update_id`` (default: every update posted).

        The bot confirms an update by asking ``getUpdates`` for a later offset (in webhook mode:
        by answering its delivery), so it has the update and will not be given it again. Wait
        for this before checking that the bot said nothing: a check made sooner passes whether
        or not the bot would have spoken. (The bot may still be handling the update; a reply
        to a later message in the same chat shows that it is done, as one chat's updates are
        handled in order.)
        """
        target = self.last_update_id if update_id is None else update_id
        await self.wait_for(lambda: self.confirmed > target, timeout)

    def of(self, method: str, chat_id: int | None = None) -> list[Sent]:
        """The bot's actions of ``method``, optionally in one chat."""
        return [s for s in self.sent if s.method == method and (chat_id is None or s.chat_id == chat_id)]

    async def reply_to(self, message: dict[str, Any], timeout: float = 10.0) -> Sent:
        """The bot's first message sent after ``message`` in its chat."""
        chat_id = message["chat"]["id"]
        before = message["message_id"]

        def found() -> Sent | None:
            return next((s for s in self.of("sendMessage", chat_id) if s.result["message_id"] > before), None)

        return cast(Sent, await self.wait_for(found, timeout))

    async def delete(self, message: dict[str, Any]) -> None:
        """The user deletes a message: replies to it need ``allow_sending_without_reply``."""
        self.messages.pop((message["chat"]["id"], message["message_id"]), None)

    async def revoke(self) -> None:
        """The token is revoked: from now on every call answers 401, a waiting long poll too."""
        self.token = self.token.split(":")[0] + ":revoked"
        async with self._changed:
            self._changed.notify_all()

    def fail(self, method: str, kind: str, times: int = 1, *, retry_after: int = 1, delay: float = 3.0) -> None:
        """Inject a fault into the next ``times`` calls of ``method``."""
        self.faults.append(Fault(method, kind, times, retry_after, delay))


class Unauthorized(Exception):
    """The token was revoked: becomes a 401 answer."""


class RateLimited(Exception):
    """Telegram's flood control answered for a request (HTTP 429)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def _too_many_requests(retry_after: int) -> dict[str, Any]:
    """Telegram's flood-control answer."""
    return {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {retry_after}",
        "parameters": {"retry_after": retry_after},
    }


class _MethodHandler(RequestHandler):
    """One HTTP request to ``/bot<token>/<method>``, handed to the server."""

    def initialize(self, server: BotAPIServer) -> None:
        self.server = server
        self.gone = False

    async def get(self, token: str, method: str) -> None:
        await self.server._handle(self, token, method)

    async def post(self, token: str, method: str) -> None:
        await self.server._handle(self, token, method)

    def check_xsrf_cookie(self) -> None:
        """The Bot API has no cookies."""

    def on_connection_close(self) -> None:
        self.gone = True

    def reply(self, status: int, body: dict[str, Any]) -> None:
        """Answer with a JSON body, unless the client has gone."""
        if self.gone:
            return
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, ensure_ascii=False))

    def drop(self) -> None:
        """Close the connection without an answer."""
        self.gone = True
        self.request.connection.close()  # type: ignore[union-attr]


def _quiet(handler: RequestHandler) -> None:
    """No access log."""


def _flag(value: Any) -> bool:
    return str(value).lower() in ("true", "1")


def _entities(text: str) -> list[dict[str, Any]]:
    """Telegram's bot_command and mention entities, with offsets in UTF-16 code units."""
    entities = []
    for found in re.finditer(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{5,32})?|(?<!\w)@[A-Za-z0-9_]{5,32}", text):
        kind = "bot_command" if found.group().startswith("/") else "mention"
        if kind == "bot_command" and found.start() != 0:
            continue
        entities.append({"type": kind, "offset": utf16_len(text[: found.start()]), "length": utf16_len(found.group())})
    return entities
