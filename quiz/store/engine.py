"""Building the SQLAlchemy engine, and checking a database is ours before touching it.

A plain path means a SQLite file; anything with ``://`` is an SQLAlchemy URL. SQLite files get
WAL journaling, a busy timeout and foreign keys (set on every connection), and write
transactions start with ``BEGIN IMMEDIATE`` so two app instances queue for the write lock
instead of failing half-way with "database is locked".

PostgreSQL (``postgresql+psycopg://…``) gets one writer at a time per learner: each write
transaction of a learner first takes two transaction-level advisory locks, the global
``WRITE_LOCK_KEY`` shared and then the learner's own ``(WRITE_LOCK_KEY, hashtext(learner))``
exclusive. So a learner's read-then-write (an answer reads the card, then writes it and a log
row) runs as if that learner were alone, at the default READ COMMITTED level, with no
serialization failures to retry (the card it reads is also locked ``FOR UPDATE``), while other
learners write at the same time. A write that is not one learner's (migrating the schema)
takes the global key exclusive: it waits for every learner's writes and they wait for it. The
global lock is always taken first, so two writers never wait for each other in a circle.
Waiting for a lock gives up after ``BUSY_TIMEOUT_S`` (the server's ``lock_timeout``), and the
store tries the transaction again, as it does for SQLite's busy timeout.

SQLite has one write lock for the file: every write, whoever's, takes it (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from quiz.store.errors import StoreError, database_error, place
from quiz.store.inspection import (
    BUSY_TIMEOUT_S,
    COLUMNS,
    Schema,
    check_ours,
    database_path,
    inspect_sqlite,
    make_parent,
)

# An answer dirties ~8 pages (log row, its two indexes, the card row and its due index), so
# SQLite's default checkpoint every 1000 WAL pages would land inside every ~125th answer.
# Checkpointing every 4000 pages (16 MB of WAL) makes that every ~500th: same total work.
WAL_AUTOCHECKPOINT_PAGES = 4000
# Execution option of a write transaction: True for a global write, else the learner's name
# (SQLite begins either with BEGIN IMMEDIATE; PostgreSQL takes the locks below).
WRITE_OPTION = "quiz_write"
# PostgreSQL's advisory locks ("quiz" in ASCII): the one-key lock on it is global (shared by
# learners' writes, exclusive for a global write); the two-key lock (WRITE_LOCK_KEY,
# hashtext(learner)), both int4, is a learner's. The two key spaces do not overlap.
WRITE_LOCK_KEY = 0x7175697A
LEARNER_LOCK = f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY}, hashtext(%(learner)s))"


def database_url(target: str | Path) -> URL:
    """The SQLAlchemy URL for a file path or URL string."""
    text = str(target)
    if "://" in text:
        try:
            return make_url(text)
        except ArgumentError as exc:
            raise StoreError(f"{place(text)}: not a database URL ({place(exc)})") from None
    return URL.create("sqlite", database=str(database_path(text)))


def shown_url(url: URL) -> str:
    """A URL as messages show it: the password hidden, in the user part or the query."""
    secret = {key: "hidden" for key in url.query if "password" in key.lower()}
    return (url.update_query_dict(secret) if secret else url).render_as_string(
        hide_password=True)


def sqlite_path(url: URL) -> Path | None:
    """The file behind a SQLite URL; None for other databases and in-memory SQLite."""
    if url.get_backend_name() != "sqlite":
        return None
    name = url.database or ""
    if name in ("", ":memory:") or name.startswith("file:"):
        return None
    return Path(name)


def make_engine(target: str | Path) -> Engine:
    """An engine for a path or URL; connects lazily. Creates a SQLite file's parent dirs (0700)."""
    url = database_url(target)
    if url.get_backend_name() != "sqlite":
        try:
            if url.get_backend_name() == "postgresql":
                return _postgresql_engine(url)
            return create_engine(url, pool_pre_ping=True)
        except ImportError as exc:
            raise StoreError(f"{shown_url(url)}: its driver is not "
                             f"installed ({exc}); install it or use a SQLite file") from None
        except (ArgumentError, SQLAlchemyError) as exc:
            raise StoreError(f"{shown_url(url)}: cannot use this "
                             f"database: {exc}") from None
    path = sqlite_path(url)
    kwargs: dict[str, Any] = {"connect_args": {"timeout": BUSY_TIMEOUT_S}}
    if (url.database or "") in ("", ":memory:"):
        # One shared connection, or every pooled connection would see its own empty database.
        kwargs.update(poolclass=StaticPool,
                      connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False})
    elif path is not None:
        make_parent(path)
    engine = create_engine(url, **kwargs)
    _configure_sqlite(engine, wal=(url.database or "") not in ("", ":memory:"))
    return engine


def _postgresql_engine(url: URL) -> Engine:
    """A PostgreSQL engine whose write transactions take the write lock first."""
    timeout_ms = int(BUSY_TIMEOUT_S * 1000)
    engine = create_engine(url, pool_pre_ping=True, connect_args={
        # UTC: the stats group answers by hour of the time as text (``answer_hours``)
        "options": f"-c lock_timeout={timeout_ms} -c TimeZone=UTC",
        "connect_timeout": int(BUSY_TIMEOUT_S)})

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        writer = conn.get_execution_options().get(WRITE_OPTION, False)
        if writer is True:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
        elif writer:  # a learner's write: the global lock shared first, then the learner's
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock_shared({WRITE_LOCK_KEY})")
            conn.exec_driver_sql(LEARNER_LOCK, {"learner": str(writer)})

    return engine


def _configure_sqlite(engine: Engine, *, wal: bool) -> None:
    """Pragmas on each new connection; SQLAlchemy (not pysqlite) emits BEGIN."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Documented SQLAlchemy recipe: stop pysqlite's own BEGIN handling, emit ours below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if wal:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A write takes the lock up front: a deferred transaction that reads and then writes
        # can fail with SQLITE_BUSY at once (busy_timeout cannot help it); IMMEDIATE waits.
        immediate = bool(conn.get_execution_options().get(WRITE_OPTION, False))
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def inspect_engine(engine: Engine) -> int:
    """The schema version behind an engine, checking without writing; see
    ``quiz.store.inspection.inspect_sqlite``."""
    path = sqlite_path(engine.url)
    if path is not None:
        return inspect_sqlite(path)
    where = shown_url(engine.url)
    schema = Schema()
    try:
        with engine.connect() as conn:
            found = inspect(conn)
            schema.objects = {name: "table" for name in found.get_table_names()}
            schema.objects.update({name: "view" for name in found.get_view_names()})
            for table in set(COLUMNS) & set(schema.objects):
                schema.columns[table] = frozenset(c["name"] for c in found.get_columns(table))
            if "version" in schema.columns.get("schema_version", ()):
                schema.versions = list(conn.exec_driver_sql(
                    "SELECT version FROM schema_version").scalars())
            conn.rollback()
    except (SQLAlchemyError, ImportError) as exc:
        raise database_error(where, exc, "open") from None
    return check_ours(place(where), schema)
