"""The strip above a question or its feedback: what is studied, what is left, a progress bar."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from quiz.tui.text import bar, literal

BAR_WIDTH = 16


def progress(left: int, relearning: int) -> str:
    """'12 left', '12 left · 2 relearning', '2 relearning', 'all asked'."""
    if not left and not relearning:
        return "all asked"
    parts = [f"{left} left"] if left or not relearning else []
    if relearning:
        parts.append(f"{relearning} relearning")
    return " · ".join(parts)


class SessionHeader(Horizontal):
    """``Review · NetworkPolicy    ⚑ flagged  9 left · 2 relearning ━━━━━━──────``."""

    def __init__(self, title: str, subject: str, *, left: int, total: int,
                 relearning: int = 0, again: bool = False, flagged: bool = False) -> None:
        super().__init__(classes="session-header")
        self.title_text = title  # the mode, or the session's own title ("Cram · weakest first")
        self.subject = subject  # the topic or concept (bank text, shown literally); "" for none
        self.left = left  # planned questions not answered yet
        self.total = total
        self.relearning = relearning  # questions to be asked again
        self.again = again  # the question on screen is one asked again
        self.flagged = flagged

    def compose(self) -> ComposeResult:
        title = Content.assemble((self.title_text, "bold"))
        if self.subject:
            title = Content.assemble(title, " · ", literal(self.subject))
        yield Static(title, classes="session-title")
        flag = Static(Content("⚑ flagged"), classes="session-flag")
        flag.display = self.flagged
        yield flag
        done = (self.total - self.left) / max(1, self.total)
        again = ("↻ again  ", "bold $text-warning") if self.again else ""
        yield Static(Content.assemble(again, f"{progress(self.left, self.relearning)} ",
                                      bar(done, BAR_WIDTH)), classes="session-progress")

    def set_flagged(self, flagged: bool) -> None:
        """Show or hide the flag mark."""
        self.flagged = flagged
        self.query_one(".session-flag", Static).display = flagged
