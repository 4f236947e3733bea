"""Two copies of quiz on one database: settings one copy saves (optimised fsrs parameters, the
desired retention, the leech threshold) are the ones the other copy schedules its next answer
with, without a restart."""

from __future__ import annotations

from datetime import datetime

from fsrs import Card, Rating

from quiz.bank import Bank
from quiz.cards import make_scheduler
from quiz.store import Store, make_engine
from quiz.synthetic import FORGETFUL_PARAMETERS
from tests.conftest import Clock


def _copy(target: str, clock: Clock) -> Store:
    return Store(make_engine(target), now=clock, enable_fuzzing=False)


def _scheduled(card: Card, rating: Rating, at: datetime | None, **settings: object) -> Card:
    """What a scheduler made for ``settings`` gives ``card`` answered ``rating`` at ``at``."""
    scheduler = make_scheduler(enable_fuzzing=False, **settings)  # type: ignore[arg-type]
    return scheduler.review_card(card, rating, review_datetime=at)[0]


def test_an_answer_is_scheduled_with_parameters_another_copy_saved(
        db_target: str, bank: Bank, clock: Clock) -> None:
    a, b = _copy(db_target, clock), _copy(db_target, clock)
    first, second = bank.questions["np-deny-scope"], bank.questions["np-egress-dns"]
    a.record_answer(first, sorted(first.correct_indices))  # a has read its settings
    assert a.settings().fsrs_parameters is None

    b.update_settings(fsrs_parameters=FORGETFUL_PARAMETERS)
    clock.advance(minutes=1)
    answer = a.record_answer(second, sorted(second.correct_indices))

    assert answer.before is not None
    new = _scheduled(answer.before.card, Rating.Good, answer.answered_at,
                     parameters=FORGETFUL_PARAMETERS)
    old = _scheduled(answer.before.card, Rating.Good, answer.answered_at)
    assert new != old  # the parameters make a difference here
    assert answer.card.card == new
    assert a.settings().fsrs_parameters == FORGETFUL_PARAMETERS
    a.close()
    b.close()


def test_a_regrade_uses_the_retention_another_copy_saved(db_target: str, bank: Bank,
                                                         clock: Clock) -> None:
    a, b = _copy(db_target, clock), _copy(db_target, clock)
    q = bank.questions["np-egress-dns"]
    right = sorted(q.correct_indices)
    a.record_answer(q, right)
    clock.advance(days=1)
    answer = a.record_answer(q, right)  # out of the learning steps: retention counts

    b.update_settings(desired_retention=0.7)
    regraded = a.regrade(answer.log_id, Rating.Easy)

    assert answer.before is not None
    new = _scheduled(answer.before.card, Rating.Easy, answer.answered_at, desired_retention=0.7)
    old = _scheduled(answer.before.card, Rating.Easy, answer.answered_at)
    assert new.due > old.due  # a lower retention: a longer interval
    assert regraded.card.card == new
    a.close()
    b.close()


def test_a_lapse_counts_towards_the_leech_threshold_another_copy_saved(
        db_target: str, bank: Bank, clock: Clock) -> None:
    a, b = _copy(db_target, clock), _copy(db_target, clock)
    q = bank.questions["np-egress-dns"]
    right, wrong = sorted(q.correct_indices), [min(set(range(len(q.choices)))
                                                   - q.correct_indices)]
    for days, picked in ((0, right), (1, right), (30, wrong), (1, right)):  # 1 lapse
        clock.advance(days=days)
        a.record_answer(q, picked)
    card = a.card(q.id)
    assert card is not None and card.lapses == 1 and not card.leech
    assert a.settings().leech_threshold == 8

    b.update_settings(leech_threshold=2)
    clock.advance(days=30)
    lapse = a.record_answer(q, wrong)
    assert lapse.card.lapses == 2 and lapse.became_leech and lapse.card.leech
    a.close()
    b.close()


def test_a_copys_own_change_and_an_unchanged_database_read_nothing_again(
        db_target: str, bank: Bank, clock: Clock) -> None:
    store = _copy(db_target, clock)
    store.update_settings(desired_retention=0.85)
    seen = store.settings()
    q = bank.questions["np-egress-dns"]
    store.record_answer(q, sorted(q.correct_indices))
    assert store.settings() is seen  # not read again: nothing changed
    store.close()


def test_a_copy_changing_one_setting_keeps_the_other_copys_change_to_another(
        db_target: str, bank: Bank, clock: Clock) -> None:
    a, b = _copy(db_target, clock), _copy(db_target, clock)
    assert a.settings().desired_retention == 0.9  # a has read its settings
    b.update_settings(desired_retention=0.8)
    assert a.update_settings(theme="textual-light").desired_retention == 0.8
    q = bank.questions["np-egress-dns"]
    a.record_answer(q, sorted(q.correct_indices))
    assert a.scheduler().desired_retention == 0.8 and a.settings().theme == "textual-light"
    a.close()
    b.close()
