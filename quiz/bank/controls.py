"""Control characters in bank text: refused in every string, keys included.

A bank is shown in a terminal, where ESC starts a sequence that can set the clipboard (OSC 52),
the title, or clear the screen. Finding them costs a walk over the data, so a file is walked
only when its text could produce one at all: libyaml refuses raw control characters except tab,
line breaks (turned into newlines) and the printable bidirectional overrides, so every other
control character in a value must come from a backslash escape in a double-quoted scalar.
"""

from __future__ import annotations

import re
from typing import Any

from quiz.textsafe import has_control, printable

Loc = tuple[str | int, ...]
MAX_REPORTED = 20  # per file: the first few name the problem; hundreds would bury the rest

# Backslashes (escapes), and whatever has_control flags as written: CR and NEL (which become
# newlines, so this only costs a walk), bidirectional overrides (kept as written).
_MAY_HOLD = re.compile(r"[\\\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_FIRST = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def may_hold_control(text: str) -> bool:
    """False only if no value loaded from YAML ``text`` can hold a control character."""
    return _MAY_HOLD.search(text) is not None


def find_controls(data: Any) -> list[tuple[Loc, bool, str]]:
    """Where strings in ``data`` hold control characters: (key path, is it the key, which)."""
    found: list[tuple[Loc, bool, str]] = []
    stack: list[tuple[Loc, Any]] = [((), data)]
    while stack and len(found) < MAX_REPORTED:
        loc, value = stack.pop()
        if isinstance(value, str):
            if has_control(value):
                found.append((loc, False, _first(value)))
        elif isinstance(value, dict):
            for key, item in reversed(value.items()):
                if isinstance(key, str) and has_control(key):
                    found.append(((*loc, key), True, _first(key)))
                stack.append(((*loc, key), item))
        elif isinstance(value, list):
            stack.extend(((*loc, i), item) for i, item in reversed(list(enumerate(value))))
    return found[:MAX_REPORTED]


def describe(char: str) -> str:
    """How a control character is named in a message: ``\\e (ESC)``, ``\\x07``…"""
    names = {"\x1b": " (ESC)", "\x07": " (BEL)", "\r": " (carriage return)"}
    return printable(char) + names.get(char, "")


def _first(text: str) -> str:
    match = _FIRST.search(text)
    return match.group() if match else ""
