"""The fsrs primitives the store needs: card ids, a fresh card, the scheduler, a first rating.

Below the store and the study domain alike: ``quiz.store`` builds cards and schedulers with
these, and ``quiz.scheduling`` (queues, rebuilding) re-uses them.
"""

from __future__ import annotations

import hashlib
from copy import copy
from datetime import datetime

from fsrs import Card, Rating, Scheduler, State
from fsrs.scheduler import DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from quiz.clock import utc

DEFAULT_RETENTION = 0.9


def card_id_for(question_id: str) -> int:
    """A stable, positive 63-bit fsrs card id for a question id."""
    digest = hashlib.sha256(question_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def new_card(question_id: str, now: datetime) -> Card:
    """A fresh fsrs card for a question, due now."""
    return Card(card_id=card_id_for(question_id), due=utc(now))


def check_parameters(values: object) -> tuple[float, ...]:
    """``values`` as fsrs model weights if they are ones (21 finite numbers, each within the
    bounds fsrs accepts), else ValueError saying what they must be."""
    count = len(DEFAULT_PARAMETERS)
    if isinstance(values, str | bytes) or not isinstance(values, list | tuple) \
            or len(values) != count:
        raise ValueError(f"a list of {count} numbers")
    out: list[float] = []
    for index, (value, low, high) in enumerate(zip(values, LOWER_BOUNDS_PARAMETERS,
                                                   UPPER_BOUNDS_PARAMETERS, strict=True)):
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not low <= value <= high:
            raise ValueError(f"a list of {count} numbers, number {index} from {low} to {high}")
        out.append(float(value))
    return tuple(out)


def make_scheduler(desired_retention: float = DEFAULT_RETENTION, *,
                   maximum_interval: int = 36500, enable_fuzzing: bool = True,
                   parameters: tuple[float, ...] | None = None) -> Scheduler:
    """The fsrs scheduler the app uses: fuzzing on in the app, off in tests; intervals capped
    at ``maximum_interval`` days (the user's setting); ``parameters`` the user's fitted model
    weights (``quiz optimize``), None for fsrs's defaults."""
    return Scheduler(parameters=DEFAULT_PARAMETERS if parameters is None else parameters,
                     desired_retention=desired_retention, maximum_interval=maximum_interval,
                     enable_fuzzing=enable_fuzzing)


def rating_for(correct: bool) -> Rating:
    """The rating an answer is first stored with: ``Again`` if wrong, else ``Good``."""
    return Rating.Good if correct else Rating.Again


def is_lapse(state_before: State, rating: Rating) -> bool:
    """Whether a scheduled answer is a lapse, as Anki counts them: Again on a card in Review."""
    return rating == Rating.Again and state_before == State.Review


RIGHT_GRADES = (Rating.Hard, Rating.Good, Rating.Easy)  # what a right answer may be rated


def grade_dues(scheduler: Scheduler, card: Card, at: datetime) -> dict[Rating, datetime]:
    """When ``card`` would next be due after a right answer at ``at``, for each grade of one.

    Pure: ``card`` is the state before the answer (``Store.regrade`` recomputes from the same
    state). Fuzzing is left out, as Anki's buttons show: the grade's own interval.
    """
    plain = copy(scheduler)
    plain.enable_fuzzing = False
    return {rating: plain.review_card(card, rating, review_datetime=utc(at))[0].due
            for rating in RIGHT_GRADES}


def in_steps(card: Card) -> bool:
    """Whether the card is in its (re)learning steps: due again within minutes, not days."""
    return card.state in (State.Learning, State.Relearning) and card.step is not None
