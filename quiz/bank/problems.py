"""Problems found in a bank, reported as ``path:line:col: question-id: message``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from quiz.textsafe import printable, shorten

Severity = Literal["error", "warning"]
FieldPath = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Problem:
    """One error or warning at a place in a bank file (line and column are 1-based)."""

    path: str
    line: int
    col: int
    message: str
    qid: str | None = None
    severity: Severity = "error"

    def __str__(self) -> str:
        # Line 0 marks a problem with a path as a whole (missing directory, unreadable file).
        # Paths, ids and messages come from files: never let them drive the terminal.
        path = printable(self.path)
        where = f"{path}:{self.line}:{self.col}" if self.line else path
        prefix = "warning: " if self.severity == "warning" else ""
        who = f" {printable(shorten(self.qid))}:" if self.qid else ""
        return f"{where}:{who} {prefix}{printable(self.message)}"


class BankError(Exception):
    """A bank that cannot be used; ``problems`` says why, every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__("\n".join(str(p) for p in errors) or "invalid bank")


@dataclass(frozen=True)
class FieldProblem:
    """A problem with one field of a draft (``quiz.bank.drafts``), as ``quiz validate`` words
    it; ``path`` is e.g. ``("choices", 2, "why")`` (0-based), ``("topic",)`` or ``()`` for the
    whole draft. Here, not in drafts, so the question form shows problems without importing
    the loader (and pydantic) before its first frame."""

    path: FieldPath
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{'warning: ' if self.severity == 'warning' else ''}{self.message}"
