"""Every setting the settings screen offers: checked once (``check_setting``), kept in the
database, read back the same by the store and the start-up snapshot, and used by the scheduler."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from fsrs import Rating, State
from fsrs.scheduler import DEFAULT_PARAMETERS

from quiz.bank import Bank
from quiz.learner import default_learner
from quiz.store import Settings, Store, StoreError, check_setting, make_engine
from quiz.store.snapshot import Snapshot
from tests.conftest import Clock

CHANGED = {"desired_retention": 0.85, "daily_new_limit": 7, "exam_date": date(2025, 6, 1),
           "maximum_interval": 30, "practice_length": 0, "theme": "solarized-light",
           "leech_threshold": 5, "leech_action": "suspend",
           "fsrs_parameters": tuple(p * 1.01 if 4 < i < 20 and i not in (8, 9, 14, 15, 17, 18, 19)
                                    else p for i, p in enumerate(DEFAULT_PARAMETERS))}


def test_every_setting_round_trips_through_store_and_snapshot(db_path: Path,
                                                               clock: Clock) -> None:
    store = Store(make_engine(db_path), now=clock, enable_fuzzing=False)
    assert store.settings() == Settings()
    store.update_settings(**CHANGED)
    store.close()
    reopened = Store(make_engine(db_path), now=clock, enable_fuzzing=False)
    assert reopened.settings() == Settings(**CHANGED)
    reopened.close()
    assert Snapshot(db_path, now=clock).settings() == Settings(**CHANGED)


@pytest.mark.parametrize(("name", "value"), [
    ("desired_retention", 0.5), ("desired_retention", float("nan")),
    ("desired_retention", True), ("daily_new_limit", -1), ("daily_new_limit", 2.5),
    ("maximum_interval", 0), ("maximum_interval", 10**6), ("practice_length", -3),
    ("theme", ""), ("theme", "x" * 65), ("theme", "dark\x1b[31m"), ("theme", 3),
    ("leech_threshold", 1), ("leech_action", "delete"), ("exam_date", "2025-06-01"),
    ("colour", "red"), ("fsrs_parameters", [0.2] * 20), ("fsrs_parameters", "0.2"),
    ("fsrs_parameters", [float("nan")] * 21), ("fsrs_parameters", [0.2] * 21),
    ("fsrs_parameters", [True] * 21),
])
def test_a_value_a_setting_cannot_hold_is_refused_before_anything_is_written(
        store: Store, name: str, value: object) -> None:
    with pytest.raises(ValueError, match=name):
        store.update_settings(**{name: value})
    with pytest.raises(ValueError):
        check_setting(name, value)
    assert store.settings() == Settings()


@pytest.mark.parametrize(("key", "stored"), [
    ("maximum_interval", "0"), ("leech_action", '"burn"'), ("theme", '"a b"'),
    ("practice_length", '"ten"'), ("fsrs_parameters", "[1, 2]"),
    ("fsrs_parameters", "[" + ", ".join(["1e999"] * 21) + "]"),
])
def test_a_damaged_stored_setting_is_reported_not_used(db_path: Path, clock: Clock,
                                                        key: str, stored: str) -> None:
    Store(make_engine(db_path), now=clock).close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO setting (key, value, learner) VALUES (?, ?, ?)",
                     (key, stored, default_learner()))
    store = Store(make_engine(db_path), now=clock)
    with pytest.raises(StoreError, match=key):
        store.settings()
    store.close()


def test_an_unknown_stored_setting_is_ignored(db_path: Path, clock: Clock) -> None:
    """A newer quiz may keep settings this one does not know."""
    Store(make_engine(db_path), now=clock).close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO setting (key, value, learner) VALUES ('from_the_future', '1', "
                     "?)", (default_learner(),))
    store = Store(make_engine(db_path), now=clock)
    assert store.settings() == Settings()
    store.close()


def test_maximum_interval_caps_what_the_scheduler_gives(store: Store, bank: Bank,
                                                         clock: Clock) -> None:
    question = next(iter(bank.questions.values()))
    right = set(question.correct_indices)
    store.update_settings(maximum_interval=3)
    assert store.scheduler().maximum_interval == 3
    for _ in range(8):
        answer = store.record_answer(question, right)
        store.regrade(answer.log_id, Rating.Easy)
        card = store.card(question.id)
        assert card is not None
        clock.value = card.due
    assert card.card.state == State.Review
    assert (card.due - card.card.last_review).days <= 3


@pytest.mark.sqlite_only  # the snapshot reads it too
def test_fitted_parameters_are_what_the_scheduler_uses(store: Store, db_path: Path,
                                                       clock: Clock) -> None:
    fitted = CHANGED["fsrs_parameters"]
    assert store.scheduler().parameters == tuple(DEFAULT_PARAMETERS)
    store.update_settings(fsrs_parameters=fitted)
    assert store.scheduler().parameters == fitted
    assert Snapshot(db_path, now=clock).scheduler().parameters == fitted
    store.update_settings(fsrs_parameters=None)
    assert store.scheduler().parameters == tuple(DEFAULT_PARAMETERS)
