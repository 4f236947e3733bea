"""Browsing the bank: one row per question with its progress, a search text, and the filters.

No textual here. The browse screen builds the rows once (one pass over the store) and filters
them in Python as the user types: each row carries its lower-cased search text, so a query on a
10,000-question bank is a few substring tests per question.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from fsrs import State

if TYPE_CHECKING:
    from quiz.bank import Bank, Question
    from quiz.store import CardRecord, Store

STATES = ("new", "learning", "review", "due", "suspended", "flagged", "leech")
# What the table can be sorted by (its columns), and the order states sort in.
SORTS = ("id", "topic", "question", "state", "accuracy", "due", "lapses")
STATE_ORDER = {"due": 0, "learning": 1, "review": 2, "new": 3, "suspended": 4}


@dataclass(frozen=True)
class Progress:
    """A question's progress as the browse table shows it."""

    state: str  # new, learning, review, due or suspended
    flagged: bool = False
    answered: int = 0
    right: int = 0
    due: datetime | None = None  # when a started, unsuspended question is next due
    lapses: int = 0  # scheduled misses of the question while in review
    leech: bool = False  # lapsed leech_threshold times (marked until its card is reset)

    @property
    def accuracy(self) -> float | None:
        """Right answers out of every answer (any mode); None before the first."""
        return self.right / self.answered if self.answered else None


@dataclass(frozen=True)
class BrowseRow:
    """One question of the bank with what the filters and the search look at."""

    question: Question
    progress: Progress
    text: str  # id, stem, choices, whys and explanation, case-folded: what the search reads

    @property
    def id(self) -> str:
        return self.question.id

    def has_state(self, state: str) -> bool:
        """Whether the row passes the state filter ``state`` (one of ``STATES``)."""
        if state == "flagged":
            return self.progress.flagged
        if state == "leech":
            return self.progress.leech
        return self.progress.state == state


def question_state(card: CardRecord | None, now: datetime) -> str:
    """'suspended', 'new' (never reviewed), 'due' (now or overdue), 'review' or 'learning'."""
    if card is not None and card.suspended:
        return "suspended"
    if card is None or card.is_new:
        return "new"
    if card.due <= now:
        return "due"
    return "review" if card.state == State.Review else "learning"


def progress_of(card: CardRecord | None, answers: tuple[int, int], now: datetime) -> Progress:
    """The progress of one question from its card and its (answered, right) counts."""
    state = question_state(card, now)
    started = card is not None and not card.is_new and state != "suspended"
    return Progress(state, flagged=card is not None and card.flagged, answered=answers[0],
                    right=answers[1], due=card.due if started and card is not None else None,
                    lapses=card.lapses if card is not None else 0,
                    leech=card is not None and card.leech)


def answer_counts(store: Store, question_id: str | None = None) -> dict[str, tuple[int, int]]:
    """(answers, right answers) per question, over every logged answer (or one question's)."""
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for entry in store.logs(question_id=question_id):
        total[entry.question_id] += 1
        right[entry.question_id] += entry.correct
    return {qid: (n, right[qid]) for qid, n in total.items()}


def search_text(question: Question) -> str:
    """What the search matches, case-folded: id, stem, every choice and why, explanation."""
    parts = [question.id, question.question, question.explanation]
    for choice in question.choices:
        parts.append(choice.text)
        if choice.why:
            parts.append(choice.why)
    return "\n".join(parts).casefold()


def browse_rows(bank: Bank, store: Store, now: datetime) -> list[BrowseRow]:
    """Every question of the bank in bank order, with its progress and search text."""
    cards = store.cards()
    counts = answer_counts(store)
    return [BrowseRow(q, progress_of(cards.get(q.id), counts.get(q.id, (0, 0)), now),
                      search_text(q)) for q in bank.questions.values()]


def refreshed(row: BrowseRow, store: Store, now: datetime) -> BrowseRow:
    """``row`` with its progress read again (after a flag, a suspension or an answer)."""
    counts = answer_counts(store, row.id).get(row.id, (0, 0))
    return BrowseRow(row.question, progress_of(store.card(row.id), counts, now), row.text)


def filter_rows(rows: Iterable[BrowseRow], query: str = "", *, topic: str | None = None,
                concept: str | None = None, tag: str | None = None,
                state: str | None = None) -> list[BrowseRow]:
    """The rows that match every given filter and contain every word of ``query`` (any case)."""
    terms = query.casefold().split()
    out = []
    for row in rows:
        q = row.question
        if (topic is not None and q.topic != topic) or (
                concept is not None and concept not in q.concepts) or (
                tag is not None and tag not in q.tags) or (
                state is not None and not row.has_state(state)):
            continue
        if all(term in row.text for term in terms):
            out.append(row)
    return out


def sort_rows(rows: Iterable[BrowseRow], by: str | None,
              reverse: bool = False) -> list[BrowseRow]:
    """The rows ordered by one of ``SORTS`` (None: bank order); stable, so ties keep bank
    order. Questions without the figure (never answered, not due) come last either way."""
    rows = list(rows)
    if by is None:
        return rows[::-1] if reverse else rows

    def key(row: BrowseRow) -> Any:
        p = row.progress
        return {
            "id": row.id.casefold(), "topic": row.question.topic.casefold(),
            "question": " ".join(row.question.question.split()).casefold(),
            "state": STATE_ORDER.get(p.state, 9), "accuracy": p.accuracy, "due": p.due,
            "lapses": p.lapses,
        }[by]

    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    return sorted(present, key=key, reverse=reverse) + missing


def tags_of(bank: Bank) -> list[str]:
    """Every tag used in the bank, most used first."""
    counts = Counter(tag for q in bank.questions.values() for tag in q.tags)
    return [tag for tag, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]

