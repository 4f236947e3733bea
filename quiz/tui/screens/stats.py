"""The stats screen, in sections (tabs, keys 1-8 or left/right): readiness (the predicted
score per topic) and activity (answers per day, the due forecast: ``quiz.readiness``),
progress per topic, true retention and accuracy per topic by week, the cards' intervals and
difficulty, time per answer, exam scores against the pass mark, the hardest questions
(``quiz.stats``)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane

from quiz.activity import History, answer_history, study_streak
from quiz.readiness import outlook, predicted_score, readiness
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
from quiz.textsafe import shorten
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


class StatsScreen(Screen[None]):
    """The figures in sections: one tab each, each scrolling on its own."""

    history: History | None = None  # the weeks' figures, once read (after the first frame)
    stats: Stats  # the other sections' figures, read right after the first frame

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("q", "app.quit", "Quit"),
        Binding("right,l", "next_section", "Next section", key_display="→", priority=True),
        Binding("left,h", "previous_section", "Previous section", key_display="←",
                priority=True),
        *(Binding(str(n), f"section('{pane}')", f"{name} section", show=False)
          for n, (pane, name) in enumerate(SECTIONS, 1)),
    ]

    @property
    def quiz(self) -> QuizApp:
        return cast("QuizApp", self.app)

    def compose(self) -> ComposeResult:
        app = self.quiz
        now = app.now()
        store = read_once(app.store)  # stats and readiness read the same cards and counts
        # The first frame shows the first section only: the exam day and the prediction. The
        # other sections' figures are read right after it (_fill_sections), the weeks' (the
        # costliest reads) in a thread.
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
                    if pane in HISTORY_SECTIONS:
                        yield self._reading()
        yield Footer()

    def _with_histograms(self) -> Stats:
        """The stats with the cards' interval and difficulty histograms (from the cards
        compose read)."""
        cards = self._reads.card_summaries().values()
        self.stats = replace(self.stats, intervals=interval_histogram(self.quiz.bank, cards),
                             difficulty=difficulty_histogram(self.quiz.bank, cards))
        return self.stats

    def _fill_sections(self) -> None:
        """Read the other sections' figures and mount them (called once the first frame is
        drawn), then read the weeks' figures in a thread."""
        bank, store, now = self.quiz.bank, self._reads, self._now
        shared = {"streak_days": study_streak(store, now),
                  "today_due": due_today(bank, store, now)}  # each computed once, for both
        stats = self.stats = compute_stats(bank, store, now, **shared)
        ready = readiness(bank, store, now, **shared, ahead=self._ahead)
        later = {
            "activity": lambda: [ActivityView(ready, now, id="activity-view")],
            "progress": lambda: [Static(literal("Progress per topic"),
                                        classes="section-title first"),
                                 self._table(stats), Static(history_lines(stats), id="history")],
            "cards": lambda: list(compose_cards(self._with_histograms())),
            "exams": lambda: list(compose_exams(exam_trend(stats.exams),
                                                exam_lines(ready, stats.exams))),
        }
        for pane, build in later.items():
            self.query_one(f"#{pane} .stats-body", VerticalScroll).mount_all(build())
        self._read_history()

    @staticmethod
    def _reading() -> Static:
        return Static(Content.styled("Reading the answer history…", "$text-muted"),
                      classes="history-pending")

    @work(thread=True, exclusive=True)
    def _read_history(self) -> None:
        """The weeks' figures, read in a thread once the first frame is drawn; a store that
        fails here ends the app as anywhere else (one line, exit 2)."""
        try:
            history = answer_history(self.quiz.bank, self._reads, self._now)
            target = self._reads.settings().desired_retention
        except StoreError as error:
            self.app.call_from_thread(self.quiz._handle_exception, error)
            return
        self.app.call_from_thread(self._show_history, history, target)

    async def _show_history(self, history: History, target: float) -> None:
        if not self.is_attached:  # left before the history was read
            return
        bank = self.quiz.bank
        for pane, widgets in (("retention", compose_retention(bank, history, target)),
                              ("time", compose_times(history)),
                              ("hardest", compose_hardest(bank, history, self.stats.leeches))):
            body = self.query_one(f"#{pane} .stats-body", VerticalScroll)
            await body.query(".history-pending").remove()
            await body.mount_all(list(widgets))
        self.history = history

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
        self.call_after_refresh(self._fill_sections)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._focus_body()

    def _focus_body(self) -> None:
        """The shown section's scroll takes the keys (up/down, page up/down)."""
        pane = self.query_one(TabbedContent).active_pane
        if pane is not None:
            self.set_focus(pane.query_one(VerticalScroll))

    def action_section(self, pane: str) -> None:
        """Show one section."""
        self.query_one(TabbedContent).active = pane

    def _step(self, by: int) -> None:
        ids = [pane for pane, _ in SECTIONS]
        current = self.query_one(TabbedContent).active
        self.action_section(ids[(ids.index(current) + by) % len(ids)] if current in ids
                            else ids[0])

    def action_next_section(self) -> None:
        """The section to the right (after the last, the first)."""
        self._step(1)

    def action_previous_section(self) -> None:
        """The section to the left."""
        self._step(-1)

    def _title_width(self) -> int:
        """Topic titles use what the figures leave of the screen's width (at least 24)."""
        return max(24, self.size.width - FIGURES_WIDTH)

    def on_resize(self) -> None:
        for table in self.query("#stats-table").results(DataTable):  # once mounted
            for t in [*self.stats.topics, self.stats.totals]:
                table.update_cell(t.id, "topic", Text(clip(t.title, self._title_width())),
                                  update_width=True)
