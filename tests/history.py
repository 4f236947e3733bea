"""A simulated learner's history written into a Store as the app writes it (record_answer,
regrade), for the optimiser's tests: ``quiz.synthetic`` from known parameters, seeded."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from fsrs import Rating

from quiz.store import Store
from quiz.synthetic import TRUE_PARAMETERS, simulate, synthetic_bank
from tests.conftest import Clock


def record_history(store: Store, clock: Clock, *, cards: int, days: int, new_per_day: int,
                   seed: int, start: datetime,
                   parameters: Sequence[float] = TRUE_PARAMETERS) -> int:
    """The simulated answers recorded in review mode, in time order; how many."""
    bank = synthetic_bank(cards)
    questions = list(bank.questions.values())
    answers = sorted((answer.answered_at, index, answer.rating)
                     for index, history in enumerate(simulate(
                         parameters, cards=cards, start=start, days=days,
                         new_per_day=new_per_day, seed=seed))
                     for answer in history)
    for at, index, rating in answers:
        clock.value = at
        recorded = store.record_answer(questions[index], [0 if rating != Rating.Again else 1])
        if rating in (Rating.Hard, Rating.Easy):
            store.regrade(recorded.log_id, rating)
    return len(answers)
