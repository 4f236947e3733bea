"""The readiness figures of ``quiz.readiness`` on screen: predicted score per topic against
the pass mark (on the exam day when one is set); activity and the due forecast; the mock exams'
lines (the stats screen's exams section shows them under its chart)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Sparkline, Static

from quiz.bank import Bank
from quiz.readiness import Outlook, Prediction, Readiness
from quiz.stats import ExamResult
from quiz.tui.text import clip, literal, plural
from quiz.tui.widgets.charts import day_columns, score_bar

TITLE_WIDTH = 30
BAR_WIDTH = 24
SPARK_DAY = 2  # columns per day in the activity sparkline
LABEL = "$text-muted"
RECENT_EXAMS = 5


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def exam_day_line(r: Outlook | Readiness) -> Content:
    """'Exam  Tue 15 Dec 2026, in 21 days' or how to set one."""
    if r.exam_date is None:
        return Content.assemble(("Exam day  ", LABEL), "not set (",
                                ("quiz --exam-date YYYY-MM-DD", "$text-accent"), ")")
    days = r.days_to_exam or 0
    away = "today" if days == 0 else ("tomorrow" if days == 1 else
                                      f"in {days} days" if days > 0 else f"{-days} days ago")
    return Content.assemble(("Exam day  ", LABEL), (f"{r.exam_date:%a %d %b %Y}", "bold"),
                            f", {away}")


def prediction_line(r: Outlook | Readiness, now: Prediction) -> Content:
    """The overall predicted score (on the exam day, with today's) against the pass mark."""
    p = r.prediction
    verdict = (("at or above the pass mark", "$text-success") if p.passes
               else ("below the pass mark", "$text-warning"))
    parts: list[str | tuple[str, str]] = [("Predicted ", LABEL),
                                          (f"{p.overall:.0%}", "bold")]
    parts.append(" on the exam day" if r.exam_date is not None else " now")
    if r.exam_date is not None:
        parts.append(f" ({now.overall:.0%} now)")
    parts += [f" · pass mark {p.pass_mark:.0%}: ", verdict]
    return Content.assemble(*parts)


def topic_lines(bank: Bank, r: Outlook | Readiness, now: Prediction,
                title_width: int = TITLE_WIDTH) -> Content:
    """Per topic: a bar of the predicted share against the pass mark, then the figures;
    titles get ``title_width`` columns."""
    p = r.prediction
    dated = r.exam_date is not None
    head = f"{'':<{title_width}}{'recall by topic':<{BAR_WIDTH}}" + \
        ("   now  exam" if dated else "   now")
    lines = [Content.styled(head, LABEL)]
    order = sorted(p.per_topic, key=lambda t: -(bank.topics[t].weight if t in bank.topics
                                                 else 0))
    for topic_id in order:
        topic = bank.topics.get(topic_id)
        title = clip(topic.title if topic else topic_id, title_width - 2)
        figures = f" {now.per_topic.get(topic_id, 0.0):>5.0%}"
        if dated:
            figures += f" {p.per_topic[topic_id]:>5.0%}"
        lines.append(Content.assemble(literal(f"{title:<{title_width}}"),
                                      score_bar(p.per_topic[topic_id], BAR_WIDTH, p.pass_mark),
                                      figures))
    return Content("\n").join(lines)


def activity_line(r: Readiness) -> Content:
    """Accuracy over 7 and 30 days, and the streak."""
    acc = r.accuracy
    return Content.assemble(("Accuracy  ", LABEL), f"{percent(acc.last_7_days)} last 7 days, ",
                            f"{percent(acc.last_30_days)} last 30 days, "
                            f"{percent(acc.overall)} overall",
                            ("   Streak ", LABEL), plural(r.streak, "day"))


def reviews_caption(days: list[tuple[date, int]]) -> Content:
    """'Answers per day, last 30 days: 120 in all, at most 25 (Mon 03 Mar)'."""
    total = sum(n for _, n in days)
    parts: list[str | tuple[str, str]] = [("Answers per day", "bold"), ", last 30 days: ",
                                          f"{total} in all"]
    if total:
        busiest, most = max(days, key=lambda d: d[1])
        parts.append(f", at most {most} ({busiest:%a %d %b})")
    return Content.assemble(*parts)


def span_labels(days: list[tuple[date, int]], width: int) -> Content:
    """The first and last day under a chart ``width`` columns wide."""
    if not days:
        return Content("")
    first, last = f"{days[0][0]:%d %b}", "today"
    return Content.styled(first + last.rjust(max(1, width - len(first))), LABEL)


def forecast_caption(days: list[tuple[date, int]], today: int = 0) -> Content:
    """'Due in the next 14 days: N reviews; today M to review' (M: ``due_today``'s total, as
    on the home screen: reviews due today and the new questions left)."""
    total = sum(n for _, n in days)
    return Content.assemble(("Due in the next 14 days", "bold"),
                            f": {plural(total, 'review')}; today {today} to review"
                            + (" with new questions" if today > (days[0][1] if days else 0)
                               else ""))


def exam_lines(r: Readiness, exams: list[ExamResult]) -> Content:
    """Finished mock exams: count, trend, and the latest few."""
    history = r.exams
    if not exams:
        return Content.assemble(("Mock exams  ", LABEL), "none yet: ",
                                ("x", "$text-accent"), " on the home screen starts one")
    parts: list[str | tuple[str, str]] = [("Mock exams  ", LABEL),
                                          f"{len(history.scores)} finished"]
    if history.scores:
        parts.append(f", latest {history.scores[-1]:.0f}%")
    if history.trend is not None:
        style = "$text-success" if history.trend > 0 else ("$text-warning" if history.trend < 0
                                                            else "")
        parts += [", trend ", (f"{history.trend:+.0f} points", style),
                  " (improving)" if history.trend > 0 else
                  (" (slipping)" if history.trend < 0 else " (steady)")]
    lines = [Content.assemble(*parts)]
    for exam in exams[-RECENT_EXAMS:]:
        started = exam.started_at.astimezone()
        if exam.score is None or not exam.total:
            lines.append(Content.styled(f"  {started:%Y-%m-%d %H:%M}  not finished", LABEL))
            continue
        share = exam.score / exam.total
        verdict = ("" if exam.passed is None else
                   ("  passed", "$text-success") if exam.passed else ("  not passed",
                                                                       "$text-error"))
        lines.append(Content.assemble(f"  {started:%Y-%m-%d %H:%M}  ",
                                      f"{exam.score:>3}/{exam.total:<3} {share:>4.0%}",
                                      verdict))
    return Content("\n").join(lines)


class ReadinessView(Vertical):
    """The exam day, the prediction and the per-topic bars against the pass mark."""

    def __init__(self, bank: Bank, readiness: Outlook, now: Prediction,
                 **widget_options: Any) -> None:
        super().__init__(**widget_options)
        self.bank = bank
        self.readiness = readiness
        self.now = now

    def compose(self) -> ComposeResult:
        r = self.readiness
        yield Static(literal("Readiness"), classes="section-title first")
        yield Static(exam_day_line(r), id="exam-day")
        yield Static(prediction_line(r, self.now), id="prediction")
        yield Static(topic_lines(self.bank, r, self.now), id="topic-recall")

    def title_width(self, width: int) -> int:
        """Columns for topic titles in a view ``width`` wide: as long as the longest title
        needs, at least ``TITLE_WIDTH``, leaving room for the bar and the figures."""
        longest = max((len(t.title) for t in self.bank.topics.values()), default=0) + 2
        return max(TITLE_WIDTH, min(longest, width - BAR_WIDTH - 14))

    def on_resize(self) -> None:
        self.query_one("#topic-recall", Static).update(topic_lines(
            self.bank, self.readiness, self.now, self.title_width(self.size.width)))


class ActivityView(Vertical):
    """Accuracy and streak, answers per day (30 days), the due forecast (14 days)."""

    def __init__(self, readiness: Readiness, today: datetime, **widget_options: Any) -> None:
        super().__init__(**widget_options)
        self.readiness = readiness
        self.today = today.astimezone().date()

    def compose(self) -> ComposeResult:
        r = self.readiness
        yield Static(literal("Activity"), classes="section-title first")
        yield Static(activity_line(r), id="accuracy")
        days = r.reviews_per_day
        yield Static(reviews_caption(days), id="reviews-caption")
        data = [float(n) for _, n in days for _ in range(SPARK_DAY)]
        yield Sparkline(data, id="reviews-spark")
        yield Static(span_labels(days, len(data)), classes="chart-labels")
        yield Static(forecast_caption(r.due_forecast, r.due_today), id="forecast-caption")
        yield Static(day_columns(r.due_forecast, today=self.today), id="forecast")
