"""The optimiser (quiz.optimize): the engine's items built as Anki builds them, parameters
recovered from a learner simulated with known ones, fsrs and fsrs-rs agreeing, refusal below
the minimum history, saving (and rescheduling) only what predicts better."""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from fsrs import Card, Rating, State
from fsrs_rs_python import FSRS, FSRSItem, FSRSReview, MemoryState

from quiz import optimize
from quiz.bank import Bank
from quiz.cards import make_scheduler
from quiz.cli import cli
from quiz.exam_marking import schedule_exam_answers
from quiz.scheduling import rebuild_cards
from quiz.store import FsrsFit, Store, StoreError, make_engine
from quiz.synthetic import FORGETFUL_PARAMETERS, TRUE_PARAMETERS, Answer, simulate
from tests.conftest import HISTORY_END, T0, Clock

DEFAULTS = optimize._defaults()
START = datetime(2025, 1, 1, 9, tzinfo=UTC)  # the simulated years start here


def reviews(steps: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    return list(steps)


def answers(*pairs: tuple[datetime, int]) -> list[Answer]:
    return [Answer(at, Rating(rating)) for at, rating in pairs]


def day(n: int, hour: int = 9) -> datetime:
    return START + timedelta(days=n, hours=hour - 9)


# --- items -----------------------------------------------------------------------------------

def test_items_are_built_as_anki_builds_them_from_its_review_log() -> None:
    # Anki's own example: answers 15, 13, 10 and 5 days ago give three items, each the history
    # up to one answer, with the days between answers.
    built = optimize.build_items([answers((day(0), 3), (day(2), 3), (day(5), 3),
                                          (day(10), 3))], UTC)
    assert [reviews(i) for i in built.steps] == [
        [(3, 0), (3, 2)], [(3, 0), (3, 2), (3, 3)], [(3, 0), (3, 2), (3, 3), (3, 5)]]
    assert built.reviews == 4


def test_same_day_steps_stay_in_the_history_but_make_no_item_of_their_own() -> None:
    history = answers((day(0), 1), (day(0, 10), 3), (day(1), 3), (day(1, 11), 1), (day(4), 3))
    built = optimize.build_items([history], UTC)
    assert [reviews(i) for i in built.steps] == [
        [(1, 0), (3, 0), (3, 1)],
        [(1, 0), (3, 0), (3, 1), (1, 0), (3, 3)]]


def test_days_are_local_days_and_items_come_in_the_order_they_were_answered() -> None:
    from zoneinfo import ZoneInfo

    tokyo = ZoneInfo("Asia/Tokyo")  # UTC+9: 14:00 and 16:00 UTC fall on two local days
    late = answers((datetime(2025, 1, 1, 14, tzinfo=UTC), 3),
                   (datetime(2025, 1, 1, 16, tzinfo=UTC), 4))
    early = answers((day(-3), 1), (day(0), 3))
    built = optimize.build_items([late, early, answers((day(0), 3))], tokyo)
    assert [reviews(i) for i in built.steps] == [[(1, 0), (3, 3)], [(3, 0), (4, 1)]]
    assert optimize.build_items([late], UTC).steps == []  # one UTC day: no item
    assert built.reviews == 4  # a card with a single answer teaches nothing


def test_the_store_history_is_what_feeds_the_schedule(bank: Bank, store: Store,
                                                      clock: Clock) -> None:
    q, p, e = (bank.questions[i] for i in ("np-egress-dns", "np-deny-scope", "enc-mtls-facts"))
    for n, picked in enumerate((0, 0, 1, 0)):
        clock.value = T0 + timedelta(days=3 * n)
        recorded = store.record_answer(q, [picked])
    store.regrade(recorded.log_id, Rating.Easy)  # the stored rating counts
    store.record_answer(p, [0])
    clock.advance(days=2)
    store.record_answer(p, [0])
    undone = store.record_answer(p, [1])
    assert store.undo_last(None) == p.id and store.log(undone.log_id) is None
    store.record_answer(q, [0], mode="practice")  # practice does not schedule
    clock.advance(days=1)
    attempt = store.start_exam([e.id])
    store.record_answer(e, [0, 1], mode="exam", session_id=attempt.id)
    store.finish_session(attempt.id, score=1, total=1, per_topic={})
    schedule_exam_answers(store, attempt.id)
    clock.advance(days=3)
    store.record_answer(e, [0, 1])

    built = optimize.store_items(store, UTC)
    assert sorted(reviews(i) for i in built.steps) == sorted([
        [(3, 0), (3, 3)], [(3, 0), (3, 3), (1, 3)], [(3, 0), (3, 3), (1, 3), (4, 3)],
        [(3, 0), (3, 2)],
        [(3, 0), (3, 3)]])  # the exam answer, then a review
    assert built.reviews == 4 + 2 + 2


# --- the engine against fsrs ------------------------------------------------------------------

@pytest.mark.parametrize("parameters", [DEFAULTS, TRUE_PARAMETERS, FORGETFUL_PARAMETERS])
def test_fsrs_and_fsrs_rs_give_the_same_next_interval(parameters: tuple[float, ...]) -> None:
    scheduler = make_scheduler(0.9, enable_fuzzing=False, parameters=parameters)
    engine = FSRS(list(parameters))
    at = datetime(2025, 1, 1, tzinfo=UTC)
    for stability, difficulty, elapsed in ((3.0, 5.0, 3), (12.5, 7.2, 10), (40.0, 2.0, 45)):
        card = Card(card_id=1, state=State.Review, stability=stability, difficulty=difficulty,
                    due=at, last_review=at - timedelta(days=elapsed))
        states = engine.next_states(MemoryState(stability, difficulty), 0.9, elapsed)
        for rating, state in ((Rating.Again, states.again), (Rating.Hard, states.hard),
                              (Rating.Good, states.good), (Rating.Easy, states.easy)):
            after, _ = scheduler.review_card(card, rating, review_datetime=at)
            assert after.stability == pytest.approx(state.memory.stability, rel=1e-3)
            if rating != Rating.Again:  # Again goes to a relearning step in fsrs
                days = (after.due - at).days
                assert days == max(1, round(state.interval)), (rating, stability)


# --- recovering known parameters --------------------------------------------------------------

HISTORIES = {  # what the stabilities are compared after: common first weeks of a question
    "again, good": [(1, 0), (3, 0)], "hard, good": [(2, 0), (3, 0)],
    "good, good": [(3, 0), (3, 0)], "easy": [(4, 0)],
    "good x2, then good a day on": [(3, 0), (3, 0), (3, 1)],
    "... and 3 days on": [(3, 0), (3, 0), (3, 1), (3, 3)],
    "... then a lapse": [(3, 0), (3, 0), (3, 1), (3, 3), (1, 8), (3, 0)],
}


def stabilities(parameters: tuple[float, ...]) -> list[float]:
    engine = FSRS(list(parameters))
    return [engine.memory_state(FSRSItem([FSRSReview(r, d) for r, d in h])).stability
            for h in HISTORIES.values()]


@pytest.mark.parametrize("seed", [1, 2])
def test_a_simulated_learners_parameters_are_recovered(seed: int) -> None:
    """Tolerance (what a year of 3,000 questions pins down, over seeds 1-6): after each
    common history the fitted model's stability, so its next interval, is within a factor
    1.8 of the true one and within 1.35 on average (geometric), closer than the defaults'
    (1.46 off on average); the fitted parameters' log loss is lower than the defaults'."""
    histories = simulate(TRUE_PARAMETERS, cards=3000, start=START, days=365, new_per_day=20,
                         seed=seed)
    built = optimize.build_items(histories, UTC)
    fitted = optimize.fit(built.items)

    truth = stabilities(TRUE_PARAMETERS)
    errors = [abs(math.log(f / t)) for f, t in zip(stabilities(fitted), truth, strict=True)]
    default_errors = [abs(math.log(d / t)) for d, t in zip(stabilities(DEFAULTS), truth,
                                                           strict=True)]
    assert max(errors) < math.log(1.8), dict(zip(HISTORIES, errors, strict=True))
    assert sum(errors) / len(errors) < math.log(1.35)
    assert sum(errors) < sum(default_errors)
    assert optimize.evaluate(fitted, built.items).log_loss \
        < optimize.evaluate(DEFAULTS, built.items).log_loss


# --- optimize on a store -----------------------------------------------------------------------

@pytest.fixture
def history(history_db: Path, tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "progress.db"
    shutil.copy(history_db, path)
    store = Store(make_engine(path), now=Clock(HISTORY_END), enable_fuzzing=False)
    yield store
    store.close()


def test_better_parameters_are_saved_with_the_fit_and_every_card_rescheduled(
        history: Store) -> None:
    before = history.cards()
    steps: list[tuple[str, float]] = []
    outcome = optimize.optimize(history, tz=UTC, progress=lambda w, d: steps.append((w, d)))

    assert outcome.saved and outcome.after.log_loss < outcome.before.log_loss
    settings = history.settings()
    assert settings.fsrs_parameters == outcome.fitted != DEFAULTS
    assert settings.fsrs_fit == FsrsFit(history.now(), outcome.reviews, outcome.before.log_loss,
                                        outcome.after.log_loss, outcome.before.rmse_bins,
                                        outcome.after.rmse_bins)
    assert outcome.reviews == len(history.logs())
    # Every card as a replay of its answers with the new parameters gives it.
    after = history.cards()
    assert outcome.rescheduled == sum(after[q].card != before[q].card for q in before) > 100
    assert rebuild_cards(history, make_scheduler(enable_fuzzing=False,
                                                 parameters=outcome.fitted)) == 0
    # Progress is real: phases in order, fractions rising to 1.
    fractions = [d for _, d in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert [w for w, _ in steps if w.startswith("Evaluating")] == [
        f"Evaluating on part {i} of 5" for i in range(1, 6)]

    assert optimize.reset(history) == outcome.rescheduled
    assert history.settings().fsrs_parameters is None and history.settings().fsrs_fit is None
    assert {q: c.card for q, c in history.cards().items()} == \
        {q: c.card for q, c in before.items()}


def test_parameters_and_schedules_are_saved_together_or_not_at_all(
        history: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure writing the rescheduled cards (a full disk, a crash) leaves the parameters
    as they were too: they are one transaction."""
    import sqlite3

    before = history.cards()

    def full(*_args: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Store, "_save_schedules", full)
    with pytest.raises(StoreError, match="disk is full"):
        optimize.optimize(history, tz=UTC)
    fresh = Store(make_engine(history.engine.url), enable_fuzzing=False)
    assert fresh.settings().fsrs_parameters is None and fresh.settings().fsrs_fit is None
    assert fresh.cards() == before
    assert history.settings().fsrs_parameters is None  # nor does this copy take them
    fresh.close()


def test_parameters_that_predict_worse_are_not_saved(history: Store,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    before = history.cards()
    # A fit gone wrong: memories ten times as long as the learner's.
    wrong = (3.0, 8.0, 12.0, 35.0, *DEFAULTS[4:])
    monkeypatch.setattr(optimize, "fit", lambda items: wrong)
    outcome = optimize.optimize(history, tz=UTC)
    assert not outcome.saved and outcome.fitted == wrong
    assert outcome.after.log_loss > outcome.before.log_loss
    assert outcome.reason.startswith("they predicted your answers no better")
    assert history.settings().fsrs_parameters is None and history.settings().fsrs_fit is None
    assert history.cards() == before


def test_the_same_parameters_again_are_not_a_change() -> None:
    same = optimize.Evaluation(0.3, 0.05)
    assert optimize.judge(DEFAULTS, DEFAULTS, same, same, []) == (
        False, "the fit gave the parameters you already have")


def test_what_the_engine_refuses_is_one_clear_error() -> None:
    item = FSRSItem([FSRSReview(3, 0), FSRSReview(3, 2)])
    with pytest.raises(optimize.OptimizeError, match="could not evaluate: InvalidParameters"):
        optimize.evaluate((1.0, 2.0), [item])


def test_too_little_history_is_refused(bank: Bank, store: Store, clock: Clock) -> None:
    q = bank.questions["np-egress-dns"]
    for _ in range(5):
        store.record_answer(q, [0])
        clock.advance(days=2)
    with pytest.raises(optimize.NotEnoughHistory, match="too little history to optimise: 4 "):
        optimize.optimize(store, tz=UTC)
    assert store.settings().fsrs_parameters is None


def test_rescheduling_keeps_an_answer_another_copy_gives_meanwhile(
        history: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    other = Store(make_engine(history.engine.url), now=history.now, enable_fuzzing=False)
    from quiz.synthetic import synthetic_bank

    question = synthetic_bank(1).questions["t-q0"]
    real = history.scheduled_answers
    answered: list[datetime] = []

    def logs_then_answer() -> object:
        found = real()
        if not answered:  # after rebuild_cards read the logs, before it saves
            answered.append(other.record_answer(question, [0]).answered_at or T0)
        return found

    monkeypatch.setattr(history, "scheduled_answers", logs_then_answer)
    rebuild_cards(history, make_scheduler(0.8, enable_fuzzing=False))
    card = history.card(question.id)
    assert card is not None and card.card.last_review == answered[0]
    assert rebuild_cards(history, make_scheduler(0.8, enable_fuzzing=False)) == 0
    other.close()


# --- the record of the fit ---------------------------------------------------------------------

def test_the_fit_record_is_checked_like_every_setting(store: Store) -> None:
    fit = FsrsFit(T0, 1234, 0.4, 0.35, 0.05, 0.04)
    store.update_settings(fsrs_fit=fit)
    assert Store(make_engine(store.engine.url)).settings().fsrs_fit == fit
    with pytest.raises(ValueError, match="fsrs_fit must be a record of a fit"):
        store.update_settings(fsrs_fit={"reviews": 3})
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE setting SET value = '{\"fitted_at\": 5}' "
                             "WHERE key = 'fsrs_fit'")
    with pytest.raises(StoreError, match="fsrs_fit"):
        Store(make_engine(store.engine.url)).settings()


# --- the command -------------------------------------------------------------------------------

def test_quiz_optimize_saves_shows_the_figures_and_resets(history: Store) -> None:
    url = str(history.engine.url.database)
    history.close()
    runner = CliRunner()
    result = runner.invoke(cli, ["optimize", "--db", url, "--json"])
    assert result.exit_code == 0, result.output
    import json

    found = json.loads(result.stdout)
    assert found["saved"] and found["after"]["log_loss"] < found["before"]["log_loss"]
    assert len(found["fitted_parameters"]) == 21 and found["rescheduled"] > 100
    assert "Evaluating on part 5 of 5" in result.stderr and "100%" in result.stderr

    result = runner.invoke(cli, ["optimize", "--db", url])
    assert result.exit_code == 0
    assert "current" in result.stdout and "fitted" in result.stdout
    assert "log loss" in result.stdout and "RMSE (bins)" in result.stdout

    result = runner.invoke(cli, ["optimize", "--db", url, "--reset"])
    assert result.exit_code == 0
    assert result.stdout.startswith("Back to fsrs's default parameters;")
    assert Store(make_engine(url)).settings().fsrs_parameters is None


def test_quiz_optimize_refuses_a_short_history_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["optimize", "--db", str(tmp_path / "new.db")])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "quiz: too little history to optimise: 0 reviews a day or more after the question's "
        "previous answer, 400 needed")
    assert result.stdout == ""


def test_quiz_optimize_on_a_damaged_database_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database at all" * 100)
    result = CliRunner().invoke(cli, ["optimize", "--db", str(bad)])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_quiz_optimize_fits_and_saves_only_this_learners(history: Store) -> None:
    """Two learners on one database: each fit reads that learner's answers and saves that
    learner's parameters; the other's schedule and settings stay as they were."""
    other = history.for_learner("newcomer")
    other.update_settings(daily_new_limit=3)
    mine_before = history.cards()
    url = str(history.engine.url.database)
    history.close()
    runner = CliRunner()
    short = runner.invoke(cli, ["optimize", "--db", url, "--learner", "newcomer"])
    assert short.exit_code == 1 and "0 reviews" in short.stderr  # their history, not mine
    result = runner.invoke(cli, ["optimize", "--db", url, "--json"])  # mine: the default
    assert result.exit_code == 0, result.output
    store = Store(make_engine(url))
    assert store.settings().fsrs_parameters is not None
    assert store.cards() != mine_before
    newcomer = store.for_learner("newcomer")
    assert newcomer.settings().fsrs_parameters is None
    assert newcomer.settings().daily_new_limit == 3 and newcomer.cards() == {}
    store.close()
