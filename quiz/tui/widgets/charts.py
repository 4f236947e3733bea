"""Charts drawn as text in theme colours: a score bar with a pass mark, day and bucket columns,
a grid of shares by week, exam scores against the pass mark.

Why our own and not textual-plotext: plotext installs from PyPI and draws well, but each chart
spends rows on a frame, axes and tick labels (at 80x24 a 14-bar chart needs 8 rows to show 4
rows of bars) and no figures; its bar colour is fixed (#007acc on every light theme, not the
theme's), and it adds ~40 ms of imports to the stats screen. These are ``Content`` built from
theme variables ($primary, $success, $warning, $text-muted), so they follow every light and
dark theme, print the figures beside the bars, and fit 80 columns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from textual.content import Content
from textual.widgets import Static

BLOCKS = " ▁▂▃▄▅▆▇█"
MUTED = "$text-muted"


def score_bar(fraction: float, width: int, mark: float | None = None) -> Content:
    """A one-line bar, green at or above ``mark`` (else amber), the mark drawn as ┃."""
    fraction = min(1.0, max(0.0, fraction))
    filled = round(fraction * width)
    at = None if mark is None else min(width - 1, round(mark * width))
    fill = "$success" if mark is None or fraction >= mark else "$warning"
    parts: list[tuple[str, str]] = []
    for i in range(width):
        if i == at:
            parts.append(("┃", "$foreground" if i < filled else "$text-muted"))
        else:
            parts.append(("━", fill if i < filled else "$panel"))
    return Content.assemble(*parts)


def _levels(values: Sequence[float], height: int, top: float | None = None) -> list[int]:
    """Each value's bar height in eighths of a row (a non-zero value shows at least one)."""
    top = max(values, default=0) if top is None else top
    return [max(1 if v > 0 else 0, round(v / top * height * 8)) if top else 0 for v in values]


def _bar_rows(levels: Sequence[int], height: int, cell: int,
              style: Callable[[int], str]) -> list[Content]:
    """``height`` rows of bars, top row first, each bar two columns in a ``cell`` wide."""
    lines = []
    for row in range(height, 0, -1):
        parts = []
        for i, level in enumerate(levels):
            eighths = max(0, min(8, level - (row - 1) * 8))
            parts.append((f" {BLOCKS[eighths] * 2}".ljust(cell), style(i)))
        lines.append(Content.assemble(*parts))
    return lines


def day_columns(days: Sequence[tuple[date, int]], height: int = 3,
                today: date | None = None) -> Content:
    """A column per day (bars ``height`` rows high), its count, weekday and day of month;
    five columns a day, the bar, count and labels lined up on the same two."""
    counts = [n for _, n in days]

    def cell(text: str) -> str:
        return f" {text:>2}  "

    lines = _bar_rows(_levels(counts, height), height, 5,
                      lambda i: "$warning" if days[i][0] == today else "$primary")
    lines.append(Content.assemble(*((f"{n:>3}  ", "" if n else MUTED) for _, n in days)))
    lines.append(Content.assemble(*((cell(f"{day:%a}"[:2]), MUTED) for day, _ in days)))
    lines.append(Content.assemble(*((cell(str(day.day)), MUTED) for day, _ in days)))
    return Content("\n").join(lines)


def bucket_columns(buckets: Sequence[tuple[str, int]], height: int = 4,
                   cell: int = 6) -> Content:
    """A column per bucket (a histogram): bars, each count, each label, ``cell`` wide."""
    counts = [n for _, n in buckets]
    lines = _bar_rows(_levels(counts, height), height, cell, lambda i: "$primary")
    lines.append(Content.assemble(*((f"{n:>3}".ljust(cell), "" if n else MUTED)
                                    for _, n in buckets)))
    lines.append(Content.assemble(*((f" {label}".ljust(cell), MUTED) for label, _ in buckets)))
    return Content("\n").join(lines)


def share_cell(share: float | None, target: float | None, width: int = 5) -> Content:
    """A share as a right-aligned percentage, green at or above ``target`` (else amber); a
    muted dot without answers."""
    if share is None:
        return Content.styled("·".rjust(width), MUTED)
    style = "" if target is None else ("$text-success" if share >= target else "$text-warning")
    return Content.styled(f"{share:.0%}".rjust(width), style)


def week_header(weeks: Sequence[date], label_width: int, cell: int = 5) -> Content:
    """Two rows over a grid of weeks: the month where it changes, then each Monday's day."""
    months, days = [" " * label_width], [" " * label_width]
    shown = None
    for week in weeks:
        month = f"{week:%b}" if (week.year, week.month) != shown else ""
        shown = (week.year, week.month)
        months.append(month.rjust(cell))
        days.append(str(week.day).rjust(cell))
    return Content.assemble(("".join(months), MUTED), "\n", ("".join(days), MUTED))


def grid_row(label: Content, shares: Sequence[float | None], label_width: int,
             target: float | None, cell: int = 5) -> Content:
    """A label clipped or padded to ``label_width``, then a ``share_cell`` per week."""
    label = label.truncate(label_width - 1, ellipsis=True, pad=True).pad_right(1)
    return Content.assemble(label, *(share_cell(s, target, cell) for s in shares))


def exam_columns(scores: Sequence[tuple[str, float, float | None]], height: int = 6,
                 cell: int = 6) -> Content:
    """A column per exam (label, percent, pass mark percent) on a 0-100 scale: green when at
    or above its pass mark, amber below; the latest pass mark as a ┈ line across the chart."""
    levels = _levels([s for _, s, _ in scores], height, top=100.0)
    mark = next((m for _, _, m in reversed(scores) if m is not None), None)
    mark_row = None if mark is None else max(1, min(height, round(mark / 100 * height)))
    lines = []
    for row in range(height, 0, -1):
        on_mark = row == mark_row
        gap = ("┈", "$text-error") if on_mark else (" ", "")
        axis = (f"{mark:>3.0f}% " if on_mark and mark is not None else
                "100% " if row == height else " " * 5)
        parts: list[tuple[str, str]] = [(axis, MUTED)]
        for (_, score, pass_mark), level in zip(scores, levels, strict=True):
            eighths = max(0, min(8, level - (row - 1) * 8))
            passed = pass_mark is None or score >= pass_mark
            parts.append((gap[0], gap[1]))
            parts.append((BLOCKS[eighths] * 2, "$success" if passed else "$warning")
                         if eighths else (gap[0] * 2, gap[1]))
            parts.append((gap[0] * (cell - 3), gap[1]))
        lines.append(Content.assemble(*parts))
    lines.append(Content.assemble(" " * 5, *((f"{s:.0f}%".rjust(3).ljust(cell), "")
                                              for _, s, _ in scores)))
    lines.append(Content.assemble(" " * 5, *((f" {label}".ljust(cell)[:cell], MUTED)
                                              for label, _, _ in scores)))
    return Content("\n").join(lines)


FIRST_WIDTH = 76  # what a chart gets at 80 columns (padding 2 each side), before layout


class Chart(Static):
    """A chart drawn for the width it gets: ``draw(width)`` again whenever that changes."""

    def __init__(self, draw: Callable[[int], Content], **widget_options: Any) -> None:
        super().__init__(draw(FIRST_WIDTH), **widget_options)
        self._draw = draw
        self._width = FIRST_WIDTH

    def on_resize(self) -> None:
        width = self.content_region.width or self.size.width
        if width and width != self._width:
            self._width = width
            self.update(self._draw(width))
