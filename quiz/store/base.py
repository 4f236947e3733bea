"""The store's foundation: opening (check, then migrate), the clock, transactions, settings,
and whose progress it is: every read and write is one learner's (``owned``)."""

from __future__ import annotations

import copy
import random
import sqlite3
import time
import typing
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from fsrs import Scheduler
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Insert,
    Table,
    Text,
    bindparam,
    delete,
    insert,
    select,
    union,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from quiz.cards import make_scheduler
from quiz.clock import utc, utc_now
from quiz.learner import check_learner, default_learner
from quiz.store import convert
from quiz.store.engine import WRITE_OPTION, inspect_engine, shown_url, sqlite_path
from quiz.store.errors import BadValue, StoreError, damaged, database_error, is_locked, place
from quiz.store.inspection import LATEST
from quiz.store.migrations import migrate
from quiz.store.records import Settings, check_setting
from quiz.store.tables import CardRow, ExamAttemptRow, ReviewLogRow, SettingRow, StudySessionRow

T = TypeVar("T")
LOCK_RETRIES = 5  # on top of each attempt's 10 s busy timeout
CARD = cast(Table, CardRow.__table__)
LOG = cast(Table, ReviewLogRow.__table__)
SESSION = cast(Table, StudySessionRow.__table__)
EXAM = cast(Table, ExamAttemptRow.__table__)
SETTING = cast(Table, SettingRow.__table__)
# The tables with a learner column; an exam attempt belongs to its session's learner.
PER_LEARNER = (CARD, LOG, SESSION, SETTING)


def owned(table: Table, learner: Any, *, scan: bool = False) -> ColumnElement[bool]:
    """The one filter every query of a store goes through: rows of ``table`` that are
    ``learner``'s (a name, or a bind parameter for statements built once).

    ``scan``: the query reads most of the learner's rows (a period of answers, every one).
    SQLite's planner, without statistics, would take an index leading with the learner and
    look each row up; a file is mostly one learner's, so there the learner does not choose
    the index and the table is read in order. PostgreSQL's statistics choose for themselves.
    """
    if table is EXAM:
        return EXAM.c.session_id.in_(select(SESSION.c.id).where(owned(SESSION, learner)))
    if table not in PER_LEARNER:
        raise ValueError(f"{table.name} is not kept per learner")
    column = _Unindexed(table.c.learner) if scan else table.c.learner
    return typing.cast(ColumnElement[bool], column == learner)


class _Unindexed(FunctionElement[str]):
    """A column that does not drive an index on SQLite (``+column``); the column elsewhere."""

    inherit_cache = True
    type = Text()
    name = "unindexed"


@compiles(_Unindexed)
def _unindexed(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(_Unindexed, "sqlite")
def _unindexed_sqlite(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    return "+" + str(compiler.process(element.clauses, **kw))


# Every settings write stores a new token under this key (not a setting: ``Settings`` ignores
# it), so a copy of quiz notices another's change before it schedules an answer. One per learner.
CHANGED_KEY = "settings_changed"
# Read in every answer's transaction: built once, the learner a parameter (``b_learner``).
_SELECT_CHANGED = select(SETTING.c.value).where(owned(SETTING, bindparam("b_learner")),
                                                SETTING.c.key == CHANGED_KEY)


class StoreBase:
    """Opens the database (checking it is ours, then migrating) and runs transactions."""

    def __init__(self, engine: Engine, *, learner: str | None = None,
                 now: Callable[[], datetime] = utc_now, enable_fuzzing: bool = True) -> None:
        """``learner``: whose progress this store reads and writes (default: the OS user;
        ``ValueError`` for a name ``quiz.learner.check_learner`` refuses)."""
        self.engine = engine
        self._clock = now
        self._fuzzing = enable_fuzzing
        self._become(default_learner() if learner is None else learner)
        path = sqlite_path(engine.url)
        existed = path is not None and path.exists()
        version = inspect_engine(engine)
        if version < LATEST:
            try:
                self._retry_locked(lambda: migrate(engine, self.now(), learner=self.learner),
                                   "set up")
            except StoreError:
                engine.dispose()
                if path is not None and not existed:
                    _remove_if_blank(path)
                raise

    def _become(self, learner: str) -> None:
        self.learner = check_learner(learner)
        # A learner's writes queue behind that learner's other writes only (PostgreSQL).
        self._writer = self.engine.execution_options(**{WRITE_OPTION: self.learner})
        self._settings: Settings | None = None
        self._scheduler: Scheduler | None = None
        self._settings_seen: str | None = None  # the CHANGED_KEY token they were read with

    def _own(self, table: Table, *, scan: bool = False) -> ColumnElement[bool]:
        """``owned(table, self.learner)``: this store's rows of ``table``."""
        return owned(table, self.learner, scan=scan)

    def _insert(self, table: Table) -> Insert:
        """An insert into a per-learner table, the row this store's learner's."""
        if table not in PER_LEARNER:
            raise ValueError(f"{table.name} is not kept per learner")
        return insert(table).values(learner=self.learner)

    def for_learner(self, name: str) -> typing.Self:
        """A store on the same database (and engine) for another learner; ``ValueError`` for
        a bad name. Closing either closes the engine's pooled connections, not the other."""
        other = copy.copy(self)
        other._become(name)
        return other

    def learners(self) -> list[str]:
        """Every learner with anything in the database (cards, answers, sessions or
        settings), sorted."""
        query = union(*(select(t.c.learner).distinct() for t in PER_LEARNER))
        with self._read() as conn:
            return sorted(conn.execute(query).scalars())

    @property
    def where(self) -> str:
        """The database, for messages: a SQLite file's path, else the URL (password hidden)."""
        path = sqlite_path(self.engine.url)
        return place(path if path is not None else shown_url(self.engine.url))

    def now(self) -> datetime:
        """The store's clock, in UTC."""
        return utc(self._clock())

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """A connection to read with; what goes wrong reading (SQLite's errors, a stored value
        that is not what its column holds) comes out as one ``StoreError``."""
        try:
            with self.engine.connect() as conn:
                yield conn
        except StoreError:
            raise
        except (SQLAlchemyError, sqlite3.Error) as exc:
            raise database_error(self.where, exc, "read") from None
        except (BadValue, ValueError, TypeError) as exc:
            # ValueError/TypeError: SQLAlchemy's own conversion of a stored time that is not one
            raise damaged(self.where, str(exc) if isinstance(exc, BadValue)
                          else f"a stored value cannot be read: {place(exc)}") from None

    def _write(self, work: Callable[[Connection], T], *, global_lock: bool = False) -> T:
        """Run ``work`` in one write transaction; return once it is committed.

        The transaction holds this learner's write lock (PostgreSQL; ``global_lock``: the
        lock every learner's writes take, for a write to what they share). SQLite: ``BEGIN
        IMMEDIATE`` waits up to the busy timeout for another writer; should that still time
        out, the whole transaction is retried a few times.
        """
        writer = self.engine.execution_options(**{WRITE_OPTION: True}) if global_lock \
            else self._writer

        def attempt() -> T:
            with writer.connect() as conn, conn.begin():
                result = work(conn)
            return result

        return self._retry_locked(attempt)

    def _retry_locked(self, attempt: Callable[[], T], doing: str = "write") -> T:
        for number in range(1, LOCK_RETRIES + 1):
            try:
                return attempt()
            except BadValue as exc:
                raise damaged(self.where, str(exc)) from None
            except (SQLAlchemyError, sqlite3.Error) as exc:
                if not is_locked(exc):
                    raise database_error(self.where, exc, doing) from None
                if number == LOCK_RETRIES:
                    raise StoreError(f"{self.where}: still locked by another program after "
                                     f"{LOCK_RETRIES} tries; close it and try again") from None
                # Two instances creating the database together can deadlock (SQLite then
                # fails one at once, without waiting): back off a little, randomly.
                time.sleep(random.uniform(0.02, 0.1) * number)
        raise AssertionError("unreachable")

    # --- settings ----------------------------------------------------------------------------

    def settings(self) -> Settings:
        """The user's settings (defaults for any not set)."""
        if self._settings is None:
            with self._read() as conn:
                self._load_settings(conn)
            assert self._settings is not None
        return self._settings

    def _load_settings(self, conn: Connection) -> None:
        rows = list(conn.execute(select(SETTING.c.key, SETTING.c.value).where(
            self._own(SETTING))))
        self._settings = convert.settings_from_rows(rows)
        self._scheduler = None
        self._settings_seen = next((r.value for r in rows if r.key == CHANGED_KEY), None)

    def _current_settings(self, conn: Connection) -> tuple[Settings, Scheduler]:
        """The settings and scheduler to answer with, in the answer's transaction: read again
        if another copy of quiz changed the settings (its optimised parameters, retention)
        since this one read them, which costs one row's read when it did not."""
        if self._settings is None or conn.execute(
                _SELECT_CHANGED, {"b_learner": self.learner}).scalar() != self._settings_seen:
            self._load_settings(conn)
        return self.settings(), self.scheduler()

    def update_settings(self, **values: Any) -> Settings:
        """Change settings by name (see ``Settings``); each value checked by
        ``check_setting`` (ValueError) before anything is written."""
        write, saved = self._settings_write(values)
        self._write(write)
        return saved()

    def _settings_write(self, values: dict[str, Any]
                        ) -> tuple[Callable[[Connection], None], Callable[[], Settings]]:
        """Writing the settings ``values`` (each checked first, ValueError) in a write
        transaction, and what to call once it is committed: takes them as this store's and
        returns them."""
        values = {key: check_setting(key, value) for key, value in values.items()}
        new = replace(self.settings(), **values)
        # A new token with every change, for other copies to notice it.
        stored = {**values, CHANGED_KEY: uuid.uuid4().hex} if values else {}
        stored = {key: convert.setting_value(key, value) for key, value in stored.items()}

        behind = False  # whether another copy changed settings since this one read them

        def write(conn: Connection) -> None:
            nonlocal behind
            if stored:
                behind = conn.execute(_SELECT_CHANGED, {"b_learner": self.learner}
                                      ).scalar() != self._settings_seen
            for key, value in stored.items():
                conn.execute(delete(SETTING).where(self._own(SETTING), SETTING.c.key == key))
                conn.execute(self._insert(SETTING).values(key=key, value=value))

        def saved() -> Settings:
            if behind:  # ``new`` lacks the other copy's changes: read them all on next use
                self._settings = self._scheduler = None
                return self.settings()
            if stored:
                self._settings, self._scheduler = new, None
                self._settings_seen = stored[CHANGED_KEY]
            return new

        return write, saved

    def scheduler(self) -> Scheduler:
        """The fsrs scheduler for the current settings (retention, maximum interval, model
        weights)."""
        if self._scheduler is None:
            settings = self.settings()
            self._scheduler = make_scheduler(settings.desired_retention,
                                             maximum_interval=settings.maximum_interval,
                                             enable_fuzzing=self._fuzzing,
                                             parameters=settings.fsrs_parameters)
        return self._scheduler


def _remove_if_blank(path: Path) -> None:
    """Remove a database file this store created but could not set up (disk full, read-only):
    only while it holds no schema, so a copy of quiz that set it up meanwhile keeps its file."""
    from quiz.store.inspection import inspect_sqlite

    try:
        if inspect_sqlite(path) != 0:
            return
    except StoreError:
        return
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        try:
            leftover.unlink(missing_ok=True)
        except OSError:
            pass
