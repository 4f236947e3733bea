"""The strip above a question or its feedback: mode, topic, 'n of N' and a progress bar."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from quiz.tui.text import bar, literal

BAR_WIDTH = 20


class SessionHeader(Horizontal):
    """``Review · NetworkPolicy        ⚑ flagged  3 of 12 ━━━━━━──────``."""

    def __init__(self, mode: str, topic_title: str, position: int, total: int,
                 flagged: bool = False) -> None:
        super().__init__(classes="session-header")
        self.mode = mode
        self.topic_title = topic_title
        self.position = position
        self.total = total
        self.flagged = flagged

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble((self.mode, "bold"), " · ", literal(self.topic_title)),
                     classes="session-title")
        flag = Static(Content("⚑ flagged"), classes="session-flag")
        flag.display = self.flagged
        yield flag
        done = (self.position - 1) / max(1, self.total)
        yield Static(Content.assemble(f"{self.position} of {self.total} ",
                                      bar(done, BAR_WIDTH)), classes="session-progress")

    def set_flagged(self, flagged: bool) -> None:
        """Show or hide the flag mark."""
        self.flagged = flagged
        self.query_one(".session-flag", Static).display = flagged
