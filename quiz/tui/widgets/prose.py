"""Bank Markdown on screen: a Static for plain paragraphs (fast), the Markdown widget for the
rest (code blocks, lists, headings). Either way the text is never read as console markup."""

from __future__ import annotations

from textual.widget import Widget
from textual.widgets import Static

from quiz.tui.text import is_plain_prose, prose


def markdown_widget(markdown: str, classes: str = "") -> Widget:
    """The cheapest widget that shows ``markdown`` faithfully."""
    if is_plain_prose(markdown):
        return Static(prose(markdown), classes=f"{classes} prose".strip())
    # Imported here: markdown-it and pygments cost ~25 ms of start-up, often not needed.
    from textual.widgets import Markdown

    return Markdown(markdown, classes=classes)
