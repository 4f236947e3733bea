"""The question bank: format models, loading, validation (no textual here).

``load_bank`` and ``check_bank`` (the YAML loader and every check) are imported on first use:
a start-up that finds the bank in the cache (``quiz.bank.cache``) never needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quiz.bank.bank import Bank
from quiz.bank.models import Catalog, Choice, Claim, Concept, Question, QuestionFile, Source, Topic
from quiz.bank.problems import BankError, Problem

if TYPE_CHECKING:
    from quiz.bank.loader import check_bank, load_bank


def __getattr__(name: str) -> Any:
    if name in ("check_bank", "load_bank"):
        from quiz.bank import loader

        return getattr(loader, name)
    raise AttributeError(f"module 'quiz.bank' has no attribute {name!r}")


__all__ = [
    "Bank",
    "BankError",
    "Catalog",
    "Choice",
    "Claim",
    "Concept",
    "Problem",
    "Question",
    "QuestionFile",
    "Source",
    "Topic",
    "check_bank",
    "load_bank",
]
