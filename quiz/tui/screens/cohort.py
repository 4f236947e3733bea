"""The cohort screen: ``quiz cohort``'s figures (``quiz.cohort``) in three tables, one tab each:
the learners, the concepts the class misses most, the questions it misses most. Every learner's
progress is read in a thread; the tables fill in when it is done."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane

from quiz.cohort import (
    DEFAULT_MIN_ANSWERS,
    Cohort,
    Misses,
    class_figures,
    empty_line,
    learner_stores,
    percent,
)
from quiz.store.errors import StoreError
from quiz.textsafe import printable
from quiz.tui.screens.sections import SectionedScreen, section_bindings
from quiz.tui.text import clip, plural

if TYPE_CHECKING:
    from quiz.tui.app import QuizApp

# (pane id, tab title): keys 1-3 in this order.
SECTIONS = (("learners", "Learners"), ("concepts", "Concepts"), ("questions", "Questions"))
# The figures' columns of the concepts' and questions' tables (rate, wrong/answers, missed
# by), DataTable's padding of five columns and the scroll bar: the id takes up to ID_WIDTH and
# the title or stem gets the rest of the width.
MISSES_FIXED = 4 + 13 + 9 + 10 + 2
ID_WIDTH = 22


def _cell(text: str, dim: bool, right: bool = False) -> Text:
    return Text(text, style="dim" if dim else "", justify="right" if right else "left")


class CohortScreen(SectionedScreen):
    """The class in one database: learners, concepts and questions, worst first."""

    SECTIONS = SECTIONS
    BODY = DataTable

    cohort: Cohort | None = None  # once every learner's progress is read

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("q", "app.quit", "Quit"),
        *section_bindings(SECTIONS, "table")[:2],
        Binding("r", "reread", "Read again"),
        *section_bindings(SECTIONS, "table")[2:],
    ]

    def __init__(self, topic: str | None = None,
                 min_answers: int = DEFAULT_MIN_ANSWERS) -> None:
        super().__init__()
        self.topic = topic
        self.min_answers = min_answers

    @property
    def quiz(self) -> QuizApp:
        return cast("QuizApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble(("Cohort", "bold $text-primary"),
                                      "  the class in this database · 1-3 or ←/→: tables"),
                     classes="title-bar", id="cohort-title")
        yield Static(Content.styled("Reading every learner's progress…", "$text-muted"),
                     id="cohort-status")
        with TabbedContent(id="cohort-sections"):
            for pane, name in SECTIONS:
                with TabPane(name, id=pane):
                    yield Static(id=f"{pane}-note", classes="cohort-note")
                    yield DataTable(id=f"{pane}-table", cursor_type="row", zebra_stripes=True)
                    if pane != "learners":  # the highlighted row's id and title, uncut
                        yield Static(id=f"{pane}-detail", classes="cohort-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(TabbedContent).display = False
        self._read()

    def action_reread(self) -> None:
        """Read every learner's progress again (they may be answering meanwhile)."""
        self.query_one("#cohort-status", Static).update(
            Content.styled("Reading every learner's progress…", "$text-muted"))
        self._read()

    @work(thread=True, exclusive=True)
    def _read(self) -> None:
        """Every learner's figures, in a thread; a store that fails here ends the app as
        anywhere else (one line, exit 2)."""
        app = self.quiz
        try:
            stores = learner_stores(app.store)
            cohort = class_figures(app.bank, stores, app.now(), topic=self.topic,
                                   min_answers=self.min_answers)
        except StoreError as error:
            self.app.call_from_thread(app._handle_exception, error)
            return
        self.app.call_from_thread(self._show, cohort)

    def _show(self, cohort: Cohort) -> None:
        if not self.is_attached:  # left before the figures were read
            return
        self.cohort = cohort
        status = self.query_one("#cohort-status", Static)
        sections = self.query_one(TabbedContent)
        if cohort.empty:
            status.update(Content(empty_line(cohort)))
            sections.display = False
            return
        accuracy = cohort.correct / cohort.answers
        where = f" · topic {cohort.topic}" if cohort.topic else ""
        status.update(Content(f"{plural(len(cohort.learners), 'learner')} · "
                              f"{plural(cohort.answers, 'answer')} · {percent(accuracy)} "
                              f"right{where}"))
        sections.display = True
        self._fill_learners(cohort)
        rule = Content.styled(
            f"Worst first (error rate, then wrong answers) of those with at least "
            f"{plural(cohort.min_answers, 'answer')}; then, dimmed, those with fewer.",
            "$text-muted")
        self.query_one("#concepts-note", Static).update(rule)
        self.query_one("#questions-note", Static).update(rule)
        self._fill_misses("concepts", cohort.concepts, "concept", "title")
        self._fill_misses("questions", cohort.questions, "question", "opening words")
        self._focus_body()

    def _fill_learners(self, cohort: Cohort) -> None:
        marks = sorted({f"{100 * f.prediction.pass_mark:.0f}%" for f in cohort.learners})
        self.query_one("#learners-note", Static).update(Content.styled(
            f"Exam score: predicted (on the learner's exam day, if set) against the pass mark "
            f"{', '.join(marks)}. Answers: every mode, handed-in exams included.",
            "$text-muted"))
        table = self.query_one("#learners-table", DataTable)
        table.clear(columns=True)
        for label, key in (("learner", "name"), ("answers", "answers"), ("right", "right"),
                           ("exam score", "score"), ("last answer", "last"),
                           ("due today", "due")):
            table.add_column(label, key=key)
        for f in cohort.learners:
            p = f.prediction
            last = f.last_answer.astimezone().strftime("%d %b %H:%M") if f.last_answer \
                else "never"
            table.add_row(Text(clip(f.name, 16)), _cell(str(f.answers), False, True),
                          _cell(percent(f.accuracy), False, True),
                          Text(f"{percent(p.overall):>4} {'pass' if p.passes else 'below'}"),
                          Text(last), _cell(str(f.due_today), False, True), key=f.name)

    def _fill_misses(self, pane: str, rows: list[Misses], what: str, title: str) -> None:
        table = self.query_one(f"#{pane}-table", DataTable)
        table.clear(columns=True)
        id_width = min(ID_WIDTH, max((len(m.id) for m in rows), default=0))
        width = max(12, self.size.width - MISSES_FIXED - max(id_width, len(what)))
        for label, key in (("rate", "rate"), ("wrong/answers", "counts"),
                           ("missed by", "learners"), (what, "id"), (title, "title")):
            table.add_column(label, key=key)
        if not rows:
            table.add_row("", "", "", Text("none yet", style="dim"), "")
        for m in rows:
            dim = not m.ranked
            table.add_row(_cell(percent(m.error_rate), dim, True),
                          _cell(f"{m.wrong}/{m.answered}", dim, True),
                          _cell(f"{m.missed_by} of {m.learners}", dim),
                          _cell(clip(m.id, ID_WIDTH), dim), _cell(clip(m.title, width), dim),
                          key=m.id)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Under a concepts' or questions' table, the highlighted row's id and title in full
        (the table cuts them to fit 80 columns)."""
        pane = (event.data_table.id or "").removesuffix("-table")
        if self.cohort is None or pane not in ("concepts", "questions"):
            return
        rows = self.cohort.concepts if pane == "concepts" else self.cohort.questions
        found = next((m for m in rows if m.id == event.row_key.value), None)
        self.query_one(f"#{pane}-detail", Static).update(
            Content.assemble((printable(found.id), "bold"), "  ", printable(found.title))
            if found else Content())

    def on_resize(self) -> None:
        if self.cohort is not None and not self.cohort.empty:
            self._fill_misses("concepts", self.cohort.concepts, "concept", "title")
            self._fill_misses("questions", self.cohort.questions, "question", "opening words")

    # --- the tables as tabs ------------------------------------------------------------------
