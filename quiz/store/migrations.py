"""Versioned schema migrations: a list of steps, each applied once, in order, in one transaction.

Each step is a frozen description of its change (never the current ``*Row`` classes, which
move on), so a database of any past version upgrades the same way. Add a step to change the
schema; never edit an applied one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    insert,
    inspect,
    select,
    text,
)

from quiz.learner import check_learner, default_learner
from quiz.store.convert import to_db_time
from quiz.store.engine import WRITE_OPTION
from quiz.store.inspection import LATEST

TIME = DateTime(timezone=True)


class Migration(NamedTuple):
    """One schema step: the version it brings the database to, and how (``apply(conn,
    learner)``: ``learner`` is who opens the database, for a step that needs to know)."""

    version: int
    description: str
    apply: Callable[[Connection, str], None]


def _same_for_all(step: Callable[[Connection], None]) -> Callable[[Connection, str], None]:
    """A step that does not depend on who opens the database."""
    return lambda conn, _learner: step(conn)


def _v1_tables(metadata: MetaData) -> dict[str, Table]:
    """The initial schema, as it was at version 1."""
    t = [
        Table("schema_version", metadata,
              Column("version", Integer, primary_key=True),
              Column("description", String, nullable=False),
              Column("applied_at", TIME, nullable=False)),
        Table("card", metadata,
              Column("question_id", String, primary_key=True),
              Column("card_id", BigInteger, nullable=False),
              Column("state", Integer, nullable=False),
              Column("step", Integer),
              Column("stability", Float),
              Column("difficulty", Float),
              Column("due", TIME, nullable=False),
              Column("last_review", TIME),
              Column("first_seen", TIME),
              Column("last_answered", TIME),
              Column("introduced_at", TIME),
              Column("reset_at", TIME),
              Column("flagged", Boolean, nullable=False),
              Column("suspended", Boolean, nullable=False),
              Column("fingerprint", String, nullable=False)),
        Table("study_session", metadata,
              Column("id", Integer, primary_key=True),
              Column("mode", String, nullable=False),
              Column("topic", String),
              Column("concept", String),
              Column("started_at", TIME, nullable=False),
              Column("finished_at", TIME),
              Column("score", Integer),
              Column("total", Integer),
              Column("per_topic", String, nullable=False)),
        Table("exam_attempt", metadata,
              Column("session_id", Integer,
                     ForeignKey("study_session.id", ondelete="CASCADE"), primary_key=True),
              Column("question_ids", String, nullable=False),
              Column("time_limit_s", Integer),
              Column("pass_mark", Float),
              Column("answers", String, nullable=False)),
        Table("review_log", metadata,
              Column("id", Integer, primary_key=True),
              Column("question_id", String, nullable=False),
              Column("answered_at", TIME, nullable=False),
              Column("picked", String, nullable=False),
              Column("correct", Boolean, nullable=False),
              Column("rating", Integer, nullable=False),
              Column("duration_ms", Integer),
              Column("mode", String, nullable=False),
              Column("session_id", Integer, ForeignKey("study_session.id")),
              Column("fingerprint", String, nullable=False),
              Column("card_before", Text, nullable=False)),
        Table("setting", metadata,
              Column("key", String, primary_key=True),
              Column("value", String, nullable=False)),
    ]
    return {table.name: table for table in t}


def _v1_initial(conn: Connection) -> None:
    metadata = MetaData()
    _v1_tables(metadata)
    metadata.create_all(conn)


def _v2_indexes(conn: Connection) -> None:
    # What building the review queue (due cards), regrade and undo (logs by question and by
    # session) need once there are 100,000 logs. Nothing on answered_at: each index costs a
    # page per answer, and the stats that read by time scan in id order and stop early.
    tables = _v1_tables(MetaData())
    card, log = tables["card"], tables["review_log"]
    for index in (Index("ix_card_due", card.c.due),
                  Index("ix_review_log_question_id", log.c.question_id),
                  Index("ix_review_log_session_id", log.c.session_id)):
        index.create(conn)


def _v3_exam_flags(conn: Connection) -> None:
    # Flags set during a mock exam ("come back to this one") survive a crash and a resume.
    conn.execute(text("ALTER TABLE exam_attempt ADD COLUMN flags TEXT NOT NULL DEFAULT '[]'"))


def _v4_lapses(conn: Connection) -> None:
    # Leeches need each card's lapses (scheduled answers rated Again while it was in Review),
    # counted since its last reset from the logs, whose card_before holds the state each answer
    # met; and history shows letters as displayed, so each answer keeps the order it was shown
    # in (older answers: unknown, NULL).
    conn.execute(text("ALTER TABLE card ADD COLUMN lapses INTEGER NOT NULL DEFAULT 0"))
    conn.execute(text("ALTER TABLE card ADD COLUMN leech BOOLEAN NOT NULL DEFAULT FALSE"))
    conn.execute(text("ALTER TABLE review_log ADD COLUMN shown_order TEXT"))
    tables = _v1_tables(MetaData())
    card, log, session = tables["card"], tables["review_log"], tables["study_session"]
    setting = tables["setting"]
    threshold = 8
    stored = conn.execute(select(setting.c.value).where(setting.c.key == "leech_threshold")
                          ).scalar()
    try:
        value = json.loads(stored) if stored is not None else threshold
        threshold = value if type(value) is int and 2 <= value <= 99 else threshold
    except (ValueError, RecursionError):  # RecursionError: JSON nested too deep
        pass  # the store reports a damaged setting when it reads it
    # Exam answers fed the schedule once their attempt was handed in (not while suspended).
    handed_in = set(conn.execute(select(session.c.id).where(
        session.c.mode == "exam", session.c.finished_at.is_not(None))).scalars())
    cards = {r.question_id: r for r in conn.execute(
        select(card.c.question_id, card.c.reset_at, card.c.suspended))}
    lapses: dict[str, int] = {}
    for row in conn.execute(select(log.c.question_id, log.c.answered_at, log.c.mode,
                                   log.c.session_id, log.c.card_before)
                            .where(log.c.rating == 1)):  # fsrs Rating.Again
        owner = cards.get(row.question_id)
        if owner is None or (owner.reset_at is not None and row.answered_at < owner.reset_at):
            continue
        if row.mode != "review" and not (row.mode == "exam" and row.session_id in handed_in
                                         and not owner.suspended):
            continue
        try:
            state = json.loads(row.card_before)["card"]["state"]
        except (ValueError, TypeError, KeyError, RecursionError):
            continue  # a damaged log row: the store names it when it is read
        if state == 2:  # fsrs State.Review
            lapses[row.question_id] = lapses.get(row.question_id, 0) + 1
    for question_id, count in lapses.items():
        # Plain text: the frozen v1 card table above has no such columns.
        conn.execute(text("UPDATE card SET lapses = :n, leech = :leech WHERE question_id = :q"),
                     {"n": count, "leech": count >= threshold, "q": question_id})


# --- version 5: learners -------------------------------------------------------------------
# Each learner's cards, answers, sessions (and the exam attempts that belong to them) and
# settings are kept apart in one database. The tables as version 5 has them, frozen here:
_V5_PER_LEARNER = ("card", "study_session", "exam_attempt", "review_log", "setting")


def _v5_tables(metadata: MetaData) -> dict[str, Table]:
    """The per-learner tables at version 5 (v1's columns, v3's and v4's, then ``learner``)."""
    t = [
        Table("card", metadata,
              Column("question_id", String, nullable=False),
              Column("card_id", BigInteger, nullable=False),
              Column("state", Integer, nullable=False),
              Column("step", Integer),
              Column("stability", Float),
              Column("difficulty", Float),
              Column("due", TIME, nullable=False),
              Column("last_review", TIME),
              Column("first_seen", TIME),
              Column("last_answered", TIME),
              Column("introduced_at", TIME),
              Column("reset_at", TIME),
              Column("flagged", Boolean, nullable=False),
              Column("suspended", Boolean, nullable=False),
              Column("fingerprint", String, nullable=False),
              Column("lapses", Integer, nullable=False, server_default=text("0")),
              Column("leech", Boolean, nullable=False, server_default=text("FALSE")),
              Column("learner", Text, nullable=False),
              PrimaryKeyConstraint("learner", "question_id"),
              Index("ix_card_learner_due", "learner", "due")),
        Table("study_session", metadata,
              Column("id", Integer, primary_key=True),
              Column("mode", String, nullable=False),
              Column("topic", String),
              Column("concept", String),
              Column("started_at", TIME, nullable=False),
              Column("finished_at", TIME),
              Column("score", Integer),
              Column("total", Integer),
              Column("per_topic", String, nullable=False),
              Column("learner", Text, nullable=False),
              Index("ix_study_session_learner", "learner")),
        Table("exam_attempt", metadata,
              Column("session_id", Integer,
                     ForeignKey("study_session.id", ondelete="CASCADE"), primary_key=True),
              Column("question_ids", String, nullable=False),
              Column("time_limit_s", Integer),
              Column("pass_mark", Float),
              Column("answers", String, nullable=False),
              Column("flags", Text, nullable=False, server_default=text("'[]'"))),
        Table("review_log", metadata,
              Column("id", Integer, primary_key=True),
              Column("question_id", String, nullable=False),
              Column("answered_at", TIME, nullable=False),
              Column("picked", String, nullable=False),
              Column("correct", Boolean, nullable=False),
              Column("rating", Integer, nullable=False),
              Column("duration_ms", Integer),
              Column("mode", String, nullable=False),
              Column("session_id", Integer, ForeignKey("study_session.id")),
              Column("fingerprint", String, nullable=False),
              Column("card_before", Text, nullable=False),
              Column("shown_order", Text),
              Column("learner", Text, nullable=False),
              Index("ix_review_log_learner_question_id", "learner", "question_id"),
              Index("ix_review_log_learner_session_id", "learner", "session_id"),
              # A learner's answers in the order given: undo, the stats' scans by time.
              Index("ix_review_log_learner_id", "learner", "id")),
        Table("setting", metadata,
              Column("key", String, nullable=False),
              Column("value", String, nullable=False),
              Column("learner", Text, nullable=False),
              PrimaryKeyConstraint("learner", "key")),
    ]
    return {table.name: table for table in t}


_V4_INDEXES = ("ix_card_due", "ix_review_log_question_id", "ix_review_log_session_id")


def _v5_learners(conn: Connection, learner: str) -> None:
    # The rows already there are the progress of whoever opens (and so migrates) the
    # database: a personal SQLite file belongs to its user.
    tables = _v5_tables(MetaData())
    if conn.dialect.name == "sqlite":
        _v5_rebuild(conn, learner, tables)
    else:
        _v5_alter(conn, learner, tables)


def _v5_rebuild(conn: Connection, learner: str, tables: dict[str, Table]) -> None:
    """SQLite cannot change a primary key or drop a column default: each table is made again
    under its old name and the rows copied across (ids kept), children dropped first."""
    for name in _V5_PER_LEARNER:
        # Renaming the parent first points the children's foreign keys at the old copy.
        conn.execute(text(f"ALTER TABLE {name} RENAME TO {name}_v4"))
    for name in _V5_PER_LEARNER:
        tables[name].create(conn)
    for name in _V5_PER_LEARNER:
        columns = [c.name for c in tables[name].columns if c.name != "learner"]
        listed = ", ".join(columns)
        if "learner" in tables[name].c:
            conn.execute(text(f"INSERT INTO {name} ({listed}, learner) "
                              f"SELECT {listed}, :learner FROM {name}_v4"), {"learner": learner})
        else:
            conn.execute(text(f"INSERT INTO {name} ({listed}) SELECT {listed} FROM {name}_v4"))
    for name in ("review_log", "exam_attempt", "card", "setting", "study_session"):
        conn.execute(text(f"DROP TABLE {name}_v4"))


def _v5_alter(conn: Connection, learner: str, tables: dict[str, Table]) -> None:
    """Other databases (PostgreSQL) change the tables in place: sequences and constraints
    stay, the learner column is filled and then required."""
    found = inspect(conn)
    for name in ("card", "study_session", "review_log", "setting"):
        conn.execute(text(f"ALTER TABLE {name} ADD COLUMN learner TEXT"))
        conn.execute(text(f"UPDATE {name} SET learner = :learner"), {"learner": learner})
        conn.execute(text(f"ALTER TABLE {name} ALTER COLUMN learner SET NOT NULL"))
    for name in ("card", "setting"):
        old = found.get_pk_constraint(name)["name"]
        conn.execute(text(f"ALTER TABLE {name} DROP CONSTRAINT {old}"))
        keys = ", ".join(c.name for c in tables[name].primary_key.columns)
        conn.execute(text(f"ALTER TABLE {name} ADD CONSTRAINT {name}_pkey PRIMARY KEY ({keys})"))
    for index in _V4_INDEXES:
        conn.execute(text(f"DROP INDEX {index}"))
    for name in ("card", "study_session", "review_log"):
        for index in tables[name].indexes:
            index.create(conn)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", _same_for_all(_v1_initial)),
    Migration(2, "indexes for the review queue, stats and undo", _same_for_all(_v2_indexes)),
    Migration(3, "flags of exam questions kept with the attempt", _same_for_all(_v3_exam_flags)),
    Migration(4, "lapses and leeches of cards, the order each answer's choices were shown in",
              _same_for_all(_v4_lapses)),
    Migration(5, "learners: each one's cards, answers, sessions and settings kept apart",
              _v5_learners),
)
# LATEST lives in quiz.store.inspection, which start-up reads without SQLAlchemy; a test
# checks it is the last step's version.


def current_version(conn: Connection) -> int:
    """The highest applied migration; 0 for a database without our schema."""
    if not inspect(conn).has_table("schema_version"):
        return 0
    return conn.execute(select(_version_table().c.version).order_by(
        _version_table().c.version.desc()).limit(1)).scalar() or 0


def _version_table() -> Table:
    return _v1_tables(MetaData())["schema_version"]


def migrate(engine: Engine, now: datetime, target: int = LATEST, *,
            learner: str | None = None) -> int:
    """Apply every migration after the current version up to ``target``; return the version.
    ``learner``: who opens the database (default: the OS user); the progress already in an
    older database becomes theirs.

    Runs in one write transaction that holds the global write lock (every learner's writes
    wait), so two instances starting together cannot both migrate.
    """
    owner = default_learner() if learner is None else check_learner(learner)
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
        version = current_version(conn)
        for step in MIGRATIONS:
            if version < step.version <= target:
                step.apply(conn, owner)
                conn.execute(insert(_version_table()).values(
                    version=step.version, description=step.description,
                    applied_at=to_db_time(now)))
                version = step.version
    return version
