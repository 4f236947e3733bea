"""Time helpers: the default clock, UTC normalisation and local days; stdlib only.

The lowest layer with ``quiz.paths`` and ``quiz.textsafe``: the store, the cards and the study
domain all take their clock from here.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo


def utc_now() -> datetime:
    """The current time, UTC-aware: the default clock."""
    return datetime.now(UTC)


def utc(value: datetime) -> datetime:
    """An aware datetime in ``timezone.utc`` (fsrs refuses any other tzinfo)."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: pass a time zone-aware datetime")
    return value.astimezone(UTC)


def local_day(now: datetime, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
    """The start and end (UTC) of the local day containing ``now``; ``tz`` defaults to local."""
    if tz is None:
        local = now.astimezone()
        start = datetime.combine(local.date(), time()).astimezone()
        end = datetime.combine(local.date() + timedelta(days=1), time()).astimezone()
    else:
        local = now.astimezone(tz)
        start = datetime.combine(local.date(), time(), tzinfo=tz)
        end = datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=tz)
    return utc(start), utc(end)
