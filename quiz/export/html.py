"""Bank text as HTML for other programs (Anki): always escaped, never passed through as HTML.

Bank text is Markdown shown literally (docs/bank-format.md): a `<script>` in a question is
text. So every character from the bank is HTML-escaped, and the only tags in the result are
the ones made here: paragraphs, line breaks, ``<code>``, ``<b>``, ``<i>`` for the inline
Markdown the app styles, and fenced code blocks highlighted by Pygments with inline styles
(an exported card carries no style sheet of ours for the code's colours).
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape
from typing import Any

from quiz.textsafe import printable

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})[ \t]*([^\s`]*)[^`]*$")
_CODE = re.compile(r"`([^`\n]+)`")
_EMPHASIS = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"  # **strong**
                       r"|(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])"  # *em*
                       r"|(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])")  # _em_
# A line that starts a Markdown block of its own (list item, heading, quote, table row): such
# a paragraph keeps its line breaks, where plain prose lines are joined as Markdown joins them.
_LINE_BLOCK = re.compile(r"^\s*([-*+]\s|\d+[.)]\s|#{1,6}\s|>|\|)")
PYGMENTS_STYLE = "default"  # light background: Anki's cards are white unless night mode


def text(value: str) -> str:
    """Plain text as HTML: controls shown as escapes, then every special character escaped."""
    return escape(printable(value, keep_lines=True), quote=True)


def inline(value: str) -> str:
    """One line or paragraph of bank Markdown: `code`, **strong**, *em* as tags, the rest
    escaped."""
    parts: list[str] = []
    last = 0
    for match in _CODE.finditer(value):
        parts.append(_emphasis(value[last:match.start()]))
        parts.append(f"<code>{text(match.group(1))}</code>")
        last = match.end()
    parts.append(_emphasis(value[last:]))
    return "".join(parts)


def _emphasis(value: str) -> str:
    parts: list[str] = []
    last = 0
    for match in _EMPHASIS.finditer(value):
        parts.append(text(value[last:match.start()]))
        strong, em, em2 = match.groups()
        parts.append(f"<b>{text(strong)}</b>" if strong is not None
                     else f"<i>{text(em if em is not None else em2)}</i>")
        last = match.end()
    parts.append(text(value[last:]))
    return "".join(parts)


def markdown(value: str) -> str:
    """Bank Markdown as HTML: paragraphs, fenced code blocks highlighted (YAML manifests and
    the like), list-like lines kept on their own lines; nothing from the bank unescaped."""
    lines = printable(value, keep_lines=True).strip("\n").splitlines()
    html: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            html.append(_paragraph(paragraph))
            paragraph.clear()

    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            if lines[i].strip():
                paragraph.append(lines[i])
            else:
                flush()
            i += 1
            continue
        flush()
        fence, language = opening.groups()
        close = next((j for j in range(i + 1, len(lines))
                      if lines[j].strip().startswith(fence)
                      and set(lines[j].strip()) == {fence[0]}), len(lines))
        html.append(code_block("\n".join(lines[i + 1:close]), language))
        i = close + 1
    flush()
    return "\n".join(html)


def _paragraph(lines: list[str]) -> str:
    if any(_LINE_BLOCK.match(line) for line in lines):
        return "<p>" + "<br>".join(inline(line.strip()) for line in lines) + "</p>"
    return "<p>" + inline(" ".join(line.strip() for line in lines)) + "</p>"


def code_block(code: str, language: str = "") -> str:
    """A code block highlighted by Pygments (inline styles), plain if the language is unknown."""
    return _highlighted(code, language.lower())


@lru_cache(maxsize=64)
def _highlighted(code: str, language: str) -> str:
    # Pygments escapes the code it formats; an unknown language is shown as plain text.
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import TextLexer, get_lexer_by_name
    from pygments.util import ClassNotFound

    lexer: Any
    try:
        lexer = get_lexer_by_name(language) if language else TextLexer()
    except ClassNotFound:
        lexer = TextLexer()
    formatter = HtmlFormatter(noclasses=True, style=PYGMENTS_STYLE, cssclass="code")
    return highlight(code, lexer, formatter).strip()


def link(url: str) -> str:
    """A link to ``url`` if it is http(s), else the address as text."""
    shown = text(url)
    if re.fullmatch(r"https?://\S+", url):
        return f'<a href="{shown}">{shown}</a>'
    return shown
