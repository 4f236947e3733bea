"""The exam clock: time left as mm:ss, redrawn every second, a warning near the end."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from textual.content import Content
from textual.message import Message
from textual.widgets import Static


def clock_text(left: timedelta) -> str:
    """'88:05' (minutes may pass 59: a 90-minute exam starts at 90:00)."""
    seconds = max(0, int(left.total_seconds()))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class Countdown(Static):
    """``⏱ 12:34 left``; posts ``Countdown.LowTime`` when it turns to a warning and
    ``Countdown.Expired`` when the time is up (each once)."""

    class LowTime(Message):
        """The clock entered its last stretch (see ``ExamRun.warning``)."""

    class Expired(Message):
        """The time shown reached zero."""

    def __init__(self, remaining: Callable[[], timedelta], warning: Callable[[], bool],
                 **widget_options: Any) -> None:
        super().__init__(**widget_options)
        self.remaining = remaining
        self.warning = warning
        self._warned = False
        self._expired = False

    def on_mount(self) -> None:
        self.tick()
        self.set_interval(1, self.tick)

    def tick(self) -> None:
        """Redraw from the clock; announce the end once."""
        left = self.remaining()
        warning = self.warning()
        self.set_class(warning, "-warning")
        self.update(Content.assemble("⏱ ", (clock_text(left), "bold"), " left"))
        if warning and not self._warned:
            self._warned = True
            self.post_message(self.LowTime())
        if left <= timedelta(0) and not self._expired:
            self._expired = True
            self.post_message(self.Expired())
