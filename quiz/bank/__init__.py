"""The question bank: the domain objects, loading, validation (no textual here).

``Question``, ``Choice``… are ``quiz.bank.domain``'s plain dataclasses; the pydantic format
models they are validated with are in ``quiz.bank.models``.

``load_bank`` and ``check_bank`` (the YAML loader and every check), ``Problem`` and
``BankError`` are imported on first use: a start-up that finds the bank in the cache
(``quiz.bank.cache``) never needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quiz.bank.bank import Bank
from quiz.bank.domain import Choice, Claim, Concept, Question, Source, Topic

if TYPE_CHECKING:
    from quiz.bank.loader import check_bank, load_bank
    from quiz.bank.problems import BankError, Problem


def __getattr__(name: str) -> Any:
    if name in ("check_bank", "load_bank"):
        from quiz.bank import loader

        return getattr(loader, name)
    if name in ("BankError", "Problem"):
        from quiz.bank import problems

        return getattr(problems, name)
    raise AttributeError(f"module 'quiz.bank' has no attribute {name!r}")


__all__ = [
    "Bank",
    "BankError",
    "Choice",
    "Claim",
    "Concept",
    "Problem",
    "Question",
    "Source",
    "Topic",
    "check_bank",
    "load_bank",
]
