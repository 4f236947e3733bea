"""Marking a handed-in exam paper: its score, per topic and per question (``grade``), and its
answers fed to the fsrs schedule (``schedule_exam_answers``).

Apart from ``quiz.exam`` (drawing and running a paper, whose ``ExamRun.submit`` calls these)
so that ``quiz exam`` shows its first question without building the results' classes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING

from quiz.cards import is_lapse, rating_for
from quiz.store import TopicResult

if TYPE_CHECKING:
    from quiz.bank import Question
    from quiz.store import CardRecord, Store


@dataclass(frozen=True)
class GradedAnswer:
    """One question of a handed-in paper (picks in bank order; empty: not answered)."""

    question: Question
    picked: tuple[int, ...]
    correct: bool


@dataclass(frozen=True)
class ExamResult:
    """A handed-in paper: unanswered questions count as wrong."""

    attempt_id: int
    score: int
    total: int
    percent: float  # 0..100
    pass_mark: float  # 0..1
    passed: bool
    per_topic: dict[str, TopicResult]
    time_used: timedelta
    answers: tuple[GradedAnswer, ...]

    @property
    def missed(self) -> tuple[Question, ...]:
        """The questions answered wrongly or not at all, in paper order."""
        return tuple(a.question for a in self.answers if not a.correct)


def grade(attempt_id: int, questions: Sequence[Question], picks: Mapping[str, Iterable[int]],
          pass_mark: float, time_used: timedelta) -> ExamResult:
    """Score a paper from picks by question id (bank-order indices); missing picks are wrong."""
    answers = []
    per_topic: dict[str, TopicResult] = {}
    for q in questions:
        picked = tuple(sorted(set(picks.get(q.id, ()))))
        correct = bool(picked) and frozenset(picked) == q.correct_indices
        answers.append(GradedAnswer(q, picked, correct))
        old = per_topic.get(q.topic, TopicResult())
        per_topic[q.topic] = TopicResult(old.correct + correct, old.total + 1)
    score, total = sum(a.correct for a in answers), len(answers)
    share = score / total if total else 0.0
    return ExamResult(attempt_id, score, total, 100 * share, pass_mark,
                      bool(total) and share >= pass_mark, per_topic,
                      max(timedelta(0), time_used), tuple(answers))


def schedule_exam_answers(store: Store, attempt_id: int) -> list[str]:
    """Apply an attempt's logged exam answers to the fsrs schedule: a miss Again, right Good.

    The store logs exam answers without scheduling them (only review mode schedules), so the
    review is applied here at each answer's time, saved with one ``Store.save_schedules``.
    Idempotent: a card last reviewed at or after the answer is left alone (already fed, or
    scheduled by the store itself). Suspended cards stay put. Returns the ids that moved.
    """
    scheduler = store.scheduler()
    threshold = store.settings().leech_threshold
    cards = store.cards()
    moved: list[CardRecord] = []
    for entry in store.logs(session_id=attempt_id):
        record = cards.get(entry.question_id)
        if entry.mode != "exam" or record is None or record.suspended:
            continue
        last = record.card.last_review
        if last is not None and last >= entry.answered_at:
            continue
        rating = rating_for(entry.correct)
        lapses = record.lapses + is_lapse(record.card.state, rating)
        card, _ = scheduler.review_card(record.card, rating, review_datetime=entry.answered_at)
        moved.append(replace(record, card=card, lapses=lapses,
                             leech=record.leech or lapses >= threshold))
    store.save_schedules(moved)
    return [r.question_id for r in moved]
