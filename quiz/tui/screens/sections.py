"""Screens in sections, one tab each (stats, cohort): keys 1-N pick a section, ←/→ (or h/l)
step through them and wrap around, and the shown section's body takes the keys."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import TabbedContent


def section_bindings(sections: tuple[tuple[str, str], ...], noun: str) -> list[Binding]:
    """←/→ and 1-N over ``sections`` ((pane id, title) pairs), named "Next ``noun``" &c."""
    return [
        Binding("right,l", "next_section", f"Next {noun}", key_display="→", priority=True),
        Binding("left,h", "previous_section", f"Previous {noun}", key_display="←",
                priority=True),
        *(Binding(str(n), f"section('{pane}')", f"{name} {noun}", show=False)
          for n, (pane, name) in enumerate(sections, 1)),
    ]


class SectionedScreen(Screen[None]):
    """A screen whose one ``TabbedContent`` holds ``SECTIONS``; in each pane a ``BODY``
    widget takes the keys (up/down, page up/down) when it is shown."""

    SECTIONS: ClassVar[tuple[tuple[str, str], ...]] = ()
    BODY: ClassVar[type[Widget]] = Widget

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._focus_body()

    def _focus_body(self) -> None:
        """The shown section's body takes the keys."""
        pane = self.query_one(TabbedContent).active_pane
        if pane is not None:
            self.set_focus(pane.query_one(self.BODY))

    def action_section(self, pane: str) -> None:
        """Show one section."""
        self.query_one(TabbedContent).active = pane

    def _step(self, by: int) -> None:
        ids = [pane for pane, _ in self.SECTIONS]
        current = self.query_one(TabbedContent).active
        self.action_section(ids[(ids.index(current) + by) % len(ids)] if current in ids
                            else ids[0])

    def action_next_section(self) -> None:
        """The section to the right (after the last, the first)."""
        self._step(1)

    def action_previous_section(self) -> None:
        """The section to the left."""
        self._step(-1)
