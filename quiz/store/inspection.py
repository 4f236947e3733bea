"""Looking at a SQLite file before anything writes to it: is it ours, whole, and which schema?

Standard library only (no SQLAlchemy): the app's start-up reads progress through here and
``quiz.store.snapshot`` while the full store is still being imported.
"""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path
from urllib.parse import quote

from quiz.store.errors import StoreError

BUSY_TIMEOUT_S = 10.0
SQLITE_MAGIC = b"SQLite format 3\x00"
FIX = "use --db (or QUIZ_DB) to choose another file"
# The schema this version of quiz writes (``quiz.store.migrations`` checks its steps end
# here), and the tables without which a database is not a quiz progress database.
LATEST = 3
REQUIRED_TABLES = frozenset({"schema_version", "card", "review_log"})


def make_parent(path: Path) -> None:
    """Create the directories a database file goes in (0700), or say why that cannot be."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
        reason = f"{blocker} is not a directory" if blocker else exc.strerror
        raise StoreError(f"{path}: cannot create its directory: {reason}; {FIX}") from None


def read_only_uri(path: Path) -> str:
    """A URI to read ``path`` without writing anything beside it."""
    uri = f"file:{quote(str(path))}?mode=ro"
    if not Path(f"{path}-wal").exists():
        # Nobody has it open: read it as a plain file. A read-only connection to a WAL
        # database would otherwise leave empty -wal and -shm files beside it.
        uri += "&immutable=1"
    return uri


def _read_header(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(100)
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the progress database: {exc.strerror}") from None


def inspect_sqlite(path: Path, tables: frozenset[str] = REQUIRED_TABLES,
                   newest: int = LATEST) -> int:
    """The schema version of a SQLite file (0: absent, empty or a fresh SQLite database).

    Looks without writing: plain reads, then a read-only connection. Raises ``StoreError`` if
    the file is not a SQLite database, is damaged, belongs to another program, or was written
    by a newer version of the app.
    """
    if not path.exists():
        return 0
    if path.is_dir():
        raise StoreError(f"{path}: is a directory, not a progress database; {FIX}")
    header = _read_header(path)
    if not header:
        return 0
    if not header.startswith(SQLITE_MAGIC):
        raise StoreError(f"{path}: not a progress database (not an SQLite file); {FIX}")
    _check_size(path, header)
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open the progress database: {exc}") from None
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        version = 0
        if "schema_version" in names:
            version = conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] or 0
        problems = [r[0] for r in conn.execute("PRAGMA quick_check(1)")]
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: the progress database is damaged ({exc}); "
                         f"restore a backup or {FIX}") from None
    finally:
        conn.close()
    if problems != ["ok"]:
        detail = " ".join(problems[0].replace("*** in database main ***", "").split())
        raise StoreError(f"{path}: the progress database is damaged ({detail}); "
                         f"restore a backup or {FIX}")
    check_ours(str(path), names, tables, version, newest)
    return version


def _check_size(path: Path, header: bytes) -> None:
    if len(header) < 100:
        raise StoreError(f"{path}: the progress database is truncated; restore a backup or {FIX}")
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    change_counter, pages = struct.unpack(">II", header[24:32])
    valid_for = struct.unpack(">I", header[92:96])[0]
    size = path.stat().st_size
    if (page_size < 512 or size % page_size
            or (valid_for == change_counter and pages and size < pages * page_size)):
        raise StoreError(f"{path}: the progress database is truncated or damaged; "
                         f"restore a backup or {FIX}")


def check_ours(where: str, names: set[str], tables: frozenset[str], version: int,
                newest: int) -> None:
    if not names:
        return
    if not tables <= names:
        others = ", ".join(sorted(names)[:5])
        raise StoreError(f"{where}: not a quiz progress database (it has other tables: "
                         f"{others}); {FIX}")
    if version > newest:
        raise StoreError(f"{where}: written by a newer version of quiz (schema {version}, this "
                         f"version knows up to {newest}); upgrade quiz or {FIX}")
