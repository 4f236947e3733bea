"""What the loader collects while reading a bank, before cross-file checks turn it into a Bank."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quiz.bank.models import Catalog, Question
from quiz.bank.positions import Locator
from quiz.bank.problems import Problem
from quiz.bank.reading import read_regular


@dataclass
class ParsedFile:
    """One parsed bank file and the means to find positions in it."""

    path: Path
    display: str
    data: Any = None
    locator: Locator | None = None
    root: Path | None = None  # the bank directory the file belongs to (scenario paths stay in it)
    flagged: set[tuple[str | int, ...]] = field(default_factory=set)  # places already reported

    def at(self, loc: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
        """1-based line and column of ``loc``; the file is composed again only when asked."""
        if self.locator is None:
            try:
                text = read_regular(self.path).decode("utf-8-sig")
            except (OSError, UnicodeDecodeError):  # changed since it was read: no positions
                text = ""
            self.locator = Locator(text)
        return self.locator.key_position(loc) if key else self.locator.position(loc)


@dataclass
class LoadState:
    """Everything collected while loading; turned into a Bank or a BankError at the end."""

    problems: list[Problem] = field(default_factory=list)
    catalogs: list[tuple[ParsedFile, Catalog]] = field(default_factory=list)
    questions: list[tuple[ParsedFile, int, Question]] = field(default_factory=list)
    topic_refs: list[tuple[ParsedFile, str]] = field(default_factory=list)

    def error(self, f: ParsedFile, loc: Sequence[str | int], message: str, qid: str | None = None,
              *, key: bool = False, warning: bool = False) -> None:
        line, col = f.at(loc, key=key)
        self.problems.append(
            Problem(f.display, line, col, message, qid, "warning" if warning else "error")
        )
