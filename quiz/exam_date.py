"""The exam-date cap: with an exam date set, reviews due after the day before it are brought
forward, so everything learned is seen once more before the exam.

Apart from ``quiz.readiness`` (which re-exports it) so that a start with an exam date caps
its cards without importing the readiness figures before its first frame.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from quiz.clock import utc

if TYPE_CHECKING:
    from quiz.store import CardRecord, Store


def _local(t: datetime, tz: tzinfo | None) -> datetime:
    return t.astimezone(tz) if tz is not None else t.astimezone()


def _day_start(day: date, tz: tzinfo | None) -> datetime:
    """The start (UTC) of a local day."""
    start = datetime.combine(day, time(), tzinfo=tz) if tz is not None \
        else datetime.combine(day, time()).astimezone()
    return utc(start)


def latest_due(exam_date: date, tz: tzinfo | None = None) -> datetime:
    """The latest a card may fall due: the start of the (local) day before the exam."""
    return _day_start(exam_date - timedelta(days=1), tz)


def cap_due(due: datetime, exam_date: date, tz: tzinfo | None = None) -> datetime:
    """``due``, brought forward to ``latest_due`` if it falls later."""
    return min(utc(due), latest_due(exam_date, tz))


def apply_exam_date_cap(store: Store, exam_date: date | None, now: datetime,
                        tz: tzinfo | None = None) -> int:
    """Bring started cards due after ``latest_due`` forward to the days before the exam.

    They are spread evenly over the local days from today to the day before the exam,
    the earliest-due first and as late as the spread allows (an early review teaches
    little), each due at the start of its day but never before ``now``; cards already due
    stay. Returns how many moved; none without an exam date or once its eve has passed.
    """
    moved = exam_date_cap(store, exam_date, now, tz)
    if moved:  # nothing to write is the usual case: start-up may not have a store to write yet
        store.save_schedules(moved)
    return len(moved)


def exam_date_cap(store: Store, exam_date: date | None, now: datetime,
                  tz: tzinfo | None = None) -> list[CardRecord]:
    """The cards ``apply_exam_date_cap`` would move, as they would be saved (reads only)."""
    if exam_date is None:
        return []
    now = utc(now)
    today = _local(now, tz).date()
    eve = exam_date - timedelta(days=1)
    if eve < today:
        return []
    limit = max(latest_due(exam_date, tz), now)  # a card already due stays as it is
    late = sorted(store.cards_due_after(limit), key=lambda r: (r.due, r.question_id))
    moved = []
    for record, offset in zip(late, spread_offsets(len(late), (eve - today).days + 1),
                              strict=True):
        due = max(now, _day_start(today + timedelta(days=offset), tz))
        moved.append(replace(record, card=replace(record.card, due=due)))
    return moved


def spread_offsets(count: int, days: int) -> list[int]:
    """The days (0: today) the cap gives ``count`` late cards, taken earliest-due first, over
    ``days`` days: evenly, and each as late as the spread allows (``quiz.plan`` does the same
    in its simulated days)."""
    return [days - 1 - ((count - 1 - i) * days) // count for i in range(count)]
