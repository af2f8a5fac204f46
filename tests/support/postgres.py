"""A real PostgreSQL server for the tests: Debian's binaries, a temporary data folder, a free port.

`.ci/run` installs Debian's ``postgresql`` package; the server is started here, once per test
session, with ``initdb`` and ``pg_ctl`` (as the ``postgres`` user when the tests run as root,
which PostgreSQL refuses to run as), listening on 127.0.0.1 only, and removed afterwards.
``initdb`` takes a second or two, so the session starts it in a thread as soon as it knows a
test will want it, on the core the tests leave idle. Each test gets a schema of its own (a
database of its own when it takes the database down).
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

INSTALL_HINT = "apt-get install postgresql (.ci/run does)"


def binaries() -> Path | None:
    """The newest ``/usr/lib/postgresql/*/bin`` with initdb and pg_ctl, else the ones on PATH."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: _version(p.parent.parent.name))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb and shutil.which("pg_ctl") else None


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


class PostgresServer:
    """``start()``, then ``database()`` for a fresh, empty database URL each time; ``stop()``."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="tonglu-bot-pg-"))
        self.port = free_port()
        self._names = itertools.count(1)
        # PostgreSQL will not run as root: as root, run it as the postgres user.
        self.user = "postgres" if os.geteuid() == 0 else None
        self._starting: threading.Thread | None = None
        self._failure: BaseException | None = None
        self._stopped = False

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        # From its own folder: the postgres user may not be allowed into the checkout.
        return subprocess.run(command, cwd=self.folder, capture_output=True, text=True, timeout=60, check=False)

    def start(self) -> None:
        """initdb and start; :class:`RuntimeError` with PostgreSQL's own words if either fails."""
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        data = self.folder / "data"
        done = self._run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "-N", "-E", "UTF8", "--locale=C")
        if done.returncode:
            raise RuntimeError(f"initdb failed: {done.stderr.strip()}")
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        done = self._run("pg_ctl", "-D", str(data), "-o", options, "-l", str(self.folder / "log"), "-w", "start")
        if done.returncode:
            log = (self.folder / "log").read_text(errors="replace") if (self.folder / "log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {done.stderr.strip()} {log[-500:]}")

    def start_in_background(self) -> None:
        """Begin :meth:`start` in a thread; :meth:`ready` waits for it."""
        if self._starting is None:
            self._starting = threading.Thread(target=self._start_catching, name="postgres", daemon=True)
            self._starting.start()

    def _start_catching(self) -> None:
        try:
            self.start()
        except BaseException as exc:  # handed to ready(), in the test's thread
            self._failure = exc

    def ready(self) -> PostgresServer:
        """The server, once started (in the background or now)."""
        if self._starting is None:
            self.start_in_background()
        assert self._starting is not None
        self._starting.join()
        if self._failure is not None:
            raise RuntimeError(f"PostgreSQL could not be started: {self._failure}")
        return self

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        if self._stopped:
            return
        self._stopped = True
        if self._starting is not None:
            self._starting.join()
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def admin_url(self) -> str:
        """The maintenance database, for creating and altering test databases."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def database(self) -> str:
        """A new, empty database's URL."""
        name = f"test_{next(self._names)}"
        self.sql(f"CREATE DATABASE {name}")
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def schema(self) -> str:
        """A URL whose tables go to a new, empty schema of the maintenance database (cheaper than a database)."""
        name = f"test_{next(self._names)}"
        self.sql(f"CREATE SCHEMA {name}")
        return f"{self.admin_url}?options=-csearch_path%3D{name}"

    def dump(self, url: str) -> bytes:
        """Everything a database holds, as ``pg_dump`` writes it out."""
        done = subprocess.run([str(self.bin / "pg_dump"), url], capture_output=True, timeout=60, check=True)
        return done.stdout

    def sql(self, statement: str) -> None:
        """Run one statement on the maintenance database, outside a transaction."""
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(statement.encode())

    def refuse_connections(self, url: str, refuse: bool = True) -> None:
        """Take a database down (or bring it back): no new connections, and the open ones ended."""
        name = url.rsplit("/", 1)[1]
        self.sql(f"ALTER DATABASE {name} ALLOW_CONNECTIONS {'false' if refuse else 'true'}")
        if refuse:
            self.sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")

    def read_only(self, url: str) -> None:
        """Make a database read-only, as a hot standby is: every write is refused from now on."""
        name = url.rsplit("/", 1)[1]
        self.sql(f"ALTER DATABASE {name} SET default_transaction_read_only = on")
        self.sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
