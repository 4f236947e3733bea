"""Plan to the exam date: the memory model against fsrs, the simulation under a seed, the
recommended settings, and the refusals."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from fsrs import Card, Rating

from quiz.bank import Bank, load_bank
from quiz.cards import make_scheduler
from quiz.paths import bundled_bank
from quiz.plan import (
    NoPlan,
    RetentionTrial,
    Start,
    make_plan,
    needed_new_per_day,
    pick_retention,
    read_deck,
    runs_for,
)
from quiz.simulation import REVIEW, Deck, Model, band, simulate
from quiz.store import Store
from tests.conftest import T0, Clock

TODAY = T0.date()  # the clock's day (noon UTC)


@pytest.fixture(scope="module")
def full_bank() -> Bank:
    return load_bank([bundled_bank()])


def answer(store: Store, clock: Clock, bank: Bank, qid: str, when: datetime,
           right: bool = True) -> None:
    clock.value = when
    q = bank.questions[qid]
    wrong = set(range(len(q.choices))) - q.correct_indices
    store.record_answer(q, q.correct_indices if right else {min(wrong)})


def fresh_deck(questions: int, days: int, topics: int = 2) -> Deck:
    deck = Deck(days, days - 0.5, topics=[f"t{i}" for i in range(topics)],
                weights=[1.0] * topics)
    for n in range(questions):
        deck.add_fresh(n % topics)
    return deck


# --- the model is fsrs's ---------------------------------------------------------------------

@pytest.mark.parametrize("retention", [0.7, 0.9, 0.97])
def test_the_model_gives_what_the_scheduler_gives(retention: float) -> None:
    scheduler = make_scheduler(retention, maximum_interval=200, enable_fuzzing=False)
    model = Model(scheduler)
    rng = random.Random(7)
    for _ in range(40):
        when = T0
        card = Card(card_id=1, due=when)
        s, d, state, step, last = None, 0.0, int(card.state), 0, None
        for _ in range(12):
            # every grade: Again, Hard, Good (most), Easy
            rating = rng.choice([Rating.Again, Rating.Hard, Rating.Good, Rating.Good,
                                 Rating.Easy])
            elapsed = 0 if last is None else (when - last).days
            card, _ = scheduler.review_card(card, rating, review_datetime=when)
            s, d, state, step, wait = model.review(s, d, state, step, elapsed, int(rating))
            assert s == pytest.approx(card.stability, rel=1e-9)
            assert d == pytest.approx(card.difficulty, rel=1e-9)
            assert state == int(card.state) and step == (card.step or 0)
            assert wait == (card.due - when).days  # steps of minutes: 0, later today
            last = when
            when = card.due if wait else when + timedelta(minutes=10)
            when += timedelta(days=rng.choice([0, 0, 1, 3]))  # sometimes late
    assert model.recall(5, 10.0) == pytest.approx(scheduler.get_card_retrievability(
        Card(card_id=1, state=REVIEW, stability=10.0, difficulty=5.0, last_review=T0),
        T0 + timedelta(days=5, hours=3)))


def test_band_is_the_mean_and_the_10th_to_90th_percentile() -> None:
    figure = band([float(v) for v in range(11)])  # 0..10
    assert (figure.mean, figure.low, figure.high) == (5.0, 1.0, 9.0)


# --- the simulation ----------------------------------------------------------------------------

def test_the_same_seed_gives_the_same_plan_and_another_may_not() -> None:
    model = Model(make_scheduler(enable_fuzzing=False))
    deck = fresh_deck(80, 10)
    one = simulate(deck, model, 8, runs=30, seed=3)
    assert simulate(deck, model, 8, runs=30, seed=3) == one
    other = simulate(deck, model, 8, runs=30, seed=4)
    assert other != one  # first answers right one time in two: the runs differ
    assert abs(other.score.mean - one.score.mean) < 0.05  # but not by much


def test_more_new_a_day_sees_more_and_predicts_more() -> None:
    model = Model(make_scheduler(enable_fuzzing=False))
    deck = fresh_deck(120, 12)
    outcomes = [simulate(deck, model, n, runs=20, seed=1) for n in (0, 4, 8, 12)]
    unseen = [o.unseen_at_exam for o in outcomes]
    scores = [o.score.mean for o in outcomes]
    assert unseen == [120, 120 - 48, 120 - 96, 0]
    assert scores == sorted(scores) and scores[0] == 0.0 and scores[-1] > 0.9
    assert [sum(o.new_on_day) for o in outcomes] == [0, 48, 96, 120]


def test_an_empty_history_with_no_new_questions_predicts_nothing_and_costs_nothing() -> None:
    outcome = simulate(fresh_deck(30, 5), Model(make_scheduler()), 0, runs=10)
    assert outcome.score.mean == outcome.score.high == 0.0
    assert all(b.mean == 0 for b in outcome.answers_per_day)
    assert all(topic.mean == 0.0 for topic in outcome.per_topic.values())


def test_reviews_come_back_before_the_exam_and_none_after_it() -> None:
    # One card learnt long ago, due in 40 days; the exam is in 10: the cap brings it to day 9.
    deck = Deck(10, 9.5, topics=["t"], weights=[1.0])
    deck.add(0, stability=60.0, difficulty=5.0, state=REVIEW, last=-20.0, due_day=9)
    outcome = simulate(deck, Model(make_scheduler()), 0, runs=5)
    assert [b.mean for b in outcome.answers_per_day] == [0] * 9 + [pytest.approx(1, abs=1)]
    assert outcome.score.mean > 0.95


def test_learners_who_grade_easy_answer_less_and_hard_more() -> None:
    """Easy lengthens the intervals (fsrs's easy bonus), Hard shortens them; the same seed."""
    model = Model(make_scheduler(enable_fuzzing=False))
    deck = fresh_deck(60, 20)
    deck.first_right = 0.9
    answers = {name: simulate(replace(deck, **grades), model, 6, runs=30, seed=1).answers
               for name, grades in (("good", {}), ("easy", {"easy": 0.6}),
                                    ("hard", {"hard": 0.6}))}
    assert answers["easy"] < 0.9 * answers["good"] < answers["good"] < 0.9 * answers["hard"]


def test_days_off_leave_reviews_and_new_questions_undone_and_predict_less() -> None:
    model = Model(make_scheduler(enable_fuzzing=False))
    deck = fresh_deck(60, 20)
    deck.first_right = 0.9
    every_day = simulate(deck, model, 6, runs=30, seed=1)
    some_off = simulate(replace(deck, skip=0.3), model, 6, runs=30, seed=1)
    assert every_day.unseen_at_exam == 0 < some_off.unseen_at_exam
    assert some_off.score.mean < every_day.score.mean - 0.1
    assert some_off.score.low < every_day.score.low
    assert some_off.answers < 0.8 * every_day.answers
    assert simulate(replace(deck, skip=0.3), model, 6, runs=30, seed=1) == some_off
    # the days off are drawn per day: some runs answer nothing on the first day
    assert some_off.answers_per_day[0].low == 0 < every_day.answers_per_day[0].low


def test_the_fuzz_is_fsrs_s_given_the_same_random_numbers() -> None:
    scheduler = make_scheduler(maximum_interval=200, enable_fuzzing=True)
    model = Model(scheduler)
    assert model.fuzz
    seen = set()
    for days in range(1, 260):
        for seed in range(5):
            random.seed(seed)  # fsrs draws its fuzz from the random module
            fuzzed = scheduler._get_fuzzed_interval(interval=timedelta(days=days)).days
            random.seed(seed)
            assert model.fuzzed(days, random.random()) == fuzzed, (days, seed)
            seen.add(fuzzed - days)
    assert min(seen) < -5 and max(seen) > 5  # it does move intervals, both ways


def test_a_fuzzing_scheduler_spreads_the_reviews_the_same_way_under_a_seed() -> None:
    deck = fresh_deck(60, 30)
    deck.first_right = 0.9
    plain = simulate(deck, Model(make_scheduler(enable_fuzzing=False)), 6, runs=30, seed=1)
    fuzzing = Model(make_scheduler(enable_fuzzing=True))
    fuzzed = simulate(deck, fuzzing, 6, runs=30, seed=1)
    assert simulate(deck, fuzzing, 6, runs=30, seed=1) == fuzzed
    assert [b.mean for b in fuzzed.answers_per_day] != [b.mean for b in plain.answers_per_day]
    # as many questions learnt, the same exam-date cap: about the same work and score
    assert fuzzed.answers == pytest.approx(plain.answers, rel=0.1)
    assert fuzzed.score.mean == pytest.approx(plain.score.mean, abs=0.02)


# --- the plan from the store -----------------------------------------------------------------

def test_no_exam_date_or_a_past_one_is_refused(full_bank: Bank, store: Store) -> None:
    with pytest.raises(NoPlan, match="No exam date set"):
        make_plan(full_bank, store, T0, UTC)
    store.update_settings(exam_date=TODAY)
    with pytest.raises(NoPlan, match="today"):
        make_plan(full_bank, store, T0, UTC)
    store.update_settings(exam_date=TODAY - timedelta(days=3))
    with pytest.raises(NoPlan, match="past"):
        make_plan(full_bank, store, T0, UTC)


def test_the_deck_starts_from_the_stored_cards(full_bank: Bank, store: Store,
                                               clock: Clock) -> None:
    first = list(full_bank.questions)[:3]
    for qid, right in zip(first, (True, True, False), strict=True):
        answer(store, clock, full_bank, qid, T0 - timedelta(days=2), right)
    store.update_settings(exam_date=TODAY + timedelta(days=30))
    deck, today, exam = read_deck(full_bank, store, T0, UTC)
    assert (today, exam, deck.days) == (TODAY, TODAY + timedelta(days=30), 30)
    assert deck.exam_at == pytest.approx(29.5)  # midnight UTC of the exam day, from noon
    assert deck.unseen == len(full_bank.questions) - 3
    started = [n for n, s in enumerate(deck.stability) if s is not None]
    assert len(started) == 3 and all(deck.last[n] == pytest.approx(-2.0) for n in started)
    assert deck.introduced_today == 0
    assert deck.first_right == pytest.approx((2 + 4 * 0.5) / (3 + 4))  # smoothed 2 of 3
    assert store.first_answer_counts() == (3, 2)


def test_the_deck_takes_the_learners_grades_and_days_off_from_their_history(
        full_bank: Bank, store: Store, clock: Clock) -> None:
    """Seven answers every other day from 14 days ago: a day in three skipped, smoothed by a
    week of study; of the five right ones, one regraded Hard and two Easy."""
    ids = list(full_bank.questions)
    grades = (Rating.Hard, Rating.Easy, Rating.Easy, None, None, Rating.Again, Rating.Again)
    for n, grade in enumerate(grades):
        clock.value = T0 - timedelta(days=14 - 2 * n)
        q = full_bank.questions[ids[n]]
        wrong = [min(set(range(len(q.choices))) - q.correct_indices)]
        recorded = store.record_answer(q, wrong if grade == Rating.Again else
                                       sorted(q.correct_indices))
        if grade in (Rating.Hard, Rating.Easy):
            store.regrade(recorded.log_id, grade)
    clock.value = T0
    store.update_settings(exam_date=TODAY + timedelta(days=30))
    deck, *_ = read_deck(full_bank, store, T0, UTC)
    assert deck.hard == pytest.approx(1 / (5 + 4)) and deck.easy == pytest.approx(2 / (5 + 4))
    assert deck.skip == pytest.approx((14 - 7) / (14 + 7))

    # An answer before the 28 days: the whole window counts, 21 of its days without study.
    clock.value = T0 - timedelta(days=40)
    answer(store, clock, full_bank, ids[10], clock.value)
    deck, *_ = read_deck(full_bank, store, T0, UTC)
    assert deck.skip == pytest.approx((28 - 7) / (28 + 7))
    # and the plan says so
    plan = make_plan(full_bank, store, T0, UTC, runs=3)
    # (eight first answers, six right; six right answers, one Hard and two Easy)
    assert ("Simulated as your history shows you: 60% of days without study, new questions "
            "right the first time 67% of the time, right answers graded Hard 10% and Easy "
            "20%.") in plan.lines()
    assert plan.to_json()["learner"] == {"days_off": 0.6, "first_right": round(8 / 12, 4),
                                         "hard": 0.1, "easy": 0.2}


def test_a_new_learner_is_planned_as_studying_every_day_and_grading_good(
        full_bank: Bank, store: Store) -> None:
    store.update_settings(exam_date=TODAY + timedelta(days=30))
    deck, *_ = read_deck(full_bank, store, T0, UTC)
    assert (deck.hard, deck.easy, deck.skip) == (0.0, 0.0, 0.0)


def test_the_recommended_new_a_day_sees_the_whole_bank(full_bank: Bank, store: Store) -> None:
    store.update_settings(exam_date=TODAY + timedelta(days=8), daily_new_limit=5)
    plan = make_plan(full_bank, store, T0, UTC, runs=10, seed=2)
    questions = len(full_bank.questions)
    assert plan.needed_new_per_day == -(-questions // 8)  # nothing brought in today yet
    assert plan.recommended.new_per_day == plan.needed_new_per_day
    assert plan.recommended.unseen_at_exam == 0
    assert sum(plan.recommended.new_on_day) == questions
    assert plan.current.unseen_at_exam == questions - 5 * 8
    assert plan.recommended.score.mean > plan.current.score.mean
    deck = read_deck(full_bank, store, T0, UTC)[0]
    fewer = simulate(deck, Model(store.scheduler()), plan.needed_new_per_day - 1, runs=2)
    assert fewer.unseen_at_exam > 0  # one fewer a day does not


def test_a_limit_that_already_sees_the_bank_is_kept(full_bank: Bank, store: Store) -> None:
    store.update_settings(exam_date=TODAY + timedelta(days=20), daily_new_limit=50)
    plan = make_plan(full_bank, store, T0, UTC, runs=5)
    assert plan.needed_new_per_day < 50 and plan.recommended.new_per_day == 50


def test_new_questions_already_brought_in_today_count(full_bank: Bank, store: Store,
                                                      clock: Clock) -> None:
    for qid in list(full_bank.questions)[:4]:
        answer(store, clock, full_bank, qid, T0)
    store.update_settings(exam_date=TODAY + timedelta(days=2))
    deck = read_deck(full_bank, store, T0, UTC)[0]
    assert deck.introduced_today == 4
    # n - 4 today and n tomorrow must cover the rest
    n = needed_new_per_day(deck)
    assert (n - 4) + n >= deck.unseen > (n - 5) + (n - 1)


def test_the_retention_search_takes_the_cheapest_within_a_point_of_the_best() -> None:
    trials = [RetentionTrial(0.7, 0.80, 900), RetentionTrial(0.8, 0.895, 1000),
              RetentionTrial(0.9, 0.90, 1400), RetentionTrial(0.95, 0.90, 2000)]
    assert pick_retention(trials) == 0.8
    assert pick_retention([RetentionTrial(0.7, 0.5, 100), RetentionTrial(0.9, 0.5, 100)]) == 0.9


def test_the_plan_reads_as_sentences_and_as_json(full_bank: Bank, store: Store) -> None:
    store.update_settings(exam_date=date(2025, 3, 20), daily_new_limit=10)
    plan = make_plan(full_bank, store, T0, UTC, runs=10, seed=5)
    lines = plan.lines()
    assert lines[0].startswith("Exam on Thu 20 Mar 2025: 10 days of study left")
    assert lines[1].startswith("Now:         10 new a day, retention 0.90 → ")
    assert " on Thu 20 Mar" in lines[1] and "never seen by then" in lines[1]
    data = plan.to_json()
    assert data["exam_date"] == "2025-03-20" and data["seed"] == 5
    current = data["current"]
    assert isinstance(current, dict) and len(current["per_day"]) == 10
    assert current["per_day"][0]["new"] == 10 and current["per_day"][0]["date"] == "2025-03-10"
    assert set(current["per_topic"]) == {q.topic for q in full_bank.questions.values()}
    assert plan == make_plan(full_bank, store, T0, UTC, runs=10, seed=5)


def test_a_large_deck_gets_fewer_runs_and_says_so() -> None:
    deck = fresh_deck(3000, 2)
    start = Start(deck, TODAY, TODAY + timedelta(days=2), 3000,
                  make_scheduler(enable_fuzzing=False), 20)
    assert runs_for(deck, 200) == 20 and runs_for(fresh_deck(220, 2), 200) == 200
    assert runs_for(fresh_deck(300, 2), 200) == 150
    plan = start.plan(runs=200)
    assert plan.runs == 20 and plan.to_json()["runs"] == 20


def test_the_plan_says_what_stopping_today_would_score_as_the_stats_page_does(
        full_bank: Bank, store: Store, clock: Clock) -> None:
    """The plan's figures assume every due review is done; beside them, the stats page's
    exam-day prediction (no more answers) so the two pages never seem to disagree."""
    from quiz.readiness import readiness

    for qid, right in zip(list(full_bank.questions)[:6], (True,) * 5 + (False,), strict=True):
        answer(store, clock, full_bank, qid, T0 - timedelta(days=3), right)
    store.update_settings(exam_date=TODAY + timedelta(days=20))
    plan = make_plan(full_bank, store, T0, UTC, runs=5, seed=1)
    stats_says = readiness(full_bank, store, T0, UTC).prediction.overall
    assert plan.if_stopped == pytest.approx(stats_says) and 0 < stats_says < 0.1
    assert plan.to_json()["if_stopped"] == round(stats_says, 4)
    assert f"If you stopped studying today: {100 * stats_says:.0f}% on the day" \
        in "\n".join(plan.lines())


def test_an_exam_more_than_a_year_away_is_refused_in_bounded_time(full_bank: Bank,
                                                                  store: Store) -> None:
    """The simulation's work grows with the days: a far date (2099) is one clear line."""
    from quiz.plan import MAX_PLAN_DAYS

    store.update_settings(exam_date=TODAY + timedelta(days=MAX_PLAN_DAYS))
    assert make_plan(full_bank, store, T0, UTC, runs=1).days == MAX_PLAN_DAYS
    store.update_settings(exam_date=TODAY + timedelta(days=MAX_PLAN_DAYS + 1))
    with pytest.raises(NoPlan, match="at most 365 days ahead"):
        make_plan(full_bank, store, T0, UTC)
