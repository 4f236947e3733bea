"""Typed access to one parsed manifest object, failing with a positioned :class:`ManifestError`.

Parsing never composes the YAML node tree; only a failure asks ``locate`` for a position.
Every mapping key and list item read is spent from the load's :class:`Budget`, so aliases that
repeat a subtree millions of times end in one error, not in minutes of work. Values quoted in
messages go through ``quiz.textsafe.quote``: bounded, and with control characters escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, NoReturn

from quiz.netpol.errors import ManifestError
from quiz.netpol.limits import Budget
from quiz.textsafe import quote, shorten

Loc = tuple[str | int, ...]
Locate = Callable[[Loc], tuple[int, int] | None]


def dotted(loc: Loc) -> str:
    """``("spec", "ingress", 0, "from")`` as ``spec.ingress[0].from``."""
    text = ""
    for part in loc:
        if not isinstance(part, int):
            part = shorten(part, 40)  # a key from the file (escaped with the whole message)
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


class Reader:
    """Reads the fields of one object; ``prefix`` locates the object in its file or list."""

    def __init__(self, origin: str, prefix: Loc, locate: Locate | None, label: str = "",
                 budget: Budget | None = None) -> None:
        self.origin = origin
        self.prefix = prefix
        self.locate = locate
        self.label = label
        self.budget = budget if budget is not None else Budget()

    def spend(self, count: int, loc: Loc) -> None:
        """Count ``count`` values read; a ManifestError once the load's budget is used up."""
        self.budget.left -= count
        if self.budget.left < 0:
            # Not placed: finding the line composes the whole text again, which for this many
            # values is what the budget is there to spare (8 MB of `- 1`: 14 s, 300 MB more).
            self.fail(loc, f"too large for the lab: more than {self.budget.limit:,} list items "
                           "and mapping keys in all (YAML aliases counted each time used)",
                      placed=False)

    def fail(self, loc: Loc, message: str, *, placed: bool = True) -> NoReturn:
        """Raise a :class:`ManifestError` about the value at ``loc`` inside this object (with
        its line and column unless ``placed`` is False)."""
        full = self.prefix + loc
        try:
            position = self.locate(full) if self.locate is not None and placed else None
        except (ValueError, RecursionError):  # the position is a nicety; the error is not
            position = None
        parts = [] if position is not None else [_describe_prefix(self.prefix)]
        parts += [p for p in (self.label, dotted(loc)) if p]
        text = ": ".join([*filter(None, parts), message])
        line, col = position if position is not None else (None, None)
        raise ManifestError(self.origin, line, col, text, full)

    def mapping(self, value: Any, loc: Loc, allowed: Collection[str] | None = None) -> dict:
        """A mapping (None reads as empty); with ``allowed``, unknown keys are errors."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(loc, f"must be a mapping, not {kind_of(value)}")
        self.spend(len(value), loc)
        for key in value:
            if not isinstance(key, str):
                self.fail(loc, f"keys must be strings, not {kind_of(key)}")
            if allowed is not None and key not in allowed:
                expected = ", ".join(sorted(allowed))
                self.fail((*loc, key),
                          f"unknown field {quote(key)} (expected one of: {expected})")
        return value

    def sequence(self, value: Any, loc: Loc) -> list:
        """A list (None reads as empty)."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(loc, f"must be a list, not {kind_of(value)}")
        self.spend(len(value), loc)
        return value

    def string(self, value: Any, loc: Loc, *, required: bool = True) -> str:
        """A non-empty string; a missing optional one reads as ``""``."""
        if value is None:
            if required:
                self.fail(loc, "is required")
            return ""
        if not isinstance(value, str):
            self.fail(loc, f"must be a string, not {kind_of(value)} (quote it)")
        if required and not value:
            self.fail(loc, "must not be empty")
        return value

    def labels(self, value: Any, loc: Loc) -> dict[str, str]:
        """A ``key: value`` label map; numbers and booleans must be quoted, as in Kubernetes."""
        mapping = self.mapping(value, loc)
        for key, item in mapping.items():
            if not isinstance(item, str):
                hint = f" (quote it: \"{quote(item)}\")" if isinstance(item, int | float) else ""
                self.fail((*loc, key), f"label value must be a string, not {kind_of(item)}"
                                       + hint)
        return dict(mapping)


def _describe_prefix(prefix: Loc) -> str:
    if not prefix:
        return ""
    head = f"object {prefix[0]}" if isinstance(prefix[0], int) else str(prefix[0])
    rest = dotted(prefix[1:])
    return f"{head} {rest}" if rest else head


def kind_of(value: Any) -> str:
    """What a YAML value is, for messages: "a list", "null", "the decimal number 80.5" ...

    Numbers and booleans are named with their value, so "must be a port number, not ..." says
    what was found (``80.0`` is a decimal number to YAML and JSON, not the port 80).
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, int):
        return f"the number {quote(value)}"
    if isinstance(value, float):
        return f"the decimal number {quote(value)}"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
