"""Bank Markdown on screen: Statics for paragraphs and fenced code blocks (fast: nearly every
question is one or the other), the Markdown widget for the rest (lists, headings, tables).
Either way the text is never read as console markup, and control characters are escaped."""

from __future__ import annotations

import sys
from functools import lru_cache

from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from quiz.tui.text import fenced_blocks, is_plain_prose, prose, shown


class CodeBlock(Static):
    """A fenced code block, highlighted with the theme's colours.

    The highlighter (pygments: ~10-20 ms to import and compile a lexer on this project's
    2-core machines) is loaded after a start's first frame: a code block built before that
    shows its text plain, then highlighted in place once the first frame is drawn. Only the
    colours change: the same characters in the same cells, nothing moves."""

    def __init__(self, code: str, language: str) -> None:
        self.source = (code, language)
        self.plain = "textual.highlight" not in sys.modules  # cold: highlight once drawn
        super().__init__(Content(code) if self.plain else _highlighted(code, language),
                         classes="code-block")

    def on_mount(self) -> None:
        if self.plain:
            after_first_frame = getattr(self.app, "after_first_frame", None)
            if after_first_frame is None:  # an app without one (the lab): after this refresh
                self.call_after_refresh(self.highlight)
            else:
                after_first_frame(self.highlight, self)

    def highlight(self) -> None:
        """The text with the theme's colours (in place of the plain text)."""
        if self.plain:
            self.plain = False
            self.update(_highlighted(*self.source))


def code_block(code: str, language: str) -> Static:
    """A fenced code block (see ``CodeBlock``)."""
    return CodeBlock(shown(code), shown(language) or "text")


@lru_cache(maxsize=16)
def _highlighted(code: str, language: str) -> Content:
    """Highlighting is the dearest part of a code block: the feedback screen shows the
    question's blocks again right after the question screen did."""
    from textual.highlight import highlight

    return highlight(code, language=language)


def markdown_widget(markdown: str, classes: str = "") -> Widget:
    """The cheapest widget that shows ``markdown`` faithfully."""
    markdown = shown(markdown)
    if is_plain_prose(markdown):
        return Static(prose(markdown), classes=f"{classes} prose".strip())
    blocks = fenced_blocks(markdown)
    if blocks is not None:
        widgets = [Static(prose(text), classes="prose") if language is None
                   else code_block(text, language) for text, language in blocks]
        if widgets:
            widgets[-1].add_class("-last", update=False)  # not yet mounted: no style pass
        return Vertical(*widgets, classes=f"{classes} prose-blocks".strip())
    # Imported here: markdown-it costs ~20 ms of start-up, and few texts need it.
    from textual.widgets import Markdown

    return Markdown(markdown, classes=classes)
