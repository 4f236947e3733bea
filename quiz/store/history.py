"""Reading the answer history, and keeping study sessions and exam attempts."""

from __future__ import annotations

import json
import re
import typing
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    case,
    cast,
    delete,
    func,
    insert,
    select,
    text,
    type_coerce,
    update,
)

from quiz.clock import utc
from quiz.store import convert, tallies
from quiz.store.answers import ReviewEntry, ScheduledAnswer
from quiz.store.base import EXAM, LOG, SESSION, SETTING, StoreBase
from quiz.store.errors import StoreError
from quiz.store.records import (
    EXAM_POSITION,
    MODES,
    SCHEDULING_MODES,
    ExamAttempt,
    SessionRecord,
    TopicResult,
)
from quiz.store.tallies import WeekTally

__all__ = ["EXAM", "LOG", "SESSION", "HistoryStore", "cast_time"]

ANSWERED = "an answer's answered_at"


def cast_time(value: datetime | str) -> datetime:
    """A time from an aggregate (SQLite may hand back its text), UTC-aware."""
    return typing.cast(datetime, convert.parse_db_time(value, ANSWERED))


class HistoryStore(StoreBase):
    """Review-log queries, study sessions and exam attempts."""

    # --- review log --------------------------------------------------------------------------

    def log(self, log_id: int) -> ReviewEntry | None:
        """One logged answer."""
        with self._read() as conn:
            row = conn.execute(select(LOG).where(self._own(LOG), LOG.c.id == log_id)).first()
            return convert.review_from_row(row) if row is not None else None

    def logs(self, *, question_id: str | None = None, session_id: int | None = None,
             since: datetime | None = None) -> list[ReviewEntry]:
        """Logged answers, oldest first, optionally for one question, session or period."""
        scan = question_id is None and session_id is None  # a period, or every answer
        query = select(LOG).where(self._own(LOG, scan=scan)).order_by(LOG.c.id)
        if question_id is not None:
            query = query.where(LOG.c.question_id == question_id)
        if session_id is not None:
            query = query.where(LOG.c.session_id == session_id)
        if since is not None:
            query = query.where(LOG.c.answered_at >= convert.to_db_time(since))
        with self._read() as conn:
            return [convert.review_from_row(r) for r in conn.execute(query)]

    def scheduled_logs(self) -> dict[str, list[ReviewEntry]]:
        """Every review-mode answer, by question, oldest first (``rebuild_cards`` replays these
        and the exam answers fed to the schedule)."""
        out: dict[str, list[ReviewEntry]] = defaultdict(list)
        query = select(LOG).where(self._own(LOG, scan=True),
                                  LOG.c.mode.in_(sorted(SCHEDULING_MODES))) \
            .order_by(LOG.c.id)
        with self._read() as conn:
            for row in conn.execute(query):
                out[row.question_id].append(convert.review_from_row(row))
        return dict(out)

    def scheduled_answers(self) -> dict[str, list[ScheduledAnswer]]:
        """``scheduled_logs`` as the few fields a replay or a fit reads, by question, oldest
        first (100,000 answers read in a fraction of a second)."""
        out: dict[str, list[ScheduledAnswer]] = defaultdict(list)
        query = select(LOG.c.id, LOG.c.question_id, type_coerce(LOG.c.answered_at, String),
                       LOG.c.rating).where(self._own(LOG, scan=True),
                                           LOG.c.mode.in_(sorted(SCHEDULING_MODES))) \
            .order_by(LOG.c.id)
        with self._read() as conn:
            for answer in convert.scheduled_answers(conn.execute(query)):
                out[answer.question_id].append(answer)
        return dict(out)

    def answer_counts(self, since: datetime | None = None) -> tuple[int, int]:
        """(answers, correct answers), in all modes, since a time or ever."""
        query = select(func.count(), func.coalesce(func.sum(case((LOG.c.correct, 1), else_=0)),
                                                   0)).where(self._own(LOG, scan=True))
        if since is not None:
            query = query.where(LOG.c.answered_at >= convert.to_db_time(since))
        with self._read() as conn:
            total, correct = conn.execute(query).one()
        return int(total), int(correct)

    def first_answer_counts(self) -> tuple[int, int]:
        """(questions, right first time): each question's first review-mode answer, for how
        often a question seen for the first time is answered right (``quiz.plan``)."""
        first = select(func.min(LOG.c.id)).where(
            self._own(LOG), LOG.c.mode.in_(sorted(SCHEDULING_MODES))).group_by(LOG.c.question_id)
        query = select(func.count(), func.coalesce(func.sum(case((LOG.c.correct, 1), else_=0)),
                                                   0)).where(LOG.c.id.in_(first))
        with self._read() as conn:
            total, correct = conn.execute(query).one()
        return int(total), int(correct)

    def answer_times(self, since: datetime | None = None) -> list[datetime]:
        """When each answer was given (UTC), newest recorded first."""
        # Read as text and parsed in convert: a year of answers is a lot of datetimes.
        query = select(type_coerce(LOG.c.answered_at, String)).where(self._own(LOG, scan=True)) \
            .order_by(LOG.c.id.desc())
        if since is not None:
            query = query.where(LOG.c.answered_at >= convert.to_db_time(since))
        with self._read() as conn:
            return [typing.cast(datetime, convert.parse_db_time(t, ANSWERED))
                    for t in conn.scalars(query)]

    def answer_hours(self, since: datetime | None = None) -> list[tuple[datetime, datetime]]:
        """The first and last answer of each clock hour that has any, oldest hour first: the
        local days a streak counts, read as a few rows a day rather than every answer."""
        hour = func.substr(cast(LOG.c.answered_at, String), 1, 13)
        query = select(func.min(LOG.c.answered_at), func.max(LOG.c.answered_at)).where(
            self._own(LOG, scan=True)).group_by(hour).order_by(hour)
        if since is not None:
            query = query.where(LOG.c.answered_at >= convert.to_db_time(since))
        with self._read() as conn:
            return [(cast_time(first), cast_time(last)) for first, last in conn.execute(query)]

    def weekly_tally(self, since: datetime, local: str = "localtime") -> list[WeekTally]:
        """Answers since ``since`` by local week, question and kind (``quiz.store.tallies``)."""
        if self.engine.dialect.name == "sqlite":
            return tallies.weekly(self._execute, since, local, self.learner)
        columns = [LOG.c[name] for name in tallies.WEEKLY_ROWS_COLUMNS]
        query = select(*columns).where(self._own(LOG),
                                       LOG.c.answered_at >= convert.to_db_time(since))
        with self._read() as conn:
            return tallies.weekly_from_rows(conn.execute(query), local)

    def question_tally(self) -> dict[str, tuple[int, int]]:
        """(answers, right answers) of each question, ever, in all modes."""
        return tallies.per_question(self._execute, self.learner)

    def duration_tally(self) -> list[tuple[str, int, int]]:
        """(mode, tenths of a second, answers): how long answers took."""
        return tallies.durations(self._execute, self.learner)

    def rating_tally(self) -> dict[int, int]:
        """Review answers by grade (fsrs Rating 1-4)."""
        return tallies.ratings(self._execute, self.learner)

    def _execute(self, sql: str, params: Sequence[Any]) -> list[Any]:
        """A tally's SQL (``?`` for each parameter, as the stdlib snapshot runs it) on any
        database: the marks become named parameters."""
        names = iter(range(len(params)))
        query = text(re.sub(r"\?", lambda _: f":p{next(names)}", sql))
        with self._read() as conn:
            return list(conn.execute(query, {f"p{i}": v for i, v in enumerate(params)}).all())

    def logged_question_ids(self) -> set[str]:
        """Every question id with at least one logged answer."""
        with self._read() as conn:
            return set(conn.execute(select(LOG.c.question_id).where(self._own(LOG))
                                    .distinct()).scalars())

    # --- sessions ----------------------------------------------------------------------------

    def start_session(self, mode: str, *, topic: str | None = None, concept: str | None = None,
                      started_at: datetime | None = None,
                      prefer_id: int | None = None) -> SessionRecord:
        """Begin a study session (``started_at``: default now); answers recorded with its id
        belong to it. ``prefer_id``: that id if no session has it yet (an exam shown before
        the store opened, see ``quiz.store.pending``), else the next one as usual."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        now = self.now() if started_at is None else utc(started_at)

        def work(conn: Connection) -> int:
            values = dict(mode=mode, topic=topic, concept=concept,
                          started_at=convert.to_db_time(now), per_topic="{}")
            # Ids are the database's, shared by every learner: any learner's session takes it.
            if prefer_id is not None and conn.execute(
                    select(SESSION.c.id).where(SESSION.c.id == prefer_id)).first() is None:
                values["id"] = prefer_id
            made = int(conn.execute(self._insert(SESSION).values(**values))
                       .inserted_primary_key[0])
            if "id" in values and conn.dialect.name == "postgresql":
                # An id given explicitly does not move PostgreSQL's sequence: move it past it.
                conn.execute(text("SELECT setval(pg_get_serial_sequence('study_session', 'id'), "
                                  "(SELECT max(id) FROM study_session))"))
            return made

        # Choosing the id is a write to what every learner shares (the id sequence): global.
        made = self._write(work) if prefer_id is None else self._write(work, global_lock=True)
        return SessionRecord(id=made, mode=mode, started_at=now, topic=topic, concept=concept)

    def finish_session(self, session_id: int, *, score: int, total: int,
                       per_topic: dict[str, TopicResult]) -> SessionRecord:
        """Close a session (or exam attempt) with its results."""
        now = self.now()

        def work(conn: Connection) -> None:
            done = conn.execute(update(SESSION).where(self._own(SESSION),
                                                      SESSION.c.id == session_id).values(
                finished_at=convert.to_db_time(now), score=score, total=total,
                per_topic=convert.per_topic_json(per_topic)))
            if done.rowcount != 1:
                raise StoreError(f"{self.where}: no study session {session_id}")

        self._write(work)
        record = self.session(session_id)
        assert record is not None
        return record

    def session(self, session_id: int) -> SessionRecord | None:
        """One study session."""
        with self._read() as conn:
            row = conn.execute(select(SESSION).where(self._own(SESSION),
                                                     SESSION.c.id == session_id)).first()
            return convert.session_from_row(row) if row is not None else None

    def sessions(self, mode: str | None = None) -> list[SessionRecord]:
        """Study sessions, oldest first, optionally of one mode."""
        query = select(SESSION).where(self._own(SESSION)).order_by(SESSION.c.id)
        if mode is not None:
            query = query.where(SESSION.c.mode == mode)
        with self._read() as conn:
            return [convert.session_from_row(r) for r in conn.execute(query)]

    # --- exam attempts -----------------------------------------------------------------------

    def start_exam(self, question_ids: Iterable[str], *, time_limit_s: int | None = None,
                   pass_mark: float | None = None, topic: str | None = None,
                   started_at: datetime | None = None,
                   prefer_id: int | None = None) -> ExamAttempt:
        """Begin an exam attempt on a fixed paper of questions (in the order asked);
        ``started_at`` and ``prefer_id`` as for ``start_session``."""
        ids = tuple(question_ids)
        session = self.start_session("exam", topic=topic, started_at=started_at,
                                     prefer_id=prefer_id)

        def work(conn: Connection) -> None:
            if conn.execute(select(SESSION.c.id).where(self._own(SESSION),
                                                       SESSION.c.id == session.id)).first() is None:
                raise StoreError(f"{self.where}: no study session {session.id}")
            conn.execute(insert(EXAM).values(
                session_id=session.id, question_ids=json.dumps(ids), time_limit_s=time_limit_s,
                pass_mark=pass_mark, answers="{}"))

        self._write(work)
        return ExamAttempt(session=session, question_ids=ids, time_limit_s=time_limit_s,
                           pass_mark=pass_mark)

    def save_exam_answer(self, session_id: int, question_id: str,
                         picked: Iterable[int]) -> None:
        """Keep an exam answer (bank-order indices) so an interrupted attempt can resume."""

        def work(conn: Connection) -> None:
            row = conn.execute(select(EXAM.c.answers).where(self._own(EXAM),
                                                            EXAM.c.session_id == session_id)
                               ).first()
            if row is None:
                raise StoreError(f"{self.where}: no exam attempt {session_id}")
            answers = convert.exam_answers(row.answers)
            answers[question_id] = sorted(set(picked))
            conn.execute(update(EXAM).where(self._own(EXAM), EXAM.c.session_id == session_id)
                         .values(answers=json.dumps(answers)))

        self._write(work)

    def save_exam_flags(self, session_id: int, flags: Iterable[str]) -> None:
        """Keep the question ids flagged in an exam, so a resumed attempt shows them again."""

        def work(conn: Connection) -> None:
            done = conn.execute(update(EXAM).where(self._own(EXAM),
                                                   EXAM.c.session_id == session_id)
                                .values(flags=json.dumps(sorted(set(flags)))))
            if done.rowcount == 0:
                raise StoreError(f"{self.where}: no exam attempt {session_id}")

        self._write(work)

    # Where an open attempt's paper is, kept beside the settings (key exam_position:<id>,
    # the question id shown) so a resumed attempt opens there; no schema change for it.

    def save_exam_position(self, session_id: int, question_id: str | None) -> None:
        """Remember the question an open attempt shows (None: forget it)."""
        key = f"{EXAM_POSITION}{session_id}"

        def work(conn: Connection) -> None:
            conn.execute(delete(SETTING).where(self._own(SETTING), SETTING.c.key == key))
            if question_id is not None:
                conn.execute(self._insert(SETTING).values(key=key,
                                                          value=json.dumps(question_id)))

        self._write(work)

    def exam_position(self, session_id: int) -> str | None:
        """The question an open attempt showed last (None if never saved or unreadable)."""
        key = f"{EXAM_POSITION}{session_id}"
        with self._read() as conn:
            value = conn.execute(select(SETTING.c.value).where(self._own(SETTING),
                                                               SETTING.c.key == key)).scalar()
        return convert.exam_position(value)

    def delete_exam(self, session_id: int) -> bool:
        """Remove an exam attempt from the exam history and scores; False if there is none.

        Its answers stay in the answer log, detached from it: a handed-in attempt's answers
        already fed the schedule, and ``rebuild_cards`` replays them from there.
        """

        def work(conn: Connection) -> bool:
            found = conn.execute(select(EXAM.c.session_id).where(
                self._own(EXAM), EXAM.c.session_id == session_id)).first()
            if found is None:
                return False
            conn.execute(update(LOG).where(self._own(LOG), LOG.c.session_id == session_id)
                         .values(session_id=None))
            conn.execute(delete(EXAM).where(self._own(EXAM), EXAM.c.session_id == session_id))
            conn.execute(delete(SESSION).where(self._own(SESSION), SESSION.c.id == session_id))
            conn.execute(delete(SETTING).where(self._own(SETTING),
                                               SETTING.c.key == f"{EXAM_POSITION}{session_id}"))
            return True

        return self._write(work)

    def detached_exam_logs(self) -> list[ReviewEntry]:
        """Exam answers of deleted attempts (``delete_exam``), oldest first."""
        query = select(LOG).where(self._own(LOG), LOG.c.mode == "exam",
                                  LOG.c.session_id.is_(None)).order_by(LOG.c.id)
        with self._read() as conn:
            return [convert.review_from_row(r) for r in conn.execute(query)]

    def exam(self, session_id: int) -> ExamAttempt | None:
        """One exam attempt."""
        found = self._exams(SESSION.c.id == session_id)
        return found[0] if found else None

    def exams(self) -> list[ExamAttempt]:
        """Every exam attempt, oldest first."""
        return self._exams(None)

    def _exams(self, condition: object) -> list[ExamAttempt]:
        query = select(SESSION, *[c.label(f"exam_{c.name}") for c in EXAM.c]).join(
            EXAM, EXAM.c.session_id == SESSION.c.id).where(self._own(SESSION)) \
            .order_by(SESSION.c.id)
        if condition is not None:
            query = query.where(condition)  # type: ignore[arg-type]
        with self._read() as conn:
            return [convert.exam_from_rows(r, _ExamColumns(r)) for r in conn.execute(query)]


class _ExamColumns:
    """The exam_attempt columns of a joined row, under their own names."""

    def __init__(self, row: object) -> None:
        self._row = row

    def __getattr__(self, name: str) -> object:
        return getattr(self._row, f"exam_{name}")
