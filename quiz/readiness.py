"""How ready the user is for the exam: predicted score, activity, forecast, exam history.

Mastery of a question is its fsrs retrievability (the predicted chance of recalling it) at a
given time; a question never answered in review mode counts as 0. A topic's mastery is the
mean over its questions, and the predicted exam score weights topics as ``draw_exam`` does.
With an exam date set, ``apply_exam_date_cap`` brings every card due after the day before
the exam forward, so everything learned is seen once more before the exam.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, cast

from fsrs import Card

from quiz.activity import Accuracy, answer_accuracy
from quiz.clock import utc
from quiz.exam_date import _day_start, _local
from quiz.exam_date import apply_exam_date_cap as apply_exam_date_cap
from quiz.exam_date import cap_due as cap_due
from quiz.exam_date import exam_date_cap as exam_date_cap
from quiz.exam_date import latest_due as latest_due
from quiz.exam_date import spread_offsets as spread_offsets
from quiz.exam_format import KCSA
from quiz.scheduling import DueToday, due_today
from quiz.streak import study_streak

if TYPE_CHECKING:
    from quiz.bank import Bank, Question
    from quiz.store import CardSummary, Store

FORECAST_DAYS = 14
ACTIVITY_DAYS = 30
TREND_WINDOW = 3


# --- mastery and the predicted score -------------------------------------------------------

def retrievability(store: Store, at: datetime,
                   cards: dict[str, CardSummary] | None = None) -> dict[str, float]:
    """Each card's fsrs retrievability at ``at``, by question id (new cards 0)."""
    scheduler = store.scheduler()
    cards = store.card_summaries() if cards is None else cards
    at = utc(at)
    # A summary has what get_card_retrievability reads (last_review, stability).
    return {qid: 0.0 if r.is_new else float(scheduler.get_card_retrievability(cast(Card, r), at))
            for qid, r in cards.items()}


def topic_mastery(bank: Bank, store: Store, at: datetime) -> dict[str, float]:
    """Mean retrievability of each topic's questions at ``at`` (0..1; unseen questions 0)."""
    recall = retrievability(store, at)
    sums: dict[str, list[float]] = {}
    for q in bank.questions.values():
        sums.setdefault(q.topic, []).append(recall.get(q.id, 0.0))
    return {t: sum(v) / len(v) for t, v in sums.items()}


@dataclass(frozen=True)
class Prediction:
    """The expected exam score at a time: shares 0..1, compared with the pass mark."""

    at: datetime
    per_topic: dict[str, float]
    overall: float
    pass_mark: float

    @property
    def passes(self) -> bool:
        """Whether the expected score reaches the pass mark."""
        return self.overall >= self.pass_mark


def predicted_score(bank: Bank, store: Store, at: datetime,
                    pass_mark: float = KCSA.pass_mark) -> Prediction:
    """Per-topic and overall expected share correct at ``at``, topics weighted by ``weight``."""
    per_topic = topic_mastery(bank, store, at)
    weights = {t: bank.topics[t].weight if t in bank.topics else 1.0 for t in per_topic}
    total = sum(weights.values())
    overall = sum(per_topic[t] * w for t, w in weights.items()) / total if total else 0.0
    return Prediction(utc(at), per_topic, overall, pass_mark)


# --- activity, forecast, history -----------------------------------------------------------

def reviews_per_day(store: Store, now: datetime, days: int = ACTIVITY_DAYS,
                    tz: tzinfo | None = None) -> list[tuple[date, int]]:
    """Answers (all modes) per local day for the last ``days`` days, oldest first, to today."""
    today = _local(utc(now), tz).date()
    first = today - timedelta(days=days - 1)
    counts = Counter(_local(t, tz).date() for t in store.answer_times(since=_day_start(first, tz)))
    return [(first + timedelta(days=d), counts[first + timedelta(days=d)]) for d in range(days)]


def due_forecast(store: Store, now: datetime, days: int = FORECAST_DAYS,
                 tz: tzinfo | None = None, bank: Bank | None = None) -> list[tuple[date, int]]:
    """Started, unsuspended cards due per local day, from today (overdue ones included)."""
    today = _local(utc(now), tz).date()
    counts: Counter[date] = Counter()
    for r in store.card_summaries().values():
        if r.is_new or r.suspended or (bank is not None and r.question_id not in bank.questions):
            continue
        counts[max(today, _local(r.due, tz).date())] += 1
    return [(today + timedelta(days=d), counts[today + timedelta(days=d)]) for d in range(days)]


@dataclass(frozen=True)
class ExamHistory:
    """Finished mock exams' scores (percent, oldest first) and their trend."""

    scores: list[float]
    trend: float | None  # mean of the last 3 minus the mean of the 3 before, in points

    @property
    def improving(self) -> bool | None:
        """None with fewer than two exams."""
        return None if self.trend is None else self.trend > 0


def exam_history(store: Store) -> ExamHistory:
    """Scores of finished exams in order; trend compares the last 3 with the previous 3.

    With fewer than six exams, the latest half (at least one) is compared with the half
    before it; with fewer than two there is no trend.
    """
    scores = [100 * e.session.score / e.session.total for e in store.exams()
              if e.session.finished_at is not None and e.session.score is not None
              and e.session.total]
    k = min(TREND_WINDOW, len(scores) // 2)
    if k == 0:
        return ExamHistory(scores, None)
    last, before = scores[-k:], scores[-2 * k:-k]
    return ExamHistory(scores, sum(last) / k - sum(before) / k)


@dataclass(frozen=True)
class Readiness:
    """Everything the readiness screen shows."""

    prediction: Prediction  # at the exam date if one is set, else now
    accuracy: Accuracy
    reviews_per_day: list[tuple[date, int]]
    due_forecast: list[tuple[date, int]]
    streak: int
    exams: ExamHistory
    exam_date: date | None
    days_to_exam: int | None
    due_today: int = 0  # quiz.scheduling.due_today: reviews due today and new questions left


@dataclass(frozen=True)
class Outlook:
    """The exam day and the prediction: what the stats screen's first section shows (read
    before its first frame; the rest of ``Readiness`` after it)."""

    prediction: Prediction  # at the exam date if one is set, else now
    exam_date: date | None
    days_to_exam: int | None


def outlook(bank: Bank, store: Store, now: datetime, tz: tzinfo | None = None,
            pass_mark: float = KCSA.pass_mark) -> Outlook:
    """The prediction for the start of the exam day if one is set (else now), and the day."""
    now = utc(now)
    exam_date = store.settings().exam_date
    at = max(now, _day_start(exam_date, tz)) if exam_date is not None else now
    today = _local(now, tz).date()
    return Outlook(predicted_score(bank, store, at, pass_mark), exam_date,
                   (exam_date - today).days if exam_date is not None else None)


def readiness(bank: Bank, store: Store, now: datetime, tz: tzinfo | None = None,
              pass_mark: float = KCSA.pass_mark, *, streak_days: int | None = None,
              today_due: DueToday | None = None, ahead: Outlook | None = None) -> Readiness:
    """The readiness figures; the prediction is for the start of the exam day, if set.
    ``streak_days``, ``today_due``: as ``quiz.stats.compute_stats`` takes them; ``ahead``:
    the ``outlook`` already worked out for ``now`` (the stats screen's first frame)."""
    now = utc(now)
    ahead = ahead or outlook(bank, store, now, tz, pass_mark)
    return Readiness(
        prediction=ahead.prediction,
        accuracy=answer_accuracy(store, now),
        reviews_per_day=reviews_per_day(store, now, tz=tz),
        due_forecast=due_forecast(store, now, tz=tz, bank=bank),
        streak=study_streak(store, now, tz) if streak_days is None else streak_days,
        exams=exam_history(store),
        exam_date=ahead.exam_date,
        days_to_exam=ahead.days_to_exam,
        due_today=(due_today(bank, store, now, tz=tz) if today_due is None
                   else today_due).total,
    )


# --- the exam date -------------------------------------------------------------------------

def cram_queue(bank: Bank, store: Store, now: datetime,
               limit: int | None = None) -> list[Question]:
    """Unsuspended questions weakest first (lowest retrievability now; unseen ones first).

    For a practice session: cramming does not move the schedule. Ties keep bank order.
    """
    cards = store.card_summaries()
    recall = retrievability(store, now, cards)
    chosen = [q for q in bank.questions.values()
              if not (q.id in cards and cards[q.id].suspended)]
    chosen.sort(key=lambda q: recall.get(q.id, 0.0))
    return chosen if limit is None else chosen[:limit]
