"""The progress figures of ``quiz.stats``, per topic and overall."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from quiz.stats import COLUMNS, MASTERED_DEFINITION, Stats, compute_stats
from quiz.tui.text import clip, plural

if TYPE_CHECKING:
    from quiz.tui.app import QuizApp

SHORT = {"questions": "total", "learning": "learn", "due_today": "due", "suspended": "susp."}


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def history_lines(stats: Stats) -> Content:
    """Reviews, accuracy, streak, the meaning of mastered, and exams."""
    acc = stats.accuracy
    rows = [
        ("Answers", str(stats.reviews)),
        ("Accuracy", f"{percent(acc.overall)} overall, {percent(acc.last_7_days)} last 7 days, "
                     f"{percent(acc.last_30_days)} last 30 days"),
        ("Streak", plural(stats.streak, "day")),
        ("Mastered", MASTERED_DEFINITION),
    ]
    if stats.orphaned:
        rows.append(("Orphaned", f"{plural(len(stats.orphaned), 'question')} no longer in "
                                 "the bank (history kept)"))
    for exam in stats.exams:
        if exam.score is None or not exam.total:
            rows.append(("Exam", f"{exam.started_at:%Y-%m-%d}  not finished"))
        else:
            verdict = "" if exam.passed is None else ("  passed" if exam.passed else "  not passed")
            rows.append(("Exam", f"{exam.started_at:%Y-%m-%d}  {exam.score}/{exam.total}{verdict}"))
    parts: list[str | tuple[str, str]] = []
    for label, value in rows:
        parts += [(f"{label:<10}", "$text-muted"), value, "\n"]
    return Content.assemble(*parts[:-1])


class StatsScreen(Screen[None]):
    """Per-topic counts (new, learning, review, due, mastered) and answer history."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("q", "app.quit", "Quit"),
    ]

    @property
    def quiz(self) -> QuizApp:
        return cast("QuizApp", self.app)

    def compose(self) -> ComposeResult:
        stats = compute_stats(self.quiz.bank, self.quiz.store, self.quiz.now())
        yield Static(Content.assemble(("Stats", "bold $text-primary"), "  progress per topic"),
                     classes="title-bar")
        with VerticalScroll(id="stats-body"):
            table: DataTable[Text | str] = DataTable(id="stats-table", cursor_type="row",
                                                     zebra_stripes=True)
            table.add_column("Topic", key="topic")
            for name, label in COLUMNS:
                table.add_column(SHORT.get(name, label), key=name)
            for t in [*stats.topics, stats.totals]:
                table.add_row(Text(clip(t.title, 24)),
                              *(Text(str(getattr(t, name)), justify="right")
                                for name, _ in COLUMNS), key=t.id)
            yield table
            yield Static(history_lines(stats), id="history")
        yield Footer()
