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
    String,
    Table,
    Text,
    insert,
    inspect,
    select,
    text,
)

from quiz.store.convert import to_db_time
from quiz.store.engine import WRITE_OPTION
from quiz.store.inspection import LATEST

TIME = DateTime(timezone=True)


class Migration(NamedTuple):
    """One schema step: the version it brings the database to, and how."""

    version: int
    description: str
    apply: Callable[[Connection], None]


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


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", _v1_initial),
    Migration(2, "indexes for the review queue, stats and undo", _v2_indexes),
    Migration(3, "flags of exam questions kept with the attempt", _v3_exam_flags),
    Migration(4, "lapses and leeches of cards, the order each answer's choices were shown in",
              _v4_lapses),
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


def migrate(engine: Engine, now: datetime, target: int = LATEST) -> int:
    """Apply every migration after the current version up to ``target``; return the version.

    Runs in one write transaction, so two instances starting together cannot both migrate.
    """
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
        version = current_version(conn)
        for step in MIGRATIONS:
            if version < step.version <= target:
                step.apply(conn)
                conn.execute(insert(_version_table()).values(
                    version=step.version, description=step.description,
                    applied_at=to_db_time(now)))
                version = step.version
    return version
