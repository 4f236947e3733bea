"""The database tables, as SQLModel ``*Row`` classes.

These describe storage only; the rest of the app works with the dataclasses in
``quiz.store.records`` and ``quiz.store.convert`` turns one into the other. Datetimes are
UTC (``timestamptz`` where the database has one; SQLite keeps them without an offset); JSON
columns hold text.

The tables themselves are created by ``quiz.store.migrations``, never by ``create_all``: a test
checks that the migrated schema and these classes agree.

Every table but ``schema_version`` holds many learners' rows: ``learner`` says whose (an exam
attempt is its study session's learner's). Indexes lead with it where queries filter by it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Text,
)
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class StoredFlag(TypeDecorator[bool]):
    """A boolean column read as stored: SQLAlchemy's Boolean would turn a damaged 7 into True,
    where the snapshot (stdlib sqlite3) sees 7; ``convert`` checks it is 0/1 (or a bool)."""

    impl = Boolean
    cache_ok = True

    def result_processor(self, dialect: Any, coltype: Any) -> None:
        return None


class SchemaVersionRow(SQLModel, table=True):
    """One row per applied migration."""

    __tablename__ = "schema_version"

    version: int = Field(primary_key=True)
    description: str
    applied_at: datetime


class CardRow(SQLModel, table=True):
    """The scheduling state of one question: the fsrs card plus what the app keeps beside it."""

    __tablename__ = "card"
    __table_args__ = (PrimaryKeyConstraint("learner", "question_id"),
                      Index("ix_card_learner_due", "learner", "due"))

    question_id: str
    card_id: int = Field(sa_type=BigInteger)  # fsrs card id, derived from the question id
    state: int  # fsrs.State
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime
    last_review: datetime | None = None
    first_seen: datetime | None = None  # first answer in any mode
    last_answered: datetime | None = None  # latest answer in any mode
    introduced_at: datetime | None = None  # first scheduled (review-mode) answer: daily new limit
    reset_at: datetime | None = None  # when a bank edit last gave the question a fresh card
    flagged: bool = Field(default=False, sa_type=StoredFlag)
    suspended: bool = Field(default=False, sa_type=StoredFlag)
    fingerprint: str = ""  # Question.fingerprint() the card was scheduled for
    lapses: int = Field(default=0, sa_column_kwargs={"server_default": "0"})  # Again in Review
    leech: bool = Field(default=False, sa_type=StoredFlag,
                        sa_column_kwargs={"server_default": "0"})
    learner: str = Field(sa_type=Text)


class StudySessionRow(SQLModel, table=True):
    """A study session or an exam attempt: what was asked for and how it went."""

    __tablename__ = "study_session"
    __table_args__ = (Index("ix_study_session_learner", "learner"),)

    id: int | None = Field(default=None, primary_key=True)
    mode: str  # review | practice | exam
    topic: str | None = None
    concept: str | None = None
    started_at: datetime
    finished_at: datetime | None = None
    score: int | None = None
    total: int | None = None
    per_topic: str = "{}"  # JSON: {topic: {"correct": n, "total": n}}
    learner: str = Field(sa_type=Text)


class ExamAttemptRow(SQLModel, table=True):
    """What an exam attempt adds to its study session."""

    __tablename__ = "exam_attempt"

    session_id: int = Field(
        sa_column=Column(Integer, ForeignKey("study_session.id", ondelete="CASCADE"),
                         primary_key=True)
    )
    question_ids: str  # JSON list, in the order asked
    time_limit_s: int | None = None
    pass_mark: float | None = None  # fraction of the total, e.g. 0.75
    answers: str = "{}"  # JSON: {question_id: [bank-order choice indices]}
    flags: str = Field(default="[]", sa_column_kwargs={"server_default": "[]"})  # JSON ids


class ReviewLogRow(SQLModel, table=True):
    """One answer, kept forever: the raw material for stats, undo and rebuilding cards."""

    __tablename__ = "review_log"
    __table_args__ = (Index("ix_review_log_learner_question_id", "learner", "question_id"),
                      Index("ix_review_log_learner_session_id", "learner", "session_id"),
                      Index("ix_review_log_learner_id", "learner", "id"))

    id: int | None = Field(default=None, primary_key=True)
    question_id: str
    answered_at: datetime
    picked: str  # JSON list of choice indices in bank order
    correct: bool = Field(sa_type=StoredFlag)
    rating: int  # fsrs.Rating
    duration_ms: int | None = None
    mode: str
    session_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("study_session.id"), nullable=True),
    )
    fingerprint: str = ""  # of the question as answered
    card_before: str = Field(sa_type=Text)  # JSON card state before the answer, for undo/regrade
    shown_order: str | None = None  # JSON bank indices in the order shown; None: not recorded
    learner: str = Field(sa_type=Text)


class SettingRow(SQLModel, table=True):
    """A user setting; the value is JSON."""

    __tablename__ = "setting"
    __table_args__ = (PrimaryKeyConstraint("learner", "key"),)

    key: str
    value: str
    learner: str = Field(sa_type=Text)
