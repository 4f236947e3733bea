"""A simulated learner: review histories drawn from known FSRS parameters, seeded.

What the optimiser's tests, ``benchmarks/optimize.py`` and ``benchmarks/history.py`` feed on:
each card is introduced on some day, answered whenever fsrs (with the *true* parameters) says
it is due, sometimes a day or two late, and remembered with the probability the true model
gives for that moment (its retrievability); a miss is Again, a hit mostly Good, sometimes Hard
or Easy. The same seed gives the same histories.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from fsrs import Card, Rating

from quiz.bank import Bank, Choice, Concept, Question, Topic
from quiz.cards import make_scheduler
from quiz.clock import utc

# A learner unlike fsrs's defaults (these start 0.212, 1.2931, 2.3065, 8.2956 and decay
# 0.1542): slower to hold a first Again, quicker after a first Good or Easy, forgetting along
# a steeper curve.
TRUE_PARAMETERS: tuple[float, ...] = (
    0.6, 1.8, 4.5, 14.0,
    6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796, 1.4835, 0.0614, 0.2629, 1.6483,
    0.6014, 1.8729, 0.5425, 0.0912, 0.0658,
    0.35,
)
# A learner who forgets faster than the defaults assume: shorter first memories, less gained
# from each review (w8). The demo history (benchmarks/history.py) is this learner's.
FORGETFUL_PARAMETERS: tuple[float, ...] = (
    0.3, 0.8, 1.2, 3.5, *TRUE_PARAMETERS[4:8], 1.3, *TRUE_PARAMETERS[9:])
FIRST_RATINGS = ((Rating.Again, 0.25), (Rating.Hard, 0.1), (Rating.Good, 0.5), (Rating.Easy, 0.15))
HIT_RATINGS = ((Rating.Hard, 0.1), (Rating.Good, 0.8), (Rating.Easy, 0.1))


@dataclass(frozen=True)
class Answer:
    """One simulated answer: when, how it was rated, and whether it was right."""

    answered_at: datetime
    rating: Rating

    @property
    def correct(self) -> bool:
        """Whether the learner remembered (anything but Again)."""
        return self.rating != Rating.Again


def _draw(rng: random.Random, choices: Sequence[tuple[Rating, float]]) -> Rating:
    ratings, weights = zip(*choices, strict=True)
    return rng.choices(ratings, weights)[0]


def simulate(parameters: Sequence[float] = TRUE_PARAMETERS, *, cards: int, start: datetime,
             days: int, new_per_day: int, seed: int, retention: float = 0.9,
             study_hour: int = 9) -> list[list[Answer]]:
    """Each card's answers, oldest first, for ``cards`` cards introduced ``new_per_day`` a day
    from ``start`` and answered until ``start + days``; scheduled at ``retention`` by fsrs with
    ``parameters``, which also decide what the learner remembers."""
    rng = random.Random(seed)
    scheduler = make_scheduler(retention, enable_fuzzing=False, parameters=tuple(parameters))
    end = utc(start) + timedelta(days=days)
    day0 = utc(start).replace(hour=study_hour, minute=0, second=0, microsecond=0)
    histories: list[list[Answer]] = []
    for index in range(cards):
        at = day0 + timedelta(days=index // max(1, new_per_day),
                              minutes=rng.randrange(0, 180))
        card = Card(card_id=index + 1, due=at)
        answers: list[Answer] = []
        while at < end:
            if card.last_review is None:
                rating = _draw(rng, FIRST_RATINGS)
            elif rng.random() < scheduler.get_card_retrievability(card, at):
                rating = _draw(rng, HIT_RATINGS)
            else:
                rating = Rating.Again
            card, _ = scheduler.review_card(card, rating, review_datetime=at)
            answers.append(Answer(at, rating))
            at = max(card.due, at + timedelta(minutes=1))
            interval = card.due - card.last_review
            if interval >= timedelta(days=1):
                # A review falls on the day it is due or a day or two late, at the time of
                # day of the last answer: whole days apart, as fsrs and fsrs-rs both count.
                late = rng.choices((0, 1, 2), (0.75, 0.18, 0.07))[0]
                at = card.last_review + timedelta(days=interval.days + late)
        histories.append(answers)
    return histories


def synthetic_bank(count: int) -> Bank:
    """``count`` two-choice questions (the first choice right) on one topic and concept, for a
    simulated learner's history (tests and benchmarks/optimize.py)."""
    bank = Bank(roots=())
    bank.topics["t"] = Topic(id="t", title="T")
    bank.concepts["c"] = Concept(id="c", topic="t", title="C", summary="s", source="src")
    for i in range(count):
        q = Question(id=f"t-q{i}", concepts=["c"], topic="t", question=f"Question {i}?",
                     explanation="e", choices=[Choice(text="right", correct=True),
                                               Choice(text="wrong", correct=False)])
        bank.questions[q.id] = q
    return bank
