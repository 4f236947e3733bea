"""A realistic history for the bundled bank in a fresh database, for trying ``quiz optimize``.

A learner whose memory follows known FSRS parameters (``quiz.synthetic.FORGETFUL_PARAMETERS``: a
learner who forgets faster than fsrs's defaults assume)
studies the bundled bank for ``--days`` days up to today, through the Store as the app
would: a review most days (today's due questions and new ones, the daily new limit; missed
questions again after their 10-minute step), a right answer sometimes regraded Hard or Easy, a
mock exam every few weeks (its answers fed to the schedule). Whether each answer is right is
drawn from the true model's retrievability of that question at that moment. The schedule
itself uses the app's settings (fsrs's default parameters), as a new user's would. The same
seed gives the same database.

    .venv/bin/python benchmarks/history.py --db /tmp/h/progress.db [--days 90] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fsrs import Card, Rating

from quiz.bank import Bank, Question
from quiz.bank.loader import load_bank
from quiz.cards import make_scheduler
from quiz.exam import ExamRun, draw_exam
from quiz.paths import bundled_bank
from quiz.scheduling import review_queue
from quiz.store import Store, open_store
from quiz.synthetic import FORGETFUL_PARAMETERS


class Learner:
    """What the simulated learner remembers: a card per question under the true model."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.truth = make_scheduler(enable_fuzzing=False, parameters=FORGETFUL_PARAMETERS)
        self.memory: dict[str, Card] = {}

    def recalls(self, question: Question, at: datetime) -> bool:
        card = self.memory.get(question.id)
        if card is None:  # never seen: a fair chance from what was read around it
            return self.rng.random() < 0.55
        return self.rng.random() < self.truth.get_card_retrievability(card, at)

    def learnt(self, question: Question, rating: Rating, at: datetime) -> None:
        card = self.memory.get(question.id) or Card(card_id=len(self.memory) + 1, due=at)
        self.memory[question.id], _ = self.truth.review_card(card, rating, review_datetime=at)

    def pick(self, question: Question, right: bool) -> list[int]:
        correct = sorted(question.correct_indices)
        if right:
            return correct
        wrong = [i for i in range(len(question.choices)) if i not in correct]
        return [self.rng.choice(wrong)] if wrong else correct[:-1] or [0]


def study_day(bank: Bank, store: Store, learner: Learner, clock: list[datetime]) -> None:
    """One review session: the queue, then the missed questions after their steps."""
    rng = learner.rng
    session = store.start_session("review")
    for _ in range(4):  # the day's passes: learning steps come back 10 minutes later
        queue = review_queue(bank, store, clock[0], tz=UTC)
        if not queue:
            break
        for question in queue:
            clock[0] += timedelta(seconds=rng.randrange(8, 40))
            right = learner.recalls(question, clock[0])
            recorded = store.record_answer(question, learner.pick(question, right),
                                           session_id=session.id,
                                           duration_ms=rng.randrange(4000, 30000))
            rating = recorded.rating
            if right and rng.random() < 0.2:  # "I guessed" / "I knew it at once"
                rating = rng.choice((Rating.Hard, Rating.Easy))
                store.regrade(recorded.log_id, rating)
            learner.learnt(question, rating, clock[0])
        clock[0] += timedelta(minutes=10)
    store.finish_session(session.id, score=0, total=0, per_topic={})


def sit_exam(bank: Bank, store: Store, learner: Learner, clock: list[datetime]) -> None:
    """A 30-question mock exam, handed in; its answers feed the schedule."""
    paper = draw_exam(bank, 30, rng=learner.rng).questions
    run = ExamRun.start(bank, store, paper, now=lambda: clock[0], shuffle=False)
    for index, question in enumerate(paper):
        clock[0] += timedelta(seconds=learner.rng.randrange(20, 90))
        right = learner.recalls(question, clock[0])
        run.goto(index)
        for choice in learner.pick(question, right):
            run.select(choice)
        learner.learnt(question, Rating.Good if right else Rating.Again, clock[0])
    run.submit()


def write_history(db: Path, days: int, seed: int, now: datetime | None = None) -> Store:
    """The database at ``db`` (must not exist yet) with ``days`` days of study to ``now``."""
    random.seed(seed)  # fsrs's fuzzing draws from the global generator
    rng = random.Random(seed)
    bank = load_bank([bundled_bank()])
    today = (now or datetime.now(UTC)).replace(hour=18, minute=0, second=0, microsecond=0)
    clock = [today - timedelta(days=days)]
    store = open_store(db, now=lambda: clock[0])
    learner = Learner(rng)
    start = clock[0]
    for day in range(days):
        clock[0] = start + timedelta(days=day, minutes=rng.randrange(0, 120))
        if rng.random() < 0.12:  # a day off
            continue
        study_day(bank, store, learner, clock)
        if day % 20 == 19:
            clock[0] += timedelta(minutes=30)
            sit_exam(bank, store, learner, clock)
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a new database file")
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.db.exists():
        sys.exit(f"history.py: {args.db} exists; give a new file")
    args.db.parent.mkdir(parents=True, exist_ok=True)
    store = write_history(args.db, args.days, args.seed)
    answers, right = store.answer_counts()
    print(f"{args.db}: {args.days} days, {answers} answers ({right} right), "
          f"{len(store.exams())} exams")
    store.close()


if __name__ == "__main__":
    main()
