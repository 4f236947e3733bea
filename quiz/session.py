"""A study session as a plain state machine: the TUI drives it, nothing here draws anything.

    asking --submit--> answered --advance--> asking (next question) ... --> finished
              ^            |  regrade (right answers: Hard/Good/Easy), flag
              +---undo-----+  (undo also works from the next question or after finishing)

``submit`` stores the answer (committed) before it returns the feedback to show, so nothing a
user saw confirmed can be lost. Choice order is shuffled per showing (seeded by ``rng``)
unless the question says ``shuffle: false``; indices the TUI passes are *displayed* positions.

Questions come back within the session, as in Anki. In review mode, an answer that leaves the
card in its (re)learning steps (a miss: Relearning; a new card: Learning) due later today
queues the question again for that time: it is shown once it falls due, before the rest, or
up to ``LEARN_AHEAD`` early when nothing else is left; a step due after today waits for a
later review. Practice (and cram) re-ask a question missed at its first showing once, after
the rest. The same question is never shown twice in a row while another one is left.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Literal

from fsrs import Rating

from quiz.cards import grade_dues, in_steps
from quiz.clock import local_day, utc_now
from quiz.showing import Showing as Showing
from quiz.store import SCHEDULING_MODES, TopicResult

if TYPE_CHECKING:
    from quiz.bank import Bank, Question
    from quiz.store import RecordedAnswer, SessionRecord, Store

Phase = Literal["asking", "answered", "finished"]
LEARN_AHEAD = timedelta(minutes=20)  # Anki's: how early a step is shown when nothing else is left


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
    # When each grade of a right answer would bring it back (Hard, Good: ``due``, Easy).
    grade_dues: dict[Rating, datetime] = field(default_factory=dict)
    back_in_session: datetime | None = None  # asked again in this session (at the earliest)
    again: bool = False  # the answer to a re-showing


@dataclass(frozen=True)
class Summary:
    """The end-of-session report."""

    score: int  # questions right at their first showing (what is stored as the score)
    total: int  # questions answered (each once, however often it was shown)
    per_topic: dict[str, TopicResult]  # first-try results
    missed: tuple[str, ...]  # question ids answered wrongly at first, in order
    next_due: dict[str, datetime] = field(default_factory=dict)  # review mode, from the store
    final: int = 0  # questions whose latest answer is right (a miss put right on its return)
    answers: int = 0  # answers given, re-showings included


@dataclass(frozen=True)
class _Pending:
    """A question to show again: at ``due`` (review steps), or after the rest (None)."""

    question_id: str
    due: datetime | None

    def sort_key(self) -> tuple[bool, datetime | None]:
        return (self.due is None, self.due)


@dataclass
class _Answered:
    showing: Showing
    feedback: Feedback
    queue: tuple[int, tuple[_Pending, ...]]  # what was left while it was on screen (undo)


class StudySession:
    """Asks ``questions`` in order, storing every answer through ``store``."""

    def __init__(self, bank: Bank, store: Store, mode: str = "review",
                 questions: Sequence[Question] = (), rng: random.Random | None = None,
                 now: Callable[[], datetime] = utc_now, *, topic: str | None = None,
                 concept: str | None = None, title: str | None = None,
                 tz: tzinfo | None = None) -> None:
        self.bank = bank
        self.store = store
        self.mode = mode
        self.questions = list(questions)
        # What the header calls the session ("Cram · weakest first"); None: mode and topic.
        self.title = title
        self._rng = rng or random.Random()
        self._now = now
        self._tz = tz
        self._topic, self._concept = topic, concept
        self._next_main = 0  # the next planned question to show for the first time
        self._pending: tuple[_Pending, ...] = ()  # questions to show again, soonest first
        self._started_at = now()
        self._record: SessionRecord | None = None  # stored with the first answer (``record``)
        self._answers: list[_Answered] = []
        self._showing: Showing | None = None
        self._shown_at = now()
        self._feedback: Feedback | None = None
        self._phase: Phase = "asking"
        if not self._finish_if_done():
            self._show_next()

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
    def left(self) -> int:
        """Planned questions not answered yet (the one being asked included, unless it is
        asked again)."""
        asked = self._showing if self._phase == "asking" else None
        return len(self.questions) - self._next_main + (asked is not None and not asked.again)

    @property
    def relearning(self) -> int:
        """Questions waiting to be asked again (the one being asked included, if it is)."""
        asked = self._showing if self._phase == "asking" else None
        return len(self._pending) + (asked is not None and asked.again)

    @property
    def concept(self) -> str | None:
        """The concept practised (concept practice), else None."""
        return self._concept

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
        can_regrade = answer.correct and answer.scheduled
        dues: dict[Rating, datetime] = {}
        if can_regrade and answer.before is not None and answer.answered_at is not None:
            dues = grade_dues(self.store.scheduler(), answer.before.card, answer.answered_at)
            dues[Rating.Good] = answer.card.due  # as stored (fuzzed, in the app)
        feedback = Feedback(
            question=showing.question, correct=answer.correct,
            choices=tuple(ChoiceResult(text=c.text, why=c.why, picked=bank_i in picked,
                                       correct=c.correct)
                          for bank_i, c in zip(showing.order, showing.choices, strict=True)),
            log_id=answer.log_id, rating=answer.rating,
            due=answer.card.due if answer.scheduled else None,
            can_regrade=can_regrade, grade_dues=dues, again=showing.again,
            leech=answer.became_leech, suspended=answer.became_leech and answer.card.suspended,
        )
        queue = (self._next_main, self._pending)
        feedback = self._queue_again(feedback, answer)
        self._answers.append(_Answered(showing, feedback, queue))
        self._feedback, self._phase = feedback, "answered"
        return feedback

    def _queue_again(self, feedback: Feedback, answer: RecordedAnswer) -> Feedback:
        """Queue the question to come back in this session if it should; the feedback says
        when."""
        question_id = feedback.question.id
        pending = tuple(p for p in self._pending if p.question_id != question_id)
        back: _Pending | None = None
        if answer.scheduled:
            card = answer.card.card
            if in_steps(card) and card.due < local_day(self._now(), self._tz)[1]:
                back = _Pending(question_id, card.due)
        elif not feedback.correct and not feedback.again:
            back = _Pending(question_id, None)  # practice: once more, after the rest
        if back is not None:
            pending = tuple(sorted((*pending, back), key=_Pending.sort_key))
        self._pending = pending
        return replace(feedback, back_in_session=back.due or self._now()
                       if back is not None else None)

    def regrade(self, rating: Rating) -> Feedback:
        """After a right answer: Hard ("I guessed"), Good ("knew it", as stored) or Easy
        ("knew it instantly"); the question comes back in the session if the grade says so."""
        self._require("answered")
        feedback = self._feedback
        assert feedback is not None
        if not feedback.can_regrade:
            raise ValueError("only a right answer in review mode can be regraded")
        answer = self.store.regrade(feedback.log_id, rating)
        feedback = replace(feedback, rating=answer.rating, due=answer.card.due)
        feedback = self._queue_again(feedback, answer)
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
        self._next_main, self._pending = last.queue
        self._showing = replace(last.showing, selected=frozenset())
        self._feedback, self._phase = None, "asking"
        self._shown_at = self._now()
        return self._showing

    def advance(self) -> Showing | None:
        """On to the next question; None when the session is over (and stored as finished)."""
        self._require("answered")
        if self._finish_if_done():
            return None
        return self._show_next()

    def use_bank(self, bank: Bank) -> bool:
        """The bank after a question was edited: every later showing uses the edited text.

        The question on screen stays as shown unless its answer key changed while it waits
        for an answer: then it is shown again as edited (an answer to the old key would be
        graded against a key the bank no longer has). Returns whether that happened.
        """
        self.bank = bank
        self.questions = [bank.questions.get(q.id, q) for q in self.questions]
        showing = self._showing
        if showing is None or self._phase != "asking":
            return False
        edited = bank.questions.get(showing.question.id)
        if edited is None or edited.fingerprint() == showing.question.fingerprint():
            return False
        self._show(edited, again=showing.again)
        return True

    # --- results -----------------------------------------------------------------------------

    def summary(self) -> Summary:
        """First-try and final scores, per-topic results (first try), missed questions and,
        in review mode, next due times."""
        first: dict[str, _Answered] = {}
        latest: dict[str, _Answered] = {}
        for a in self._answers:
            first.setdefault(a.showing.question.id, a)
            latest[a.showing.question.id] = a
        per_topic: dict[str, TopicResult] = {}
        for a in first.values():
            topic = a.showing.question.topic
            old = per_topic.get(topic, TopicResult())
            per_topic[topic] = TopicResult(old.correct + a.feedback.correct, old.total + 1)
        next_due = {}
        if self.mode in SCHEDULING_MODES:
            for question_id in first:
                card = self.store.card(question_id)
                if card is not None:
                    next_due[card.question_id] = card.due
        return Summary(
            score=sum(a.feedback.correct for a in first.values()), total=len(first),
            per_topic=per_topic,
            missed=tuple(q for q, a in first.items() if not a.feedback.correct),
            next_due=next_due, final=sum(a.feedback.correct for a in latest.values()),
            answers=len(self._answers),
        )

    # --- internals ---------------------------------------------------------------------------

    def _require(self, phase: Phase) -> Showing:
        if self._phase != phase or self._showing is None:
            raise RuntimeError(f"cannot do that while {self._phase}")
        return self._showing

    def _pick(self) -> tuple[Question, bool] | None:
        """The next question to show and whether it is a re-showing; None: nothing left.

        Re-showings that are due come first, then the planned questions, then re-showings
        due within ``LEARN_AHEAD`` (or queued for the end); never the question just shown
        while another is left.
        """
        now = self._now()
        due_now = [p for p in self._pending if p.due is not None and p.due <= now]
        ahead = [p for p in self._pending if p not in due_now
                 and (p.due is None or p.due <= now + LEARN_AHEAD)]
        candidates: list[_Pending | None] = [*due_now]  # None: the next planned question
        if self._next_main < len(self.questions):
            candidates.append(None)
        candidates += ahead
        if not candidates:
            return None
        last = self._showing.question.id if self._showing is not None else None
        pick = next((c for c in candidates if c is None or c.question_id != last),
                    candidates[0])
        if pick is None:
            return self.questions[self._next_main], False
        by_id = {q.id: q for q in self.questions}
        return by_id[pick.question_id], True

    def _show_next(self) -> Showing:
        picked = self._pick()
        assert picked is not None, "nothing left to show"
        question, again = picked
        if again:
            self._pending = tuple(p for p in self._pending if p.question_id != question.id)
        else:
            self._next_main += 1
        return self._show(question, again=again)

    def _show(self, question: Question, *, again: bool) -> Showing:
        count = len(question.choices)
        order = tuple(self._rng.sample(range(count), count)) if question.shuffle \
            else tuple(range(count))
        total = len(self.questions)
        self._showing = Showing(question, order, number=self._next_main, total=total,
                                again=again, left=total - self._next_main + (not again),
                                relearning=len(self._pending) + again)
        self._feedback, self._phase = None, "asking"
        self._shown_at = self._now()
        return self._showing

    def _finish_if_done(self) -> bool:
        if self._pick() is not None:
            return False
        summary = self.summary()
        self._record = self.store.finish_session(self.id, score=summary.score,
                                                total=summary.total,
                                                per_topic=summary.per_topic)
        self._feedback, self._phase = None, "finished"
        return True
