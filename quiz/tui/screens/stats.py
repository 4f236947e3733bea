"""The stats screen, in sections (tabs, keys 1-8 or left/right): readiness (the predicted
score per topic) and activity (answers per day, the due forecast: ``quiz.readiness``),
progress per topic, true retention and accuracy per topic by week, the cards' intervals and
difficulty, time per answer, exam scores against the pass mark, the hardest questions
(``quiz.stats``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane
from textual.worker import Worker, get_current_worker

from quiz.activity import History, answer_history
from quiz.readiness import Readiness, outlook, predicted_score, readiness
from quiz.scheduling import due_today
from quiz.stats import (
    COLUMNS,
    MASTERED_DEFINITION,
    Stats,
    compute_stats,
    difficulty_histogram,
    exam_trend,
    interval_histogram,
)
from quiz.store.errors import StoreError
from quiz.store.once import read_once
from quiz.streak import study_streak
from quiz.textsafe import shorten
from quiz.tui.screens.sections import SectionedScreen, section_bindings
from quiz.tui.text import clip, literal, plural
from quiz.tui.widgets.history_view import (
    compose_cards,
    compose_exams,
    compose_hardest,
    compose_retention,
    compose_times,
)
from quiz.tui.widgets.readiness_view import ActivityView, ReadinessView, exam_lines

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


# (pane id, tab title): keys 1-7 in this order.
SECTIONS = (("readiness", "Readiness"), ("activity", "Activity"), ("progress", "Progress"),
            ("retention", "Retention"), ("cards", "Cards"), ("time", "Time"), ("exams", "Exams"),
            ("hardest", "Hardest"))
HISTORY_SECTIONS = ("retention", "time", "hardest")  # drawn once the weeks' figures are read


class StatsScreen(SectionedScreen):
    """The figures in sections: one tab each, each scrolling on its own."""

    SECTIONS = SECTIONS
    BODY = VerticalScroll

    history: History | None = None  # the weeks' figures, once read (after the first frame)
    stats: Stats  # the other sections' figures, once read (after the first frame)

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("q", "app.quit", "Quit"),
        *section_bindings(SECTIONS, "section"),
    ]

    @property
    def quiz(self) -> QuizApp:
        return cast("QuizApp", self.app)

    def compose(self) -> ComposeResult:
        app = self.quiz
        now = app.now()
        store = read_once(app.store)  # stats and readiness read the same cards and counts
        # The first frame shows the first section only: the exam day and the prediction. The
        # other sections' figures are read in a thread right after it (_read_sections).
        ahead = outlook(app.bank, store, now)
        current = predicted_score(app.bank, store, now) if ahead.exam_date else \
            ahead.prediction
        learner = app.learner_shown
        yield Static(Content.assemble(("Stats", "bold $text-primary"),
                                      *(("  of ", (shorten(learner, 30), "bold"))
                                        if learner else ()),
                                      "  1-8 or ←/→: sections"), classes="title-bar")
        self._reads, self._now, self._ahead = store, now, ahead
        with TabbedContent(id="stats-sections"):
            with TabPane("Readiness", id="readiness"), self._body():
                yield ReadinessView(app.bank, ahead, current, id="readiness-view")
            for pane, name in SECTIONS[1:]:
                with TabPane(name, id=pane), self._body():
                    yield self._reading(pane)
        yield Footer()

    @work(thread=True, exclusive=True)
    def _read_sections(self) -> None:
        """The other sections' figures, read in a thread once the first frame is drawn (on
        10,000 cards and 100,000 answers they take most of a second, which keys would wait
        for on the event loop); each section is shown as its figures arrive, the weeks' (the
        costliest reads) last. A store that fails here ends the app as anywhere else (one
        line, exit 2); leaving the screen stops the reading at the next section."""
        bank, store, now = self.quiz.bank, self._reads, self._now
        worker = get_current_worker()
        try:
            shared = {"streak_days": study_streak(store, now),
                      "today_due": due_today(bank, store, now)}  # each computed once, for both
            stats = compute_stats(bank, store, now, **shared)
            if not self._show(worker, self._show_progress, stats):
                return
            ready = readiness(bank, store, now, **shared, ahead=self._ahead)
            if not self._show(worker, self._show_readiness_sections, ready, stats):
                return
            cards = store.card_summaries().values()
            charts = replace(stats, intervals=interval_histogram(bank, cards),
                             difficulty=difficulty_histogram(bank, cards))
            if not self._show(worker, self._show_cards, charts):
                return
            history = answer_history(bank, store, now)
            target = store.settings().desired_retention
        except StoreError as error:
            self.app.call_from_thread(self.quiz._handle_exception, error)
            return
        self._show(worker, self._show_history, history, target, stats.leeches)

    def _show(self, worker: Worker[None], show: Callable[..., Awaitable[None]],
              *figures: object) -> bool:
        """``show(*figures)`` on the event loop, unless the screen was left meanwhile; whether
        to go on reading."""
        if worker.is_cancelled or not self.is_attached:
            return False
        self.app.call_from_thread(show, *figures)
        return True

    async def _fill(self, pane: str, widgets: Iterable[Widget]) -> None:
        """The section ``pane``'s figures in place of its "reading" line."""
        if not self.is_attached:  # left while the figures were on their way
            return
        body = self.query_one(f"#{pane} .stats-body", VerticalScroll)
        await body.query(".section-pending").remove()
        await body.mount_all(list(widgets))

    async def _show_progress(self, stats: Stats) -> None:
        self.stats = stats
        await self._fill("progress", [Static(literal("Progress per topic"),
                                             classes="section-title first"),
                                      self._table(stats),
                                      Static(history_lines(stats), id="history")])

    async def _show_readiness_sections(self, ready: Readiness, stats: Stats) -> None:
        await self._fill("activity", [ActivityView(ready, self._now, id="activity-view")])
        await self._fill("exams", compose_exams(exam_trend(stats.exams),
                                                exam_lines(ready, stats.exams)))

    async def _show_cards(self, stats: Stats) -> None:
        self.stats = stats
        await self._fill("cards", compose_cards(stats))

    async def _show_history(self, history: History, target: float,
                            leeches: list[str]) -> None:
        bank = self.quiz.bank
        await self._fill("retention", compose_retention(bank, history, target))
        await self._fill("time", compose_times(history))
        await self._fill("hardest", compose_hardest(bank, history, leeches))
        if self.is_attached:
            self.history = history

    @staticmethod
    def _reading(pane: str) -> Static:
        """The line a section shows until its figures are read."""
        what = "the answer history" if pane in HISTORY_SECTIONS else "your progress"
        return Static(Content.styled(f"Reading {what}…", "$text-muted"),
                      classes="section-pending")

    @staticmethod
    def _body() -> VerticalScroll:
        return VerticalScroll(classes="stats-body")

    def _table(self, stats: Stats) -> DataTable[Text | str]:
        table: DataTable[Text | str] = DataTable(id="stats-table", cursor_type="row",
                                                 zebra_stripes=True)
        table.add_column("Topic", key="topic")
        for name, label in COLUMNS:
            table.add_column(SHORT.get(name, label), key=name)
        for t in [*stats.topics, stats.totals]:
            table.add_row(Text(clip(t.title, self._title_width())),
                          *(Text(str(getattr(t, name)), justify="right")
                            for name, _ in COLUMNS), key=t.id)
        return table

    def on_mount(self) -> None:
        self._focus_body()
        # The reading starts with the first frame: after-refresh callbacks would wait for the
        # tabs' underline to stop moving, a third of a second later.
        self.screen_layout_refresh_signal.subscribe(self, self._first_frame_drawn)

    def _first_frame_drawn(self, _screen: Screen[None]) -> None:
        self.screen_layout_refresh_signal.unsubscribe(self)
        self._read_sections()

    def _title_width(self) -> int:
        """Topic titles use what the figures leave of the screen's width (at least 24)."""
        return max(24, self.size.width - FIGURES_WIDTH)

    def on_resize(self) -> None:
        for table in self.query("#stats-table").results(DataTable):  # once mounted
            for t in [*self.stats.topics, self.stats.totals]:
                table.update_cell(t.id, "topic", Text(clip(t.title, self._title_width())),
                                  update_width=True)
