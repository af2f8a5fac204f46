"""Webhook mode: our own tornado server for Telegram's requests, bounded against everyone else.

PTB's webhook server reads a whole body (up to 100 MB) before it looks at the secret, has no
body or idle time-out and no bound on connections, logs a traceback for every failed accept,
and answers 400 to an update it cannot read, which Telegram then retries forever. It is small,
so it is replaced rather than patched (tornado is the same library underneath):

- the secret header is checked as soon as the headers are in, **before the body is read**
  (``stream_request_body``); a refused request closes its connection, so its body never is;
- bodies are capped (``MAX_BODY``: Telegram's updates are a few KB), and a body or headers
  that trickle in are cut off (``BODY_TIMEOUT``, ``HEADER_TIMEOUT``, which is also how long an
  idle connection is kept);
- at most ``MAX_CONNECTIONS`` connections are open; more are closed as they come;
- when accepting fails for want of resources (too many open files), that is logged once per
  ``QUIET_SECONDS`` and accepting pauses briefly instead of spinning;
- an update that cannot be read is acknowledged (200) and skipped with one WARNING line, as in
  polling, so Telegram does not resend it forever and the next question is answered;
- an update is answered 200 once it was handled (or after ``ACK_WAIT`` seconds: then it is
  parked, see :mod:`bot.tg.delivery`); a repeat of one in hand or handled is not handled again;
  while the backlog is full, or once SIGTERM came, new updates get 503 and Telegram resends them
  later (to the next instance); one still in hand when the grace ends gets 503 too.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hmac
import json
import logging
import socket
from collections.abc import Callable, Iterable
from typing import Any

from telegram import Update
from telegram.ext import Application
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.netutil import bind_sockets
from tornado.web import Application as TornadoApplication
from tornado.web import RequestHandler, stream_request_body

from bot.tg.delivery import Delivery, Offer
from bot.tg.logs import Quiet

log = logging.getLogger("bot")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1_000_000  # bytes
BODY_TIMEOUT = 10.0  # seconds to receive a body
HEADER_TIMEOUT = 30.0  # seconds to receive the headers; also how long an idle connection stays
MAX_CONNECTIONS = 100  # open at once (Telegram opens at most max_connections: 40 by default, 100 at most)
TELEGRAM_CONNECTIONS = 40  # asked of Telegram in setWebhook
BACKLOG = 100  # updates in hand before new ones get 503
ACK_WAIT = 1.0  # seconds an update may take before it is acknowledged anyway (parked)
QUIET_SECONDS = 60.0  # one line per this many seconds for refusals and resource errors
ACCEPT_PAUSE = 0.5  # seconds accepting pauses after running out of file descriptors
_RESOURCE_ERRORS = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}


class WebhookServer:
    """Receives Telegram's webhook requests on ``listen:port/path`` and hands updates to ``delivery``."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        delivery: Delivery,
        *,
        path: str,
        secret: str,
    ) -> None:
        """The bounds are this module's constants, read now (tests lower them)."""
        self.application = application
        self.delivery = delivery
        self.path = "/" + path.lstrip("/")
        self.secret = secret.encode()
        self.backlog = BACKLOG
        self.ack_wait = ACK_WAIT
        self.closing = False
        self.refused = Quiet(log, QUIET_SECONDS)
        routes = [(self.path, _UpdateHandler, {"hook": self})]
        app = TornadoApplication(routes, log_function=_no_access_log, default_handler_class=_NotFound)
        self._http = _BoundedHTTPServer(
            app,
            max_connections=MAX_CONNECTIONS,
            max_body_size=MAX_BODY,
            body_timeout=BODY_TIMEOUT,
            idle_connection_timeout=HEADER_TIMEOUT,
            xheaders=False,
        )
        self.port = 0

    def listen(self, host: str, port: int) -> None:
        """Start accepting connections (``port`` 0: a free one, see :attr:`port`)."""
        sockets = bind_sockets(port, host, family=socket.AF_INET6 if ":" in host else socket.AF_INET)
        self._http.add_sockets(sockets)
        self.port = int(sockets[0].getsockname()[1])

    def stop_accepting(self) -> None:
        """SIGTERM: no new connections; requests on open ones get 503 (Telegram resends them)."""
        self.closing = True
        self._http.stop()

    async def close(self) -> None:
        """Close every connection (after :meth:`Delivery.drain`)."""
        self._http.stop()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5):
                await self._http.close_all_connections()

    # --- one request -------------------------------------------------------------------------------

    def authorised(self, headers: Any) -> bool:
        """Whether the request carries the secret (compared in constant time)."""
        given = headers.get(SECRET_HEADER)
        return given is not None and hmac.compare_digest(given.encode(), self.secret)

    async def receive(self, body: bytes) -> int:
        """Hand one update over; the HTTP status to answer Telegram with."""
        update = self._read(body)
        if update is None:
            return 200  # acknowledged and skipped: resending it would not make it readable
        if self.closing:
            return 503
        if self.delivery.unconfirmable >= self.backlog and update.update_id not in self.delivery:
            return 503  # back-pressure: Telegram keeps it and resends it later
        offer = self.delivery.offer(update)
        if offer is Offer.HANDLED:
            return 200
        if await self.delivery.handled(update.update_id, self.ack_wait):
            return 200
        if self.closing:  # SIGTERM came meanwhile: wait for the grace to decide
            return 200 if await self.delivery.handled(update.update_id, 3600) else 503
        self.delivery.park_update(update.update_id)
        return 200

    def _read(self, body: bytes) -> Update | None:
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
            update = Update.de_json(data, self.application.bot)
        except Exception as exc:  # noqa: BLE001 - PTB raises anything on data it does not expect
            update_id = data.get("update_id") if isinstance(locals().get("data"), dict) else None
            log.warning("webhook: skipped update %s: cannot read it: %s", update_id, str(exc)[:200])
            return None
        return update


class _BoundedHTTPServer(HTTPServer):
    """tornado's HTTPServer with a bound on open connections and a calm accept loop."""

    def initialize(self, *args: Any, max_connections: int = MAX_CONNECTIONS, **kwargs: Any) -> None:
        super().initialize(*args, **kwargs)
        self.max_connections = max_connections
        self.resource_errors = Quiet(log, QUIET_SECONDS)
        self.over_limit = Quiet(log, QUIET_SECONDS)

    def add_sockets(self, sockets: Iterable[socket.socket]) -> None:
        """As tornado's, with :meth:`_accept_on` for the accept loop."""
        for sock in sockets:
            self._sockets[sock.fileno()] = sock
            self._handlers[sock.fileno()] = self._accept_on(sock)

    def _accept_on(self, sock: socket.socket) -> Callable[[], None]:
        """Tornado's accept loop, except for running out of descriptors and the connection bound."""
        loop = IOLoop.current()
        state = {"listening": True, "removed": False}

        def resume() -> None:
            if not state["removed"] and not state["listening"]:
                state["listening"] = True
                loop.add_handler(sock, on_readable, IOLoop.READ)

        def on_readable(fd: object, events: int) -> None:
            for _ in range(128):
                try:
                    connection, address = sock.accept()
                except BlockingIOError:
                    return
                except ConnectionAbortedError:
                    continue
                except OSError as exc:
                    if exc.errno not in _RESOURCE_ERRORS:
                        raise
                    self.resource_errors.warning("webhook: cannot accept connections: %s", exc.strerror)
                    # The listening socket stays readable: without a pause this would spin.
                    state["listening"] = False
                    loop.remove_handler(sock)
                    loop.call_later(ACCEPT_PAUSE, resume)
                    return
                if len(self._connections) >= self.max_connections:
                    connection.close()
                    self.over_limit.warning("webhook: refused connections over the limit of %d", self.max_connections)
                    continue
                self._handle_connection(connection, address)

        def remove() -> None:
            state["removed"] = True
            if state["listening"]:
                loop.remove_handler(sock)

        loop.add_handler(sock, on_readable, IOLoop.READ)
        return remove


@stream_request_body
class _UpdateHandler(RequestHandler):
    """POST of one update: the secret first, then the (capped) body."""

    def initialize(self, hook: WebhookServer) -> None:
        self.hook = hook
        self.chunks: list[bytes] = []

    def prepare(self) -> None:
        if self.request.method != "POST":
            self._refuse(405, "not a POST")
        elif not self.hook.authorised(self.request.headers):
            self._refuse(403, "without the right secret")
        elif self.hook.closing:
            self.set_status(503)
            self.finish()

    def _refuse(self, status: int, why: str) -> None:
        self.hook.refused.warning("webhook: refused requests %s", why)
        self.set_status(status)
        self.finish()  # the body is not read: tornado closes the connection instead

    def data_received(self, chunk: bytes) -> None:
        self.chunks.append(chunk)

    async def post(self) -> None:
        status = await self.hook.receive(b"".join(self.chunks))
        self.set_status(status)
        if status == 503:
            self.set_header("Retry-After", "1")
        self.finish()

    def check_xsrf_cookie(self) -> None:
        """Telegram sends no cookies."""

    def on_connection_close(self) -> None:
        """Telegram gave up waiting: the update is handled anyway (and acknowledged on its resend)."""


@stream_request_body
class _NotFound(RequestHandler):
    def prepare(self) -> None:
        self.set_status(404)
        self.finish()


def _no_access_log(handler: RequestHandler) -> None:
    """No access log: refusals are counted and logged once per interval instead."""
