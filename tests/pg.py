"""A throw-away PostgreSQL server for the tests: ``initdb`` + ``pg_ctl`` from PATH.

One server per test run (``PgServer.start``), on a free loopback port, with its data in a
temporary directory that goes when it stops. Each test gets its own database
(``PgServer.new_database``), cloned from ``template1``: cheap, and nothing leaks between tests.

PostgreSQL refuses to run as root, so when the tests run as root (CI's container) the server's
commands run as ``nobody`` through ``runuser`` (or ``setpriv``), in a directory owned by it.
Where no binaries are found (or no way to drop root), ``unavailable()`` says why and the
PostgreSQL tests skip with that line.

The server is tuned for tests, not for keeping data: no fsync, no synchronous commit.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ADMIN = "postgres"  # the superuser initdb makes
START_TIMEOUT_S = 60


def _find(name: str) -> str | None:
    """A PostgreSQL program: on PATH, else in Debian's versioned directory."""
    found = shutil.which(name)
    if found:
        return found
    for bin_dir in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (bin_dir / name).is_file():
            return str(bin_dir / name)
    return None


def _as_user() -> tuple[list[str], str | None] | None:
    """How to run the server's commands unprivileged: the command prefix, and the user to give
    its directory to; ([], None) when not root, None when root and no way to drop it.

    ``runuser -u nobody`` where ``nobody`` can use ``/dev/null`` (initdb's shell redirects to
    it); else a user namespace in which root's files look like a plain user's (``unshare
    --map-user``), which needs neither another user nor ``/dev/null`` to be open to all.
    """
    if os.geteuid() != 0:
        return [], None
    open_null = os.stat("/dev/null").st_mode & 0o002
    if open_null and shutil.which("runuser"):
        return ["runuser", "-u", "nobody", "--"], "nobody"
    if shutil.which("unshare") and subprocess.run(
            ["unshare", "--user", "--map-user=1000", "--map-group=1000", "true"],
            capture_output=True, stdin=subprocess.DEVNULL).returncode == 0:
        return ["unshare", "--user", "--map-user=1000", "--map-group=1000", "--"], None
    if open_null and shutil.which("setpriv"):
        return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"], \
            "nobody"
    return None


def unavailable() -> str | None:
    """Why no test server can be started here, or None when it can."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[test]' installs it)"
    missing = [name for name in ("initdb", "pg_ctl") if _find(name) is None]
    if missing:
        return f"no PostgreSQL binaries ({', '.join(missing)} not on PATH)"
    if _as_user() is None:
        return "running as root with no way (runuser, unshare, setpriv) to start PostgreSQL " \
            "unprivileged"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    """A running throw-away server; ``url(database)`` names a database on it."""

    def __init__(self, root: Path, port: int, password: str, prefix: list[str]) -> None:
        self.root, self.port, self.password, self._prefix = root, port, password, prefix
        self._count = 0
        self._migrated = False

    @classmethod
    def start(cls) -> PgServer:
        """initdb, then start on a free port; raises RuntimeError with the server's log."""
        how = _as_user()
        assert how is not None, unavailable()
        prefix, owner = how
        root = Path(tempfile.mkdtemp(prefix="quiz-pg-"))
        password = secrets.token_hex(12)
        (root / "pw").write_text(password + "\n")
        if owner:
            shutil.chown(root, owner)
            shutil.chown(root / "pw", owner)
        server = cls(root, 0, password, prefix)
        try:
            server._run(_find("initdb"), "-D", str(root / "data"), "-U", ADMIN,
                        f"--pwfile={root / 'pw'}", "--auth-local=trust",
                        "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
                        "--no-sync")
            for _ in range(5):  # another program may take the free port first
                server.port = _free_port()
                options = (f"-p {server.port} -k {root} -c listen_addresses=127.0.0.1 "
                           "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                           "-c max_connections=200 -c shared_buffers=32MB")
                done = server._run(_find("pg_ctl"), "-D", str(root / "data"), "-l",
                                   str(root / "log"), "-o", options, "-w", "-t",
                                   str(START_TIMEOUT_S), "start", check=False)
                if done.returncode == 0:
                    return server
            raise RuntimeError(f"PostgreSQL did not start: {server.log()[-2000:]}")
        except BaseException:
            server.stop()
            raise

    def _run(self, program: str | None, *args: str,
             check: bool = True) -> subprocess.CompletedProcess[str]:
        assert program is not None
        done = subprocess.run([*self._prefix, program, *args], cwd=self.root, text=True,
                              capture_output=True, timeout=START_TIMEOUT_S + 30,
                              stdin=subprocess.DEVNULL)
        if check and done.returncode != 0:
            raise RuntimeError(f"{Path(program).name} failed: {done.stderr or done.stdout}")
        return done

    def log(self) -> str:
        try:
            return (self.root / "log").read_text(errors="replace")
        except OSError:
            return ""

    def url(self, database: str = ADMIN, *, password: str | None = None) -> str:
        """An SQLAlchemy URL for a database on this server (psycopg 3)."""
        secret = self.password if password is None else password
        return f"postgresql+psycopg://{ADMIN}:{secret}@127.0.0.1:{self.port}/{database}"

    def admin(self) -> object:
        """An autocommit psycopg connection to the server's ``postgres`` database."""
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user=ADMIN,
                               password=self.password, dbname=ADMIN, autocommit=True)

    def new_database(self, *, migrated: bool = False) -> str:
        """A fresh database, empty or (``migrated``) holding quiz's current schema; its URL.

        A migrated one is cloned from a database the store set up once, which is several
        times faster than migrating each; the migrations themselves run on the empty ones.
        """
        template = "template1"
        if migrated:
            template = "quiz_migrated"
            if not self._migrated:
                self._create(template, "template1")
                from quiz.store import open_store

                open_store(self.url(template)).close()
                self._migrated = True
        self._count += 1
        name = f"t{os.getpid()}_{self._count}"
        self._create(name, template)
        return self.url(name)

    def _create(self, name: str, template: str) -> None:
        with self.admin() as conn:  # type: ignore[attr-defined]
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')

    def stop(self) -> None:
        """Stop the server (immediate shutdown: its data is thrown away) and remove its files."""
        try:
            pid = int((self.root / "data" / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pid = 0
        if pid > 0:
            try:
                os.kill(pid, signal.SIGQUIT)
            except ProcessLookupError:
                pass
            for _ in range(300):  # up to 30 s: it removes its pid file as it exits
                if not (self.root / "data" / "postmaster.pid").exists():
                    break
                time.sleep(0.05)
        shutil.rmtree(self.root, ignore_errors=True)
