"""The numbered answer choices of a question: keys, arrows and mouse all pick."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.css.styles import RulesMap
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.visual import RenderOptions, Visual
from textual.widget import Widget

from quiz.tui.text import inline

MARKER_WIDTH = 6  # "1 [ ] ": the number and box, then the text
TEXT_MARGIN = 4  # cells kept free on the right of a choice's text


class HangingIndent(Visual):
    """A choice's marker, then its text wrapped beside it (every line indented to it)."""

    def __init__(self, marker: Content, text: Content) -> None:
        self.marker = marker
        self.text = text

    @staticmethod
    def _text_width(width: int) -> int:
        return max(1, width - MARKER_WIDTH - TEXT_MARGIN)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return MARKER_WIDTH + self.text.get_optimal_width(rules, container_width) + TEXT_MARGIN

    def get_height(self, rules: RulesMap, width: int) -> int:
        return max(1, self.text.get_height(rules, self._text_width(width)))

    def render_strips(self, width: int, height: int | None, style: VisualStyle,
                      options: RenderOptions) -> list[Strip]:
        if not width:
            return []
        lines = self.text.render_strips(self._text_width(width), height, style, options)
        marker = self.marker.render_strips(MARKER_WIDTH, 1, style, options)
        # The cells around the text in the row's background alone, as Textual pads a widget
        # (the rest of each line is padded so when the row is drawn).
        blank = VisualStyle(background=style.background).rich_style
        indent = Strip.blank(MARKER_WIDTH, blank)
        first = marker[0].crop_extend(0, MARKER_WIDTH, blank) if marker else indent
        return [Strip.join([first if not y else indent, line])
                for y, line in enumerate(lines or [Strip([])])]


class ChoiceRow(Widget):
    """One choice: its number and box, then its text with a hanging indent, drawn by one
    widget (a row of three widgets, a box and two Statics, gave a question of four choices
    eight widgets more to mount, style, lay out and draw before its first frame)."""

    COMPONENT_CLASSES = {"choice-row--marker"}  # the number and box (session.tcss)

    def __init__(self, index: int, text: str, multi: bool) -> None:
        super().__init__(classes="choice-row")
        self.index = index
        self.text = text
        self.multi = multi
        self.picked = False
        self._content = inline(text)

    def render(self) -> HangingIndent:
        return HangingIndent(self._marker(self.picked), self._content)

    def _marker(self, picked: bool) -> Content:
        box = ("[x]" if picked else "[ ]") if self.multi else ("(•)" if picked else "( )")
        return Content.styled(f"{self.index + 1} {box}", ".choice-row--marker")

    def show_picked(self, picked: bool) -> None:
        self.set_class(picked, "-picked")
        if picked != self.picked:
            self.picked = picked
            self.refresh()


class ChoiceList(Vertical, can_focus=True):
    """Choices in display order; posts ``ChoiceList.Chosen`` whenever the picks change.

    Single-answer: picking one replaces the other, and the arrows move the pick (radio
    buttons). Select-all-that-apply: the arrows move a cursor, space or a number toggles.
    """

    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Move", key_display="↑↓", show=False),
        Binding("space", "toggle", "Toggle"),
    ]

    cursor: reactive[int | None] = reactive(None, init=False)

    class Chosen(Message):
        """A choice was picked or toggled: its display position (0-based) and all picks."""

        def __init__(self, choice_list: ChoiceList, index: int, picked: frozenset[int]) -> None:
            super().__init__()
            self.choice_list = choice_list
            self.index = index
            self.picked = picked

        @property
        def control(self) -> ChoiceList:
            return self.choice_list

    def __init__(self, texts: Sequence[str], *, multi: bool, picked: Iterable[int] = (),
                 **widget_options: Any) -> None:
        super().__init__(**widget_options)
        self.texts = list(texts)
        self.multi = multi
        self.picked: frozenset[int] = frozenset(picked)

    def compose(self) -> ComposeResult:
        for index, text in enumerate(self.texts):
            yield ChoiceRow(index, text, self.multi)

    def on_mount(self) -> None:
        self._show()

    @property
    def rows(self) -> list[ChoiceRow]:
        return list(self.query_children(ChoiceRow))

    def pick(self, index: int) -> None:
        """Pick (single) or toggle (multi) the choice at a display position."""
        if not 0 <= index < len(self.texts):
            return
        if self.multi:
            self.picked = self.picked ^ {index}
        else:
            self.picked = frozenset({index})
        self.cursor = index
        self._show()
        self.post_message(self.Chosen(self, index, self.picked))

    def set_picked(self, picked: Iterable[int]) -> None:
        """Show these picks without posting a message."""
        self.picked = frozenset(picked)
        self._show()

    def action_move(self, step: int) -> None:
        if self.cursor is None:
            start = min(self.picked) if self.picked else (0 if step > 0 else len(self.texts) - 1)
            target = start if not self.picked else start + step
        else:
            target = self.cursor + step
        target = max(0, min(len(self.texts) - 1, target))
        if self.multi:
            self.cursor = target
        else:
            self.pick(target)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle":
            return self.multi  # single-answer: the arrows already pick
        return True

    def action_toggle(self) -> None:
        if self.cursor is not None:
            self.pick(self.cursor)
        elif not self.multi and self.texts:
            self.pick(0)

    def watch_cursor(self, cursor: int | None) -> None:
        self._show()
        if cursor is not None and self.is_mounted:
            rows = self.rows
            if cursor < len(rows):
                rows[cursor].scroll_visible(animate=False)

    def on_click(self, event: events.Click) -> None:
        row = next((w for w in event.widget.ancestors_with_self if isinstance(w, ChoiceRow)),
                   None) if event.widget is not None else None
        if row is not None:
            self.focus()
            self.pick(row.index)

    def _show(self) -> None:
        for row in self.rows:
            row.show_picked(row.index in self.picked)
            row.set_class(row.index == self.cursor, "-cursor")
