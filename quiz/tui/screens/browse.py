"""Browse the bank: every question in a table, narrowed by topic, concept, tag and state
filters and by a search as you type; open one, flag, suspend, practise, add or edit."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Select, Static

from quiz.browse import (
    STATES,
    BrowseRow,
    browse_rows,
    filter_rows,
    refreshed,
    sort_rows,
    tags_of,
)
from quiz.textsafe import first_paragraph
from quiz.tui.screens.modals import ConfirmModal
from quiz.tui.text import clip, inline, literal, plural, when

if TYPE_CHECKING:
    from quiz.bank import Bank
    from quiz.tui.app import QuizApp

SEARCH_DELAY = 0.1  # seconds of quiet typing before the table is filtered again
# Rows are added to the table a page at a time, more as the cursor or the scroll nears the end:
# a DataTable measures every cell it is given (10,000 rows: seconds), a page takes ~50 ms.
PAGE = 200
# Fixed columns: state (with the flag), accuracy, next due, lapses (or the leech mark); id,
# topic and stem share the rest.
STATE_WIDTH, ACCURACY_WIDTH, DUE_WIDTH, LAPSES_WIDTH = 11, 5, 9, 6  # room for an arrow
COLUMNS = ("ID", "Topic", "Question", "State", "Acc", "Due", "Laps")
# The sort (quiz.browse.SORTS) each column's header selects.
COLUMN_SORTS = dict(zip(COLUMNS, ("id", "topic", "question", "state", "accuracy", "due",
                                  "lapses"), strict=True))
CELL_PADDING = 2  # a DataTable pads each cell by one column on either side
STATE_STYLE = {"due": "$text-warning", "suspended": "$text-error", "new": "$text-accent"}


class BrowseTable(DataTable[Text]):
    """The browse table; says when it is scrolled near the end of the rows it holds."""

    class NearEnd(Message):
        """The view is within a page of the last row: time to add more."""

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if new_value + 2 * self.scrollable_content_region.height >= self.row_count:
            self.post_message(self.NearEnd())


class BrowseScreen(Screen[None]):
    """The bank as a table; enter opens the highlighted question."""

    BINDINGS = [
        Binding("slash", "search", "Search", key_display="/"),
        Binding("a", "add", "Add"),
        Binding("e", "edit", "Edit"),
        Binding("f", "flag", "Flag"),
        Binding("z", "suspend", "Suspend"),
        Binding("p", "practise", "Practise"),
        Binding("P", "practise_all", "All", key_display="P"),
        Binding("F", "flag_all", "Flag all", key_display="F", show=False),
        Binding("Z", "suspend_all", "Suspend all", key_display="Z", show=False),
        Binding("s", "sort", "Sort", show=False),  # the header's arrow shows the sort
        Binding("r", "reverse", "Reverse", show=False),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, select: str | None = None) -> None:
        super().__init__()
        self.select_id = select  # the question to put the cursor on once the table is filled
        self.bank: Bank | None = None
        self.rows: dict[str, BrowseRow] = {}
        self.shown: list[BrowseRow] = []  # the rows that pass the filters
        self.loaded = 0  # how many of them are in the table so far
        self._cells_cache: dict[str, list[Text]] = {}  # per question, at the current widths
        self._search_timer: Timer | None = None
        self._widths = (0, 0, 0)
        self.sort_by: str | None = None  # one of quiz.browse.SORTS; None: bank order
        self.sort_reverse = False

    @property
    def quiz(self) -> QuizApp:
        return cast("QuizApp", self.app)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="title-bar"):
            yield Static(Content.styled("Browse the bank", "bold $text-primary"),
                         id="browse-name")
            yield Static(id="browse-count")
        yield Input(placeholder="Search id, question, choices, explanation  (/)",
                    id="browse-search", compact=True)
        with Horizontal(id="browse-filters"):
            yield Select([], prompt="Any topic", id="filter-topic", compact=True)
            yield Select([], prompt="Any concept", id="filter-concept", compact=True)
            yield Select([], prompt="Any tag", id="filter-tag", compact=True)
            yield Select([], prompt="Any state", id="filter-state", compact=True)
        yield BrowseTable(id="browse-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="browse-preview")
        yield Footer(compact=True)  # every key and the way out fit in 80 columns

    def on_mount(self) -> None:
        self._load()
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        if self.bank is not self.quiz.bank:  # a question was added or edited
            self._load()
        else:  # flags, suspensions, answers: only the opened question can have changed
            self.refresh_row(self._current_id())

    def on_resize(self) -> None:
        if self.bank is not None and self._column_widths() != self._widths:
            self._fill()

    # --- the rows ------------------------------------------------------------------------

    def _load(self) -> None:
        """Read the bank and the store again and refill everything."""
        app = self.quiz
        self.bank = app.bank
        self.rows = {row.id: row for row in browse_rows(app.bank, app.store, app.now())}
        self._cells_cache.clear()  # drawn from the rows just replaced
        self._fill_filters()
        self._fill()

    def _fill_filters(self) -> None:
        bank = self.quiz.bank
        topic = self._value("topic")
        self._set_options("topic", [(literal(t.title), t.id) for t in bank.topics.values()])
        self._set_options("tag", [(literal(tag), tag) for tag in tags_of(bank)])
        self._set_options("state", [(literal(state), state) for state in STATES])
        self._fill_concepts(topic)

    def _fill_concepts(self, topic: str | None) -> None:
        concepts = [c for c in self.quiz.bank.concepts.values()
                    if topic is None or c.topic == topic]
        self._set_options("concept", [(literal(c.title), c.id) for c in concepts])

    def _set_options(self, name: str, options: list[tuple[Content, str]]) -> None:
        select = cast("Select[str]", self.query_one(f"#filter-{name}", Select))
        keep = select.value
        with select.prevent(Select.Changed):
            select.set_options(options)
            if any(value == keep for _, value in options):
                select.value = keep

    def _value(self, name: str) -> str | None:
        value = self.query_one(f"#filter-{name}", Select).value
        return value if isinstance(value, str) else None

    def filtered(self) -> list[BrowseRow]:
        """The rows the search and the filters keep, in the order the table is sorted by."""
        rows = filter_rows(self.rows.values(), self.query_one("#browse-search", Input).value,
                           topic=self._value("topic"), concept=self._value("concept"),
                           tag=self._value("tag"), state=self._value("state"))
        return sort_rows(rows, self.sort_by, self.sort_reverse)

    def _column_widths(self) -> tuple[int, int, int]:
        """Widths of the id, topic and question columns for the table's current width."""
        width = max(self.query_one(DataTable).scrollable_content_region.width, 60)
        rest = (width - 1 - len(COLUMNS) * CELL_PADDING - STATE_WIDTH - ACCURACY_WIDTH
                - DUE_WIDTH - LAPSES_WIDTH)
        # The question gets what the id and the topic leave: ids as long as most are (the
        # preview shows a longer one whole), topics up to 14 columns.
        lengths = sorted(len(r.id) for r in self.rows.values()) or [10]
        typical = lengths[min(len(lengths) - 1, len(lengths) * 9 // 10)]
        topics = max((len(r.question.topic) for r in self.rows.values()), default=6)
        id_width = min(typical, max(10, rest // 4))
        topic_width = min(topics, 14, max(5, rest // 8))
        return id_width, topic_width, max(8, rest - id_width - topic_width)

    def _fill(self) -> None:
        """Show the filtered rows: clear the table and add the first page of them."""
        table = self.query_one(BrowseTable)
        keep = self.select_id or self._current_id()
        self.select_id = None
        widths = self._column_widths()
        if widths != self._widths:
            self._widths = widths
            self._cells_cache.clear()
            table.clear(columns=True)
            for name, width in zip(COLUMNS, (*widths, STATE_WIDTH, ACCURACY_WIDTH, DUE_WIDTH,
                                             LAPSES_WIDTH), strict=True):
                table.add_column(self._header(name), width=width, key=name)
        else:
            table.clear()
        self.shown = self.filtered()
        self.loaded = 0
        index = next((i for i, row in enumerate(self.shown) if row.id == keep), 0)
        self._load_more(upto=index + PAGE)
        if keep is not None and keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep), animate=False)
        self._show_count()
        self._show_preview()

    def _load_more(self, upto: int | None = None) -> None:
        """Add the next page of the filtered rows to the table (or up to row ``upto``)."""
        end = min(len(self.shown), max(upto or 0, self.loaded + PAGE))
        if end <= self.loaded:
            return
        table = self.query_one(BrowseTable)
        for row in self.shown[self.loaded:end]:
            table.add_row(*self._cells(row), key=row.id)
        self.loaded = end

    def _cells(self, row: BrowseRow) -> list[Text]:
        cells = self._cells_cache.get(row.id)
        if cells is None:
            cells = self._cells_cache[row.id] = self._make_cells(row)
        return cells

    def _make_cells(self, row: BrowseRow) -> list[Text]:
        id_width, topic_width, stem_width = self._widths
        progress = row.progress
        stem = " ".join(first_paragraph(row.question.question).split())
        state = progress.state + (" ⚑" if progress.flagged else "")
        accuracy = "–" if progress.accuracy is None else f"{progress.accuracy:.0%}"
        due = when(progress.due, self.quiz.now()) if progress.due is not None else ""
        style = STATE_STYLE.get(progress.state, "")
        lapses = Text("leech", style=self._rich_style("$text-error")) if progress.leech \
            else Text(str(progress.lapses) if progress.lapses else "", justify="right")
        return [Text(clip(row.id, id_width)), Text(clip(row.question.topic, topic_width)),
                Text(clip(stem, stem_width)),
                Text(state, style=self._rich_style(style)),
                Text(accuracy, justify="right"), Text(due), lapses]

    def _header(self, name: str) -> Text:
        """A column's label, with an arrow on the one the table is sorted by."""
        if COLUMN_SORTS[name] != self.sort_by:
            return Text(name)
        return Text(f"{name} {'▼' if self.sort_reverse else '▲'}", style="bold")

    def _rich_style(self, variable: str) -> str:
        """A theme colour ("$text-warning") as a Rich style for a DataTable cell."""
        if not variable:
            return ""
        colour = self.app.theme_variables.get(variable.removeprefix("$"))
        return colour or ""

    def show_question(self, question_id: str) -> None:
        """Put the cursor on a question (just added or edited), reloading a changed bank."""
        self.select_id = question_id
        if self.bank is not self.quiz.bank:
            self._load()
        else:
            self._fill()

    def refresh_row(self, question_id: str | None) -> None:
        """Read one question's progress again and redraw its row."""
        if question_id is None or question_id not in self.rows:
            return
        row = self.rows[question_id] = refreshed(self.rows[question_id], self.quiz.store,
                                                 self.quiz.now())
        self._cells_cache.pop(question_id, None)
        table = self.query_one(DataTable)
        if question_id in table.rows:
            state = self._value("state")
            if state is not None and not row.has_state(state):
                self._fill()  # the row no longer passes the state filter
                return
            for name, cell in zip(COLUMNS, self._cells(row), strict=True):
                table.update_cell(question_id, name, cell)
        self._show_preview()

    def _current_id(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return key.value

    def _show_count(self) -> None:
        total = len(self.rows)
        shown = len(self.shown)
        noun = "question" if total == 1 else "questions"
        text = f"{total:,} {noun}" if shown == total else f"{shown:,} of {total:,} {noun}"
        self.query_one("#browse-count", Static).update(literal(text, "$text-muted"))

    def _show_preview(self) -> None:
        preview = self.query_one("#browse-preview", Static)
        qid = self._current_id()
        if qid is None:
            text = "No question matches." if self.rows else "The bank has no questions yet."
            preview.update(literal(text, "$text-muted"))
            return
        question = self.rows[qid].question
        bank = self.quiz.bank
        concepts = ", ".join(c.title for c in bank.concepts_of(question))
        preview.update(Content.assemble(
            literal(qid, "bold"), "  ", literal(concepts, "$text-muted"), "\n",
            inline(first_paragraph(question.question))))

    # --- events --------------------------------------------------------------------------

    @on(Input.Changed, "#browse-search")
    def _search_changed(self) -> None:
        # Debounced: a fast typist gets one refill when they pause, not one per key.
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DELAY, self._fill)

    @on(Input.Submitted, "#browse-search")
    def _search_done(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        self._fill()
        self.query_one(DataTable).focus()

    @on(Select.Changed)
    def _filter_changed(self, event: Select.Changed) -> None:
        if event.select.id == "filter-topic":
            self._fill_concepts(self._value("topic"))
        self._fill()

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self.loaded - PAGE // 4:
            self._load_more()
        self._show_preview()

    @on(BrowseTable.NearEnd)
    def _near_end(self) -> None:
        self._load_more()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            from quiz.tui.screens.question_detail import QuestionDetailScreen

            self.app.push_screen(QuestionDetailScreen(event.row_key.value))

    @on(DataTable.HeaderSelected)
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        name = event.column_key.value
        if name in COLUMN_SORTS:
            by = COLUMN_SORTS[name]
            self.sort(by, reverse=not self.sort_reverse if by == self.sort_by else False)

    def sort(self, by: str | None, *, reverse: bool = False) -> None:
        """Order the table by one of ``quiz.browse.SORTS`` (None: bank order)."""
        self.sort_by, self.sort_reverse = by, reverse
        self._widths = (0, 0, 0)  # the headers are redrawn with the arrow
        self._fill()

    # --- actions -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "flag", "suspend", "practise", "flag_all",
                      "suspend_all") and not self.shown:
            return None
        return True

    def action_sort(self) -> None:
        """Sort by the next column (after the last: bank order again)."""
        order: list[str | None] = [*COLUMN_SORTS.values(), None]
        self.sort(order[(order.index(self.sort_by) + 1) % len(order)])

    def action_reverse(self) -> None:
        self.sort(self.sort_by, reverse=not self.sort_reverse)

    def action_practise_all(self) -> None:
        """Practise every question the filters keep, in the table's order."""
        if not self.shown:
            self.notify("Nothing to practise: no question matches the filters.", timeout=3)
            return
        shown = [row.question for row in self.shown]
        self.quiz.practise(shown, f"Practice · {len(shown)} from browse")

    def action_flag_all(self) -> None:
        self._mark_all("flagged")

    def action_suspend_all(self) -> None:
        self._mark_all("suspended")

    def _mark_all(self, mark: str) -> None:
        """Flag or suspend every question shown, after a confirmation; if every one already
        is, take the mark off them all instead."""
        rows = list(self.shown)
        if not rows:
            self.notify("No question matches the filters.", timeout=3)
            return
        has = (lambda r: r.progress.flagged) if mark == "flagged" \
            else (lambda r: r.progress.state == "suspended")
        value = not all(has(row) for row in rows)
        verb = {("flagged", True): "Flag", ("flagged", False): "Unflag",
                ("suspended", True): "Suspend", ("suspended", False): "Unsuspend"}[mark, value]
        count = plural(len(rows), "question")

        def confirmed(choice: str | None) -> None:
            if choice != "yes":
                return
            self.quiz.store.set_marks([row.id for row in rows], **{mark: value})
            self._load()
            self.notify(f"{verb}ged {count}." if verb.lower().endswith("flag") else
                        f"{verb}ed {count}.", timeout=3)

        self.app.push_screen(ConfirmModal(f"{verb} {count}?", literal(
            f"{verb} every question the search and filters show ({count}).")), confirmed)

    def action_search(self) -> None:
        self.query_one("#browse-search", Input).focus()

    def action_back(self) -> None:
        search = self.query_one("#browse-search", Input)
        if self.focused is search or isinstance(self.focused, Select):
            self.query_one(DataTable).focus()
        else:
            self.app.pop_screen()

    def action_add(self) -> None:
        topic = self._value("topic")
        self.quiz.open_add(topic=topic)

    def action_edit(self) -> None:
        qid = self._current_id()
        if qid is not None:
            self.quiz.open_edit(qid)

    def action_flag(self) -> None:
        qid = self._current_id()
        if qid is None:
            return
        flagged = not self.rows[qid].progress.flagged
        self.quiz.store.set_flagged(qid, flagged)
        self.refresh_row(qid)
        shown_id = clip(qid, 80)
        self.notify(f"{shown_id} flagged." if flagged else f"{shown_id}: flag removed.", timeout=2,
                    markup=False)

    def action_suspend(self) -> None:
        qid = self._current_id()
        if qid is None:
            return
        suspended = self.rows[qid].progress.state != "suspended"
        self.quiz.store.set_suspended(qid, suspended)
        self.refresh_row(qid)
        shown_id = clip(qid, 80)
        self.notify(f"{shown_id} suspended: reviews will not ask it." if suspended
                    else f"{shown_id} is back in the review schedule.", timeout=3, markup=False)

    def action_practise(self) -> None:
        qid = self._current_id()
        if qid is not None:
            self.quiz.practise([self.rows[qid].question])
