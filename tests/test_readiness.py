"""Readiness: predicted score, activity, due forecast, exam trend, the exam-date cap, cramming."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from quiz.bank import Bank, load_bank
from quiz.readiness import (
    apply_exam_date_cap,
    cap_due,
    cram_queue,
    due_forecast,
    exam_history,
    latest_due,
    outlook,
    predicted_score,
    readiness,
    reviews_per_day,
    topic_mastery,
)
from quiz.store import Store, TopicResult
from tests.conftest import BANKS, T0, Clock


def review(store: Store, clock: Clock, bank: Bank, qid: str, when: datetime,
           right: bool = True, mode: str = "review") -> None:
    clock.value = when
    q = bank.questions[qid]
    wrong = set(range(len(q.choices))) - q.correct_indices
    store.record_answer(q, q.correct_indices if right else {min(wrong)}, mode=mode)


# --- the predicted score ---------------------------------------------------------------------

def test_unseen_questions_count_as_nothing(bank: Bank, store: Store) -> None:
    prediction = predicted_score(bank, store, T0)
    assert prediction.per_topic == {"network-policies": 0.0, "encryption": 0.0}
    assert prediction.overall == 0.0 and not prediction.passes
    assert prediction.pass_mark == 0.75


def test_the_prediction_is_mean_recall_weighted_by_topic(store: Store, clock: Clock) -> None:
    good = load_bank([BANKS / "good"])  # network-policies weighs 2, encryption 1
    for _ in range(3):  # one encryption question, learnt well
        review(store, clock, good, "enc-mtls-both-ends", clock() + timedelta(days=5))
    now = clock()
    mastery = topic_mastery(good, store, now)
    assert mastery["encryption"] == pytest.approx(1.0)  # just reviewed
    assert mastery["network-policies"] == 0.0
    prediction = predicted_score(good, store, now)
    assert prediction.overall == pytest.approx(1 / 3)  # (2 * 0 + 1 * 1) / 3

    review(store, clock, good, "np-deny-all-scope", now)  # one of the two heavier questions
    assert topic_mastery(good, store, now)["network-policies"] == pytest.approx(0.5)
    assert predicted_score(good, store, now).overall == pytest.approx((2 * 0.5 + 1) / 3)
    later = predicted_score(good, store, now + timedelta(days=30))
    assert later.overall < predicted_score(good, store, now).overall  # forgetting


def test_readiness_follows_the_exam_date(bank: Bank, store: Store, clock: Clock) -> None:
    for qid in bank.questions:
        review(store, clock, bank, qid, T0)
    clock.value = T0
    without = readiness(bank, store, T0, tz=UTC)
    assert without.exam_date is None and without.days_to_exam is None
    assert without.prediction.at == T0

    store.update_settings(exam_date=date(2025, 3, 13))
    soon = readiness(bank, store, T0, tz=UTC)
    assert soon.days_to_exam == 3
    assert soon.prediction.at == datetime(2025, 3, 13, tzinfo=UTC)
    store.update_settings(exam_date=date(2025, 5, 10))
    far = readiness(bank, store, T0, tz=UTC)
    assert far.days_to_exam == 61
    assert 0 < far.prediction.overall < soon.prediction.overall <= without.prediction.overall
    assert all(far.prediction.per_topic[t] < soon.prediction.per_topic[t]
               for t in soon.prediction.per_topic)


def test_outlook_is_readiness_without_the_answer_log(bank: Bank, store: Store, clock: Clock,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The stats screen's first frame: the exam day and the prediction, as ``readiness``
    has them, from the cards and settings alone (no pass over the answers)."""
    for qid in bank.questions:
        review(store, clock, bank, qid, T0)
    store.update_settings(exam_date=date(2025, 3, 13))
    ready = readiness(bank, store, T0, tz=UTC)

    def unread(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the answer log was read")

    for name in ("answer_hours", "answer_times", "answer_counts", "exams"):
        monkeypatch.setattr(Store, name, unread)
    ahead = outlook(bank, store, T0, tz=UTC)
    assert (ahead.prediction, ahead.exam_date, ahead.days_to_exam) == \
        (ready.prediction, ready.exam_date, 3)


# --- activity and forecast -------------------------------------------------------------------

def test_activity_accuracy_and_streak(bank: Bank, store: Store, clock: Clock) -> None:
    review(store, clock, bank, "np-deny-scope", T0 - timedelta(days=40))  # outside 30 days
    review(store, clock, bank, "np-deny-scope", T0 - timedelta(days=10), right=False)
    review(store, clock, bank, "np-egress-dns", T0 - timedelta(days=1))
    review(store, clock, bank, "enc-mtls-mutual", T0 - timedelta(hours=2), mode="practice")
    review(store, clock, bank, "enc-mtls-facts", T0 - timedelta(hours=1), right=False)
    clock.value = T0
    per_day = reviews_per_day(store, T0, tz=UTC)
    assert len(per_day) == 30
    assert per_day[0][0] == date(2025, 2, 9) and per_day[-1] == (date(2025, 3, 10), 2)
    assert dict(per_day)[date(2025, 3, 9)] == 1 and dict(per_day)[date(2025, 2, 28)] == 1
    assert sum(n for _, n in per_day) == 4

    ready = readiness(bank, store, T0, tz=UTC)
    assert ready.accuracy.last_7_days == pytest.approx(2 / 3)
    assert ready.accuracy.last_30_days == pytest.approx(2 / 4)
    assert ready.streak == 2
    assert ready.reviews_per_day == per_day


def test_the_due_forecast_counts_started_cards_per_day(bank: Bank, store: Store,
                                                       clock: Clock) -> None:
    for qid in ("np-deny-scope", "np-egress-dns", "enc-mtls-mutual", "enc-wireguard-scope"):
        review(store, clock, bank, qid, T0 - timedelta(days=3))
    cards = store.cards()
    dues = {"np-deny-scope": T0 - timedelta(days=1),  # overdue: counted today
            "np-egress-dns": T0 + timedelta(hours=3),
            "enc-mtls-mutual": T0 + timedelta(days=5),
            "enc-wireguard-scope": T0 + timedelta(days=20)}  # beyond the forecast
    store.save_schedules(replace(cards[q], card=replace(cards[q].card, due=d))
                         for q, d in dues.items())
    store.set_suspended("np-egress-dns")  # suspended: never due
    clock.value = T0
    forecast = due_forecast(store, T0, tz=UTC)
    assert len(forecast) == 14 and forecast[0][0] == date(2025, 3, 10)
    assert [n for _, n in forecast] == [1, 0, 0, 0, 0, 1] + [0] * 8


def test_exam_history_and_its_trend(store: Store) -> None:
    assert exam_history(store).scores == [] and exam_history(store).trend is None
    for score in (30, 40, 50, 60, 80, 70, 90):
        attempt = store.start_exam(["np-deny-scope"], pass_mark=0.75)
        store.finish_session(attempt.id, score=score, total=100,
                             per_topic={"network-policies": TopicResult(score, 100)})
    store.start_exam(["np-deny-scope"])  # not finished: not in the history
    history = exam_history(store)
    assert history.scores == [30, 40, 50, 60, 80, 70, 90]
    assert history.trend == pytest.approx((80 + 70 + 90) / 3 - (40 + 50 + 60) / 3)
    assert history.improving


def test_with_two_exams_the_trend_compares_them(store: Store) -> None:
    for score in (8, 6):
        attempt = store.start_exam(["np-deny-scope"])
        store.finish_session(attempt.id, score=score, total=10, per_topic={})
    history = exam_history(store)
    assert history.trend == pytest.approx(-20.0) and history.improving is False


# --- the exam date ---------------------------------------------------------------------------

def test_cap_due_keeps_every_card_due_before_the_exam() -> None:
    exam = date(2025, 3, 20)
    eve = datetime(2025, 3, 19, tzinfo=UTC)
    assert latest_due(exam, UTC) == eve
    assert cap_due(T0 + timedelta(days=30), exam, UTC) == eve
    assert cap_due(T0, exam, UTC) == T0


def test_the_cap_spreads_late_cards_over_the_days_left(bank: Bank, store: Store,
                                                       clock: Clock) -> None:
    late = ["np-deny-scope", "np-deny-effects", "np-egress-dns", "enc-mtls-mutual",
            "enc-mtls-facts"]
    for qid in [*late, "enc-wireguard-scope"]:
        review(store, clock, bank, qid, T0 - timedelta(days=1))
    cards = store.cards()
    dues = {q: T0 + timedelta(days=10 + n) for n, q in enumerate(late)}
    dues["enc-wireguard-scope"] = T0 + timedelta(days=1)  # due before the eve: stays
    store.save_schedules(replace(cards[q], card=replace(cards[q].card, due=d))
                         for q, d in dues.items())
    store.set_suspended("enc-mtls-facts")  # suspended: left alone
    clock.value = T0
    exam = date(2025, 3, 14)  # today is the 10th: the 10th to the 13th are left

    assert apply_exam_date_cap(store, exam, T0, tz=UTC) == 4
    after = store.cards()
    assert after["enc-wireguard-scope"].due == dues["enc-wireguard-scope"]
    assert after["enc-mtls-facts"].due == dues["enc-mtls-facts"]
    moved = [after[q].due for q in late if q != "enc-mtls-facts"]
    assert all(T0 <= d <= latest_due(exam, UTC) for d in moved)
    # earliest due first, one per day, the last on the eve of the exam
    assert moved == [T0, datetime(2025, 3, 11, tzinfo=UTC), datetime(2025, 3, 12, tzinfo=UTC),
                     datetime(2025, 3, 13, tzinfo=UTC)]
    assert {after[q].card.stability for q in late} == {cards[q].card.stability for q in late}
    assert apply_exam_date_cap(store, exam, T0, tz=UTC) == 0  # nothing left to move


def test_the_cap_never_moves_cards_into_the_past(bank: Bank, store: Store,
                                                 clock: Clock) -> None:
    dues = {"np-deny-scope": T0 + timedelta(days=3), "np-egress-dns": T0 + timedelta(hours=1),
            "enc-mtls-mutual": T0 - timedelta(hours=1)}  # already due: stays
    for qid in dues:
        review(store, clock, bank, qid, T0 - timedelta(days=1))
    cards = store.cards()
    store.save_schedules(replace(cards[q], card=replace(cards[q].card, due=d))
                         for q, d in dues.items())
    clock.value = T0
    exam = date(2025, 3, 11)  # tomorrow: only today is left
    assert apply_exam_date_cap(store, exam, T0, tz=UTC) == 2
    assert {q: c.due for q, c in store.cards().items()} == {
        "np-deny-scope": T0, "np-egress-dns": T0, "enc-mtls-mutual": T0 - timedelta(hours=1)}
    assert apply_exam_date_cap(store, date(2025, 3, 10), T0, tz=UTC) == 0  # exam today
    assert apply_exam_date_cap(store, None, T0, tz=UTC) == 0


# --- cramming --------------------------------------------------------------------------------

def test_cram_queue_puts_the_weakest_first_and_moves_nothing(bank: Bank, store: Store,
                                                             clock: Clock) -> None:
    review(store, clock, bank, "np-deny-scope", T0 - timedelta(days=12))  # long forgotten
    review(store, clock, bank, "np-egress-dns", T0 - timedelta(days=1))
    review(store, clock, bank, "enc-mtls-mutual", T0 - timedelta(days=3))
    review(store, clock, bank, "enc-mtls-facts", T0 - timedelta(days=1), mode="practice")
    store.set_suspended("np-deny-effects")
    clock.value = T0
    before = store.cards()

    queue = [q.id for q in cram_queue(bank, store, T0)]
    # unseen (practice does not count) in bank order, then lowest recall first
    assert queue == ["enc-mtls-facts", "enc-wireguard-scope", "np-egress-all-above",
                     "np-deny-scope", "enc-mtls-mutual", "np-egress-dns"]
    assert [q.id for q in cram_queue(bank, store, T0, limit=2)] == queue[:2]
    assert store.cards() == before
