"""Small charts drawn as text in theme colours: a score bar with a pass mark, day columns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from textual.content import Content

BLOCKS = " ▁▂▃▄▅▆▇█"


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


def day_columns(days: Sequence[tuple[date, int]], height: int = 3,
                today: date | None = None) -> Content:
    """A column per day (bars ``height`` rows high), its count, weekday and day of month;
    five columns a day, the bar, count and labels lined up on the same two."""
    top = max((n for _, n in days), default=0)
    levels = [round(n / top * height * 8) if top else 0 for _, n in days]

    def cell(text: str) -> str:
        return f" {text:>2}  "

    lines: list[Content] = []
    for row in range(height, 0, -1):  # top row first
        parts: list[tuple[str, str]] = []
        for (day, n), level in zip(days, levels, strict=True):
            eighths = max(0, min(8, level - (row - 1) * 8))
            if n and row == 1 and eighths == 0:
                eighths = 1  # a small count still shows
            parts.append((cell(BLOCKS[eighths] * 2), "$warning" if day == today else "$primary"))
        lines.append(Content.assemble(*parts))
    lines.append(Content.assemble(*((f"{n:>3}  ", "" if n else "$text-muted") for _, n in days)))
    lines.append(Content.assemble(*((cell(f"{day:%a}"[:2]), "$text-muted") for day, _ in days)))
    lines.append(Content.assemble(*((cell(str(day.day)), "$text-muted") for day, _ in days)))
    return Content("\n").join(lines)
