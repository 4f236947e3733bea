"""What the answer history says: accuracy over recent windows and the daily streak.

Shared by ``quiz.stats`` (``quiz stats``, the stats screen) and ``quiz.readiness``, so that
neither needs the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from quiz.store import Store


@dataclass(frozen=True)
class Accuracy:
    """Share of correct answers (all modes); None where there were no answers."""

    overall: float | None
    last_7_days: float | None
    last_30_days: float | None


def answer_accuracy(store: Store, now: datetime,
                    totals: tuple[int, int] | None = None) -> Accuracy:
    """Overall, last-7-days and last-30-days accuracy; ``totals``: the store's
    ``answer_counts()`` (all answers, correct ones) when the caller already has them."""
    reviews, correct = store.answer_counts() if totals is None else totals
    return Accuracy(
        overall=correct / reviews if reviews else None,
        last_7_days=_accuracy(store, now - timedelta(days=7)),
        last_30_days=_accuracy(store, now - timedelta(days=30)),
    )


def _accuracy(store: Store, since: datetime) -> float | None:
    total, correct = store.answer_counts(since)
    return correct / total if total else None


def study_streak(store: Store, now: datetime, tz: tzinfo | None = None) -> int:
    """Consecutive local days with an answer, ending today or yesterday, from the store."""
    # Most streaks are short: read two months of answers, and everything only if needed.
    window = 62
    days = streak(_hour_ends(store.answer_hours(since=now - timedelta(days=window))), now, tz)
    return days if days < window - 2 else streak(_hour_ends(store.answer_hours()), now, tz)


def _hour_ends(hours: list[tuple[datetime, datetime]]) -> list[datetime]:
    # An hour holds at most one local midnight: its first and last answer give its days.
    return [t for first_last in hours for t in first_last]


def streak(answer_times: list[datetime], now: datetime, tz: tzinfo | None = None) -> int:
    """Consecutive local days with at least one answer, ending today or yesterday."""

    def day(t: datetime) -> date:
        return (t.astimezone(tz) if tz is not None else t.astimezone()).date()

    days = {day(t) for t in answer_times}
    current = day(now)
    if current not in days:
        current -= timedelta(days=1)
    count = 0
    while current in days:
        count += 1
        current -= timedelta(days=1)
    return count
