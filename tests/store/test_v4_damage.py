"""Damaged values in what schema 4 and the settings table added (card lapses, exam positions,
an old database's logs and settings read by the v4 migration): one ``StoreError`` naming the
database, or the value ignored where it only says where to open, never a traceback."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from quiz.bank import Bank
from quiz.learner import default_learner
from quiz.store import Store, StoreError, make_engine
from quiz.store.migrations import migrate
from quiz.store.snapshot import take_snapshot
from tests.conftest import T0

QID = "np-deny-scope"  # choice 0 is right, 2 is wrong
BOMB = "[" * 100_000 + "]" * 100_000  # JSON nested deeper than Python's recursion limit


def _answered(path: Path, bank: Bank) -> None:
    store = Store(make_engine(path), now=lambda: T0, enable_fuzzing=False)
    store.record_answer(bank.questions[QID], [0])
    store.close()


def _sql(path: Path, statement: str, *params: object) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(statement, params)
    conn.close()


@pytest.mark.parametrize("lapses", [-1, 2**63 - 1, 10**7])
def test_lapses_no_answer_could_count_are_damage(db_path: Path, bank: Bank, lapses: int) -> None:
    # A huge count used to be read, then overflowed SQLite's integer on the next lapse: the
    # answer raised OverflowError (a traceback) and was lost.
    _answered(db_path, bank)
    _sql(db_path, "UPDATE card SET lapses = ?", lapses)
    store = Store(make_engine(db_path), now=lambda: T0, enable_fuzzing=False)
    with pytest.raises(StoreError, match=f"damaged .*lapses is {lapses}"):
        store.cards()
    with pytest.raises(StoreError, match="damaged"):
        store.record_answer(bank.questions[QID], [2])
    store.close()
    snapshot = take_snapshot(db_path)
    assert snapshot is not None
    with pytest.raises(StoreError, match="damaged"):
        snapshot.cards()
    snapshot.close()


@pytest.mark.parametrize("value", [BOMB, "12", "{oops"], ids=["nested", "number", "not-json"])
def test_a_damaged_exam_position_opens_the_paper_at_its_start(db_path: Path, bank: Bank,
                                                              value: str) -> None:
    store = Store(make_engine(db_path), now=lambda: T0, enable_fuzzing=False)
    attempt = store.start_exam([QID])
    store.close()
    _sql(db_path, "INSERT INTO setting (key, value, learner) VALUES (?, ?, ?)",
         f"exam_position:{attempt.id}", value, default_learner())
    store = Store(make_engine(db_path), now=lambda: T0, enable_fuzzing=False)
    assert store.exam_position(attempt.id) is None
    store.close()
    snapshot = take_snapshot(db_path)
    assert snapshot is not None
    assert snapshot.exam_position(attempt.id) is None
    snapshot.close()


def _version_3(path: Path, card_before: str, threshold: str) -> None:
    engine = make_engine(path)
    assert migrate(engine, T0, target=3) == 3
    engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO card (question_id, card_id, state, stability, difficulty, "
                     "due, last_review, flagged, suspended, fingerprint) VALUES "
                     "(?, 42, 2, 3.0, 5.0, '2025-04-01 09:00:00.000000', "
                     "'2025-03-05 09:00:00.000000', 0, 0, 'f')", (QID,))
        conn.execute("INSERT INTO setting VALUES ('leech_threshold', ?)", (threshold,))
        conn.execute("INSERT INTO review_log (question_id, answered_at, picked, correct, "
                     "rating, mode, fingerprint, card_before) VALUES (?, "
                     "'2025-03-02 09:00:00.000000', '[2]', 0, 1, 'review', 'f', ?)",
                     (QID, card_before))
    conn.close()


GOOD_BEFORE = json.dumps({"card": {"card_id": 42, "state": 2, "step": None, "stability": 3.0,
                                   "difficulty": 5.0, "due": "2025-03-01T09:00:00+00:00",
                                   "last_review": "2025-02-27T09:00:00+00:00"},
                          "fingerprint": "f", "first_seen": None, "last_answered": None,
                          "introduced_at": None, "reset_at": None})


@pytest.mark.parametrize(("card_before", "threshold"), [(BOMB, "3"), (GOOD_BEFORE, BOMB)],
                         ids=["card_before", "leech_threshold"])
def test_the_v4_migration_survives_json_nested_too_deep(db_path: Path, card_before: str,
                                                        threshold: str) -> None:
    # The migration reads old logs and the leech threshold; a nesting bomb there used to
    # escape it as RecursionError (a traceback at start-up). Now the migration completes and
    # the store names the damaged value when it reads it.
    _version_3(db_path, card_before, threshold)
    store = Store(make_engine(db_path), now=lambda: T0, enable_fuzzing=False)
    with pytest.raises(StoreError, match="damaged"):
        store.settings(), store.logs()
    store.close()
    assert take_snapshot(db_path) is not None  # migrated: at the current schema


@pytest.mark.parametrize("order", ["[0, 0, 1]", "[-1, 0]", json.dumps(list(range(5000))),
                                   "[0, 1.5]"],
                         ids=["repeated", "negative", "too-long", "not-whole"])
def test_a_shown_order_no_question_could_have_is_damage(db_path: Path, bank: Bank,
                                                        order: str) -> None:
    # A question has at most 6 choices, each shown once: anything else was not written by
    # quiz, and used to be read (and shown in the history as letters nobody saw).
    _answered(db_path, bank)
    _sql(db_path, "UPDATE review_log SET shown_order = ?", order)
    store = Store(make_engine(db_path), now=lambda: T0, enable_fuzzing=False)
    with pytest.raises(StoreError, match="damaged .*shown_order"):
        store.logs()
    store.close()


def test_a_shown_order_of_a_question_is_read(db_path: Path, bank: Bank) -> None:
    _answered(db_path, bank)
    _sql(db_path, "UPDATE review_log SET shown_order = '[2, 0, 1, 3]'")
    store = Store(make_engine(db_path), now=lambda: T0, enable_fuzzing=False)
    assert [e.shown_order for e in store.logs()] == [(2, 0, 1, 3)]
    store.close()


def test_the_store_knows_the_most_choices_a_question_has() -> None:
    from annotated_types import MaxLen

    from quiz.bank.models import Question
    from quiz.store.convert import MAX_CHOICES

    limits = [m.max_length for m in Question.model_fields["choices"].metadata
              if isinstance(m, MaxLen)]
    assert limits == [MAX_CHOICES]


@pytest.mark.parametrize("column", ["flagged", "suspended", "leech"])
def test_a_mark_that_is_neither_0_nor_1_is_damage_for_the_store_and_the_snapshot_alike(
        db_path: Path, bank: Bank, column: str) -> None:
    # SQLAlchemy's Boolean read 7 as True: browse (the store) opened what stats (the snapshot)
    # refused.
    _answered(db_path, bank)
    _sql(db_path, f"UPDATE card SET {column} = 7")
    store = Store(make_engine(db_path), now=lambda: T0, enable_fuzzing=False)
    with pytest.raises(StoreError, match=f"damaged .*{column} is 7"):
        store.cards()
    store.close()
    snapshot = take_snapshot(db_path)
    assert snapshot is not None
    with pytest.raises(StoreError, match=f"damaged .*{column} is 7"):
        snapshot.cards()
    snapshot.close()


def test_an_answer_right_or_wrong_other_than_0_or_1_is_damage(db_path: Path,
                                                               bank: Bank) -> None:
    _answered(db_path, bank)
    _sql(db_path, "UPDATE review_log SET correct = 5")
    store = Store(make_engine(db_path), now=lambda: T0, enable_fuzzing=False)
    with pytest.raises(StoreError, match="damaged .*correct is 5"):
        store.logs()
    store.close()
