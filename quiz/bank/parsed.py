"""What the loader collects while reading a bank, before cross-file checks turn it into a Bank."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quiz.bank.files import read_regular
from quiz.bank.models import Catalog, Question
from quiz.bank.positions import Locator
from quiz.bank.problems import Problem

# Problems listed per file: the first ones name what is wrong; a file of 250,000 unknown keys
# listed them all (and composed its text once per key to place each: minutes).
MAX_PROBLEMS_PER_FILE = 100


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

    # (file, warning?) -> problems placed and kept / past the limit: errors and warnings are
    # counted apart, so warnings never hide an error and never make a bank fail to load.
    shown: dict[tuple[str, bool], int] = field(default_factory=dict)
    hidden: dict[tuple[str, bool], int] = field(default_factory=dict)

    def error(self, f: ParsedFile, loc: Sequence[str | int], message: str, qid: str | None = None,
              *, key: bool = False, warning: bool = False) -> None:
        if self.crowded(f, warning=warning):
            return
        self.shown[f.display, warning] = self.shown.get((f.display, warning), 0) + 1
        line, col = f.at(loc, key=key)
        self.problems.append(
            Problem(f.display, line, col, message, qid, "warning" if warning else "error")
        )

    def crowded(self, f: ParsedFile, *, warning: bool = False) -> bool:
        """Whether ``f`` has had its share of errors (or warnings): MAX_PROBLEMS_PER_FILE. One
        more is only counted, neither placed nor worded, so a file of a million bad values
        ends quickly."""
        if self.shown.get((f.display, warning), 0) < MAX_PROBLEMS_PER_FILE:
            return False
        self.hidden[f.display, warning] = self.hidden.get((f.display, warning), 0) + 1
        return True

    def crowd_notes(self) -> list[Problem]:
        """One problem per file whose errors (or warnings) went past the limit: how many more."""
        return [Problem(display, 0, 0, f"{count:,} more {'warnings' if warning else 'errors'} "
                        f"in this file not shown (the first {MAX_PROBLEMS_PER_FILE} are)",
                        severity="warning" if warning else "error")
                for (display, warning), count in self.hidden.items()]
