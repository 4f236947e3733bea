"""Progress figures for ``quiz stats`` and the stats screen (no textual, no click here).

Each question is in exactly one of: new (never answered in review mode since its card was
made), learning (fsrs Learning or Relearning), review (fsrs Review), or suspended.
*Mastered* is a subset of review: fsrs stability of at least ``MASTERED_STABILITY_DAYS`` (21)
days, i.e. the card is expected to stay above 90% recall for three weeks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from fsrs import State

# Accuracy and streak are re-exported: they are part of what ``quiz stats`` reports.
from quiz.activity import Accuracy as Accuracy
from quiz.activity import answer_accuracy, study_streak
from quiz.activity import streak as streak
from quiz.clock import utc
from quiz.scheduling import DueToday, due_today
from quiz.textsafe import printable

if TYPE_CHECKING:
    from quiz.bank import Bank
    from quiz.readiness import Prediction, Readiness
    from quiz.store import Store

MASTERED_STABILITY_DAYS = 21.0
MASTERED_DEFINITION = (f"in review with fsrs stability >= {MASTERED_STABILITY_DAYS:g} days")


@dataclass
class TopicCounts:
    """How the questions of one topic stand."""

    id: str
    title: str
    questions: int = 0
    new: int = 0
    learning: int = 0
    review: int = 0
    due_today: int = 0  # quiz.scheduling.due_today: due reviews and new allowance, today
    mastered: int = 0
    suspended: int = 0


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

    @property
    def totals(self) -> TopicCounts:
        """All topics added up."""
        total = TopicCounts(id="total", title="All topics")
        for t in self.topics:
            for name in ("questions", "new", "learning", "review", "due_today", "mastered",
                         "suspended"):
                setattr(total, name, getattr(total, name) + getattr(t, name))
        return total

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
        }


def compute_stats(bank: Bank, store: Store, now: datetime, tz: tzinfo | None = None, *,
                  streak_days: int | None = None, today_due: DueToday | None = None) -> Stats:
    """The figures for a bank and the progress in a store; "today" is the local day in ``tz``.

    ``streak_days`` and ``today_due``: the study streak and due-today figures when the caller
    already has them (a page showing readiness too computes each once, for both)."""
    now = utc(now)
    due = (due_today(bank, store, now, tz=tz) if today_due is None else today_due).per_topic()
    cards = store.card_summaries()
    topics = {t.id: TopicCounts(id=t.id, title=t.title) for t in bank.topics.values()}
    leeches: list[str] = []
    for q in bank.questions.values():
        counts = topics.setdefault(q.topic, TopicCounts(id=q.topic, title=q.topic))
        counts.questions += 1
        card = cards.get(q.id)
        if card is not None and card.leech:
            leeches.append(q.id)
        if card is not None and card.suspended:
            counts.suspended += 1
        elif card is None or card.is_new:
            counts.new += 1
        elif card.state == State.Review:
            counts.review += 1
            counts.mastered += (card.stability or 0) >= MASTERED_STABILITY_DAYS
        else:
            counts.learning += 1
    for topic, count in due.items():
        topics[topic].due_today = count

    reviews, correct = store.answer_counts()
    return Stats(
        topics=list(topics.values()),
        reviews=reviews,
        accuracy=answer_accuracy(store, now, totals=(reviews, correct)),
        streak=study_streak(store, now, tz) if streak_days is None else streak_days,
        orphaned=store.orphaned_ids(bank),
        exams=[ExamResult(id=e.id, started_at=e.session.started_at,
                          finished_at=e.session.finished_at, score=e.session.score,
                          total=e.session.total, pass_mark=e.pass_mark, passed=e.passed)
               for e in store.exams()],
        leeches=leeches,
    )


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
