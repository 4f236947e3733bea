"""Lapses and leeches: counted by answers, kept exact by regrade, undo, rebuild, migration and
reset; the start-up snapshot reads them as the store does. And the order choices were shown in."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fsrs import Rating, State

from quiz.bank import Bank
from quiz.exam import ExamRun
from quiz.exam_marking import schedule_exam_answers
from quiz.scheduling import make_scheduler, rebuild_cards
from quiz.store import Store, make_engine
from quiz.store.migrations import migrate
from quiz.store.snapshot import take_snapshot
from tests.conftest import T0

if TYPE_CHECKING:
    from quiz.bank import Question
    from quiz.store import RecordedAnswer
    from tests.conftest import Clock

QID = "np-deny-scope"  # choice 0 is right, 2 is wrong


def to_review(store: Store, q: Question, clock: Clock) -> None:
    """Two right answers ten minutes apart take a new card through the learning steps."""
    store.record_answer(q, [0])
    clock.advance(minutes=10)
    assert store.record_answer(q, [0]).card.state == State.Review
    clock.advance(days=3)


def lapse(store: Store, q: Question, clock: Clock) -> RecordedAnswer:
    """A miss on a card in Review (a lapse), then a right answer after the relearning step."""
    missed = store.record_answer(q, [2])
    clock.advance(minutes=10)
    store.record_answer(q, [0])
    clock.advance(days=3)
    return missed


def card(store: Store, question_id: str = QID):  # noqa: ANN201 - a CardRecord
    found = store.card(question_id)
    assert found is not None
    return found


def test_only_a_scheduled_miss_in_review_is_a_lapse(store: Store, bank: Bank,
                                                    clock: Clock) -> None:
    q = bank.questions[QID]
    store.record_answer(q, [2])  # a miss on a new card: learning, not a lapse
    store.record_answer(q, [0])
    clock.advance(minutes=10)
    store.record_answer(q, [0])
    assert card(store).state == State.Review and card(store).lapses == 0
    store.record_answer(q, [2], mode="practice")  # practice does not move the schedule
    assert card(store).lapses == 0
    missed = store.record_answer(q, [2])
    assert missed.card.lapses == 1 and missed.card.state == State.Relearning
    store.record_answer(q, [2])  # again while relearning: still one lapse
    assert card(store).lapses == 1 and not card(store).leech


def test_the_threshold_lapse_marks_a_leech_once(store: Store, bank: Bank, clock: Clock) -> None:
    store.update_settings(leech_threshold=2)
    q = bank.questions[QID]
    to_review(store, q, clock)
    first = lapse(store, q, clock)
    assert (first.card.lapses, first.card.leech, first.became_leech) == (1, False, False)
    second = lapse(store, q, clock)
    assert (second.card.lapses, second.card.leech, second.became_leech) == (2, True, True)
    assert not second.card.suspended  # leech_action "tag" only marks
    third = lapse(store, q, clock)
    assert (third.card.lapses, third.card.leech, third.became_leech) == (3, True, False)


def test_a_suspending_leech_is_suspended_and_unsuspending_keeps_the_mark(
        store: Store, bank: Bank, clock: Clock) -> None:
    store.update_settings(leech_threshold=2, leech_action="suspend")
    q = bank.questions[QID]
    to_review(store, q, clock)
    lapse(store, q, clock)
    became = store.record_answer(q, [2])
    assert became.became_leech and became.card.suspended and became.card.leech
    assert QID in store.suspended_ids()
    store.set_suspended(QID, False)
    assert not card(store).suspended and card(store).leech


def test_regrade_keeps_the_lapses(store: Store, bank: Bank, clock: Clock) -> None:
    q = bank.questions[QID]
    to_review(store, q, clock)
    store.record_answer(q, [2])
    clock.advance(minutes=10)
    right = store.record_answer(q, [0])
    store.regrade(right.log_id, Rating.Easy)
    assert card(store).lapses == 1


def test_undoing_the_leech_answer_takes_the_mark_and_suspension_back(
        store: Store, bank: Bank, clock: Clock) -> None:
    store.update_settings(leech_threshold=2, leech_action="suspend")
    q = bank.questions[QID]
    to_review(store, q, clock)
    lapse(store, q, clock)
    store.record_answer(q, [2])
    assert card(store).suspended and card(store).lapses == 2
    assert store.undo_last(None) == QID
    after = card(store)
    assert (after.lapses, after.leech, after.suspended) == (1, False, False)
    assert after.state == State.Review


def test_undo_recounts_lapses_of_answers_given_after_the_undone_one(
        store: Store, bank: Bank, clock: Clock) -> None:
    q = bank.questions[QID]
    to_review(store, q, clock)
    session = store.start_session("review")
    store.record_answer(q, [2], session_id=session.id)  # a lapse: Review -> Relearning
    clock.advance(days=2)
    store.record_answer(q, [2])  # another copy: a miss while relearning, no lapse
    assert card(store).lapses == 1
    # Without the first miss, the second one meets the card in Review: it is the lapse now.
    assert store.undo_last(session.id) == QID
    assert card(store).lapses == 1 and card(store).state == State.Relearning


@pytest.mark.sqlite_only  # edits the file with sqlite3
def test_rebuild_counts_the_same_lapses(store: Store, bank: Bank, clock: Clock,
                                       db_path: Path) -> None:
    store.update_settings(leech_threshold=2)
    q = bank.questions[QID]
    to_review(store, q, clock)
    lapse(store, q, clock)
    lapse(store, q, clock)
    before = card(store)
    with sqlite3.connect(db_path) as conn:  # a count gone wrong, to be put right
        conn.execute("UPDATE card SET lapses = 9")
    conn.close()
    rebuild_cards(store, make_scheduler(0.8, enable_fuzzing=False))
    after = card(store)
    assert (after.lapses, after.leech) == (before.lapses, before.leech) == (2, True)


def test_an_exam_answer_fed_to_the_schedule_can_lapse(store: Store, bank: Bank,
                                                      clock: Clock) -> None:
    q = bank.questions[QID]
    to_review(store, q, clock)
    run = ExamRun.start(bank, store, [q], now=clock, shuffle=False)
    run.select(2)  # the wrong choice
    run.submit()
    assert card(store).lapses == 1
    schedule_exam_answers(store, run.attempt.id)  # idempotent
    assert card(store).lapses == 1


@pytest.mark.sqlite_only  # edits the file with sqlite3
def test_a_reset_card_starts_from_no_lapses(store: Store, bank: Bank, clock: Clock,
                                            db_path: Path) -> None:
    store.update_settings(leech_threshold=2)
    q = bank.questions[QID]
    to_review(store, q, clock)
    lapse(store, q, clock)
    lapse(store, q, clock)
    with sqlite3.connect(db_path) as conn:  # the answer key changed since
        conn.execute("UPDATE card SET fingerprint = 'old'")
    conn.close()
    store.sync_bank(bank)
    assert (card(store).lapses, card(store).leech) == (0, False)


@pytest.mark.sqlite_only
def test_the_snapshot_reads_lapses_and_leeches_as_the_store(
        store: Store, bank: Bank, clock: Clock, db_path: Path) -> None:
    store.update_settings(leech_threshold=2)
    q = bank.questions[QID]
    to_review(store, q, clock)
    lapse(store, q, clock)
    lapse(store, q, clock)
    snap = take_snapshot(db_path, now=clock, enable_fuzzing=False)
    assert snap is not None
    assert snap.cards() == store.cards() and snap.cards()[QID].leech
    assert snap.card(QID) == store.card(QID)
    snap.close()


def test_the_shown_order_is_kept_with_the_answer(store: Store, bank: Bank) -> None:
    q = bank.questions["enc-mtls-mutual"]
    answer = store.record_answer(q, [1], shown_order=(2, 0, 1, 3)[:len(q.choices)])
    entry = store.log(answer.log_id)
    assert entry is not None and entry.shown_order == (2, 0, 1, 3)[:len(q.choices)]
    assert store.log(store.record_answer(q, [1]).log_id).shown_order is None
    with pytest.raises(ValueError, match="shown_order"):
        store.record_answer(q, [1], shown_order=(0, 0))


def _log(conn: sqlite3.Connection, when: str, mode: str, rating: int, state: int,
         session: int | None = None) -> None:
    before = {"card": {"card_id": 42, "state": state, "step": None, "stability": 3.0,
                       "difficulty": 5.0, "due": "2025-03-01T09:00:00+00:00",
                       "last_review": "2025-02-27T09:00:00+00:00"},
              "fingerprint": "f", "first_seen": None, "last_answered": None,
              "introduced_at": None, "reset_at": None}
    conn.execute("INSERT INTO review_log (question_id, answered_at, picked, correct, rating, "
                 "mode, session_id, fingerprint, card_before) VALUES (?, ?, '[2]', ?, ?, ?, ?, "
                 "'f', ?)", (QID, when, int(rating != 1), rating, mode, session,
                             json.dumps(before)))


def test_a_version_3_database_gets_its_lapses_from_the_logs(db_path: Path) -> None:
    engine = make_engine(db_path)
    assert migrate(engine, T0, target=3) == 3
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO card (question_id, card_id, state, stability, difficulty, "
                     "due, last_review, reset_at, flagged, suspended, fingerprint) VALUES "
                     "(?, 42, 2, 3.0, 5.0, '2025-04-01 09:00:00.000000', "
                     "'2025-03-05 09:00:00.000000', '2025-03-01 00:00:00.000000', 0, 0, 'f')",
                     (QID,))
        conn.execute("INSERT INTO study_session (id, mode, started_at, finished_at, per_topic) "
                     "VALUES (1, 'exam', '2025-03-04 09:00:00.000000', "
                     "'2025-03-04 10:00:00.000000', '{}')")
        conn.execute("INSERT INTO setting VALUES ('leech_threshold', '3')")
        _log(conn, "2025-02-20 09:00:00.000000", "review", 1, 2)  # before the reset
        _log(conn, "2025-03-02 09:00:00.000000", "review", 1, 2)  # a lapse
        _log(conn, "2025-03-02 09:10:00.000000", "review", 1, 3)  # relearning: none
        _log(conn, "2025-03-03 09:00:00.000000", "practice", 1, 2)  # not scheduled
        _log(conn, "2025-03-03 10:00:00.000000", "review", 3, 2)  # right
        _log(conn, "2025-03-04 09:30:00.000000", "exam", 1, 2, session=1)  # fed: a lapse
        _log(conn, "2025-03-05 09:00:00.000000", "review", 1, 2)  # the third: a leech
    conn.close()
    engine.dispose()
    store = Store(make_engine(db_path), now=lambda: T0)
    migrated = card(store)
    assert (migrated.lapses, migrated.leech, migrated.suspended) == (3, True, False)
    assert all(e.shown_order is None for e in store.logs())  # not known for old answers
    store.close()
