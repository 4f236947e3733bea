"""The question on screen: its choice order and what is picked so far, as a study session
and an exam paper show it alike.

Apart from ``quiz.session`` (which re-exports it) so that ``quiz exam`` draws its paper
without building the study session's classes before its first frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from quiz.bank import Choice, Question


@dataclass(frozen=True)
class Showing:
    """The question on screen, its choice order and what is picked so far."""

    question: Question
    order: tuple[int, ...]  # displayed position -> index in question.choices
    selected: frozenset[int] = frozenset()  # displayed positions
    number: int = 1  # how many of the planned questions have been shown, this one included
    total: int = 1  # the questions planned (re-showings not counted)
    again: bool = False  # shown again: missed, or still in its learning steps, earlier on
    left: int = 1  # planned questions not answered yet, this one included if not ``again``
    relearning: int = 0  # re-showings waiting, this one included if ``again``

    @property
    def choices(self) -> list[Choice]:
        """The choices in displayed order."""
        return [self.question.choices[i] for i in self.order]

    @property
    def picks_needed(self) -> int:
        """How many choices a right answer has (the screen says so for multi questions)."""
        return len(self.question.correct_indices)
