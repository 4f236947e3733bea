r"""Bank text as Textual ``Content``: always literal, never parsed as console markup.

Every widget that shows words from the bank gets them through these helpers (or a Markdown
widget), so ``[bold]x[/bold]`` in a question stays exactly that on screen. They also show
control characters as visible escapes (``\e``, ``\x07``; tab and newline kept where lines
are), so a bank or manifest can never write terminal escape sequences (clipboard writes, title
changes, screen clears): validation rejects such text, and the screen is safe without it.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from textual.content import Content

from quiz.textsafe import printable

_CODE = re.compile(r"`([^`\n]+)`")
_EMPHASIS = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"  # **strong**
                       r"|(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])"  # *em*
                       r"|(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])")  # _em_
# Markdown that needs the Markdown widget: fences, headings, lists, quotes, tables, indented code.
_BLOCK = re.compile(r"^\s*(```|~~~|#{1,6}\s|[-*+]\s|\d+[.)]\s|>|\|)|^( {4}|\t)\S", re.M)
CODE_STYLE = "$text-warning"


def shown(text: str) -> str:
    """``text`` as a screen may show it: control characters escaped, lines and tabs kept."""
    return printable(text, keep_lines=True)


def literal(text: str, style: str = "") -> Content:
    """Text exactly as written (an optional style over all of it), controls escaped."""
    text = shown(text)
    return Content.styled(text, style) if style else Content(text)


def _emphasis(text: str, style: str) -> list[str | tuple[str, str]]:
    parts: list[str | tuple[str, str]] = []
    last = 0
    for match in _EMPHASIS.finditer(text):
        if match.start() > last:
            parts.append((text[last:match.start()], style))
        strong, em, em2 = match.groups()
        parts.append((strong, f"{style} bold".strip()) if strong is not None
                     else (em if em is not None else em2, f"{style} italic".strip()))
        last = match.end()
    parts.append((text[last:], style))
    return parts


def inline(text: str, style: str = "") -> Content:
    """One paragraph of bank Markdown as literal text: `code`, **strong** and *em* are styled
    (their markers dropped); anything else, brackets included, shows as written."""
    text = " ".join(shown(text).split())
    parts: list[str | tuple[str, str]] = []
    last = 0
    for match in _CODE.finditer(text):
        parts += _emphasis(text[last:match.start()], style)
        parts.append((match.group(1), f"{style} {CODE_STYLE}".strip()))
        last = match.end()
    parts += _emphasis(text[last:], style)
    return Content.assemble(*(p for p in parts if p[0]))


def is_plain_prose(markdown: str) -> bool:
    """Paragraphs only (no code blocks, lists, headings, quotes or tables)."""
    return _BLOCK.search(markdown) is None


_FENCE = re.compile(r"^(`{3,}|~{3,})[ \t]*([^\s`]*)[^`]*$")


def fenced_blocks(markdown: str) -> list[tuple[str, str | None]] | None:
    """Plain-prose paragraphs and fenced code blocks, in order: ``(text, None)`` for prose,
    ``(code, language)`` for a fence (language "" when not given). None when the Markdown has
    any other block syntax, an indented or unclosed fence: the Markdown widget shows those."""
    lines = markdown.strip("\n").splitlines()
    blocks: list[tuple[str, str | None]] = []
    pending: list[str] = []

    def flush() -> bool:
        text = "\n".join(pending).strip()
        pending.clear()
        if text:
            if not is_plain_prose(text):
                return False
            blocks.append((text, None))
        return True

    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            pending.append(lines[i])
            i += 1
            continue
        fence, language = opening.groups()
        close = next((j for j in range(i + 1, len(lines))
                      if lines[j].rstrip().startswith(fence)
                      and set(lines[j].rstrip()) == {fence[0]}), None)
        if close is None or not flush():
            return None
        blocks.append(("\n".join(lines[i + 1:close]), language))
        i = close + 1
    return blocks if flush() else None


def prose(markdown: str) -> Content:
    """Plain-prose Markdown (see ``is_plain_prose``) as Content, paragraphs kept apart."""
    paragraphs = [p for p in re.split(r"\n\s*\n", markdown.strip()) if p.strip()]
    return Content("\n\n").join(inline(p) for p in paragraphs)


def clip(text: str, width: int) -> str:
    """``text`` on one line, controls escaped, cut to ``width`` characters with an ellipsis."""
    text = printable(text)
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def bar(fraction: float, width: int) -> Content:
    """A one-line progress bar drawn in theme colours."""
    fraction = min(1.0, max(0.0, fraction))
    filled = round(fraction * width)
    return Content.assemble(("━" * filled, "$success"), ("━" * (width - filled), "$panel"))


def plural(count: int, word: str, words: str | None = None) -> str:
    """'1 question', '3 questions'."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


def when(moment: datetime, now: datetime) -> str:
    """A due time relative to now: 'now', 'in 10 min', 'in 3 h', 'tomorrow', 'in 5 days'."""
    delta = moment - now
    if delta <= timedelta(seconds=0):
        return "now"
    if delta < timedelta(hours=1):
        return f"in {max(1, round(delta.total_seconds() / 60))} min"
    if delta < timedelta(hours=24):
        return f"in {round(delta.total_seconds() / 3600)} h"
    days = round(delta.total_seconds() / 86400)
    return "tomorrow" if days <= 1 else f"in {days} days"
