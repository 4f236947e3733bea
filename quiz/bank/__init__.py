"""The question bank: format models, loading, validation (no textual here)."""

from quiz.bank.bank import Bank
from quiz.bank.loader import check_bank, load_bank
from quiz.bank.models import Catalog, Choice, Claim, Concept, Question, QuestionFile, Source, Topic
from quiz.bank.problems import BankError, Problem

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
