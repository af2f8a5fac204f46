"""A command run on a pseudo-terminal, typed into and read from as a person at a terminal would.

Standard library only (``pty``, ``select``): :meth:`Typist.expect` reads until a pattern shows,
:meth:`Typist.type` sends keys. Its standard input, output and error are all the terminal, so
the program sees a TTY everywhere, as it would in a real session.
"""

from __future__ import annotations

import codecs
import contextlib
import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time

from . import ROOT

UP = "\x1b[A"  # the ↑ key
CTRL_C = "\x03"
CTRL_D = "\x04"
# Make the terminal the program's controlling terminal (as a login shell does), so that Ctrl-C
# sends it SIGINT; then become ``python -m bot ARGS``.
_AS_TERMINAL_OWNER = (
    "import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
    "os.execv(sys.executable, [sys.executable, '-m', 'bot', *sys.argv[1:]])"
)


class Typist:
    """``python -m bot ARGS`` on a fresh pseudo-terminal; ``with Typist(…) as typist:`` ends it in any case."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        master, slave = pty.openpty()
        # A wide terminal: readline does not wrap long prompts and lines.
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 250, 0, 0))
        environment = {**os.environ, "TERM": "xterm"}
        environment.pop("NO_COLOR", None)  # colour is the test's to choose
        environment.update(env or {})
        self.process = subprocess.Popen(
            [sys.executable, "-c", _AS_TERMINAL_OWNER, *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=ROOT,
            env=environment,
            start_new_session=True,  # a session of its own, whose controlling terminal this is
            close_fds=True,
        )
        os.close(slave)
        self.master = master
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.output = ""  # everything the terminal showed so far
        self.seen = 0  # how much of it expect() has consumed

    def __enter__(self) -> Typist:
        return self

    def __exit__(self, *exc: object) -> None:
        """Whatever happened in the test: no program left running, no terminal left open."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        with contextlib.suppress(OSError):
            os.close(self.master)

    def expect(self, pattern: str, timeout: float = 30.0) -> str:
        """Read until ``pattern`` (a regular expression) shows; what came before it and it."""
        wanted = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            found = wanted.search(self.output, self.seen)
            if found:
                shown = self.output[self.seen : found.end()]
                self.seen = found.end()
                return shown
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._read(remaining):
                raise AssertionError(f"{pattern!r} did not show; the terminal showed:\n{self.output[self.seen :]}")

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.master, 65536)
        except OSError:  # the program ended and the terminal closed
            return False
        self.output += self.decoder.decode(data)
        return bool(data)

    def type(self, keys: str) -> None:
        """Send keys, as typed (``\\r`` is Enter)."""
        os.write(self.master, keys.encode())

    def wait(self, timeout: float = 30.0) -> int:
        """The exit status, after reading what is left."""
        deadline = time.monotonic() + timeout
        while self._read(max(0.0, deadline - time.monotonic())):
            pass
        return self.process.wait(max(0.0, deadline - time.monotonic()))
