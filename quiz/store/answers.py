"""What the store hands out about answers (as logged, as just recorded, as replay reads them),
about a bank sync and about an fsrs fit to the answers: plain dataclasses, all datetimes
UTC-aware.

Apart from ``quiz.store.records`` because no first screen reads them: a start does not build
these classes (see there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from fsrs import Rating

from quiz.clock import utc
from quiz.store.records import CardRecord


class ScheduledAnswer(NamedTuple):
    """What replaying and fitting read of a scheduled answer (``scheduled_answers``): a
    year of answers is read without building a ``ReviewEntry`` (and its card) for each."""

    id: int
    question_id: str
    answered_at: datetime
    rating: Rating


@dataclass(frozen=True)
class ReviewEntry:
    """One logged answer."""

    id: int
    question_id: str
    answered_at: datetime
    picked: tuple[int, ...]  # choice indices in bank order
    correct: bool
    rating: Rating
    duration_ms: int | None
    mode: str
    session_id: int | None
    fingerprint: str
    card_before: CardRecord
    shown_order: tuple[int, ...] | None = None  # bank indices in displayed order; None: unknown


@dataclass(frozen=True)
class RecordedAnswer:
    """What ``Store.record_answer`` / ``Store.regrade`` committed."""

    log_id: int
    question_id: str
    correct: bool
    rating: Rating
    card: CardRecord  # the state after the answer (unchanged in practice/exam mode)
    scheduled: bool  # whether the answer moved the schedule
    became_leech: bool = False  # this answer's lapse made the question a leech
    before: CardRecord | None = None  # record_answer: the state the answer started from
    answered_at: datetime | None = None  # record_answer: when it was given (the store's clock)


@dataclass(frozen=True)
class SyncReport:
    """What ``Store.sync_bank`` found: cards reset after an answer-key edit, orphaned ids."""

    reset: tuple[str, ...] = ()
    orphaned: tuple[str, ...] = ()


@dataclass(frozen=True)
class FsrsFit:
    """The record of the fit that gave the saved ``fsrs_parameters`` (``quiz optimize``):
    when, on how many logged answers, and how well the old and new parameters predicted
    them (log loss and RMSE over bins, on the time-series splits)."""

    fitted_at: datetime
    reviews: int
    log_loss_before: float
    log_loss_after: float
    rmse_before: float
    rmse_after: float

    def to_json(self) -> dict[str, Any]:
        """As stored (JSON): the time in ISO 8601."""
        return {"fitted_at": self.fitted_at.isoformat(), "reviews": self.reviews,
                "log_loss_before": self.log_loss_before, "log_loss_after": self.log_loss_after,
                "rmse_before": self.rmse_before, "rmse_after": self.rmse_after}

    @classmethod
    def from_json(cls, value: object) -> FsrsFit:
        """From what ``to_json`` stored, else ValueError."""
        if isinstance(value, FsrsFit):
            value = value.to_json()
        figures = ("log_loss_before", "log_loss_after", "rmse_before", "rmse_after")
        if not isinstance(value, dict) or set(value) != {"fitted_at", "reviews", *figures}:
            raise ValueError("a record of a fit")
        try:
            fitted_at = datetime.fromisoformat(value["fitted_at"])
        except (TypeError, ValueError):
            raise ValueError("a record of a fit (fitted_at: a time)") from None
        if fitted_at.tzinfo is None:
            raise ValueError("a record of a fit (fitted_at: a time with its UTC offset)")
        reviews = value["reviews"]
        if isinstance(reviews, bool) or not isinstance(reviews, int) or reviews < 0:
            raise ValueError("a record of a fit (reviews: a whole number)")
        numbers = []
        for name in figures:
            number = value[name]
            if isinstance(number, bool) or not isinstance(number, int | float) \
                    or not 0 <= number < 1e6:
                raise ValueError(f"a record of a fit ({name}: a number from 0)")
            numbers.append(float(number))
        return cls(utc(fitted_at), reviews, *numbers)
