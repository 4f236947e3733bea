"""The lab's matrix for a large cluster: drawn line by line from the class matrix, never a cell
per pod pair in memory, so 3,000 pods scroll as smoothly as 30.

Only what is on screen is drawn: the two heading lines and the row labels stay put while the
cells scroll. ``ReachMatrix`` (a DataTable) stays the matrix of small labs; this one has the
same ``sources``/``targets``/``current``/``move_cursor`` surface for ``LabScreen``.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from quiz.netpol import Cluster, PodRef
from quiz.netpol.matrix import ClassMatrix, Column
from quiz.tui.text import clip
from quiz.tui.widgets.reach_matrix import (
    ALLOWED,
    COLUMN_WIDTH,
    DENIED,
    ROW_LABEL_WIDTH,
    SELF,
    Target,
    short_ref,
    targets,
)

HEADER = 2  # heading lines: the namespace, then name:port
LABEL = ROW_LABEL_WIDTH + 1
CELL = COLUMN_WIDTH


class BigReachMatrix(ScrollView, can_focus=True):
    """✓ allowed, ✗ denied, · a pod and itself; arrows move the cursor, ``filter`` narrows rows
    and columns to one namespace."""

    BINDINGS = [
        Binding("up", "move(-1, 0)", "Up", show=False),
        Binding("down", "move(1, 0)", "Down", show=False),
        Binding("left", "move(0, -1)", "Left", show=False),
        Binding("right", "move(0, 1)", "Right", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "edge(-1)", "First", show=False),
        Binding("end", "edge(1)", "Last", show=False),
    ]

    class Highlighted(Message):
        """The cursor moved to another cell."""

    def __init__(self, cluster: Cluster, **widget_options: Any) -> None:
        super().__init__(**widget_options)
        self.all_sources: list[PodRef] = [pod.ref for pod in cluster.pods]
        self.all_targets: list[Target] = targets(cluster)
        self.namespace: str | None = None
        self.sources = self.all_sources
        self.targets = self.all_targets
        self.cursor = (0, 0)
        self.grouped: ClassMatrix | None = None
        self._columns: dict[tuple[PodRef, int, str], Column] = {}
        self._styles: dict[str, Style] = {}

    def on_mount(self) -> None:
        self._resize()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._restyle())
        self._restyle()

    # --- data ------------------------------------------------------------------------------

    def show(self, grouped: ClassMatrix) -> None:
        """Draw the verdicts of a class matrix (after a policy was toggled, say)."""
        self.grouped = grouped
        self._columns = {}
        for members, columns in zip(grouped.classes, grouped.by_class, strict=True):
            for pod in members:
                for column in columns:
                    self._columns[pod.ref, column.port, column.protocol] = column
        self.refresh()

    def filter(self, namespace: str | None) -> None:
        """Only the pods of ``namespace`` as rows and columns (None: every namespace)."""
        self.namespace = namespace
        if namespace is None:
            self.sources, self.targets = self.all_sources, self.all_targets
        else:
            self.sources = [ref for ref in self.all_sources if ref.namespace == namespace]
            self.targets = [t for t in self.all_targets if t.pod.namespace == namespace]
        self.cursor = self.first_flow()
        self._resize()
        self.scroll_to(0, 0, animate=False)
        self.refresh()
        self.post_message(self.Highlighted())

    def first_flow(self) -> tuple[int, int]:
        """The first cell of a pod and another pod (not the top-left, often a pod and itself)."""
        for row, src in enumerate(self.sources[:2]):
            for column, target in enumerate(self.targets[:2]):
                if src != target.pod:
                    return row, column
        return 0, 0

    def mark(self, row: int, column: int) -> bool | None:
        """True allowed, False denied, None a pod and itself (or nothing computed yet)."""
        src, target = self.sources[row], self.targets[column]
        if src == target.pod or self.grouped is None:
            return None
        found = self._columns.get((target.pod, target.port, target.protocol))
        if found is None:
            return None
        return bool((found.allowed >> self.grouped.class_of[src]) & 1)

    @property
    def current(self) -> tuple[PodRef, Target] | None:
        """The flow under the cursor."""
        row, column = self.cursor
        if not (0 <= row < len(self.sources) and 0 <= column < len(self.targets)):
            return None
        return self.sources[row], self.targets[column]

    # --- the cursor ------------------------------------------------------------------------

    def move_cursor(self, *, row: int | None = None, column: int | None = None) -> None:
        """Put the cursor on a cell (clamped to the matrix) and scroll it into view."""
        old = self.cursor
        row = old[0] if row is None else row
        column = old[1] if column is None else column
        row = max(0, min(row, len(self.sources) - 1))
        column = max(0, min(column, len(self.targets) - 1))
        self.cursor = (row, column)
        self._scroll_into_view()
        self.refresh()
        if self.cursor != old:
            self.post_message(self.Highlighted())

    def action_move(self, rows: int, columns: int) -> None:
        self.move_cursor(row=self.cursor[0] + rows, column=self.cursor[1] + columns)

    def action_page(self, direction: int) -> None:
        self.move_cursor(row=self.cursor[0] + direction * max(1, self._visible_rows()))

    def action_edge(self, direction: int) -> None:
        self.move_cursor(row=0 if direction < 0 else len(self.sources) - 1)

    def on_click(self, event: events.Click) -> None:
        if event.y < HEADER or event.x < LABEL:
            return
        row = int(self.scroll_y) + event.y - HEADER
        column = int(self.scroll_x) // CELL + (event.x - LABEL) // CELL
        if row < len(self.sources) and column < len(self.targets):
            self.move_cursor(row=row, column=column)

    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - HEADER)

    def _visible_columns(self) -> int:
        return max(1, (self.scrollable_content_region.width - LABEL) // CELL)

    def _scroll_into_view(self) -> None:
        if not self.scrollable_content_region.width:
            return  # not laid out yet: the cursor starts in view
        row, column = self.cursor
        top, left = int(self.scroll_y), int(self.scroll_x) // CELL
        if row < top:
            top = row
        elif row >= top + self._visible_rows():
            top = row - self._visible_rows() + 1
        if column < left:
            left = column
        elif column >= left + self._visible_columns():
            left = column - self._visible_columns() + 1
        self.scroll_to(left * CELL, top, animate=False, force=True)

    def _resize(self) -> None:
        self.virtual_size = Size(LABEL + CELL * len(self.targets), HEADER + len(self.sources))

    # --- drawing ---------------------------------------------------------------------------

    def _restyle(self) -> None:
        colours = self.app.get_css_variables()
        self._styles = {
            "allowed": _style(f"bold {colours.get('text-success', 'green')}", "bold green"),
            "denied": _style(f"bold {colours.get('text-error', 'red')}", "bold red"),
            "muted": Style(dim=True),  # $text-muted is 'auto 60%': no Rich colour
            "label": Style(bold=True),
            "cursor": Style(reverse=True),
        }
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        styles = self._styles or {"allowed": Style(), "denied": Style(), "muted": Style(),
                                  "label": Style(), "cursor": Style(reverse=True)}
        first = int(self.scroll_x) // CELL
        columns = range(first, min(len(self.targets), first + self._visible_columns() + 1))
        row, cursor_column = self.cursor
        segments: list[Segment] = []
        if y < HEADER:
            segments.append(Segment(" " * LABEL, base))
            for c in columns:
                target = self.targets[c]
                if y == 0:
                    text, style = clip(target.pod.namespace, CELL - 1), styles["muted"]
                else:
                    port = target.port_label
                    text = clip(target.pod.name, max(4, CELL - 1 - len(port))) + port
                    style = styles["label"]
                if c == cursor_column:
                    style = style + Style(underline=True)
                segments.append(Segment(text[: CELL - 1].ljust(CELL), base + style))
        else:
            r = int(self.scroll_y) + y - HEADER
            if r >= len(self.sources):
                return Strip.blank(width, base)
            label_style = styles["label"] + (styles["cursor"] if r == row else Style())
            segments.append(Segment(short_ref(self.sources[r], LABEL - 1).ljust(LABEL),
                                    base + label_style))
            for c in columns:
                mark = self.mark(r, c)
                symbol, style = ((SELF, styles["muted"]) if mark is None else
                                 (ALLOWED, styles["allowed"]) if mark else
                                 (DENIED, styles["denied"]))
                if (r, c) == (row, cursor_column) and self.has_focus:
                    style = style + styles["cursor"]
                elif (r, c) == (row, cursor_column):
                    style = style + Style(underline=True)
                segments.append(Segment(symbol.center(CELL - 1) + " ", base + style))
        return Strip(segments).adjust_cell_length(width, base)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


def _style(wanted: str, fallback: str) -> Style:
    """A Rich style from a theme colour, or ``fallback`` when Rich cannot read it."""
    try:
        return Style.parse(wanted)
    except Exception:  # noqa: BLE001 - rich raises StyleSyntaxError or ColorParseError
        return Style.parse(fallback)
