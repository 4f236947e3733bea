"""The strip above a question or its feedback: what is studied, what is left, a progress bar.

One widget drawing one line (it is on every question and feedback screen: the hot path)."""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from quiz.tui.text import bar, literal

BAR_WIDTH = 16


def progress(left: int, relearning: int) -> str:
    """'12 left', '12 left · 2 coming back', '2 coming back', 'all asked'."""
    if not left and not relearning:
        return "all asked"
    parts = [f"{left} left"] if left else []
    if relearning:
        parts.append(f"{relearning} coming back")
    return " · ".join(parts)


class SessionHeader(Widget):
    """``Review · NetworkPolicy    ⚑ flagged  9 left · 2 coming back ━━━━━━──────``."""

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

    def title(self) -> Content:
        """'Review · NetworkPolicy' (the subject literal)."""
        title = Content.styled(self.title_text, "bold")
        if self.subject:
            title = Content.assemble(title, " · ", literal(self.subject))
        return title

    def status(self) -> Content:
        """The right-hand side: flag, 'asked again', what is left, the bar."""
        done = (self.total - self.left) / max(1, self.total)
        return Content.assemble(
            ("⚑ flagged  ", "bold $text-warning") if self.flagged else "",
            ("↻ again  ", "bold $text-warning") if self.again else "",
            f"{progress(self.left, self.relearning)} ", bar(done, BAR_WIDTH))

    def render(self) -> Content:
        width = self.content_region.width
        status = self.status()
        room = max(0, width - status.cell_length - 1)
        title = self.title().truncate(room, ellipsis=True, pad=True)
        return Content.assemble(title, " ", status)

    def take(self, *, left: int, total: int, relearning: int, again: bool,
             flagged: bool) -> None:
        """Show these counts and flag instead (a header built before the answer, given the
        counts after it: see ``FeedbackScreen.show``)."""
        self.left, self.total, self.relearning = left, total, relearning
        self.again, self.flagged = again, flagged
        self.refresh()

    def set_flagged(self, flagged: bool) -> None:
        """Show or hide the flag mark."""
        self.flagged = flagged
        self.refresh()
