"""The shape of a mock exam (the KCSA's by default), and an attempt left open with the time
it has left: what the home screen and the exam-date cap need at start-up.

Kept apart from ``quiz.exam`` (drawing, running and marking a paper), which a start that only
shows home does not need before its first frame (its dataclasses and ``quiz.session`` cost
~50M instructions to import); ``quiz.exam`` re-exports these names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from quiz.clock import utc

if TYPE_CHECKING:
    from quiz.store import ExamAttempt, Store


@dataclass(frozen=True)
class ExamFormat:
    """The shape of a mock exam; ``KCSA`` is the real exam's."""

    questions: int = 60
    time_limit: timedelta = timedelta(minutes=90)
    pass_mark: float = 0.75  # share of correct answers needed, 0..1
    # False: the paper is drawn from the questions tagged ``kcsa`` (KCSA_TAG) only, as the
    # real exam's style; True: from every question (``quiz exam --all``).
    all_questions: bool = False

    def __post_init__(self) -> None:
        if self.questions < 1 or self.time_limit <= timedelta(0) or not 0 < self.pass_mark <= 1:
            raise ValueError("an exam needs a question or more, a positive time limit and a "
                             "pass mark between 0 (excluded) and 1")


KCSA = ExamFormat()
KCSA_TAG = "kcsa"  # questions in the real exam's style; the rest are tagged "beyond-kcsa"


@dataclass(frozen=True)
class Unfinished:
    """An attempt started but never handed in, and how much of its time is left."""

    attempt: ExamAttempt
    remaining: timedelta

    @property
    def expired(self) -> bool:
        """True when its time ran out while the app was closed."""
        return self.remaining == timedelta(0)


def time_limit_of(attempt: ExamAttempt) -> timedelta:
    """An attempt's time limit (the KCSA one for an attempt stored without a limit)."""
    return timedelta(seconds=attempt.time_limit_s) if attempt.time_limit_s else KCSA.time_limit


def unfinished_exam(store: Store, now: datetime) -> Unfinished | None:
    """The latest exam attempt not handed in, with the wall-clock time it has left."""
    for attempt in reversed(store.exams()):
        if attempt.session.finished_at is None:
            left = attempt.session.started_at + time_limit_of(attempt) - utc(now)
            return Unfinished(attempt, max(timedelta(0), left))
    return None
