"""The stats screen's chart sections: true retention and accuracy per topic by week, the
cards' intervals and difficulty, time per answer, exam scores, the hardest questions.

Each figure comes computed from ``quiz.activity`` / ``quiz.stats``; here it is only drawn (with
``quiz.tui.widgets.charts``). Bank text (titles, stems) is shown literally.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from quiz.activity import MODE_ORDER, HardQuestion, History, Tally
from quiz.bank import Bank
from quiz.stats import ExamPoint, Stats
from quiz.textsafe import first_paragraph
from quiz.tui.text import literal, plural
from quiz.tui.widgets.charts import (
    Chart,
    bucket_columns,
    exam_columns,
    grid_row,
    share_cell,
    week_header,
)

LABEL = "$text-muted"
CELL = 5  # columns per week in the grids
MODE_NAMES = {"review": "Review", "practice": "Practice", "exam": "Exam"}


def title(text: str, first: bool = False) -> Static:
    return Static(literal(text), classes="section-title first" if first else "section-title")


def _share(t: Tally) -> str:
    return "no answers" if t.rate is None else f"{t.rate:.0%} of {t.answers}"


def retention_summary(history: History, target: float) -> Content:
    """Young, mature and all answers to cards in review over the weeks, against the target."""
    young, mature = history.retention()
    parts: list[str | tuple[str, str] | Content] = []
    for name, tally in (("young", young), ("mature", mature), ("all", young + mature)):
        parts += [(f"{name} ", LABEL), share_cell(tally.rate, target, 0),
                  f" of {tally.answers}" if tally.answers else "", "   "]
    parts += [(f"target {target:.0%}", LABEL)]
    return Content.assemble(*parts)


def retention_grid(history: History, target: float, width: int) -> Content:
    """Young, mature and all retention, and the answers, week by week."""
    weeks = [w.week for w in history.weeks]
    label_width = min(10, max(8, width - CELL * len(weeks)))
    rows = [week_header(weeks, label_width, CELL)]
    for name, pick in (("young", lambda w: w.young), ("mature", lambda w: w.mature),
                       ("all", lambda w: w.retention)):
        rows.append(grid_row(Content(name), [pick(w).rate for w in history.weeks],
                             label_width, target, CELL))
    answers = [w.answers.answers for w in history.weeks]
    rows.append(Content.assemble((f"{'answers':<{label_width}}", LABEL),
                                 *((f"{n:>{CELL}}", "" if n else LABEL) for n in answers)))
    return Content("\n").join(rows)


def topic_grid(bank: Bank, history: History, width: int) -> Content:
    """Accuracy (all modes) per topic, week by week; titles clipped to what is left."""
    weeks = [w.week for w in history.weeks]
    names = {t: bank.topics[t].title if t in bank.topics else t for t in history.topic_weeks}
    longest = max((len(n) for n in names.values()), default=0) + 2
    label_width = min(longest, max(8, width - CELL * len(weeks)))
    rows = [week_header(weeks, label_width, CELL)]
    for topic, tallies in history.topic_weeks.items():
        rows.append(grid_row(literal(names[topic]), [t.rate for t in tallies], label_width, None,
                             CELL))
    return Content("\n").join(rows)


def compose_retention(bank: Bank, history: History, target: float) -> ComposeResult:
    yield title(f"True retention, last {len(history.weeks)} weeks", first=True)
    yield Static(Content.styled("Right answers to cards in review (review and exam modes); "
                                "young: interval under 21 days, mature: 21 days or more.",
                                LABEL), classes="chart-note")
    yield Static(retention_summary(history, target), id="retention-summary")
    yield Chart(lambda w: retention_grid(history, target, w), id="retention-grid",
                classes="chart")
    yield title("Accuracy per topic by week")
    yield Chart(lambda w: topic_grid(bank, history, w), id="topic-grid", classes="chart")


def compose_cards(stats: Stats) -> ComposeResult:
    reviewed = sum(n for _, n in stats.intervals)
    yield title(f"Intervals of the {plural(reviewed, 'card')} in review", first=True)
    yield Static(bucket_columns(stats.intervals), id="intervals", classes="chart")
    yield title("Difficulty (fsrs, as Anki shows it: 0% easiest)")
    yield Static(bucket_columns(stats.difficulty, cell=5), id="difficulty", classes="chart")


def compose_times(history: History) -> ComposeResult:
    yield title("Time per answer", first=True)
    if not history.answer_times:
        yield Static(Content.styled("No timed answers yet.", LABEL), id="times-none")
        return
    for a in sorted(history.answer_times, key=lambda a: MODE_ORDER.index(a.mode)
                    if a.mode in MODE_ORDER else len(MODE_ORDER)):
        median = "-" if a.median_s is None else f"{a.median_s:.1f} s"
        yield Static(Content.assemble((MODE_NAMES.get(a.mode, a.mode), "bold"),
                                      f"  median {median}, {plural(a.answers, 'answer')}"),
                     classes="chart-caption")
        yield Static(bucket_columns(a.histogram, height=3, cell=5), id=f"times-{a.mode}",
                     classes="chart")


def compose_exams(trend: list[ExamPoint], exam_list: Content) -> ComposeResult:
    yield title("Mock exam scores", first=True)
    if trend:
        shown = trend[-12:]
        yield Static(exam_columns([(f"{p.started_at.astimezone():%d%b}"[:5], p.percent,
                                    p.pass_mark_percent) for p in shown]),
                     id="exam-trend", classes="chart")
    yield Static(exam_list, id="exam-list")


def hard_lines(bank: Bank, questions: list[HardQuestion], width: int,
               key: Callable[[HardQuestion], str]) -> Content:
    """One line a question: the figure ``key`` gives, right/answers, then id and stem."""
    if not questions:
        return Content.styled("None yet.", LABEL)
    lines = []
    for q in questions:
        question = bank.questions.get(q.question_id)
        stem = " ".join(first_paragraph(question.question).split()) if question else ""
        head = f"{key(q):>5}  {q.correct:>3}/{q.answers:<3} "
        mark = "leech " if q.leech else ""
        text = literal(f"{q.question_id}  {stem}").truncate(
            max(10, width - len(head) - len(mark)), ellipsis=True)
        lines.append(Content.assemble(head, (mark, "$text-error"), text))
    return Content("\n").join(lines)


def compose_hardest(bank: Bank, history: History, leeches: list[str]) -> ComposeResult:
    yield title("Most often missed (at least 3 answers)", first=True)
    yield Static(Content.styled(" right  right/answers  question", LABEL))
    yield Chart(lambda w: hard_lines(bank, history.hardest, w,
                                     lambda q: f"{q.rate or 0:.0%}"), id="hardest",
                classes="chart")
    yield title("Most lapses (forgotten after being learned)")
    yield Static(Content.styled("lapses right/answers  question", LABEL))
    yield Chart(lambda w: hard_lines(bank, history.most_lapses, w, lambda q: str(q.lapses)),
                id="most-lapses", classes="chart")
    yield title("Leeches")
    yield Static(literal(f"{plural(len(leeches), 'question')} you keep missing"
                         + (": " + ", ".join(leeches[:20]) if leeches else "")
                         + (" …" if len(leeches) > 20 else "")
                         + ("; browse's leech filter lists them" if leeches else ".")),
                 id="leeches")
