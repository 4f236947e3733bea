"""The home screen's topics: one line each with new / due / mastered counts and a bar."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from textual import events
from textual.content import Content
from textual.visual import Visual
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from quiz.tui.text import clip

if TYPE_CHECKING:
    from textual.css.styles import RulesMap
    from textual.strip import Strip
    from textual.style import Style
    from textual.visual import RenderOptions

    from quiz.progress import TopicCounts

NUMBERS = ((" new", 5), (" due", 5), (" mastered", 9))
BAR = 14
FIXED = sum(w for _, w in NUMBERS) + 2 + BAR + 5  # the columns after the title


def title_width(total: int) -> int:
    """The title column's width for a list this wide (what the numbers leave)."""
    return max(12, total - FIXED - 1)


def heading(width: int) -> Content:
    """The column heading line over a topic list of ``width`` cells."""
    tw = title_width(width)
    cells = "".join(label.rjust(w) for label, w in NUMBERS)
    return Content("Topic".ljust(tw) + cells + "  " + "progress".ljust(BAR + 5))


def topic_bar(counts: TopicCounts, width: int) -> Content:
    """Mastered in green, started but not yet mastered in the primary colour, new blank."""
    total = max(1, counts.questions)
    mastered = round(counts.mastered / total * width)
    started = round((counts.questions - counts.new - counts.suspended) / total * width)
    started = max(mastered, started)
    return Content.assemble(("━" * mastered, "$success"), ("━" * (started - mastered), "$primary"),
                            ("━" * (width - started), "$panel"))


def topic_line(counts: TopicCounts, width: int) -> Content:
    """One topic's line: title (clipped), counts, bar, percentage mastered."""
    tw = title_width(width)
    due = Content(str(counts.due_today).rjust(5))
    if counts.due_today:
        due = due.stylize("bold $text-warning")
    percent = counts.mastered / counts.questions if counts.questions else 0.0
    return Content.assemble(
        clip(counts.title, tw).ljust(tw),
        str(counts.new).rjust(5), due, str(counts.mastered).rjust(9), "  ",
        topic_bar(counts, BAR), f"{percent:>5.0%}",
    )


class TopicLine(Visual):
    """A topic's line drawn to the list's width when it is rendered: the list's first frame
    has its real width (a line built when the list is mounted would have a guessed one, and be
    drawn again once the list is laid out)."""

    def __init__(self, counts: TopicCounts, topics: TopicList) -> None:
        self.counts = counts
        self.topics = topics

    def _content(self) -> Content:
        return topic_line(self.counts, self.topics.line_width)

    def render_strips(self, width: int, height: int | None, style: Style,
                      options: RenderOptions) -> list[Strip]:
        return self._content().render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self._content().get_optimal_width(rules, container_width)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return 1


class TopicList(OptionList):
    """Topics as a keyboard- and mouse-selectable list; option ids are topic ids. A click
    highlights, Enter or a double click selects (the home screen starts a practice on it)."""

    def __init__(self, topics: Sequence[TopicCounts], **widget_options: Any) -> None:
        super().__init__(markup=False, **widget_options)
        self.topics = list(topics)

    def on_mount(self) -> None:
        self.redraw()

    async def _on_click(self, event: events.Click) -> None:
        """One click highlights a topic; a double click selects it (as Enter does)."""
        event.prevent_default()  # OptionList's own click would select at once
        clicked: int | None = event.style.meta.get("option")
        if clicked is None:
            return
        self.highlighted = clicked
        if event.chain >= 2:
            self.action_select()

    def set_topics(self, topics: Sequence[TopicCounts]) -> None:
        self.topics = list(topics)
        self.redraw()

    @property
    def line_width(self) -> int:
        """The width each topic line is drawn to (the heading above should match it)."""
        return max(40, (self.scrollable_content_region.width or 80) - 2)

    def redraw(self) -> None:
        highlighted = self.highlighted
        self.clear_options()
        self.add_options([Option(TopicLine(t, self), id=t.id) for t in self.topics])
        if self.topics:
            self.highlighted = min(highlighted or 0, len(self.topics) - 1)

    @property
    def current(self) -> TopicCounts | None:
        if self.highlighted is None or not self.topics:
            return None
        return self.topics[self.highlighted]


class TopicHeading(Static):
    """The column heading over a topic list, drawn to the list's line width when rendered (so
    the first frame has it at its real width); refresh it when the list's width changes."""

    def __init__(self, topics: TopicList, **widget_options: Any) -> None:
        super().__init__(**widget_options)
        self.topics = topics

    def render(self) -> Content:
        return heading(self.topics.line_width)
