"""What the store hands out about answers (as logged, as just recorded, as replay reads them)
and about a bank sync: plain dataclasses, all datetimes UTC-aware.

Apart from ``quiz.store.records`` because no first screen reads them: a start does not build
these classes (see there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from fsrs import Rating

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
