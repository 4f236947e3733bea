"""Progress and readiness: predicted score per topic, activity, the due forecast, mock
exams (``quiz.readiness``), then the per-topic counts of ``quiz.stats``."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from quiz.activity import study_streak
from quiz.readiness import predicted_score, readiness
from quiz.scheduling import due_today
from quiz.stats import COLUMNS, MASTERED_DEFINITION, Stats, compute_stats
from quiz.store.once import read_once
from quiz.tui.text import clip, literal, plural
from quiz.tui.widgets.readiness_view import ReadinessView

if TYPE_CHECKING:
    from quiz.tui.app import QuizApp

LEECHES_LISTED = 10
FIGURES_WIDTH = 66  # the count columns, the table's padding and the scroll bar
SHORT = {"questions": "total", "learning": "learn", "due_today": "due", "suspended": "susp."}


def history_lines(stats: Stats) -> Content:
    """Answers, the meaning of mastered, orphaned questions (accuracy, streak and exams are
    in the readiness view above)."""
    rows = [
        ("Answers", str(stats.reviews)),
        ("Mastered", MASTERED_DEFINITION),
    ]
    if stats.leeches:
        shown = ", ".join(stats.leeches[:LEECHES_LISTED])
        more = len(stats.leeches) - LEECHES_LISTED
        rows.append(("Leeches", f"{plural(len(stats.leeches), 'question')} you keep missing "
                                f"(browse: the leech filter): {shown}"
                                + (f" and {more} more" if more > 0 else "")))
    if stats.orphaned:
        rows.append(("Orphaned", f"{plural(len(stats.orphaned), 'question')} no longer in "
                                 "the bank (history kept)"))
    parts: list[str | tuple[str, str]] = []
    for label, value in rows:
        parts += [(f"{label:<10}", "$text-muted"), value, "\n"]
    return Content.assemble(*parts[:-1])


class StatsScreen(Screen[None]):
    """Readiness (prediction per topic, activity, forecast, exams), then per-topic counts."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("q", "app.quit", "Quit"),
    ]

    @property
    def quiz(self) -> QuizApp:
        return cast("QuizApp", self.app)

    def compose(self) -> ComposeResult:
        app = self.quiz
        now = app.now()
        store = read_once(app.store)  # stats and readiness read the same cards and counts
        shared = {"streak_days": study_streak(store, now),
                  "today_due": due_today(app.bank, store, now)}  # each computed once, for both
        stats = compute_stats(app.bank, store, now, **shared)
        ready = readiness(app.bank, store, now, **shared)
        current = predicted_score(app.bank, store, now) if ready.exam_date else \
            ready.prediction
        yield Static(Content.assemble(("Stats", "bold $text-primary"),
                                      "  readiness and progress per topic"),
                     classes="title-bar")
        with VerticalScroll(id="stats-body"):
            yield ReadinessView(app.bank, ready, current, stats.exams, now, id="readiness")
            yield Static(literal("Progress per topic"), classes="section-title")
            table: DataTable[Text | str] = DataTable(id="stats-table", cursor_type="row",
                                                     zebra_stripes=True)
            table.add_column("Topic", key="topic")
            for name, label in COLUMNS:
                table.add_column(SHORT.get(name, label), key=name)
            self.stats = stats
            for t in [*stats.topics, stats.totals]:
                table.add_row(Text(clip(t.title, self._title_width())),
                              *(Text(str(getattr(t, name)), justify="right")
                                for name, _ in COLUMNS), key=t.id)
            yield table
            yield Static(history_lines(stats), id="history")
        yield Footer()

    def _title_width(self) -> int:
        """Topic titles use what the figures leave of the screen's width (at least 24)."""
        return max(24, self.size.width - FIGURES_WIDTH)

    def on_resize(self) -> None:
        table = self.query_one("#stats-table", DataTable)
        for t in [*self.stats.topics, self.stats.totals]:
            table.update_cell(t.id, "topic", Text(clip(t.title, self._title_width())),
                              update_width=True)
