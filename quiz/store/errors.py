"""The store's one exception type, and the one place a database error becomes its message.

Standard library only: start-up (``inspection``, ``snapshot``) uses it before SQLAlchemy loads.
"""

from __future__ import annotations

import errno
import sqlite3

from quiz.textsafe import printable, quote, shorten

FIX = "use --db (or QUIZ_DB) to choose another file"
PATH_LIMIT = 240  # a path in a message: enough to recognise, never a screenful
# SQLite's primary result codes (https://sqlite.org/rescode.html) that get their own advice.
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_NOMEM, SQLITE_READONLY = 3, 5, 6, 7, 8
SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 10, 11, 13, 14, 26
# PostgreSQL's SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html) after
# which a write transaction is simply run again: it lost a race with another connection
# (serialization failure, deadlock, a lock it could not get, or a row another copy of quiz
# inserted first: run again, the transaction reads that row and updates it instead).
PG_TRY_AGAIN = frozenset({"40001", "40P01", "55P03", "23505"})
# Connection exceptions (class 08), refused logins (28), no such database (3D000).
PG_CANNOT_CONNECT = ("08", "28", "3D")


class StoreError(Exception):
    """The progress database cannot be used; the message names the place and the fix."""


class BadValue(ValueError):
    """A stored value that cannot be what its column holds (``convert`` raises it; the store
    turns it into a ``StoreError`` naming the database)."""


def place(where: object) -> str:
    """A database path or URL as a message shows it: printable and bounded."""
    return shorten(printable(str(where)), PATH_LIMIT)


def detail(exc: BaseException) -> str:
    """An exception's own text (SQLAlchemy's wrapped driver error unwrapped), made safe."""
    inner = getattr(exc, "orig", None) or exc
    return quote(str(inner), 160).strip("'\"")


def sqlite_code(exc: BaseException) -> int | None:
    """SQLite's primary result code behind an error (sqlite3's or SQLAlchemy's), if any."""
    inner = getattr(exc, "orig", None) or exc
    code = getattr(inner, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def sqlstate(exc: BaseException) -> str | None:
    """PostgreSQL's SQLSTATE behind an error (psycopg's or SQLAlchemy's), if any."""
    inner = getattr(exc, "orig", None) or exc
    state = getattr(inner, "sqlstate", None)
    return state if isinstance(state, str) else None


def cannot_connect(exc: BaseException) -> bool:
    """Whether a database server could not be reached or refused the login."""
    inner = getattr(exc, "orig", None) or exc
    if not type(inner).__module__.startswith("psycopg"):
        return False
    state = sqlstate(exc)
    if state is not None:
        return state.startswith(PG_CANNOT_CONNECT)
    # psycopg raises connection failures (refused, unknown host, bad password) without one
    return type(inner).__name__ == "OperationalError"


def is_locked(exc: BaseException) -> bool:
    """Whether another connection holds the lock or won a race (worth trying again)."""
    if sqlite_code(exc) in (SQLITE_BUSY, SQLITE_LOCKED) or sqlstate(exc) in PG_TRY_AGAIN:
        return True
    text = detail(exc).lower()
    return "database is locked" in text or "database is busy" in text


def server_reason(exc: BaseException) -> str:
    """What a database server (or the driver reaching it) said, on one line, without the
    driver's preamble: ``password authentication failed for user "ann"``."""
    inner = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(inner).splitlines() if line.strip()]
    first = lines[0] if lines else type(inner).__name__
    first = first.removeprefix("connection failed: ")
    if " failed: " in first and first.startswith("connection to server"):
        first = first.split(" failed: ", 1)[1]
    first = first.removeprefix("FATAL:").strip()
    return shorten(printable(first), 160)


def damaged(where: object, what: str) -> StoreError:
    """SQLite (or a value it handed back) says the file is damaged."""
    return StoreError(f"{place(where)}: the progress database is damaged ({what}); "
                      f"restore a backup or {FIX}")


def database_error(where: object, exc: BaseException, doing: str = "use") -> StoreError:
    """The one-line message for a database error: damage only when SQLite reports damage."""
    code, text = sqlite_code(exc), detail(exc)
    if code is None and cannot_connect(exc):
        return StoreError(f"{place(where)}: cannot connect to the database server "
                          f"({server_reason(exc)}); check that it is running and the URL's "
                          "host, port, database, user name and password")
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB) or (code is None and "malformed" in text):
        return damaged(where, text)
    if code == SQLITE_FULL:
        return StoreError(f"{place(where)}: the disk is full ({text}); free some space and "
                          "try again (nothing was lost: the last change was not saved)")
    if code == SQLITE_IOERR:
        return StoreError(f"{place(where)}: cannot {doing} the progress database: the disk "
                          f"reported an error ({text}); check the disk and try again")
    if code == SQLITE_READONLY:
        return StoreError(f"{place(where)}: cannot write the progress database ({text}); "
                          f"check the permissions of the file and its directory, or {FIX}")
    if code in (SQLITE_CANTOPEN, SQLITE_PERM):
        return StoreError(f"{place(where)}: cannot open the progress database ({text}); "
                          f"check the file and its directory, or {FIX}")
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return StoreError(f"{place(where)}: locked by another program ({text}); close it and "
                          "try again")
    if code == SQLITE_NOMEM:
        return StoreError(f"{place(where)}: out of memory reading the progress database")
    return StoreError(f"{place(where)}: cannot {doing} the progress database ({text})")


def os_error(where: object, exc: OSError, doing: str = "open") -> StoreError:
    """The one-line message for a file-system error on the database's path."""
    reasons = {
        errno.ENAMETOOLONG: "the path is too long",
        errno.ELOOP: "a symbolic link in the path loops",
        errno.ENOTDIR: "a part of the path is not a directory",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EROFS: "the file system is read-only",
        errno.ENOSPC: "the disk is full",
        errno.EIO: "the disk reported an error",
    }
    reason = reasons.get(exc.errno or 0, exc.strerror or type(exc).__name__)
    return StoreError(f"{place(where)}: cannot {doing} the progress database: {reason}; {FIX}")


def is_damage(exc: sqlite3.Error) -> bool:
    """Whether SQLite itself reports the file as damaged (not full, locked, unreadable...)."""
    return sqlite_code(exc) in (SQLITE_CORRUPT, SQLITE_NOTADB)
