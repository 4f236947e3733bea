"""A ``Select`` whose overlay (the list of options it opens) is mounted once its screen is
drawn, or as soon as something needs it.

Textual's ``Select`` composes its overlay with itself: an ``OptionList`` of every option,
hidden until the select is opened, mounted, styled and filled before the screen's first frame
(the add form's two selects: ~14M instructions of its ~1,480M). ``LazySelect`` keeps it aside
until ``mount_overlay`` (the form calls it after its first frame), or until the select is
opened first. Its value and label work without it: the overlay is highlighted on the value
when it is mounted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterator
from typing import Any

from textual.css.query import NoMatches
from textual.widget import Widget
from textual.widgets import Select
from textual.widgets._select import NoSelection, SelectCurrent, SelectOverlay, SelectType


class LazySelect(Select[SelectType]):
    """A ``Select`` with its overlay mounted by ``mount_overlay``, or when first opened."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._overlay_aside: SelectOverlay | None = None
        super().__init__(*args, **kwargs)

    def compose(self) -> Iterator[Widget]:
        for widget in super().compose():
            if isinstance(widget, SelectOverlay):
                self._overlay_aside = widget  # composed (and bound) as Textual does, kept
            else:
                yield widget

    async def mount_overlay(self) -> None:
        """Mount the overlay (once), filled with the options and highlighted on the value."""
        overlay = self._overlay_aside
        if overlay is None or not self.is_attached:  # mounted already, or not composed yet
            return
        self._overlay_aside = None
        await self.mount(overlay)
        self._setup_options_renderables()
        for index, (_prompt, value) in enumerate(self._options):
            if value == self.value and self.value != self.NULL:
                overlay.highlighted = index
                break

    def _setup_options_renderables(self) -> None:
        if self._overlay_aside is None:  # mounted: as Textual does
            super()._setup_options_renderables()

    def _watch_value(self, value: SelectType | NoSelection) -> None:
        if self._overlay_aside is None:
            super()._watch_value(value)
            return
        # Select's own, but for the overlay's highlight (set when it is mounted).
        self._value = value
        try:
            current = self.query_one(SelectCurrent)
        except NoMatches:
            return
        prompt = next((prompt for prompt, option in self._options if option == value), None)
        current.update(self.NULL if value == self.NULL or prompt is None else prompt)
        self.post_message(self.Changed(self, value))

    def _watch_expanded(self, expanded: bool) -> Awaitable[None] | None:
        if expanded and self._overlay_aside is not None:  # opened by a click: mount, then open
            return self._expand_when_mounted()
        super()._watch_expanded(expanded)
        return None

    async def _expand_when_mounted(self) -> None:
        await self.mount_overlay()
        super()._watch_expanded(self.expanded)

    async def action_show_overlay(self) -> None:
        await self.mount_overlay()
        super().action_show_overlay()

    def _watch_prompt(self, prompt: str) -> None:
        if self._overlay_aside is None:
            super()._watch_prompt(prompt)
            return
        if not self.is_mounted:
            return
        # Select's own but for the overlay's blank option (made with the prompt when mounted).
        current = self.query_one(SelectCurrent)
        current.placeholder = prompt
        if self._allow_blank and self.value == self.NULL:
            current.update(self.NULL)
