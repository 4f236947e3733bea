"""Progress figures for ``quiz stats`` and the stats screen (no textual, no click here).

The topics' counts (new, learning, review, mastered, suspended, due today) and what they mean:
``quiz.progress``; this adds the answer history's figures, the exams and the charts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from fsrs import State

# Accuracy, streak and the topics' counts are re-exported: they are part of what ``quiz stats``
# reports.
from quiz.activity import Accuracy as Accuracy
from quiz.activity import History, Tally, answer_accuracy, answer_history
from quiz.clock import utc
from quiz.progress import MASTERED_DEFINITION as MASTERED_DEFINITION
from quiz.progress import MASTERED_STABILITY_DAYS as MASTERED_STABILITY_DAYS
from quiz.progress import TopicCounts as TopicCounts
from quiz.progress import add_up, topic_counts
from quiz.scheduling import DueToday, due_today
from quiz.streak import streak as streak
from quiz.streak import study_streak
from quiz.textsafe import printable

if TYPE_CHECKING:
    from quiz.bank import Bank
    from quiz.readiness import Prediction, Readiness
    from quiz.store import CardSummary, Store

@dataclass(frozen=True)
class ExamResult:
    """One exam attempt's outcome."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    score: int | None
    total: int | None
    pass_mark: float | None
    passed: bool | None


@dataclass(frozen=True)
class Stats:
    """Everything ``quiz stats`` reports."""

    topics: list[TopicCounts]
    reviews: int
    accuracy: Accuracy
    streak: int
    orphaned: list[str] = field(default_factory=list)
    exams: list[ExamResult] = field(default_factory=list)
    leeches: list[str] = field(default_factory=list)  # question ids lapsed leech_threshold times
    # The charts' figures, when asked for (compute_stats(charts=True)); else empty / None.
    intervals: list[tuple[str, int]] = field(default_factory=list)  # INTERVAL_BUCKETS' counts
    difficulty: list[tuple[str, int]] = field(default_factory=list)  # DIFFICULTY_BUCKETS'
    history: History | None = None  # the weeks' figures (quiz.activity.answer_history)

    @property
    def totals(self) -> TopicCounts:
        """All topics added up."""
        return add_up(self.topics)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (datetimes as ISO 8601 strings)."""

        def plain(value: Any) -> Any:
            if isinstance(value, datetime | date):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list):
                return [plain(v) for v in value]
            return value

        return {
            "reviews": self.reviews,
            "accuracy": asdict(self.accuracy),
            "streak": self.streak,
            "topics": [asdict(t) for t in self.topics],
            "totals": asdict(self.totals),
            "orphaned": list(self.orphaned),
            "leeches": {"count": len(self.leeches), "questions": list(self.leeches)},
            "exams": [plain(asdict(e)) for e in self.exams],
            "mastered": MASTERED_DEFINITION,
            **({"intervals": {"definition": INTERVAL_DEFINITION,
                              "histogram": [[label, n] for label, n in self.intervals]},
                "difficulty": {"definition": DIFFICULTY_DEFINITION,
                               "histogram": [[label, n] for label, n in self.difficulty]}}
               if self.intervals else {}),
            "exam_trend": [{"started_at": p.started_at.isoformat(), "percent": p.percent,
                            "pass_mark_percent": p.pass_mark_percent, "passed": p.passed}
                           for p in exam_trend(self.exams)],
            **({"history": self.history.to_dict()} if self.history is not None else {}),
        }


def compute_stats(bank: Bank, store: Store, now: datetime, tz: tzinfo | None = None, *,
                  streak_days: int | None = None, today_due: DueToday | None = None,
                  charts: bool = False) -> Stats:
    """The figures for a bank and the progress in a store; "today" is the local day in ``tz``.

    ``streak_days`` and ``today_due``: the study streak and due-today figures when the caller
    already has them (a page showing readiness too computes each once, for both).
    ``charts``: also the charts' figures: the interval and difficulty histograms and the weeks'
    (``quiz.activity.answer_history``: three more passes over every answer). ``quiz stats``
    asks for them; home's counts do not; the stats screen draws the histograms from the
    cards it has read and reads the weeks after its first frame."""
    now = utc(now)
    due = (due_today(bank, store, now, tz=tz) if today_due is None else today_due).per_topic()
    cards = store.card_summaries()
    leeches = [q.id for q in bank.questions.values()
               if (card := cards.get(q.id)) is not None and card.leech]

    reviews, correct = store.answer_counts()
    return Stats(
        topics=topic_counts(bank, cards, due),
        reviews=reviews,
        accuracy=answer_accuracy(store, now, totals=(reviews, correct)),
        streak=study_streak(store, now, tz) if streak_days is None else streak_days,
        orphaned=store.orphaned_ids(bank),
        exams=[ExamResult(id=e.id, started_at=e.session.started_at,
                          finished_at=e.session.finished_at, score=e.session.score,
                          total=e.session.total, pass_mark=e.pass_mark, passed=e.passed)
               for e in store.exams()],
        leeches=leeches,
        intervals=interval_histogram(bank, cards.values()) if charts else [],
        difficulty=difficulty_histogram(bank, cards.values()) if charts else [],
        history=answer_history(bank, store, now, tz) if charts else None,
    )


# --- the cards' intervals and difficulty, the exams' scores --------------------------------

# Lower bounds in days and labels: the interval fsrs gave each card in review (due - last
# review), bucketed as Anki's interval chart reads (days, weeks, months).
INTERVAL_BUCKETS = ((0, "1d"), (2, "2d"), (3, "3d"), (7, "1w"), (14, "2w"), (21, "3w"),
                    (30, "1m"), (60, "2m"), (90, "3m"), (180, "6m"), (365, "1y+"))
INTERVAL_DEFINITION = ("cards in review (not suspended) by the interval fsrs gave them; each "
                       "bucket from its label to the next one's")
DIFFICULTY_BUCKETS = tuple((10 * i, f"{10 * i}%") for i in range(10))
DIFFICULTY_DEFINITION = ("cards in review (not suspended) by fsrs difficulty, shown as Anki "
                         "does: (difficulty - 1) / 9, in buckets of 10%")


def _bucket(value: float, buckets: tuple[tuple[int, str], ...]) -> int:
    return max(i for i, (low, _) in enumerate(buckets) if value >= low or i == 0)


def _reviewed(bank: Bank, cards: Iterable[CardSummary]) -> list[CardSummary]:
    return [c for c in cards if c.state == State.Review and not c.suspended and not c.is_new
            and c.question_id in bank.questions]


def interval_histogram(bank: Bank, cards: Iterable[CardSummary]) -> list[tuple[str, int]]:
    """Cards in review by their interval (whole days, rounded), in ``INTERVAL_BUCKETS``."""
    counts = [0] * len(INTERVAL_BUCKETS)
    for c in _reviewed(bank, cards):
        assert c.last_review is not None  # not new
        days = round((c.due - c.last_review).total_seconds() / 86400)
        counts[_bucket(days, INTERVAL_BUCKETS)] += 1
    return [(label, counts[i]) for i, (_, label) in enumerate(INTERVAL_BUCKETS)]


def difficulty_histogram(bank: Bank, cards: Iterable[CardSummary]) -> list[tuple[str, int]]:
    """Cards in review by fsrs difficulty as a percentage, in ``DIFFICULTY_BUCKETS``."""
    counts = [0] * len(DIFFICULTY_BUCKETS)
    for c in _reviewed(bank, cards):
        if c.difficulty is None:
            continue
        percent = min(99.999, max(0.0, (c.difficulty - 1) / 9 * 100))
        counts[_bucket(percent, DIFFICULTY_BUCKETS)] += 1
    return [(label, counts[i]) for i, (_, label) in enumerate(DIFFICULTY_BUCKETS)]


@dataclass(frozen=True)
class ExamPoint:
    """A finished exam's score and the pass mark it had, in percent."""

    started_at: datetime
    percent: float
    pass_mark_percent: float | None
    passed: bool | None


def exam_trend(exams: list[ExamResult]) -> list[ExamPoint]:
    """Finished exams, oldest first, as scores in percent against their pass marks."""
    return [ExamPoint(e.started_at, 100 * e.score / e.total,
                      None if e.pass_mark is None else 100 * e.pass_mark, e.passed)
            for e in exams if e.finished_at is not None and e.score is not None and e.total]


COLUMNS = (("questions", "questions"), ("new", "new"), ("learning", "learning"),
           ("review", "review"), ("due_today", "due today"), ("mastered", "mastered"),
           ("suspended", "suspended"))


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def format_stats(stats: Stats) -> str:
    """The figures as plain text: an aligned table of topics, then the totals and history."""
    rows = [["topic", *(label for _, label in COLUMNS)]]
    for t in [*stats.topics, stats.totals]:
        rows.append([t.id, *(str(getattr(t, name)) for name, _ in COLUMNS)])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()
             for row in rows]
    lines.insert(len(lines) - 1, "-" * len(lines[0]))
    acc = stats.accuracy
    lines += [
        "",
        f"reviews    {stats.reviews}",
        f"accuracy   {_percent(acc.overall)} overall, {_percent(acc.last_7_days)} last 7 days, "
        f"{_percent(acc.last_30_days)} last 30 days",
        f"streak     {stats.streak} day{'s' * (stats.streak != 1)}",
        f"mastered   = {MASTERED_DEFINITION}",
    ]
    if stats.leeches:
        lines.append(f"leeches    {len(stats.leeches)}: {printable(', '.join(stats.leeches))}")
    lines += _history_lines(stats)
    if stats.orphaned:
        lines.append(f"orphaned   {len(stats.orphaned)} question(s) no longer in the bank, "
                     f"history kept: {printable(', '.join(stats.orphaned))}")
    for e in stats.exams:
        when = e.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
        if e.score is None or not e.total:
            lines.append(f"exam       {when}  not finished")
            continue
        verdict = "" if e.passed is None else ("  passed" if e.passed else "  not passed")
        lines.append(f"exam       {when}  {e.score}/{e.total} ({e.score / e.total:.0%}){verdict}")
    return "\n".join(lines)


def _history_lines(stats: Stats) -> list[str]:
    """Retention, time per answer, the histograms and the hardest questions, a line each."""
    lines = []
    h = stats.history
    if h is not None:
        young, mature = h.retention()
        lines.append(f"retention  young {_share(young)}, mature {_share(mature)} "
                     f"(last {len(h.weeks)} weeks; right answers to cards in review)")
        if h.answer_times:
            lines.append("time       " + ", ".join(
                f"{a.mode} median {a.median_s:.1f} s of {a.answers}" for a in h.answer_times
                if a.median_s is not None))
        if h.hardest:
            lines.append("hardest    " + printable(", ".join(
                f"{q.question_id} {q.correct}/{q.answers}" for q in h.hardest[:5])))
    if any(n for _, n in stats.intervals):
        lines.append("intervals  " + " ".join(f"{label}:{n}" for label, n in stats.intervals))
        lines.append("difficulty " + " ".join(f"{label}:{n}" for label, n in stats.difficulty))
    return lines


def _share(t: Tally) -> str:
    return f"{t.correct / t.answers:.0%} of {t.answers}" if t.answers else "-"


# --- readiness (quiz.readiness computes it; only its types are named here) ---------------

SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    """Block characters, one per value, scaled to the largest (all-zero: the lowest)."""
    top = max(values, default=0)
    return "".join(SPARK[round(v / top * (len(SPARK) - 1))] if top else SPARK[0]
                   for v in values)


def format_readiness(ready: Readiness, now: Prediction) -> str:
    """The readiness figures as plain text: the prediction per topic (on the exam day when one
    is set, beside today's), answers per day, the due forecast, the exam trend."""
    p = ready.prediction
    dated = ready.exam_date is not None
    lines = [""]
    if dated:
        days = ready.days_to_exam or 0
        lines.append(f"exam day   {ready.exam_date:%Y-%m-%d} "
                     f"({'today' if days == 0 else f'in {days} days' if days > 0 else 'past'})")
    else:
        lines.append("exam day   not set (quiz --exam-date YYYY-MM-DD)")
    verdict = "at or above the pass mark" if p.passes else "below the pass mark"
    where = f"on the exam day ({now.overall:.0%} now)" if dated else "now"
    lines.append(f"predicted  {p.overall:.0%} {where}, pass mark {p.pass_mark:.0%}: {verdict}")
    width = max((len(t) for t in p.per_topic), default=5)
    lines.append(f"  {'topic':<{width}}  {'now':>4}" + ("  exam" if dated else ""))
    for topic, share in p.per_topic.items():
        row = f"  {topic:<{width}}  {now.per_topic.get(topic, 0.0):>4.0%}"
        lines.append(row + (f"  {share:>4.0%}" if dated else ""))
    counts = [n for _, n in ready.reviews_per_day]
    if counts:
        lines.append(f"answers    {sum(counts)} in the last {len(counts)} days, "
                     f"at most {max(counts)} a day  {sparkline(counts)}")
    forecast = ready.due_forecast
    lines.append(f"today      {ready.due_today} to review (due reviews and new questions)")
    if forecast:
        lines.append(f"due        {sum(n for _, n in forecast)} in the next {len(forecast)} days: "
                     + " ".join(f"{d:%m-%d}:{n}" for d, n in forecast if n))
    history = ready.exams
    if history.scores:
        trend = "" if history.trend is None else f", trend {history.trend:+.0f} points"
        lines.append(f"exams      {' '.join(f'{s:.0f}%' for s in history.scores[-10:])}{trend}")
    return "\n".join(lines)


def readiness_to_dict(ready: Readiness, now: Prediction) -> dict[str, Any]:
    """The readiness figures, JSON-ready (dates as ISO 8601 strings)."""
    p = ready.prediction
    return {
        "exam_date": ready.exam_date.isoformat() if ready.exam_date else None,
        "days_to_exam": ready.days_to_exam,
        "pass_mark": p.pass_mark,
        "predicted": {"at": p.at.isoformat(), "overall": p.overall, "per_topic": p.per_topic,
                      "passes": p.passes},
        "now": {"overall": now.overall, "per_topic": now.per_topic},
        "reviews_per_day": [[d.isoformat(), n] for d, n in ready.reviews_per_day],
        "due_forecast": [[d.isoformat(), n] for d, n in ready.due_forecast],
        "due_today": ready.due_today,
        "exam_scores": ready.exams.scores,
        "exam_trend": ready.exams.trend,
    }
