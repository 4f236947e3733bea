"""The daily study streak: consecutive local days with an answer, ending today or yesterday.

Shown by home, ``quiz stats``, the stats screen and readiness; apart from ``quiz.activity``
(the answer history's other figures) so that home's first frame imports only what it shows.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from quiz.store import Store


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
