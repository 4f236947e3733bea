"""Why one flow is allowed or denied: ``Verdict.explain()`` as a headline and bullets."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from quiz.netpol import Verdict
from quiz.tui.text import literal, shown

BULLETS = 3  # the self-traffic note (sometimes), then the egress side and the ingress side


class VerdictView(VerticalScroll, can_focus=False):
    """The outcome in colour, then one bullet per line of the explanation (wrapped, indented)."""

    def __init__(self, **widget_options: Any) -> None:
        super().__init__(**widget_options)
        self.lines: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(classes="verdict-headline")
        for _ in range(BULLETS):
            with Horizontal(classes="verdict-line"):
                yield Static("•", classes="verdict-bullet", markup=False)
                yield Static(classes="verdict-text")

    def show(self, verdict: Verdict) -> None:
        """Explain ``verdict``."""
        first, *rest = self.lines = verdict.explain()
        style = "bold $text-success" if verdict.allowed else "bold $text-error"
        self._fill(Content.styled(("✓ " if verdict.allowed else "✗ ") + shown(first), style),
                   rest)

    def show_message(self, message: str) -> None:
        """A note in place of a verdict (when there is no flow to explain)."""
        self.lines = [message]
        self._fill(literal(message, "$text-muted"), [])

    def _fill(self, headline: Content, bullets: list[str]) -> None:
        self.query_one(".verdict-headline", Static).update(headline)
        for row, text in zip(self.query(".verdict-line"), [*bullets, *[None] * BULLETS],
                             strict=False):
            row.display = text is not None
            if text is not None:
                row.query_one(".verdict-text", Static).update(literal(text))

    @property
    def text(self) -> str:
        """The explanation as plain lines (what the tests read)."""
        return "\n".join(self.lines)
