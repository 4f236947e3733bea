"""A one-line button drawn as a compact Textual ``Button`` is, at a fraction of its cost.

Home shows eight buttons on every start. Textual's ``Button`` brings ~60 style rules (every
variant and style; parsed before home's first frame) and a widget per button with reactives
to set up; home needs a label, a primary look, disabled, focus, click and Enter. The look is
the compact default button's (quiz.tcss: ``ActionButton``), so home is drawn as before.
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static


class ActionButton(Static, can_focus=True):
    """A label that presses like a button: a click, or Enter / space when focused."""

    BINDINGS = [Binding("enter,space", "press", "Press", show=False)]

    class Pressed(Message):
        """The button was pressed (``button``: which)."""

        def __init__(self, button: ActionButton) -> None:
            super().__init__()
            self.button = button

        @property
        def control(self) -> ActionButton:
            return self.button

    def __init__(self, label: str, *, id: str, primary: bool = False,  # noqa: A002
                 disabled: bool = False) -> None:
        super().__init__(label, id=id, markup=False, disabled=disabled,
                         classes="-primary" if primary else "")

    def action_press(self) -> None:
        if not self.disabled:
            self.post_message(self.Pressed(self))

    async def _on_click(self, event: events.Click) -> None:
        event.stop()
        self.action_press()
