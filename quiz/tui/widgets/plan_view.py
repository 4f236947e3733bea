"""The plan to the exam date on screen (``quiz.plan``): the current settings' outcome beside
the recommended ones', answers a day as a chart, the predicted score per topic with its band."""

from __future__ import annotations

from datetime import date

from textual.content import Content

from quiz.bank import Bank
from quiz.plan import Plan
from quiz.simulation import BAND, Band, Outcome
from quiz.tui.text import clip, literal
from quiz.tui.widgets.charts import BLOCKS

LABEL = "$text-muted"
CHART_HEIGHT = 3
FIGURE = 17  # columns of one outcome's figures


def _score(b: Band) -> str:
    return f"{100 * b.mean:.0f}% ± {round(50 * (b.high - b.low))}"


def comparison(plan: Plan) -> Content:
    """Current and recommended settings side by side, with what each leads to."""
    now, best = plan.current, plan.recommended

    def row(label: str, a: str, b: str, style: str = "") -> Content:
        changed = "bold $text-accent" if a != b else ""
        return Content.assemble((f"{label:<22}", LABEL), (f"{a:<{FIGURE}}", style),
                                (b, changed or style))

    def per_day(o: Outcome) -> str:
        daily = o.answers / plan.days
        return f"{o.answers:.0f} ({daily:.{1 if daily < 10 else 0}f} a day)"

    def verdict(o: Outcome) -> str:
        return "$text-success" if o.score.mean >= plan.pass_mark else "$text-warning"

    lines = [
        Content.assemble((f"{'':<22}", LABEL), (f"{'Now':<{FIGURE}}", "bold"),
                         ("Recommended", "bold")),
        row("New questions a day", str(now.new_per_day), str(best.new_per_day)),
        row("Desired retention", f"{now.retention:.2f}", f"{best.retention:.2f}"),
        Content.assemble((f"{'Score on the day':<22}", LABEL),
                         (f"{_score(now.score):<{FIGURE}}", f"bold {verdict(now)}"),
                         (_score(best.score), f"bold {verdict(best)}")),
        row("Never seen by then", str(now.unseen_at_exam), str(best.unseen_at_exam)),
        row("Answers to the exam", per_day(now), per_day(best)),
    ]
    if plan.if_stopped is not None:
        lines.append(Content.assemble((f"{'Stop studying today':<22}", LABEL),
                                      (f"{100 * plan.if_stopped:.0f}%", LABEL),
                                      ("  (the stats page's prediction)", LABEL)))
    return Content("\n").join(lines)


def headline(plan: Plan) -> Content:
    """'Exam Mon 28 Dec 2026, in 25 days · 107 of 187 questions not seen yet'."""
    days = plan.days
    away = "tomorrow" if days == 1 else f"in {days} days"
    return Content.assemble(("Exam ", LABEL), (f"{plan.exam_date:%a %d %b %Y}", "bold"),
                            f", {away}  ·  {plan.unseen} of {plan.questions} questions "
                            "not seen yet")


def answers_chart(plan: Plan, outcome: Outcome, width: int,
                  height: int = CHART_HEIGHT) -> Content:
    """Answers a day (the mean over the runs) as columns, one a day, or a day per column
    group when the days outnumber ``width``; the first and last day and the busiest below."""
    values = [b.mean for b in outcome.answers_per_day]
    per = max(1, -(-len(values) // max(1, width)))  # days per column
    columns = [max(values[i:i + per]) for i in range(0, len(values), per)]
    wide = max(1, min(3, width // max(1, len(columns))))  # columns a day, when they fit
    top = max(columns, default=0.0)
    lines = []
    for level in range(height, 0, -1):
        cells = []
        for v in columns:
            eighths = round(v / top * height * 8) - (level - 1) * 8 if top else 0
            if v and level == 1 and eighths <= 0:
                eighths = 1  # a few answers still show
            cells.append(BLOCKS[max(0, min(8, eighths))] * wide)
        lines.append(Content.styled("".join(cells), "$primary"))
    dates = plan.dates
    peak_day = max(range(len(values)), key=lambda i: values[i]) if values else 0
    first, last = _day(dates[0]), _day(dates[-1])
    gap = max(1, len(columns) * wide - len(first) - len(last))
    lines.append(Content.styled(f"{first}{'':<{gap}}{last}", LABEL))
    lines.append(Content.assemble(
        ("busiest ", LABEL), f"{_day(dates[peak_day])}: {values[peak_day]:.0f} answers",
        (f"  ({100 * BAND[0]:.0f}-{100 * BAND[1]:.0f}th percentile ", LABEL),
        f"{outcome.answers_per_day[peak_day].low:.0f}-"
        f"{outcome.answers_per_day[peak_day].high:.0f}", (")", LABEL),
        (f"  ·  {per} days a column" if per > 1 else "", LABEL)))
    return Content("\n").join(lines)


def _day(day: date) -> str:
    return f"{day:%a %d %b}"


def topic_lines(bank: Bank, plan: Plan, width: int) -> Content:
    """Per topic: the predicted share on the exam morning now and recommended, with the band
    of the recommended one; titles get what the figures leave of ``width``."""
    title_width = min(44, max(16, width - 36))
    head = f"{'Recall by topic on the day':<{title_width}}{'now':>6}  {'recommended':<24}"
    lines = [Content.styled(head.rstrip(), LABEL)]
    for topic_id, best in plan.recommended.per_topic.items():
        topic = bank.topics.get(topic_id)
        title = clip(topic.title if topic else topic_id, title_width - 2)
        now = plan.current.per_topic[topic_id]
        style = "$text-success" if best.mean >= plan.pass_mark else "$text-warning"
        lines.append(Content.assemble(
            literal(f"{title:<{title_width}}"), f"{100 * now.mean:>5.0f}%  ",
            (f"{100 * best.mean:>3.0f}%", f"bold {style}"),
            (f"  ({100 * best.low:.0f}-{100 * best.high:.0f}%)", LABEL)))
    return Content("\n").join(lines)


def notes(plan: Plan) -> Content:
    """What the figures mean, in two lines."""
    return Content.styled(
        f"± is half the 10th-90th percentile band of a simulated sitting ({plan.runs} runs); "
        f"pass mark {100 * plan.pass_mark:.0f}%. Each due review answered right with fsrs's "
        "retrievability; a question never seen counts 0.", LABEL)
