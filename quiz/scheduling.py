"""Scheduling over the ``fsrs`` package, and the order questions are asked in.

Grading: a wrong answer is ``Again``; a right one is ``Good`` unless the user then says they
guessed (``Hard``) or knew it instantly (``Easy``), applied with ``Store.regrade``.
Only review mode schedules (``quiz.store.records.SCHEDULING_MODES``); practice only logs.
"""

from __future__ import annotations

import os
import random
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, cast

from fsrs import Card, Scheduler

# The card and clock primitives live below the store; they are re-exported here because this
# is where the study domain (and its tests) looks for them.
from quiz.cards import DEFAULT_RETENTION as DEFAULT_RETENTION
from quiz.cards import card_id_for as card_id_for
from quiz.cards import is_lapse as is_lapse
from quiz.cards import make_scheduler as make_scheduler
from quiz.cards import new_card as new_card
from quiz.cards import rating_for as rating_for
from quiz.clock import local_day
from quiz.clock import utc as utc
from quiz.clock import utc_now as utc_now
from quiz.paths import bundled_bank

if TYPE_CHECKING:
    from quiz.bank import Bank, Question
    from quiz.store import CardRecord, ReviewEntry, ScheduledAnswer, Store

DAY_SCALE = timedelta(days=1)  # an interval this long is due all day; shorter ones on the minute
LOOKAHEAD = 30  # how far the interleaver looks for a question on another concept


# --- queues ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class DueToday:
    """What "due today" means on every screen (home, stats, ``quiz stats``, the review start).

    The reviews due before the end of the local day (overdue ones included), lowest
    retrievability first, plus today's remaining allowance of new questions (the daily new
    limit minus the new questions already introduced today), in the order a review takes
    them. A review on a day-scale interval (a day or more since its last answer) counts for
    the whole day it falls due on; a short learning or relearning step (minutes) counts once
    it is due, so a question just missed is not asked again before its step is over.
    Suspended questions and ones no longer in the bank are never counted.
    """

    reviews: tuple[Question, ...]
    new: tuple[Question, ...]

    @property
    def total(self) -> int:
        """Reviews and new questions together: the size of today's review."""
        return len(self.reviews) + len(self.new)

    def per_topic(self) -> dict[str, int]:
        """``total`` split by topic id (topics with nothing due are left out)."""
        counts: dict[str, int] = defaultdict(int)
        for q in (*self.reviews, *self.new):
            counts[q.topic] += 1
        return dict(counts)


def due_today(bank: Bank, store: Store, now: datetime, new_limit: int | None = None,
              tz: tzinfo | None = None) -> DueToday:
    """Today's due reviews and new questions (see ``DueToday``); the local day is ``tz``'s.

    ``new_limit`` defaults to the daily new limit setting.
    """
    now = utc(now)
    start, end = local_day(now, tz)
    scheduler = store.scheduler()
    # fsrs's own retrievability, fed the two fields it reads (no Card per due question).
    due = [(scheduler.get_card_retrievability(cast(Card, r), now), r.due, r.question_id)
           for r in store.due_reviews(end) if r.question_id in bank.questions and r.due < end
           and (r.due <= now or r.due - r.last_review >= DAY_SCALE)]
    due.sort()
    reviews = tuple(bank.questions[question_id] for _, _, question_id in due)

    if new_limit is None:
        new_limit = store.settings().daily_new_limit
    allowance = max(0, new_limit - store.introduced_count(start, end))
    started = store.started_ids() | store.suspended_ids()
    fresh = _round_robin_topics(q for q in bank.questions.values() if q.id not in started)
    # Questions you wrote yourself come before the bundled bank's: added today, seen today.
    bundled = _bundled_prefixes()
    fresh.sort(key=lambda q: q.origin.startswith(bundled))
    return DueToday(reviews, tuple(fresh[:allowance]))


def review_queue(bank: Bank, store: Store, now: datetime, new_limit: int | None = None,
                 tz: tzinfo | None = None) -> list[Question]:
    """Questions for a review session: ``due_today``'s reviews, then its new questions.

    Due reviews come lowest retrievability first; new questions follow in bank order, taken
    round-robin across topics. Questions on the same concept are kept apart where possible.
    """
    today = due_today(bank, store, now, new_limit, tz)
    ordered = interleave(today.reviews)
    return ordered + interleave(today.new, previous=ordered[-1] if ordered else None)


def _bundled_prefixes() -> tuple[str, ...]:
    """How the bundled bank's files are named in ``Question.origin`` (relative or absolute)."""
    from quiz.bank.files import display_path

    root = bundled_bank()
    return tuple(f"{p}{os.sep}" for p in {display_path(root), str(root.resolve())})


def practice_queue(bank: Bank, topic: str | None = None, concept: str | None = None,
                   rng: random.Random | None = None, tag: str | None = None) -> list[Question]:
    """Every question of a topic and/or concept (all questions without either), shuffled;
    ``tag``: only those tagged so."""
    rng = rng or random.Random()
    chosen = [q for q in bank.questions.values()
              if (topic is None or q.topic == topic)
              and (concept is None or concept in q.concepts)
              and (tag is None or tag in q.tags)]
    rng.shuffle(chosen)
    return interleave(chosen)


def _round_robin_topics(questions: Iterable[Question]) -> list[Question]:
    by_topic: dict[str, deque[Question]] = defaultdict(deque)
    for q in questions:
        by_topic[q.topic].append(q)
    out: list[Question] = []
    queues = list(by_topic.values())
    while queues:
        for q in queues:
            out.append(q.popleft())
        queues = [q for q in queues if q]
    return out


def interleave(questions: Sequence[Question], previous: Question | None = None) -> list[Question]:
    """The same questions, reordered as little as needed so no two neighbours share a concept.

    Greedy (take the next question that does not share a concept with the last, looking up to
    ``LOOKAHEAD`` ahead), then a repair pass that moves a question between any neighbours that
    still clash, when one fits there without making a new clash.
    """
    concepts = {q.id: frozenset(q.concepts) for q in questions}
    pending = list(reversed(questions))  # next question last: pops are cheap
    out: list[Question] = []
    last = frozenset(previous.concepts) if previous is not None else frozenset()
    while pending:
        pick = -1
        for k in range(1, min(LOOKAHEAD, len(pending)) + 1):
            if last.isdisjoint(concepts[pending[-k].id]):
                pick = -k
                break
        q = pending.pop(pick)
        out.append(q)
        last = concepts[q.id]
    for i in range(1, len(out)):
        if not concepts[out[i - 1].id].isdisjoint(concepts[out[i].id]):
            _repair(out, i, concepts)
    return out


def _repair(out: list[Question], i: int, concepts: dict[str, frozenset[str]]) -> None:
    """Move some question between out[i-1] and out[i], if that clashes with nothing."""

    def clash(a: int, b: int) -> bool:
        return 0 <= a < len(out) and 0 <= b < len(out) and \
            not concepts[out[a].id].isdisjoint(concepts[out[b].id])

    later = range(i + 1, min(len(out), i + 1 + LOOKAHEAD))
    earlier = range(i - 2, max(-1, i - 2 - LOOKAHEAD), -1)
    for j in [*later, *earlier]:
        if clash(i - 1, j) or clash(j, i) or clash(j - 1, j + 1):
            continue
        out.insert(i if j > i else i - 1, out.pop(j))
        return


# --- rebuilding ------------------------------------------------------------------------------

Histories = dict[str, list["ReviewEntry | ScheduledAnswer"]]
REBUILD_ATTEMPTS = 10


def rebuild_cards(store: Store, scheduler: Scheduler, *,
                  read: tuple[dict[str, CardRecord], Histories] | None = None,
                  replayed: list[CardRecord] | None = None,
                  settings: Mapping[str, Any] | None = None) -> int:
    """Replay every card's scheduled answers through ``scheduler``; return how many changed.

    For new fsrs parameters or a new desired retention: each card is rebuilt (``replay``) from
    ``scheduled_histories`` and saved, with ``settings`` (the settings ``scheduler`` was made
    for), in one transaction: a crash cannot leave new parameters with the cards scheduled by
    the old ones. A card another copy of quiz answers meanwhile is computed again from the
    answers as they are then, and the transaction tried again, so no answer is left out of its
    schedule. ``read``: the cards and then their ``scheduled_histories``, as the caller read
    them (in that order); ``replayed``: ``replay``'s result on them, when the caller has it.
    """
    threshold = store.settings().leech_threshold
    if read is None:
        cards = store.cards()
        read = cards, scheduled_histories(store, cards)
    cards, histories = read
    rebuilt = replay(scheduler, cards, histories, threshold) if replayed is None else replayed
    for _ in range(REBUILD_ATTEMPTS):  # another copy would have to answer within each one
        moved = set(store.reschedule_with(settings or {}, rebuilt, expected=cards))
        if not moved:
            return len(rebuilt)
        cards = store.cards()
        histories = scheduled_histories(store, cards)
        rebuilt = [r for r in rebuilt if r.question_id not in moved] + \
            replay(scheduler, cards, histories, threshold, only=moved)
    from quiz.store import StoreError

    raise StoreError(f"{store.where}: another copy of quiz kept answering while the cards "
                     "were rescheduled; nothing was changed, try again")


def replay(scheduler: Scheduler, cards: dict[str, CardRecord], histories: Histories,
           leech_threshold: int, only: set[str] | None = None) -> list[CardRecord]:
    """The cards whose schedule ``scheduler`` makes different, each as
    ``Scheduler.reschedule_card`` rebuilds it from its answers in time order, its lapses
    counted again (a leech stays marked). Computes only: nothing is saved."""
    rebuilt = []
    for record in cards.values():
        if record.is_new or (only is not None and record.question_id not in only):
            continue
        # Scheduler.reschedule_card's replay, step by step, to count the lapses it meets.
        card, lapses = Card(card_id=record.card.card_id, due=record.due), 0
        for e in histories.get(record.question_id, []):
            lapses += is_lapse(card.state, e.rating)
            card, _ = scheduler.review_card(card, e.rating, review_datetime=e.answered_at)
        leech = record.leech or lapses >= leech_threshold
        if (card, lapses, leech) != (record.card, record.lapses, record.leech):
            rebuilt.append(replace(record, card=card, lapses=lapses, leech=leech))
    return rebuilt


def scheduled_histories(store: Store, cards: dict[str, CardRecord] | None = None
                        ) -> Histories:
    """The answers that feed each card's schedule, by question, in time order: its
    review-mode answers and the exam answers a handed-in attempt fed to the schedule
    (``quiz.exam.schedule_exam_answers``; not for a card suspended now, as it was not fed
    while suspended), since the card's last reset. Undone answers are gone from the log;
    regraded ones carry their new rating. What ``rebuild_cards`` replays and what
    ``quiz optimize`` fits."""
    if cards is None:
        cards = store.cards()
    logs_by_question: Histories = store.scheduled_answers()  # type: ignore[assignment]
    for entry in _fed_exam_answers(store):
        record = cards.get(entry.question_id)
        if record is not None and not record.suspended:
            logs_by_question.setdefault(entry.question_id, []).append(entry)
    out = {}
    for question_id, entries in logs_by_question.items():
        record = cards.get(question_id)
        if record is None:
            continue
        out[question_id] = sorted((e for e in entries
                                   if record.reset_at is None or e.answered_at >= record.reset_at),
                                  key=lambda e: (e.answered_at, e.id))
    return out


def _fed_exam_answers(store: Store) -> list[ReviewEntry]:
    """The exam answers of handed-in attempts: the app feeds each one to the schedule; those
    of deleted attempts too (only handed-in attempts log answers, and they were fed)."""
    return [*(entry for attempt in store.exams() if attempt.session.finished_at is not None
              for entry in store.logs(session_id=attempt.session.id) if entry.mode == "exam"),
            *store.detached_exam_logs()]
