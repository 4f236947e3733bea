"""A title bar's two parts in one widget: a title on the left, cut with an ellipsis when the
right part (as wide as it needs) leaves it too little room.

Home's title bar, and the question form's, were a ``Horizontal`` of two ``Static`` widgets
(``1fr`` with an ellipsis, and ``auto``): two more widgets to mount, style and lay out before
their first frame, for one line drawn the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.visual import Visual
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.css.styles import RulesMap
    from textual.strip import Strip
    from textual.style import Style
    from textual.visual import RenderOptions


class TitleParts(Visual):
    """The line drawn to the width it is rendered at."""

    def __init__(self, left: Content, right: Content) -> None:
        self.left = left
        self.right = right

    def line(self, width: int) -> Content:
        """Both parts in ``width`` cells: the left one cut or padded to what the right leaves."""
        room = max(0, width - self.right.cell_length)
        return self.left.truncate(room, ellipsis=True, pad=True) + self.right

    def render_strips(self, width: int, height: int | None, style: Style,
                      options: RenderOptions) -> list[Strip]:
        return self.line(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.left.cell_length + self.right.cell_length

    def get_height(self, rules: RulesMap, width: int) -> int:
        return 1


class TitleLine(Static):
    """A one-line title bar: ``left`` (cut with an ellipsis if need be), then ``right`` in
    muted text (as a ``Static`` whose colour is ``$text-muted``: blended with the bar), or
    with only its own styles when not ``muted_right``."""

    COMPONENT_CLASSES = {"title-line--right"}
    DEFAULT_CSS = "TitleLine > .title-line--right { color: $text-muted; }"

    def __init__(self, left: Content, right: Content, *, muted_right: bool = True,
                 **widget_options: Any) -> None:
        super().__init__(**widget_options)
        self.left = left
        self.right = right
        self.muted_right = muted_right

    def set_right(self, right: Content) -> None:
        """Another right part."""
        self.right = right
        self.refresh()

    def render(self) -> TitleParts:
        if not self.muted_right:
            return TitleParts(self.left, self.right)
        muted = self.get_visual_style("title-line--right")
        return TitleParts(self.left, self.right.stylize(muted))
