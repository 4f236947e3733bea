"""How each topic's questions stand: the counts home lists and ``quiz stats`` tabulates.

Each question is in exactly one of: new (never answered in review mode since its card was
made), learning (fsrs Learning or Relearning), review (fsrs Review), or suspended.
*Mastered* is a subset of review: fsrs stability of at least ``MASTERED_STABILITY_DAYS`` (21)
days, i.e. the card is expected to stay above 90% recall for three weeks. *Due today* is
``quiz.scheduling.due_today``'s, split by topic.

Apart from ``quiz.stats`` (which adds the answer history's figures) so that home's first frame
imports only what it shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fsrs import State

if TYPE_CHECKING:
    from quiz.bank import Bank
    from quiz.store import CardSummary

MASTERED_STABILITY_DAYS = 21.0
MASTERED_DEFINITION = (f"in review with fsrs stability >= {MASTERED_STABILITY_DAYS:g} days")
COUNTED = ("questions", "new", "learning", "review", "due_today", "mastered", "suspended")


@dataclass
class TopicCounts:
    """How the questions of one topic stand."""

    id: str
    title: str
    questions: int = 0
    new: int = 0
    learning: int = 0
    review: int = 0
    due_today: int = 0  # quiz.scheduling.due_today: due reviews and new allowance, today
    mastered: int = 0
    suspended: int = 0


def topic_counts(bank: Bank, cards: Mapping[str, CardSummary],
                 due: Mapping[str, int]) -> list[TopicCounts]:
    """Each topic's counts, in the bank's order (a question's topic the bank does not list
    comes after, titled by its id), from the store's ``card_summaries()`` and ``due``:
    ``DueToday.per_topic()``."""
    topics = {t.id: TopicCounts(id=t.id, title=t.title) for t in bank.topics.values()}
    for q in bank.questions.values():
        counts = topics.get(q.topic) or topics.setdefault(
            q.topic, TopicCounts(id=q.topic, title=q.topic))
        counts.questions += 1
        card = cards.get(q.id)
        if card is not None and card.suspended:
            counts.suspended += 1
        elif card is None or card.is_new:
            counts.new += 1
        elif card.state == State.Review:
            counts.review += 1
            counts.mastered += (card.stability or 0) >= MASTERED_STABILITY_DAYS
        else:
            counts.learning += 1
    for topic, count in due.items():
        topics[topic].due_today = count
    return list(topics.values())


def add_up(topics: Iterable[TopicCounts]) -> TopicCounts:
    """All topics added up."""
    total = TopicCounts(id="total", title="All topics")
    for t in topics:
        for name in COUNTED:
            setattr(total, name, getattr(total, name) + getattr(t, name))
    return total
