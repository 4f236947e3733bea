"""Text from outside (banks, manifests, databases, paths) made safe to print.

Anything a user did not write themselves can carry terminal escape sequences (OSC 52 clipboard
writes, title changes, screen clears) or be huge. Every message and every screen that shows
such text passes it through here: control characters become visible escapes, and a value
quoted in a message is cut to a bounded length without ever walking a huge structure.
Standard library only; the lowest layer (banks, manifests and the store all use it).
"""

from __future__ import annotations

import functools
import re
from typing import Any

QUOTE_LIMIT = 80
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\x1b": "\\e"}


@functools.cache
def _unsafe(keep_lines: bool) -> re.Pattern[str]:
    """C0 controls (but tab and newline when ``keep_lines``), DEL and C1 controls, the
    bidirectional overrides and isolates that can make a line read differently from what it
    contains ("Trojan Source"), and lone surrogates: the bytes of a file name that is not UTF-8
    (printed raw, 0x9b is CSI to an 8-bit terminal).

    Compiled when first needed: their ranges above U+00FF make ``re`` build a big character
    set, ~4M instructions each, and what a start shows is mostly plain ASCII (see
    ``printable``)."""
    c0 = "\x00-\x08\x0b-\x1f" if keep_lines else "\x00-\x1f"
    return re.compile(f"[{c0}\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, keep_lines: bool = False) -> str:
    """``text`` with every control character shown as an escape (``\\e``, ``\\x07``…).

    One-line output (messages, ids, paths) escapes newlines and tabs too; ``keep_lines``
    keeps them, for multi-line text drawn on a screen.
    """
    if text.isascii() and text.isprintable():  # nothing to escape (ids, paths, titles...)
        return text
    return _unsafe(keep_lines).sub(_escape, text)


def has_control(text: str) -> bool:
    """Whether ``text`` holds a character other than tab and newline that a bank may not."""
    return _unsafe(True).search(text) is not None


def shorten(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, the cut marked with an ellipsis."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def quote(value: Any, limit: int = QUOTE_LIMIT) -> str:
    """A short, printable rendering of any value for a message (strings in quotes).

    Bounded in time and memory whatever ``value`` is: a structure is walked only until
    ``limit`` characters are written, so an alias-expanded or self-referencing tree costs no
    more than a short string.
    """
    out: list[str] = []
    budget = [limit + 1]

    def emit(piece: str) -> bool:
        out.append(piece[: budget[0]])
        budget[0] -= len(piece)
        return budget[0] > 0

    def walk(item: Any, depth: int) -> bool:
        if depth > 20:
            return emit("…")
        if isinstance(item, str):
            return emit(repr(item[: budget[0] + 2]) if len(item) > budget[0] else repr(item))
        if isinstance(item, bool) or item is None or isinstance(item, float):
            return emit(repr(item))
        if isinstance(item, int):
            # A 5000-digit integer: str() would refuse (and cost); its size is what matters.
            bits = item.bit_length()
            return emit(repr(item) if bits < 200 else f"<an integer of {bits} bits>")
        if isinstance(item, dict):
            if not emit("{"):
                return False
            for n, (key, val) in enumerate(item.items()):
                if (n and not emit(", ")) or not walk(key, depth + 1) or not emit(": "):
                    return False
                if not walk(val, depth + 1):
                    return False
            return emit("}")
        if isinstance(item, list | tuple | set | frozenset):
            if not emit("["):
                return False
            for n, val in enumerate(item):
                if (n and not emit(", ")) or not walk(val, depth + 1):
                    return False
            return emit("]")
        return emit(f"<{type(item).__name__}>")

    walk(value, 0)
    return shorten(printable("".join(out)), limit)


def first_paragraph(markdown: str) -> str:
    """The opening paragraph of a Markdown text (before a blank line or a code fence)."""
    lines: list[str] = []
    for line in markdown.strip().splitlines():
        if not line.strip() or line.lstrip().startswith(("```", "~~~")):
            break
        lines.append(line.strip())
    return " ".join(lines) or markdown.strip().splitlines()[0]
