"""A study session as a plain state machine: the TUI drives it, nothing here draws anything.

    asking --submit--> answered --advance--> asking (next question) ... --> finished
              ^            |  regrade (right answers: Hard/Easy), flag
              +---undo-----+  (undo also works from the next question or after finishing)

``submit`` stores the answer (committed) before it returns the feedback to show, so nothing a
user saw confirmed can be lost. Choice order is shuffled per showing (seeded by ``rng``)
unless the question says ``shuffle: false``; indices the TUI passes are *displayed* positions.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from fsrs import Rating

from quiz.clock import utc_now
from quiz.store import SCHEDULING_MODES, TopicResult

if TYPE_CHECKING:
    from quiz.bank import Bank, Choice, Question
    from quiz.store import SessionRecord, Store

Phase = Literal["asking", "answered", "finished"]


@dataclass(frozen=True)
class Showing:
    """The question on screen, its choice order and what is picked so far."""

    question: Question
    order: tuple[int, ...]  # displayed position -> index in question.choices
    selected: frozenset[int] = frozenset()  # displayed positions
    number: int = 1  # 1-based position in the session
    total: int = 1

    @property
    def choices(self) -> list[Choice]:
        """The choices in displayed order."""
        return [self.question.choices[i] for i in self.order]

    @property
    def picks_needed(self) -> int:
        """How many choices a right answer has (the screen says so for multi questions)."""
        return len(self.question.correct_indices)


@dataclass(frozen=True)
class ChoiceResult:
    """One choice after answering, in displayed order."""

    text: str
    why: str | None
    picked: bool
    correct: bool


@dataclass(frozen=True)
class Feedback:
    """What to show after an answer; exists only once the answer is committed."""

    question: Question
    correct: bool
    choices: tuple[ChoiceResult, ...]
    log_id: int
    rating: Rating
    due: datetime | None  # when the question comes back (review mode), else None
    can_regrade: bool  # a right answer in review mode: offer "guessed" / "knew it instantly"
    leech: bool = False  # this answer made the question a leech (lapsed leech_threshold times)
    suspended: bool = False  # ... and it was suspended for it (leech_action "suspend")


@dataclass(frozen=True)
class Summary:
    """The end-of-session report."""

    score: int
    total: int
    per_topic: dict[str, TopicResult]
    missed: tuple[str, ...]  # question ids answered wrongly, in order
    next_due: dict[str, datetime] = field(default_factory=dict)  # review mode, from the store


@dataclass
class _Answered:
    showing: Showing
    feedback: Feedback


class StudySession:
    """Asks ``questions`` in order, storing every answer through ``store``."""

    def __init__(self, bank: Bank, store: Store, mode: str = "review",
                 questions: Sequence[Question] = (), rng: random.Random | None = None,
                 now: Callable[[], datetime] = utc_now, *, topic: str | None = None,
                 concept: str | None = None) -> None:
        self.bank = bank
        self.store = store
        self.mode = mode
        self.questions = list(questions)
        self._rng = rng or random.Random()
        self._now = now
        self._topic, self._concept = topic, concept
        self._started_at = now()
        self._record: SessionRecord | None = None  # stored with the first answer (``record``)
        self._answers: list[_Answered] = []
        self._showing: Showing | None = None
        self._shown_at = now()
        self._feedback: Feedback | None = None
        self._phase: Phase = "asking"
        if not self._finish_if_done():
            self._show(0)

    # --- state -------------------------------------------------------------------------------

    @property
    def record(self) -> SessionRecord:
        """The session as stored; stored on first use (the first answer, usually), so the
        first question is on screen before anything is written."""
        if self._record is None:
            self._record = self.store.start_session(self.mode, topic=self._topic,
                                                    concept=self._concept,
                                                    started_at=self._started_at)
        return self._record

    @property
    def stored(self) -> bool:
        """Whether the session has been stored yet (nothing is, before the first answer)."""
        return self._record is not None

    @property
    def id(self) -> int:
        """The study session's id in the store."""
        return self.record.id

    @property
    def phase(self) -> Phase:
        """Where the session is: "asking", "answered" or "finished"."""
        return self._phase

    @property
    def finished(self) -> bool:
        """True once every question is answered (``undo`` can reopen the session)."""
        return self._phase == "finished"

    @property
    def current(self) -> Showing | None:
        """The question being asked or just answered; None once finished."""
        return None if self.finished else self._showing

    @property
    def feedback(self) -> Feedback | None:
        """The feedback of the answer just given (phase "answered")."""
        return self._feedback if self._phase == "answered" else None

    # --- actions -----------------------------------------------------------------------------

    def select(self, displayed_index: int) -> Showing:
        """Pick a choice: replaces the pick of a single-answer question, toggles for multi."""
        showing = self._require("asking")
        if not 0 <= displayed_index < len(showing.order):
            raise IndexError(f"choice {displayed_index} of {len(showing.order)}")
        if showing.question.is_multi:
            selected = showing.selected ^ {displayed_index}
        else:
            selected = frozenset({displayed_index})
        self._showing = replace(showing, selected=selected)
        return self._showing

    toggle = select

    def submit(self, duration_ms: int | None = None) -> Feedback:
        """Store the answer (committed when this returns), then return what to show."""
        showing = self._require("asking")
        if not showing.selected:
            raise ValueError("pick a choice first")
        if duration_ms is None:
            duration_ms = max(0, int((self._now() - self._shown_at).total_seconds() * 1000))
        picked = {showing.order[i] for i in showing.selected}
        answer = self.store.record_answer(showing.question, picked, mode=self.mode,
                                          session_id=self.id, duration_ms=duration_ms,
                                          shown_order=showing.order)
        feedback = Feedback(
            question=showing.question, correct=answer.correct,
            choices=tuple(ChoiceResult(text=c.text, why=c.why, picked=bank_i in picked,
                                       correct=c.correct)
                          for bank_i, c in zip(showing.order, showing.choices, strict=True)),
            log_id=answer.log_id, rating=answer.rating,
            due=answer.card.due if answer.scheduled else None,
            can_regrade=answer.correct and answer.scheduled,
            leech=answer.became_leech, suspended=answer.became_leech and answer.card.suspended,
        )
        self._answers.append(_Answered(showing, feedback))
        self._feedback, self._phase = feedback, "answered"
        return feedback

    def regrade(self, rating: Rating) -> Feedback:
        """After a right answer: Hard ("I guessed") or Easy ("knew it instantly")."""
        self._require("answered")
        feedback = self._feedback
        assert feedback is not None
        if not feedback.can_regrade:
            raise ValueError("only a right answer in review mode can be regraded")
        answer = self.store.regrade(feedback.log_id, rating)
        feedback = replace(feedback, rating=answer.rating, due=answer.card.due)
        self._answers[-1].feedback = feedback
        self._feedback = feedback
        return feedback

    def flag(self, flagged: bool | None = None) -> bool:
        """Flag the current question for a later look (toggles by default); the new state."""
        showing = self._showing
        if showing is None or self.finished:
            raise RuntimeError("no question to flag")
        if flagged is None:
            card = self.store.card(showing.question.id)
            flagged = not (card is not None and card.flagged)
        self.store.set_flagged(showing.question.id, flagged)
        return flagged

    def undo(self) -> Showing | None:
        """Take back the latest answer and ask that question again (same choice order).

        Returns the question shown again, or None if there is nothing to undo.
        """
        if not self._answers:
            return None
        last = self._answers.pop()
        undone = self.store.undo_last(self.id)
        assert undone == last.showing.question.id, (undone, last.showing.question.id)
        self._showing = replace(last.showing, selected=frozenset())
        self._feedback, self._phase = None, "asking"
        self._shown_at = self._now()
        return self._showing

    def advance(self) -> Showing | None:
        """On to the next question; None when the session is over (and stored as finished)."""
        self._require("answered")
        if self._finish_if_done():
            return None
        return self._show(len(self._answers))

    # --- results -----------------------------------------------------------------------------

    def summary(self) -> Summary:
        """Score, per-topic results, missed questions and, in review mode, next due times."""
        per_topic: dict[str, TopicResult] = {}
        for a in self._answers:
            topic = a.showing.question.topic
            old = per_topic.get(topic, TopicResult())
            per_topic[topic] = TopicResult(old.correct + a.feedback.correct, old.total + 1)
        next_due = {}
        if self.mode in SCHEDULING_MODES:
            for a in self._answers:
                card = self.store.card(a.showing.question.id)
                if card is not None:
                    next_due[card.question_id] = card.due
        return Summary(
            score=sum(a.feedback.correct for a in self._answers), total=len(self._answers),
            per_topic=per_topic,
            missed=tuple(a.showing.question.id for a in self._answers if not a.feedback.correct),
            next_due=next_due,
        )

    # --- internals ---------------------------------------------------------------------------

    def _require(self, phase: Phase) -> Showing:
        if self._phase != phase or self._showing is None:
            raise RuntimeError(f"cannot do that while {self._phase}")
        return self._showing

    def _show(self, index: int) -> Showing:
        question = self.questions[index]
        count = len(question.choices)
        order = tuple(self._rng.sample(range(count), count)) if question.shuffle \
            else tuple(range(count))
        self._showing = Showing(question, order, number=index + 1, total=len(self.questions))
        self._feedback, self._phase = None, "asking"
        self._shown_at = self._now()
        return self._showing

    def _finish_if_done(self) -> bool:
        if len(self._answers) < len(self.questions):
            return False
        summary = self.summary()
        self._record = self.store.finish_session(self.id, score=summary.score,
                                                total=summary.total,
                                                per_topic=summary.per_topic)
        self._feedback, self._phase = None, "finished"
        return True
