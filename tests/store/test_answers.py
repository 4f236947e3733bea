"""Recording answers: grading, practice vs review, regrade, undo, flags, sessions, settings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fsrs import Rating, State
from sqlalchemy import text

from quiz.bank import Bank
from quiz.scheduling import make_scheduler, new_card
from quiz.store import Store, StoreError, TopicResult, make_engine
from tests.conftest import T0

if TYPE_CHECKING:
    from tests.conftest import Clock



def test_right_answer_is_stored_as_good_and_wrong_as_again(store: Store, bank: Bank) -> None:
    q = bank.questions["np-deny-scope"]  # the first choice is the right one
    right = store.record_answer(q, [0], duration_ms=1500)
    assert (right.correct, right.rating) == (True, Rating.Good)
    # fsrs learning steps are 1 and 10 minutes: Good moves a new card to the second step.
    assert right.card.state == State.Learning and right.card.due == T0 + timedelta(minutes=10)

    wrong = store.record_answer(bank.questions["enc-mtls-mutual"], [2])
    assert (wrong.correct, wrong.rating) == (False, Rating.Again)
    assert wrong.card.due == T0 + timedelta(minutes=1)


def test_multi_answer_counts_only_the_exact_set(store: Store, bank: Bank) -> None:
    q = bank.questions["np-deny-effects"]
    assert q.correct_indices == {0, 1}
    assert not store.record_answer(q, [0]).correct
    assert not store.record_answer(q, [0, 1, 2]).correct
    assert store.record_answer(q, [1, 0]).correct
    assert [e.picked for e in store.logs(question_id=q.id)] == [(0,), (0, 1, 2), (0, 1)]


def test_answer_is_visible_to_another_connection_when_record_returns(
        bank: Bank, db_target: str) -> None:
    store = Store(make_engine(db_target), enable_fuzzing=False)
    answer = store.record_answer(bank.questions["np-deny-scope"], [0])
    store.close()
    other = make_engine(db_target)  # a connection of its own, as another copy of quiz has
    with other.connect() as conn:
        rows = [tuple(r) for r in conn.execute(
            text("SELECT id, question_id, correct FROM review_log"))]
    other.dispose()
    assert [(i, q, bool(c)) for i, q, c in rows] == [(answer.log_id, "np-deny-scope", True)]


@pytest.mark.parametrize("picked", [[], [7], [-1]])
def test_impossible_picks_are_refused_and_nothing_is_stored(
        store: Store, bank: Bank, picked: list[int]) -> None:
    with pytest.raises(ValueError, match="np-deny-scope"):
        store.record_answer(bank.questions["np-deny-scope"], picked)
    assert store.logs() == [] and store.cards() == {}


def test_practice_logs_the_answer_but_leaves_the_schedule(store: Store, bank: Bank) -> None:
    q = bank.questions["np-deny-scope"]
    answer = store.record_answer(q, [1], mode="practice")
    assert not answer.scheduled and not answer.correct
    card = store.card(q.id)
    assert card is not None and card.is_new and card.card.due == T0
    assert card.first_seen == T0 and card.introduced_at is None
    assert [e.mode for e in store.logs()] == ["practice"]
    assert store.started_ids() == set()


def test_regrade_recomputes_from_the_state_before_the_answer(
        store: Store, bank: Bank, clock: Clock) -> None:
    q = bank.questions["enc-wireguard-scope"]
    store.record_answer(q, [0])
    clock.advance(days=3)
    before = store.card(q.id)
    assert before is not None
    answer = store.record_answer(q, [0], duration_ms=900)
    scheduler = make_scheduler(enable_fuzzing=False)

    easy = store.regrade(answer.log_id, Rating.Easy)
    expected, _ = scheduler.review_card(before.card, Rating.Easy, review_datetime=clock())
    assert easy.log_id == answer.log_id and easy.card.card == expected
    # Hard after Easy starts again from the saved state: ratings do not stack.
    hard = store.regrade(answer.log_id, Rating.Hard)
    expected, _ = scheduler.review_card(before.card, Rating.Hard, review_datetime=clock())
    assert store.card(q.id).card == expected == hard.card.card  # type: ignore[union-attr]
    assert hard.card.due < easy.card.due
    assert [e.rating for e in store.logs(question_id=q.id)] == [Rating.Good, Rating.Hard]


def test_regrade_refuses_wrong_answers_and_older_answers(store: Store, bank: Bank) -> None:
    q = bank.questions["np-deny-scope"]
    first = store.record_answer(q, [0])
    wrong = store.record_answer(q, [1])
    with pytest.raises(ValueError, match="wrong one Again"):
        store.regrade(wrong.log_id, Rating.Easy)
    with pytest.raises(ValueError, match="latest answer"):
        store.regrade(first.log_id, Rating.Easy)
    with pytest.raises(ValueError, match="no answer"):
        store.regrade(999, Rating.Easy)


def test_undo_restores_the_card_and_removes_the_log(
        store: Store, bank: Bank, clock: Clock) -> None:
    session = store.start_session("review")
    q = bank.questions["np-egress-dns"]
    store.record_answer(q, [0], session_id=session.id)
    after_first = store.card(q.id)
    clock.advance(days=2)
    store.record_answer(q, [1], session_id=session.id)
    store.set_flagged(q.id)

    assert store.undo_last(session.id) == q.id
    restored = store.card(q.id)
    assert restored is not None and restored.flagged  # flags are not part of an answer
    assert restored.card == after_first.card  # type: ignore[union-attr]
    assert restored.last_answered == T0
    assert len(store.logs(session_id=session.id)) == 1

    assert store.undo_last(session.id) == q.id
    card = store.card(q.id)
    assert card is not None and card.is_new and card.introduced_at is None
    assert store.undo_last(session.id) is None


def test_undo_only_touches_its_own_session(store: Store, bank: Bank) -> None:
    mine, other = store.start_session("review"), store.start_session("practice")
    store.record_answer(bank.questions["np-deny-scope"], [0], session_id=mine.id)
    store.record_answer(bank.questions["enc-mtls-mutual"], [0], session_id=other.id,
                        mode="practice")
    assert store.undo_last(mine.id) == "np-deny-scope"
    assert [e.question_id for e in store.logs()] == ["enc-mtls-mutual"]


def test_flag_and_suspend_setters(store: Store, bank: Bank) -> None:
    store.set_flagged("np-deny-scope")
    store.set_suspended("enc-mtls-mutual")
    assert store.flagged_ids() == {"np-deny-scope"}
    assert store.suspended_ids() == {"enc-mtls-mutual"}
    # A card made by a flag adopts the question on its first answer instead of resetting.
    answer = store.record_answer(bank.questions["np-deny-scope"], [0])
    assert answer.card.flagged and answer.card.fingerprint
    store.set_flagged("np-deny-scope", False)
    store.set_suspended("enc-mtls-mutual", False)
    assert store.flagged_ids() == set() and store.suspended_ids() == set()


def test_sessions_and_exam_attempts_round_trip(db_target: str, clock: Clock) -> None:
    store = Store(make_engine(db_target), now=clock, enable_fuzzing=False)
    session = store.start_session("practice", topic="encryption")
    clock.advance(minutes=5)
    store.finish_session(session.id, score=2, total=3,
                         per_topic={"encryption": TopicResult(2, 3)})
    exam = store.start_exam(["np-deny-scope", "enc-mtls-mutual"], time_limit_s=5400,
                            pass_mark=0.75)
    store.save_exam_answer(exam.id, "np-deny-scope", [2, 0])
    store.save_exam_answer(exam.id, "np-deny-scope", [0])
    store.finish_session(exam.id, score=1, total=2, per_topic={})
    store.close()

    reopened = Store(make_engine(db_target), now=clock)
    done = reopened.session(session.id)
    assert done is not None and done.finished_at == T0 + timedelta(minutes=5)
    assert (done.mode, done.topic, done.score, done.per_topic) == (
        "practice", "encryption", 2, {"encryption": TopicResult(2, 3)})
    [attempt] = reopened.exams()
    assert attempt.question_ids == ("np-deny-scope", "enc-mtls-mutual")
    assert attempt.answers == {"np-deny-scope": (0,)}
    assert (attempt.session.score, attempt.session.total, attempt.passed) == (1, 2, False)
    assert [s.mode for s in reopened.sessions()] == ["practice", "exam"]
    reopened.close()


def test_settings_default_persist_and_drive_the_scheduler(db_target: str, clock: Clock) -> None:
    store = Store(make_engine(db_target), now=clock, enable_fuzzing=False)
    assert (store.settings().desired_retention, store.settings().daily_new_limit) == (0.9, 20)
    store.update_settings(desired_retention=0.8, daily_new_limit=5,
                          exam_date=date(2025, 6, 1))
    for bad in ({"desired_retention": 1.5}, {"daily_new_limit": -1}, {"colour": "red"}):
        with pytest.raises(ValueError):
            store.update_settings(**bad)
    store.close()
    reopened = Store(make_engine(db_target), now=clock, enable_fuzzing=False)
    settings = reopened.settings()
    assert (settings.desired_retention, settings.daily_new_limit, settings.exam_date) == (
        0.8, 5, date(2025, 6, 1))
    assert reopened.scheduler().desired_retention == 0.8
    reopened.close()


def test_datetimes_come_back_utc_aware(db_target: str, bank: Bank, clock: Clock) -> None:
    store = Store(make_engine(db_target), now=clock, enable_fuzzing=False)
    store.record_answer(bank.questions["np-deny-scope"], [0])
    store.close()
    reopened = Store(make_engine(db_target), now=clock)
    card = reopened.card("np-deny-scope")
    [entry] = reopened.logs()
    assert card is not None
    for value in (card.due, card.card.last_review, card.first_seen, entry.answered_at,
                  entry.card_before.card.due):
        assert value is not None and value.tzinfo is UTC
    reopened.close()


def test_a_naive_clock_is_refused(db_target: str) -> None:
    with pytest.raises(ValueError, match="naive"):
        Store(make_engine(db_target), now=lambda: datetime(2025, 1, 1))


def test_new_cards_get_stable_ids(store: Store, bank: Bank) -> None:
    answer = store.record_answer(bank.questions["np-deny-scope"], [0])
    assert answer.card.card.card_id == new_card("np-deny-scope", T0).card_id


def test_a_store_error_names_the_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="nosuchdialect"):
        make_engine("nosuchdialect://host/db")


def test_an_answer_left_on_screen_for_weeks_is_kept(store: Store, bank: Bank) -> None:
    q = bank.questions["np-deny-scope"]
    answer = store.record_answer(q, [0], duration_ms=40 * 24 * 3600 * 1000)  # 40 days
    [entry] = store.logs(question_id=q.id)
    assert entry.id == answer.log_id and entry.duration_ms == 2**31 - 1
