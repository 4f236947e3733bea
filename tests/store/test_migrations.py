"""Schema versions: a fresh database, upgrading a version-1 database, the schema matching code."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from quiz.bank import Bank
from quiz.store import SCHEMA_VERSION, Store, make_engine
from quiz.store.migrations import MIGRATIONS, current_version, migrate
from tests.conftest import T0


def test_a_fresh_database_gets_every_migration_once(db_path: Path) -> None:
    Store(make_engine(db_path)).close()
    Store(make_engine(db_path)).close()  # reopening applies nothing twice
    with sqlite3.connect(db_path) as conn:
        versions = [v for (v,) in conn.execute("SELECT version FROM schema_version ORDER BY 1")]
    conn.close()
    assert versions == [m.version for m in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))


def test_a_version_1_database_upgrades_without_losing_rows(
        db_path: Path, bank: Bank) -> None:
    engine = make_engine(db_path)
    assert migrate(engine, T0, target=1) == 1
    with sqlite3.connect(db_path) as conn:  # rows as version 1 code would have written them
        conn.execute("INSERT INTO study_session (id, mode, started_at, per_topic) "
                     "VALUES (1, 'review', '2025-03-01 09:00:00.000000', '{}')")
        conn.execute(
            "INSERT INTO card (question_id, card_id, state, step, stability, difficulty, due, "
            "last_review, first_seen, last_answered, introduced_at, flagged, suspended, "
            "fingerprint) VALUES ('np-deny-scope', 42, 2, NULL, 30.5, 4.2, "
            "'2025-04-01 09:00:00.000000', '2025-03-01 09:00:00.000000', "
            "'2025-03-01 09:00:00.000000', '2025-03-01 09:00:00.000000', "
            "'2025-03-01 09:00:00.000000', 1, 0, ?)", (bank.questions["np-deny-scope"]
                                                      .fingerprint(),))
        conn.execute(
            "INSERT INTO review_log (question_id, answered_at, picked, correct, rating, "
            "duration_ms, mode, session_id, fingerprint, card_before) VALUES "
            "('np-deny-scope', '2025-03-01 09:00:00.000000', '[0]', 1, 3, 1200, 'review', 1, "
            "'', '{\"card\": {\"card_id\": 42, \"state\": 1, \"step\": 0, \"stability\": null,"
            " \"difficulty\": null, \"due\": \"2025-03-01T09:00:00+00:00\", "
            "\"last_review\": null}, \"fingerprint\": \"\", \"first_seen\": null, "
            "\"last_answered\": null, \"introduced_at\": null, \"reset_at\": null}')")
        conn.execute("INSERT INTO setting VALUES ('daily_new_limit', '7')")
    conn.close()
    engine.dispose()

    store = Store(make_engine(db_path), now=lambda: T0)
    with store.engine.connect() as conn:
        assert current_version(conn) == SCHEMA_VERSION
        indexes = {i["name"] for i in inspect(conn).get_indexes("review_log")}
    assert {"ix_review_log_learner_question_id", "ix_review_log_learner_session_id"} <= indexes
    card = store.card("np-deny-scope")
    assert card is not None and card.flagged and card.card.stability == 30.5
    assert card.due == datetime(2025, 4, 1, 9, tzinfo=UTC)
    [entry] = store.logs()
    assert (entry.session_id, entry.duration_ms, entry.card_before.card.card_id) == (1, 1200, 42)
    assert store.settings().daily_new_limit == 7
    assert store.undo_last(1) == "np-deny-scope"  # the old log is fully usable
    store.close()


def test_the_migrated_schema_matches_the_row_classes(store: Store) -> None:
    ours = {name: table for name, table in SQLModel.metadata.tables.items()
            if name in {"schema_version", "card", "review_log", "study_session",
                        "exam_attempt", "setting"}}
    assert len(ours) == 6
    with store.engine.connect() as conn:
        db = inspect(conn)
        assert set(ours) <= set(db.get_table_names())
        for name, table in ours.items():
            assert [c["name"] for c in db.get_columns(name)] == [c.name for c in table.columns]
            declared = {i.name: [c.name for c in i.columns] for i in table.indexes}
            assert declared == {i["name"]: i["column_names"] for i in db.get_indexes(name)}, name
            assert db.get_pk_constraint(name)["constrained_columns"] == \
                [c.name for c in table.primary_key.columns], name
            keys = {c.name for c in table.primary_key.columns}  # SQLite may call those nullable
            assert {c["name"]: c["nullable"] for c in db.get_columns(name)
                    if c["name"] not in keys} == \
                {c.name: c.nullable for c in table.columns if c.name not in keys}, name


def test_a_version_2_exam_attempt_gains_empty_flags_and_keeps_its_answers(
        db_path: Path) -> None:
    engine = make_engine(db_path)
    assert migrate(engine, T0, target=2) == 2
    with sqlite3.connect(db_path) as conn:  # an unfinished exam as version 2 code stored it
        conn.execute("INSERT INTO study_session (id, mode, started_at, per_topic) "
                     "VALUES (1, 'exam', '2025-03-01 09:00:00.000000', '{}')")
        conn.execute("INSERT INTO exam_attempt (session_id, question_ids, time_limit_s, "
                     "pass_mark, answers) VALUES (1, '[\"a\", \"b\"]', 600, 0.75, "
                     "'{\"a\": [1]}')")
    conn.close()
    engine.dispose()

    store = Store(make_engine(db_path), now=lambda: T0)
    attempt = store.exam(1)
    assert attempt is not None
    assert (attempt.answers, attempt.flags) == ({"a": (1,)}, frozenset())
    store.save_exam_flags(1, ["b"])
    assert store.exam(1).flags == frozenset({"b"})
    store.close()


def test_a_version_4_database_keeps_all_its_progress_for_whoever_opens_it(
        db_target: str, bank: Bank) -> None:
    """The learners step (5): the rows already there become the opening learner's, whole."""
    engine = make_engine(db_target)
    assert migrate(engine, T0, target=4) == 4
    fingerprint = bank.questions["np-deny-scope"].fingerprint()
    with engine.begin() as conn:  # rows as version 4 code wrote them
        for statement in (
                "INSERT INTO study_session (id, mode, started_at, finished_at, per_topic) VALUES "
                "(7, 'exam', '2025-03-01 09:00:00', NULL, '{}')",
                "INSERT INTO exam_attempt (session_id, question_ids, time_limit_s, pass_mark, "
                "answers, flags) VALUES (7, '[\"np-deny-scope\"]', 600, 0.75, "
                "'{\"np-deny-scope\": [0]}', '[\"np-deny-scope\"]')",
                "INSERT INTO card (question_id, card_id, state, step, stability, difficulty, due, "
                "last_review, first_seen, last_answered, introduced_at, flagged, suspended, "
                "fingerprint, lapses, leech) VALUES ('np-deny-scope', 42, 2, NULL, 30.5, 4.2, "
                "'2025-04-01 09:00:00', '2025-03-01 09:00:00', '2025-03-01 09:00:00', "
                "'2025-03-01 09:00:00', '2025-03-01 09:00:00', TRUE, FALSE, :f, 2, FALSE)",
                "INSERT INTO review_log (question_id, answered_at, picked, correct, rating, "
                "duration_ms, mode, session_id, fingerprint, card_before, shown_order) VALUES "
                "('np-deny-scope', '2025-03-01 09:00:00', '[0]', TRUE, 3, 1200, 'exam', 7, :f, "
                "'{\"card\": {\"card_id\": 42, \"state\": 1, \"step\": 0, \"stability\": null, "
                "\"difficulty\": null, \"due\": \"2025-03-01T09:00:00+00:00\", "
                "\"last_review\": null}, \"fingerprint\": \"\", \"first_seen\": null, "
                "\"last_answered\": null, \"introduced_at\": null, \"reset_at\": null}', "
                "'[2, 0, 1, 3]')",
                "INSERT INTO setting (key, value) VALUES ('daily_new_limit', '7')",
                "INSERT INTO setting (key, value) VALUES ('exam_position:7', "
                "'\"np-deny-scope\"')"):
            conn.execute(text(statement), {"f": fingerprint} if ":f" in statement else {})
        if conn.dialect.name == "postgresql":  # as if v4 had made session 7 from its sequence
            conn.execute(text("SELECT setval(pg_get_serial_sequence('study_session', 'id'), 7)"))
    engine.dispose()

    store = Store(make_engine(db_target), learner="ana", now=lambda: T0)
    assert store.learners() == ["ana"]
    card = store.card("np-deny-scope")
    assert card is not None and card.flagged and card.lapses == 2
    assert card.card.stability == 30.5 and card.due == datetime(2025, 4, 1, 9, tzinfo=UTC)
    [entry] = store.logs()
    assert (entry.session_id, entry.duration_ms, entry.shown_order) == (7, 1200, (2, 0, 1, 3))
    assert store.settings().daily_new_limit == 7
    attempt = store.exam(7)
    assert attempt is not None and attempt.answers == {"np-deny-scope": (0,)}
    assert attempt.flags == {"np-deny-scope"} and store.exam_position(7) == "np-deny-scope"
    other = store.for_learner("bo")
    assert (other.cards(), other.logs(), other.exams(), other.settings()) == \
        ({}, [], [], type(other.settings())())
    # Both keep working: ids go on from the old ones, the other learner's rows are new.
    assert store.start_session("review").id == 8
    other.record_answer(bank.questions["np-deny-scope"], [0])
    assert [e.id for e in store.logs()] == [entry.id]
    store.close()
