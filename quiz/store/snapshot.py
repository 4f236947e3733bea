"""What start-up reads of a SQLite progress database, with the standard library only.

Importing SQLAlchemy and SQLModel takes longer than a bare Textual app takes to draw. So the
first screen (the review queue, the home screen's figures) is built from a ``Snapshot``: the
same reads as ``Store`` (same names, same results; a test compares them method by method) on
a read-only ``sqlite3`` connection, while ``quiz.store.pending`` opens the real store. Every
write goes to the real store.

Every read is one learner's, as the store's are: ``_mine`` gives each query's learner condition
(the one filter, as ``quiz.store.base.owned`` is the store's) and its parameter.

Times are stored by SQLAlchemy as text ('2025-03-10 12:00:00.000000', UTC): the same fixed-width
format is used for the bounds here, so text comparison orders them as times.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypeVar, cast

from fsrs import Scheduler

from quiz.cards import make_scheduler
from quiz.clock import utc, utc_now
from quiz.learner import check_learner, default_learner
from quiz.store import convert, tallies
from quiz.store.errors import BadValue, damaged, database_error
from quiz.store.inspection import (
    BUSY_TIMEOUT_S,
    LATEST,
    database_path,
    inspect_sqlite,
    lenient_text,
    read_only_uri,
)
from quiz.store.records import (
    EXAM_POSITION,
    SCHEDULING_MODES,
    CardRecord,
    CardSummary,
    DueReview,
    ExamAttempt,
    Settings,
)
from quiz.store.tallies import WeekTally

if TYPE_CHECKING:
    from quiz.bank import Bank

# The reads a Snapshot answers; anything else needs the real store.
READS = frozenset({
    "now", "settings", "scheduler", "cards", "card_summaries", "card", "cards_due_after",
    "due_reviews", "started_ids",
    "suspended_ids", "flagged_ids", "introduced_count", "answer_counts", "answer_times",
    "first_answer_counts",
    "answer_hours", "logged_question_ids", "orphaned_ids", "exams", "exam", "exam_position",
    "weekly_tally", "question_tally", "duration_tally",
})


F = TypeVar("F", bound=Callable[..., Any])

ANSWERED = "an answer's answered_at"


def _guarded(method: F) -> F:
    """A read whose failure (SQLite's error, a stored value that cannot be what its column
    holds) comes out as one ``StoreError`` naming the file."""

    @functools.wraps(method)
    def read(self: Snapshot, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise database_error(self._path, exc, "read") from None
        except BadValue as exc:
            raise damaged(self._path, str(exc)) from None

    return cast(F, read)


class SnapshotClosed(Exception):
    """A read of a snapshot closed meanwhile (the real store opened while a thread still held
    one of its reads): ``PendingStore`` answers it from the store instead."""


def db_time(value: datetime) -> str:
    """An aware datetime as SQLAlchemy stores it in SQLite (UTC, no offset)."""
    return utc(value).strftime("%Y-%m-%d %H:%M:%S.%f")


class Snapshot:
    """Read-only progress of one SQLite file at the current schema (or of no file yet)."""

    def __init__(self, path: Path | None, *, learner: str | None = None,
                 now: Callable[[], datetime] = utc_now, enable_fuzzing: bool = True) -> None:
        self.learner = default_learner() if learner is None else check_learner(learner)
        self._clock = now
        self._fuzzing = enable_fuzzing
        self._path = path
        self._conn: sqlite3.Connection | None = None
        # One read at a time (the app's thread and a screen's worker may share the snapshot),
        # and never while it closes: a read after ``close`` raises SnapshotClosed, never rows
        # of an empty file.
        self._using = threading.Lock()
        self._closed = False
        self._settings: Settings | None = None
        self._scheduler: Scheduler | None = None
        # Schedules the store is about to save (``show_as_saved``): read as if saved.
        self._moved: dict[str, CardRecord] = {}
        # An exam attempt the store is about to save (``show_exam``), and where it opens.
        self._started: ExamAttempt | None = None
        self._position: str | None = None
        if path is not None:
            try:
                self._conn = sqlite3.connect(read_only_uri(path), uri=True,
                                             timeout=BUSY_TIMEOUT_S, check_same_thread=False)
                self._conn.text_factory = lenient_text  # bad UTF-8 is shown, not a traceback
            except sqlite3.Error as exc:
                raise database_error(path, exc, "open") from None

    def close(self) -> None:
        """Close the read-only connection (after a read in progress ends)."""
        with self._using:
            self._closed = True
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[list[str], list[Any]]:
        """Column names and every row of a query (none without a file)."""
        with self._using:
            if self._closed:
                raise SnapshotClosed
            if self._conn is None:
                return [], []
            cursor = self._conn.execute(sql, params)
            return [d[0] for d in cursor.description], cursor.fetchall()

    def _all(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        return self._query(sql, params)[1]

    def _rows(self, sql: str, *params: Any) -> list[SimpleNamespace]:
        """Rows with their columns as attributes (times as stored text, which ``convert``
        parses and checks)."""
        names, found = self._query(sql, params)
        return [SimpleNamespace(**dict(zip(names, values, strict=True))) for values in found]

    def _column(self, sql: str, *params: Any) -> list[Any]:
        return [r[0] for r in self._all(sql, params)]

    def _mine(self, alias: str = "", *, scan: bool = False) -> tuple[str, str]:
        """The condition keeping a query to this learner's rows (of the table ``alias`` names),
        and its parameter: every query that reads per-learner rows puts both in. ``scan``: as
        for ``quiz.store.base.owned``, the learner chooses no index."""
        return f"{'+' if scan else ''}{alias + '.' if alias else ''}learner = ?", self.learner

    # --- as Store ----------------------------------------------------------------------------

    def now(self) -> datetime:
        """The clock, in UTC."""
        return utc(self._clock())

    @_guarded
    def settings(self) -> Settings:
        """The user's settings (defaults for any not set)."""
        if self._settings is None:
            mine, learner = self._mine()
            self._settings = convert.settings_from_rows(self._rows(
                f"SELECT key, value FROM setting WHERE {mine}", learner))
        return self._settings

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

    def show_settings(self, **values: Any) -> None:
        """Read these settings as given from now on (the real store saves them once open)."""
        self._settings = replace(self.settings(), **values)
        self._scheduler = None

    def show_as_saved(self, records: list[CardRecord]) -> None:
        """Read these cards as given from now on: schedules the real store saves once open
        (the exam-date cap), so the first screen already counts them as it will be."""
        self._moved.update((r.question_id, r) for r in records)

    def show_exam(self, attempt: ExamAttempt, position: str | None) -> None:
        """Read this new attempt (and the question it opens on) as saved from now on: the
        real store saves it once open (``PendingStore.start_exam_when_open``)."""
        self._started, self._position = attempt, position

    @_guarded
    def next_session_id(self) -> int:
        """The id the store gives the next study session or exam attempt (SQLite's rowid:
        one past the largest, whoever's), unless another copy of quiz starts one first."""
        # Every learner's sessions: their ids are the database's, one sequence for all.
        found = self._column("SELECT max(id) FROM study_session")
        taken = [found[0] if found and found[0] is not None else 0]
        if self._started is not None:
            taken.append(self._started.id)
        return int(max(taken)) + 1

    @_guarded
    def cards(self) -> dict[str, CardRecord]:
        """Every card, by question id."""
        mine, learner = self._mine()
        return {r.question_id: self._moved.get(r.question_id) or convert.card_from_row(r)
                for r in self._rows("SELECT * FROM card WHERE " + mine, learner)}

    @_guarded
    def card_summaries(self) -> dict[str, CardSummary]:
        """What the progress figures need of every card, by question id."""
        mine, learner = self._mine()
        rows = self._all("SELECT question_id, state, stability, last_review, due, suspended, leech "
                         f", difficulty, lapses FROM card WHERE {mine}", (learner,))
        found = {r[0]: convert.card_summary_from_row(r) for r in rows}
        for qid, record in self._moved.items():
            if qid in found:
                found[qid] = found[qid]._replace(due=record.due)
        return found

    @_guarded
    def card(self, question_id: str) -> CardRecord | None:
        """A question's card; None before its first answer or flag."""
        mine, learner = self._mine()
        rows = self._rows(f"SELECT * FROM card WHERE {mine} AND question_id = ?", learner,
                          question_id)
        return (self._moved.get(question_id) or convert.card_from_row(rows[0])) if rows \
            else None

    @_guarded
    def cards_due_after(self, after: datetime) -> list[CardRecord]:
        """Started, unsuspended cards due after ``after``, earliest first (as the store's)."""
        mine, learner = self._mine()
        rows = self._rows(f"SELECT * FROM card WHERE {mine} AND due > ? "
                          "AND last_review IS NOT NULL AND suspended = 0", learner, db_time(after))
        found = [convert.card_from_row(r) for r in rows if r.question_id not in self._moved]
        found += [r for r in self._moved.values()
                  if r.due > after and not r.suspended and not r.is_new]
        return sorted(found, key=lambda r: (r.due, r.question_id))

    @_guarded
    def due_reviews(self, until: datetime) -> list[DueReview]:
        """Started, unsuspended cards due at or before ``until`` (what the queue reads)."""
        mine, learner = self._mine()
        rows = self._all(
            "SELECT question_id, stability, last_review, due FROM card "
            f"WHERE {mine} AND due <= ? AND last_review IS NOT NULL AND suspended = 0",
            (learner, db_time(until)))
        found = [convert.due_review_from_row(r) for r in rows if r[0] not in self._moved]
        return found + [DueReview(r.question_id, r.card.stability, r.card.last_review, r.due)
                        for r in self._moved.values()
                        if r.due <= until and not r.suspended and r.card.last_review is not None
                        and r.card.stability is not None]

    @_guarded
    def started_ids(self) -> set[str]:
        """Questions no longer new."""
        mine, learner = self._mine()
        return set(self._column(f"SELECT question_id FROM card WHERE {mine} "
                                "AND last_review IS NOT NULL", learner))

    @_guarded
    def suspended_ids(self) -> set[str]:
        """Suspended questions."""
        mine, learner = self._mine()
        return set(self._column(f"SELECT question_id FROM card WHERE {mine} AND suspended = 1",
                                learner))

    @_guarded
    def flagged_ids(self) -> set[str]:
        """Flagged questions."""
        mine, learner = self._mine()
        return set(self._column(f"SELECT question_id FROM card WHERE {mine} AND flagged = 1",
                                learner))

    @_guarded
    def introduced_count(self, start: datetime, end: datetime) -> int:
        """How many new questions got their first scheduled answer in [start, end)."""
        mine, learner = self._mine()
        found = self._column(f"SELECT count(*) FROM card WHERE {mine} AND introduced_at >= ? "
                             "AND introduced_at < ?", learner, db_time(start), db_time(end))
        return int(found[0]) if found else 0

    @_guarded
    def answer_counts(self, since: datetime | None = None) -> tuple[int, int]:
        """(answers, correct answers), in all modes, since a time or ever."""
        if self._conn is None:
            return 0, 0
        mine, learner = self._mine(scan=True)
        sql = "SELECT count(*), coalesce(sum(CASE WHEN correct THEN 1 ELSE 0 END), 0) " \
              f"FROM review_log WHERE {mine}"
        params: tuple[str, ...] = (learner,)
        if since is not None:
            sql, params = sql + " AND answered_at >= ?", (*params, db_time(since))
        ((total, correct),) = self._all(sql, params)
        return int(total), int(correct)

    @_guarded
    def first_answer_counts(self) -> tuple[int, int]:
        """(questions, right first time): each question's first review-mode answer."""
        if self._conn is None:
            return 0, 0
        modes = sorted(SCHEDULING_MODES)
        marks = ", ".join("?" * len(modes))
        mine, learner = self._mine()
        ((total, correct),) = self._all(
            "SELECT count(*), coalesce(sum(CASE WHEN correct THEN 1 ELSE 0 END), 0) "
            "FROM review_log WHERE id IN (SELECT min(id) FROM review_log "
            f"WHERE {mine} AND mode IN ({marks}) GROUP BY question_id)", (learner, *modes))
        return int(total), int(correct)

    @_guarded
    def answer_times(self, since: datetime | None = None) -> list[datetime]:
        """When each answer was given (UTC), newest recorded first."""
        mine, learner = self._mine(scan=True)
        sql, params = f"SELECT answered_at FROM review_log WHERE {mine}", (learner,)
        if since is not None:
            sql, params = sql + " AND answered_at >= ?", (learner, db_time(since))
        return [cast(datetime, convert.parse_db_time(t, ANSWERED))
                for t in self._column(sql + " ORDER BY id DESC", *params)]

    @_guarded
    def answer_hours(self, since: datetime | None = None) -> list[tuple[datetime, datetime]]:
        """The first and last answer of each clock hour that has any, oldest hour first."""
        mine, learner = self._mine(scan=True)
        sql = f"SELECT min(answered_at), max(answered_at) FROM review_log WHERE {mine}"
        params: tuple[str, ...] = (learner,)
        if since is not None:
            sql, params = sql + " AND answered_at >= ?", (learner, db_time(since))
        hour = "substr(answered_at, 1, 13)"
        rows = self._all(f"{sql} GROUP BY {hour} ORDER BY {hour}", params)
        return [(cast(datetime, convert.parse_db_time(a, ANSWERED)),
                 cast(datetime, convert.parse_db_time(b, ANSWERED))) for a, b in rows]

    @_guarded
    def weekly_tally(self, since: datetime, local: str = "localtime") -> list[WeekTally]:
        """Answers since ``since`` by local week, question and kind (``quiz.store.tallies``)."""
        return tallies.weekly(self._execute, since, local, self.learner)

    @_guarded
    def question_tally(self) -> dict[str, tuple[int, int]]:
        """(answers, right answers) of each question, ever, in all modes."""
        return tallies.per_question(self._execute, self.learner)

    @_guarded
    def duration_tally(self) -> list[tuple[str, int, int]]:
        """(mode, tenths of a second, answers): how long answers took."""
        return tallies.durations(self._execute, self.learner)

    @_guarded
    def rating_tally(self) -> dict[int, int]:
        """Review answers by grade (fsrs Rating 1-4)."""
        return tallies.ratings(self._execute, self.learner)

    def _execute(self, sql: str, params: Sequence[Any]) -> list[Any]:
        return self._all(sql, tuple(params))

    @_guarded
    def logged_question_ids(self) -> set[str]:
        """Every question id with at least one logged answer."""
        mine, learner = self._mine()
        return set(self._column(f"SELECT DISTINCT question_id FROM review_log WHERE {mine}",
                                learner))

    @_guarded
    def orphaned_ids(self, bank: Bank) -> list[str]:
        """Questions with progress (a card or answers) that the bank no longer has."""
        mine, learner = self._mine()
        cards = set(self._column(f"SELECT question_id FROM card WHERE {mine}", learner))
        return sorted((cards | self.logged_question_ids()) - set(bank.questions))

    @_guarded
    def exams(self) -> list[ExamAttempt]:
        """Every exam attempt, oldest first."""
        return self._exams("", ())

    @_guarded
    def exam(self, session_id: int) -> ExamAttempt | None:
        """One exam attempt."""
        found = self._exams(" AND s.id = ?", (session_id,))
        return found[0] if found else None

    @_guarded
    def exam_position(self, session_id: int) -> str | None:
        """The question an open attempt showed last (None if never saved or unreadable)."""
        if self._started is not None and session_id == self._started.id:
            return self._position
        mine, learner = self._mine()
        found = self._column(f"SELECT value FROM setting WHERE {mine} AND key = ?", learner,
                             f"{EXAM_POSITION}{session_id}")
        return convert.exam_position(found[0]) if found else None

    def _exams(self, where: str, params: tuple[Any, ...]) -> list[ExamAttempt]:
        mine, learner = self._mine("s")
        rows = self._rows(
            "SELECT s.*, e.question_ids, e.time_limit_s, e.pass_mark, e.answers, e.flags "
            f"FROM study_session AS s JOIN exam_attempt AS e ON e.session_id = s.id WHERE {mine}"
            + where + " ORDER BY s.id", learner, *params)
        found = [convert.exam_from_rows(r, r) for r in rows]
        started = self._started
        if started is not None and (not params or params[0] == started.id):
            found.append(started)
        return found

    # --- for start-up ------------------------------------------------------------------------

    @_guarded
    def fingerprints(self) -> dict[str, str]:
        """Each card's question fingerprint, by question id."""
        mine, learner = self._mine()
        return dict(self._all(f"SELECT question_id, fingerprint FROM card WHERE {mine}",
                              (learner,)))

    def in_step_with(self, bank: Bank) -> bool:
        """Whether ``Store.sync_bank(bank)`` would leave every card's schedule as it is: no
        answer key changed. (A card made by a flag before any answer has no fingerprint yet;
        the sync only records one.)"""
        for question_id, fingerprint in self.fingerprints().items():
            question = bank.questions.get(question_id)
            if question is not None and fingerprint and bank.fingerprint(question) != fingerprint:
                return False
        return True


def take_snapshot(path: Path, *, learner: str | None = None,
                  now: Callable[[], datetime] = utc_now,
                  enable_fuzzing: bool = True) -> Snapshot | None:
    """A snapshot of the progress in ``path``; None when the file needs migrating first.

    Raises ``StoreError`` (as ``Store`` would, before writing anything) when the file is not a
    quiz progress database, is damaged, or is newer than this app.
    """
    version = inspect_sqlite(path)
    if version == 0:
        return Snapshot(None, learner=learner, now=now, enable_fuzzing=enable_fuzzing)
    if version < LATEST:
        return None
    return Snapshot(path, learner=learner, now=now, enable_fuzzing=enable_fuzzing)



def open_snapshot(target: str | Path, *, learner: str | None = None,
                  now: Callable[[], datetime] = utc_now,
                  enable_fuzzing: bool = True) -> Snapshot | None:
    """A snapshot for a command that only reads: of a SQLite file at the current schema, else
    None (a database URL, or a file to create or migrate: open the ``Store``)."""
    if "://" in str(target):
        return None
    path = database_path(target)
    if inspect_sqlite(path) != LATEST:
        return None
    return Snapshot(path, learner=learner, now=now, enable_fuzzing=enable_fuzzing)
