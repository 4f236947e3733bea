"""Looking at a SQLite file before anything writes to it: is it ours, whole, and which schema?

Standard library only (no SQLAlchemy): the app's start-up reads progress through here and
``quiz.store.snapshot`` while the full store is still being imported.

SQLite judges the file: it is opened read-only and ``quick_check`` run; "damaged" is said only
when SQLite reports damage. A WAL-mode file nobody has open (no ``-wal`` beside it) is first
read as a plain file (``immutable``), so a file that turns out not to be ours gets no ``-wal``
or ``-shm`` beside it; if the file changed while it was read (another copy of quiz opened it),
it is read again with SQLite's locks, which also recovers a ``-wal`` a crashed writer left.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import struct
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from quiz.store.errors import (
    FIX,
    StoreError,
    damaged,
    database_error,
    is_damage,
    os_error,
    place,
)

__all__ = ["BUSY_TIMEOUT_S", "FIX", "LATEST", "REQUIRED_TABLES", "inspect_sqlite"]

BUSY_TIMEOUT_S = 10.0
SQLITE_MAGIC = b"SQLite format 3\x00"
# The schema this version of quiz writes (``quiz.store.migrations`` checks its steps end
# here), and the tables without which a database is not a quiz progress database.
LATEST = 5
REQUIRED_TABLES = frozenset({"schema_version", "card", "review_log"})
# Every table quiz writes and its columns at LATEST (a test checks them against the migrated
# schema), and the columns a later step added: a file at an older version lacks those.
COLUMNS: dict[str, frozenset[str]] = {
    "schema_version": frozenset({"version", "description", "applied_at"}),
    "card": frozenset({"question_id", "card_id", "state", "step", "stability", "difficulty",
                       "due", "last_review", "first_seen", "last_answered", "introduced_at",
                       "reset_at", "flagged", "suspended", "fingerprint", "lapses",
                       "leech", "learner"}),
    "study_session": frozenset({"id", "mode", "topic", "concept", "started_at", "finished_at",
                                "score", "total", "per_topic", "learner"}),
    "exam_attempt": frozenset({"session_id", "question_ids", "time_limit_s", "pass_mark",
                               "answers", "flags"}),
    "review_log": frozenset({"id", "question_id", "answered_at", "picked", "correct", "rating",
                             "duration_ms", "mode", "session_id", "fingerprint",
                             "card_before", "shown_order", "learner"}),
    "setting": frozenset({"key", "value", "learner"}),
}
MAX_VERSIONS = 1000  # rows of schema_version read: a real file has one per migration
ADDED_IN: dict[int, dict[str, frozenset[str]]] = {
    3: {"exam_attempt": frozenset({"flags"})},
    4: {"card": frozenset({"lapses", "leech"}), "review_log": frozenset({"shown_order"})},
    5: {name: frozenset({"learner"}) for name in ("card", "study_session", "review_log",
                                                   "setting")},
}


@dataclass
class Schema:
    """What a look at a database found: enough to tell whether it is quiz's, and which version."""

    objects: dict[str, str] = field(default_factory=dict)  # name -> table | view | index...
    columns: dict[str, frozenset[str]] = field(default_factory=dict)  # quiz's tables only
    versions: list[object] = field(default_factory=list)  # schema_version.version values
    user_version: int = 0
    application_id: int = 0
    wal: bool = True  # WAL journal (quiz's); a blank WAL file is one quiz is creating


# --- paths -----------------------------------------------------------------------------------

def database_path(target: str | Path) -> Path:
    """The absolute path of a database file given on the command line, or why it cannot be."""
    text = str(target)
    expanded = os.path.expanduser(text)
    if expanded.startswith("~"):
        user = expanded[1:].split("/", 1)[0]
        raise StoreError(f"{place(text)}: no user named {place(user) or '(empty)'} to take "
                         f"the home directory of; {FIX}")
    try:
        return Path(expanded).resolve()
    except RuntimeError:  # Python 3.11's resolve() reports a loop this way
        raise StoreError(f"{place(text)}: cannot open the progress database: a symbolic "
                         f"link in the path loops; {FIX}") from None
    except OSError as exc:
        raise os_error(text, exc) from None
    except ValueError:  # an embedded NUL
        raise StoreError(f"{place(text)}: not a usable file name (it holds a NUL character); "
                         f"{FIX}") from None


def make_parent(path: Path) -> None:
    """Create the directories a database file goes in (0700), or say why that cannot be."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        blocker = next((p for p in path.parents if _is_file(p)), None)
        if blocker is not None:
            raise StoreError(f"{place(path)}: cannot create its directory: {place(blocker)} "
                             f"is not a directory; {FIX}") from None
        raise os_error(path, exc, "create the directory of") from None


def _is_file(path: Path) -> bool:
    try:
        return path.exists() and not path.is_dir()
    except OSError:
        return False


def read_only_uri(path: Path, *, immutable: bool = False) -> str:
    """A URI to read ``path`` with SQLite's locks (so another copy may write meanwhile).

    In a directory nobody can write (no ``-wal`` can appear there), SQLite could not create
    the ``-shm`` a locked read of a WAL file needs: such a file is read as immutable.
    """
    uri = f"file:{quote(str(path))}?mode=ro"
    if immutable or (not os.path.exists(f"{path}-wal")
                     and not os.access(path.parent, os.W_OK)):
        uri += "&immutable=1"
    return uri


# --- looking ---------------------------------------------------------------------------------

def inspect_sqlite(path: Path) -> int:
    """The schema version of a SQLite file (0: absent, empty, or being created by quiz).

    Looks without writing. Raises ``StoreError`` if the file is not a SQLite database, SQLite
    finds it damaged, it belongs to another program, or a newer version of quiz wrote it.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return 0
    except OSError as exc:
        raise os_error(path, exc) from None
    if stat.S_ISDIR(info.st_mode):
        raise StoreError(f"{place(path)}: is a directory, not a progress database; {FIX}")
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(f"{place(path)}: not a regular file (a pipe, device or socket), not a "
                         f"progress database; {FIX}")
    if info.st_size == 0:
        return 0
    header = _read_header(path)
    if not header.startswith(SQLITE_MAGIC):
        raise StoreError(f"{place(path)}: not a progress database (not an SQLite file); {FIX}")
    if len(header) < 100:
        raise damaged(path, "truncated: shorter than an SQLite header")
    return check_ours(place(path), _examine(path, header))


def _read_header(path: Path) -> bytes:
    try:
        # Non-blocking: the path was a regular file a moment ago, but may be a FIFO now.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        try:
            return os.read(fd, 100)
        finally:
            os.close(fd)
    except OSError as exc:
        raise os_error(path, exc, "read") from None


def _stamp(path: Path) -> tuple[int, ...] | None:
    try:
        s = os.stat(path)
    except OSError:
        return None
    return s.st_ino, s.st_size, s.st_mtime_ns, s.st_ctime_ns


def _examine(path: Path, header: bytes) -> Schema:
    wal = Path(f"{path}-wal")
    if header[18] == 2 and not wal.exists():
        # Nobody has it open. Read it as a plain file: nothing is created beside it. Should
        # another copy open it and write meanwhile, what was read may be torn: then look again
        # the ordinary way (that copy has made the -wal and -shm already).
        before = _stamp(path)
        try:
            found: Schema | sqlite3.Error = _look(path, read_only_uri(path, immutable=True),
                                                  wal=True)
        except sqlite3.Error as exc:
            found = exc
        if not wal.exists() and _stamp(path) == before:
            if isinstance(found, sqlite3.Error):
                raise _judged(path, header, found) from None
            return found
    try:
        return _look(path, read_only_uri(path), wal=header[18] == 2)
    except sqlite3.Error as exc:
        raise _judged(path, header, exc) from None


def _look(path: Path, uri: str, wal: bool) -> Schema:
    """Read what the ours-check needs, then ``quick_check``; raises sqlite3 errors as they come,
    or ``_Damaged`` for what quick_check found."""
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
    conn.text_factory = lenient_text  # a damaged schema's names are still read, and judged
    try:
        schema = Schema(wal=wal)  # from the header: an immutable read reports "delete"
        schema.objects = {name: kind for kind, name in conn.execute(
            "SELECT type, name FROM sqlite_master") if not name.startswith("sqlite_")}
        schema.user_version = conn.execute("PRAGMA user_version").fetchone()[0]
        schema.application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        for table in COLUMNS:
            if schema.objects.get(table) == "table":
                schema.columns[table] = frozenset(r[0] for r in conn.execute(
                    "SELECT name FROM pragma_table_info(?)", (table,)))
        if "version" in schema.columns.get("schema_version", ()):
            schema.versions = [r[0] for r in conn.execute(
                f"SELECT version FROM schema_version LIMIT {MAX_VERSIONS}")]
        problems = [r[0] for r in conn.execute("PRAGMA quick_check(1)")]
    except UnicodeDecodeError:  # SQLite's own message quoted the bad bytes of a damaged schema
        raise _Damaged("its schema holds text that is not UTF-8") from None
    finally:
        conn.close()
    if problems != ["ok"]:
        raise _Damaged(" ".join(str(problems[0]).replace("*** in database main ***", "").split()))
    return schema


def lenient_text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


class _Damaged(sqlite3.DatabaseError):
    """What ``quick_check`` reported."""


def _judged(path: Path, header: bytes, exc: sqlite3.Error) -> StoreError:
    """The message for a failed look: damage only when SQLite found damage."""
    if not isinstance(exc, _Damaged) and not is_damage(exc):
        if Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists() \
                and not os.access(path.parent, os.W_OK):
            return StoreError(f"{place(path)}: has changes in its -wal file that only a "
                              "program allowed to write its directory can recover; open it "
                              f"once with write access, or {FIX}")
        return database_error(path, exc, "read")
    what = str(exc)
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    change_counter, pages = struct.unpack(">II", header[24:32])
    valid_for = struct.unpack(">I", header[92:96])[0]
    size = _stamp(path)
    if valid_for == change_counter and size is not None and size[1] < pages * page_size \
            and not Path(f"{path}-wal").exists():
        what = f"truncated: {size[1]} bytes of {pages * page_size}; {what}"
    return damaged(path, what)


# --- is it ours? -----------------------------------------------------------------------------

def check_ours(where: str, schema: Schema, newest: int = LATEST) -> int:
    """The schema version of a database quiz wrote; ``StoreError`` for anything else."""
    objects = schema.objects
    if not objects:
        if schema.user_version or schema.application_id:
            raise StoreError(f"{where}: not a quiz progress database (an SQLite database of "
                             f"another program: it has no tables but its user_version or "
                             f"application_id is set); {FIX}")
        if not schema.wal:
            raise StoreError(f"{where}: not a quiz progress database (an empty SQLite database "
                             f"quiz did not create); {FIX}")
        return 0  # blank WAL file: quiz is creating it (or stopped while it was)
    tables = {name for name, kind in objects.items() if kind == "table"}
    if "schema_version" not in tables:
        others = ", ".join(sorted(objects)[:5]) + (", ..." if len(objects) > 5 else "")
        kinds = "other tables" if tables else "no tables, only " + "/".join(
            sorted({f"{k}s" for k in objects.values()}))
        raise StoreError(f"{where}: not a quiz progress database (it has {kinds}: "
                         f"{place(others)}); {FIX}")
    version = _version(where, schema, newest)
    if version > newest:
        raise StoreError(f"{where}: written by a newer version of quiz (schema {version}, this "
                         f"version knows up to {newest}); upgrade quiz or {FIX}")
    missing = sorted(set(COLUMNS) - tables)
    if missing:
        raise StoreError(f"{where}: not a whole quiz progress database (no table "
                         f"{', '.join(missing)}); restore a backup or {FIX}")
    for table, expected in _columns_at(version).items():
        found = schema.columns.get(table, frozenset())
        if found != expected:
            lacks, extra = sorted(expected - found), sorted(found - expected)
            if extra and not lacks and _added_after(version, table, extra):
                raise StoreError(f"{where}: its schema_version table says version {version}, "
                                 f"but its {table} table has columns of a later version "
                                 f"({', '.join(extra)}): rows of schema_version are missing; "
                                 f"restore a backup or {FIX}")
            what = "; ".join(part for part in (
                f"lacks {', '.join(lacks)}" if lacks else "",
                f"has {place(', '.join(extra))}" if extra else "") if part)
            raise StoreError(f"{where}: not a quiz progress database (its {table} table does "
                             f"not have quiz's columns: {what}); {FIX}")
    return version


def _version(where: str, schema: Schema, newest: int) -> int:
    versions = schema.versions
    if "version" not in schema.columns.get("schema_version", ()):
        return 0  # reported with the other columns
    if not versions:
        raise StoreError(f"{where}: its schema_version table is empty, yet it has quiz's "
                         f"tables; restore a backup or {FIX}")
    numbers = [v for v in versions if type(v) is int]
    if numbers and max(numbers) > newest:
        return max(numbers)  # a newer quiz's steps: not for this version to judge
    if len(numbers) != len(versions) or sorted(numbers) != list(range(1, len(numbers) + 1)):
        shown = place(", ".join(repr(v)[:20] for v in versions[:8]))
        raise StoreError(f"{where}: its schema_version table is inconsistent (versions "
                         f"{shown}; expected 1, 2, ... in steps of one); restore a backup "
                         f"or {FIX}")
    return len(numbers)


def _added_after(version: int, table: str, columns: list[str]) -> bool:
    """Whether steps after ``version`` added every one of ``columns`` to ``table`` (a file
    whose version rows were lost, not another program's table)."""
    later = [added.get(table, frozenset()) for step, added in ADDED_IN.items() if step > version]
    return set(columns) <= frozenset().union(*later)


def _columns_at(version: int) -> dict[str, frozenset[str]]:
    """Quiz's columns as a file at ``version`` has them."""
    out = dict(COLUMNS)
    for step, added in ADDED_IN.items():
        if version < step:
            for table, names in added.items():
                out[table] = out[table] - names
    return out
