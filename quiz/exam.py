"""Mock exams: drawing a paper weighted by topic, and a timed attempt as a plain state machine.

The KCSA format by default: 60 questions, 90 minutes, 75% to pass. ``draw_exam`` picks the
paper; ``ExamRun`` asks it (free navigation, flags, a wall clock), storing every pick as it is
made; ``submit`` grades (``quiz.exam_marking``), logs each answer in exam mode, feeds them to
the schedule and closes the attempt. Indices the TUI passes are *displayed* positions, as in
``quiz.session``.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from quiz.clock import utc, utc_now
from quiz.exam_format import KCSA as KCSA
from quiz.exam_format import KCSA_TAG as KCSA_TAG
from quiz.exam_format import ExamFormat as ExamFormat
from quiz.exam_format import Unfinished as Unfinished
from quiz.exam_format import time_limit_of as time_limit_of
from quiz.exam_format import unfinished_exam as unfinished_exam
from quiz.scheduling import interleave
from quiz.showing import Showing
from quiz.store.pending import PendingStore

if TYPE_CHECKING:
    from quiz.bank import Bank, Question
    from quiz.exam_marking import ExamResult
    from quiz.store import ExamAttempt, Store

WARNING_SHARE = 0.10  # the clock turns to a warning with this share of the time left


def kcsa_count(bank: Bank) -> int:
    """How many of the bank's questions are tagged ``kcsa`` (the default exam's pool)."""
    return sum(KCSA_TAG in q.tags for q in bank.questions.values())


def pool_name(all_questions: bool) -> str:
    """What a paper was drawn from, as the set-up dialog and the results say it."""
    return "all questions" if all_questions else "KCSA questions only"


def paper_pool(bank: Bank, questions: Sequence[Question]) -> str | None:
    """What a paper holds, read from its questions' tags (the stored attempt keeps the paper,
    not the choice): 'KCSA questions only' or 'N beyond the KCSA'. None when the bank tags no
    question ``kcsa`` (nothing to tell)."""
    if not any(KCSA_TAG in q.tags for q in bank.questions.values()):
        return None
    beyond = sum(KCSA_TAG not in q.tags for q in questions)
    return pool_name(False) if not beyond else f"{beyond} beyond the KCSA"


# --- drawing the paper ---------------------------------------------------------------------

@dataclass(frozen=True)
class Draw:
    """A drawn paper; ``note`` says why it is shorter than ``requested`` (None if it is not)."""

    questions: list[Question]
    requested: int
    note: str | None = None


def apportion(weights: dict[str, float], n: int, available: dict[str, int]) -> dict[str, int]:
    """Split ``n`` over topics by weight (largest remainder), capped by what each topic has.

    A topic whose share exceeds its questions gets them all; the shortfall is shared among
    the others by weight, and so on. Ties go to the heavier topic, then the earlier one.
    """
    counts = {t: 0 for t in weights}
    active = [t for t in weights if available.get(t, 0) > 0]
    left = min(n, sum(available.get(t, 0) for t in weights))
    quotas: dict[str, float] = {}
    while active and left > 0:
        total = sum(weights[t] for t in active)
        quotas = {t: left * weights[t] / total for t in active}
        full = [t for t in active if quotas[t] >= available[t]]
        if not full:
            break
        for t in full:
            counts[t] = available[t]
            left -= available[t]
        active = [t for t in active if t not in full]
    if left > 0:
        for t in active:
            counts[t] = math.floor(quotas[t])
        rank = sorted(active, key=lambda t: (counts[t] - quotas[t], -weights[t]))  # stable
        for t in rank[:left - sum(counts[t] for t in active)]:
            counts[t] += 1
    return counts


def draw_exam(bank: Bank, n: int = KCSA.questions, rng: random.Random | None = None,
              topics: Iterable[str] | None = None, *, all_questions: bool = True) -> Draw:
    """``n`` different questions, apportioned over topics by weight, in a mixed order.

    ``topics`` limits the paper to those topic ids; ``all_questions=False`` to the questions
    tagged ``kcsa`` (a bank with none of those, such as a user's own bank alone, gives all of
    its questions, and the ``Draw`` says so). A bank with fewer questions than asked gives all
    of them, and the ``Draw`` says so.
    """
    rng = rng or random.Random()
    wanted = set(topics) if topics is not None else None
    kcsa_only = not all_questions and any(KCSA_TAG in q.tags for q in bank.questions.values())
    pools: dict[str, list[Question]] = {}
    for q in bank.questions.values():
        if (wanted is None or q.topic in wanted) and (not kcsa_only or KCSA_TAG in q.tags):
            pools.setdefault(q.topic, []).append(q)
    weights = {t: bank.topics[t].weight if t in bank.topics else 1.0 for t in pools}
    counts = apportion(weights, n, {t: len(p) for t, p in pools.items()})
    chosen = [q for t, pool in pools.items() for q in rng.sample(pool, counts[t])]
    rng.shuffle(chosen)
    notes = []
    if not all_questions and not kcsa_only and bank.questions:
        notes.append(f"no question is tagged {KCSA_TAG}: the exam draws from all questions")
    if len(chosen) < n:
        scope = "the chosen topics have" if wanted is not None else "the bank has"
        kind = f"{KCSA_TAG}-tagged " if kcsa_only else ""
        notes.append(f"{scope} {len(chosen)} {kind}question{'s' * (len(chosen) != 1)}; "
                     f"the exam uses all of them instead of {n}")
    return Draw(interleave(chosen), requested=n, note="; ".join(notes) or None)


# --- the attempt ---------------------------------------------------------------------------

class ExamClosed(RuntimeError):
    """An answer after the time is up or the paper is handed in: not accepted."""


@dataclass(frozen=True)
class JumpItem:
    """One line of the jump list."""

    number: int  # 1-based
    question_id: str
    answered: bool
    flagged: bool

    @property
    def status(self) -> Literal["answered", "unanswered", "flagged"]:
        """What the jump list shows first: a flag, else whether it is answered."""
        return "flagged" if self.flagged else "answered" if self.answered else "unanswered"


class ExamRun:
    """A timed attempt at a paper; build it with ``start`` or ``resume``.

    Time is wall-clock time from the attempt's start, as in a real exam: time passes while the
    app is closed, so a resumed attempt has what is left of the original limit.
    """

    def __init__(self, bank: Bank, store: Store, attempt: ExamAttempt,
                 now: Callable[[], datetime] = utc_now, *, shuffle: bool = True,
                 feed_schedule: bool = True) -> None:
        self.bank, self.store, self.attempt = bank, store, attempt
        self._now, self._shuffle, self._feed = now, shuffle, feed_schedule
        self.questions = [bank.questions[i] for i in attempt.question_ids if i in bank.questions]
        self.missing = tuple(i for i in attempt.question_ids if i not in bank.questions)
        self.time_limit = time_limit_of(attempt)
        self.pass_mark = attempt.pass_mark if attempt.pass_mark is not None else KCSA.pass_mark
        self.deadline = attempt.session.started_at + self.time_limit
        self._orders = [self._order(q) for q in self.questions]
        self._picks: dict[str, frozenset[int]] = {
            q: frozenset(p) for q, p in attempt.answers.items() if p}
        self._flags: set[int] = {i for i, q in enumerate(self.questions) if q.id in attempt.flags}
        self.index = 0
        self.result: ExamResult | None = None

    @classmethod
    def start(cls, bank: Bank, store: Store | PendingStore, questions: Sequence[Question],
              now: Callable[[], datetime] = utc_now, fmt: ExamFormat = KCSA, *,
              shuffle: bool = True, feed_schedule: bool = True,
              topic: str | None = None) -> ExamRun:
        """A new attempt at ``questions`` (e.g. ``draw_exam(...).questions``), stored at once
        (on a store still opening at start-up: as soon as it opens, see ``saved_as``)."""
        ids = [q.id for q in questions]
        limit = int(fmt.time_limit.total_seconds())
        first = ids[0] if ids else None  # where a resumed attempt opens, until the first move

        def build(attempt: ExamAttempt) -> ExamRun:
            return cls(bank, store, attempt, now, shuffle=shuffle, feed_schedule=feed_schedule)

        if isinstance(store, PendingStore):  # start-up: the first screen before the store
            return store.start_exam_when_open(ids, build, time_limit_s=limit,
                                              pass_mark=fmt.pass_mark, topic=topic,
                                              position=first)
        attempt = store.start_exam(ids, time_limit_s=limit, pass_mark=fmt.pass_mark, topic=topic)
        if first is not None:
            store.save_exam_position(attempt.id, first)
        return build(attempt)

    def saved_as(self, attempt: ExamAttempt) -> None:
        """The attempt as the store saved it, when this run was shown before the store opened
        and another copy of quiz took the id it expected first: the same paper and start under
        the next id (its writes go there; the choice orders shown stay as they are)."""
        self.attempt = attempt

    @classmethod
    def resume(cls, bank: Bank, store: Store, attempt: ExamAttempt,
               now: Callable[[], datetime] = utc_now, *, shuffle: bool = True,
               feed_schedule: bool = True) -> ExamRun:
        """The stored attempt again: same paper, choice orders and answers; the clock ran on.

        Questions gone from the bank are left out (see ``missing``); flags are kept.
        """
        attempt = store.exam(attempt.id) or attempt  # the answers as last saved
        if attempt.session.finished_at is not None:
            raise ValueError(f"exam attempt {attempt.id} is already handed in")
        run = cls(bank, store, attempt, now, shuffle=shuffle, feed_schedule=feed_schedule)
        run.index = run.resume_index()
        return run

    def resume_index(self) -> int:
        """Where a resumed attempt opens: the question it showed when left (stored on each
        move); else, for an attempt stored without one, the first unanswered question after
        the last answered one (the paper order)."""
        ids = [q.id for q in self.questions]
        shown = self.store.exam_position(self.attempt.id)
        if shown in ids:
            return ids.index(shown)
        answered = [i for i, q in enumerate(ids) if q in self._picks]
        after = answered[-1] + 1 if answered else 0
        return next((i for i in range(after, len(ids)) if ids[i] not in self._picks),
                    min(after, len(ids) - 1) if ids else 0)

    # --- state -------------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        """True once the paper is handed in."""
        return self.result is not None

    @property
    def current(self) -> Showing:
        """The question at ``index`` as displayed: its choice order and selected positions."""
        q, order = self.questions[self.index], self._orders[self.index]
        picked = self._picks.get(q.id, frozenset())
        selected = frozenset(pos for pos, bank_i in enumerate(order) if bank_i in picked)
        return Showing(q, order, selected, number=self.index + 1, total=len(self.questions))

    def jump_list(self) -> list[JumpItem]:
        """Every question's status, in paper order."""
        return [JumpItem(i + 1, q.id, q.id in self._picks, i in self._flags)
                for i, q in enumerate(self.questions)]

    @property
    def unanswered_count(self) -> int:
        """Questions with nothing picked."""
        return sum(q.id not in self._picks for q in self.questions)

    def remaining(self) -> timedelta:
        """Time left, never negative."""
        return max(timedelta(0), self.deadline - utc(self._now()))

    @property
    def warning(self) -> bool:
        """True when at most ``WARNING_SHARE`` (10%) of the time is left."""
        return self.remaining() <= self.time_limit * WARNING_SHARE

    @property
    def expired(self) -> bool:
        """True once the time is up."""
        return self.remaining() == timedelta(0)

    # --- actions -----------------------------------------------------------------------------

    def goto(self, i: int) -> Showing:
        """Show question ``i`` (0-based)."""
        if not 0 <= i < len(self.questions):
            raise IndexError(f"question {i} of {len(self.questions)}")
        if i != self.index and not self.finished:  # where a resumed attempt opens
            self.store.save_exam_position(self.attempt.id, self.questions[i].id)
        self.index = i
        return self.current

    def next(self) -> Showing:
        """The next question (stays on the last)."""
        return self.goto(min(self.index + 1, len(self.questions) - 1))

    def prev(self) -> Showing:
        """The previous question (stays on the first)."""
        return self.goto(max(self.index - 1, 0))

    def select(self, displayed_index: int) -> Showing:
        """Pick a choice of the current question (toggles for multi); stored at once."""
        if self.finished or self.expired:
            raise ExamClosed("the paper is handed in" if self.finished else "the time is up")
        q, order = self.questions[self.index], self._orders[self.index]
        if not 0 <= displayed_index < len(order):
            raise IndexError(f"choice {displayed_index} of {len(order)}")
        bank_i = order[displayed_index]
        old = self._picks.get(q.id, frozenset())
        new = old ^ {bank_i} if q.is_multi else frozenset({bank_i})
        self.store.save_exam_answer(self.attempt.id, q.id, new)
        if new:
            self._picks[q.id] = new
        else:
            self._picks.pop(q.id, None)
        return self.current

    def flag(self, i: int | None = None) -> bool:
        """Toggle the flag on question ``i`` (default: the current one); the new state."""
        i = self.index if i is None else i
        if not 0 <= i < len(self.questions):
            raise IndexError(f"question {i} of {len(self.questions)}")
        self._flags ^= {i}
        self.store.save_exam_flags(self.attempt.id,
                                   (self.questions[f].id for f in self._flags))
        return i in self._flags

    def submit(self) -> ExamResult:
        """Hand the paper in (the UI also calls this when the time runs out).

        Grades it (unanswered: wrong), logs each answer in exam mode, feeds them to the
        schedule unless ``feed_schedule`` is off, and closes the attempt. Calling it again
        returns the same result; an attempt half-submitted before a crash is completed.
        """
        if self.result is not None:
            return self.result
        from quiz.exam_marking import grade, schedule_exam_answers

        used = min(utc(self._now()), self.deadline) - self.attempt.session.started_at
        result = grade(self.attempt.id, self.questions, self._picks, self.pass_mark, used)
        logged = {e.question_id for e in self.store.logs(session_id=self.attempt.id)}
        for answer in result.answers:
            if answer.picked and answer.question.id not in logged:
                self.store.record_answer(answer.question, answer.picked, mode="exam",
                                         session_id=self.attempt.id,
                                         shown_order=self._order(answer.question))
        if self._feed:
            schedule_exam_answers(self.store, self.attempt.id)
        self.store.finish_session(self.attempt.id, score=result.score, total=result.total,
                                  per_topic=result.per_topic)
        self.store.save_exam_position(self.attempt.id, None)
        self.result = result
        return result

    def _order(self, q: Question) -> tuple[int, ...]:
        count = len(q.choices)
        if not (self._shuffle and q.shuffle):
            return tuple(range(count))
        # Seeded by attempt and question, so a resumed attempt shows the same order.
        seed = hashlib.sha256(f"{self.attempt.id}:{q.id}".encode()).digest()
        return tuple(random.Random(int.from_bytes(seed[:8], "big")).sample(range(count), count))


# --- resuming ------------------------------------------------------------------------------
# Unfinished, time_limit_of and unfinished_exam live in quiz.exam_format (home reads them at
# start-up without this module); imported above.


def finish_expired(bank: Bank, store: Store, attempt: ExamAttempt,
                   now: Callable[[], datetime] = utc_now, *, feed_schedule: bool = True
                   ) -> ExamResult:
    """Hand in an attempt whose time ran out, as it stood (unanswered count as wrong)."""
    return ExamRun.resume(bank, store, attempt, now, feed_schedule=feed_schedule).submit()
