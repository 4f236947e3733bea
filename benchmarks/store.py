"""How much recording an answer costs over a bare SQLite commit, and how fast the queue builds.

Builds, in a temporary directory, a progress database of 10,000 cards and 100,000 review logs
(simulated through fsrs over the past year) and a matching in-memory bank, then prints:

(a) p50/p99 latency of ``Store.record_answer`` (fsrs review + durable commit) as a ratio to a
    bare ``sqlite3`` INSERT+COMMIT with the same pragmas (WAL, default synchronous), measured
    side by side in this run; target p99 <= 3x;
(b) the time ``review_queue`` takes to build the next review queue; target <= 50 ms;
(c) for information: opening the store (read-only check + quick_check) and ``compute_stats``.

Both sides run back to back in one process, interleaved in blocks; the bare side writes one
page per commit, an answer about eight (log row, two indexes, card row, due index), which is
why the store raises SQLite's WAL auto-checkpoint to 4000 pages (see quiz/store/engine.py).

    .venv/bin/python benchmarks/store.py [--cards 10000] [--logs 100000] [--answers 2000]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fsrs import Rating

from quiz.bank import Bank, Choice, Concept, Question, Topic
from quiz.scheduling import make_scheduler, new_card, review_queue
from quiz.stats import compute_stats
from quiz.store import CardRecord, Store, convert, make_engine
from quiz.store.history import LOG
from quiz.store.store import CARD

TOPICS = ["pod-networking", "services-dns", "cni", "network-policies", "encryption",
          "external-access", "monitoring", "isolation"]
RATINGS = [Rating.Again] * 15 + [Rating.Hard] * 5 + [Rating.Good] * 75 + [Rating.Easy] * 5


def make_bank(count: int, rng: random.Random) -> Bank:
    """A bank of ``count`` four-choice questions over 8 topics and 80 concepts."""
    bank = Bank(roots=())
    for t in TOPICS:
        bank.topics[t] = Topic(id=t, title=t)
    for i in range(80):
        bank.concepts[f"concept-{i}"] = Concept(
            id=f"concept-{i}", topic=TOPICS[i % 8], title=f"Concept {i}", summary="s",
            source="bench/source")
    for i in range(count):
        topic = TOPICS[i % 8]
        q = Question(id=f"{topic}-q{i}", concepts=[f"concept-{rng.randrange(80)}"],
                     topic=topic, question=f"Question {i}?", explanation="e",
                     choices=[Choice(text=f"choice {c}", correct=c == 0) for c in range(4)])
        bank.questions[q.id] = q
    return bank


def populate(store: Store, bank: Bank, logs: int, now: datetime, rng: random.Random) -> None:
    """Cards and logs as a year of fsrs reviews would leave them, bulk-inserted."""
    scheduler = make_scheduler(enable_fuzzing=True)
    questions = list(bank.questions.values())
    per_card = logs // len(questions)
    cards, entries = [], []
    for q in questions:
        record = CardRecord(q.id, new_card(q.id, now - timedelta(days=365)), q.fingerprint())
        times = sorted(now - timedelta(minutes=rng.randrange(60, 365 * 24 * 60))
                       for _ in range(per_card))
        for when in times:
            rating = rng.choice(RATINGS)
            card, _ = scheduler.review_card(record.card, rating, review_datetime=when)
            entries.append({
                "question_id": q.id, "answered_at": when, "picked": "[0]",
                "correct": rating != Rating.Again, "rating": int(rating), "duration_ms": 5000,
                "mode": "review", "session_id": None, "fingerprint": record.fingerprint,
                "card_before": convert.card_state_json(record)})
            record = replace(record, card=card, first_seen=record.first_seen or when,
                             last_answered=when, introduced_at=record.introduced_at or when)
        cards.append(convert.card_values(record))
    with store.engine.begin() as conn:  # the store's learner's progress
        conn.execute(CARD.insert().values(learner=store.learner), cards)
        conn.execute(LOG.insert().values(learner=store.learner), entries)


def bare_commit_times(path: Path, runs: int) -> list[float]:
    """A bare sqlite3 INSERT+COMMIT of a log-sized row, WAL, default synchronous."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE IF NOT EXISTS log (id INTEGER PRIMARY KEY, question_id TEXT, "
                 "answered_at TEXT, picked TEXT, correct INT, rating INT, card_before TEXT)")
    before = json.dumps({"card": {"state": 2, "stability": 12.5, "difficulty": 5.1}})
    times = []
    for i in range(runs):
        start = time.perf_counter()
        conn.execute("INSERT INTO log (question_id, answered_at, picked, correct, rating, "
                     "card_before) VALUES (?, ?, '[0]', 1, 3, ?)",
                     (f"q{i}", datetime.now(UTC).isoformat(), before))
        conn.commit()
        times.append(time.perf_counter() - start)
    conn.close()
    return times


def record_times(store: Store, bank: Bank, runs: int, rng: random.Random) -> list[float]:
    """``record_answer`` on random questions, in review mode."""
    questions = list(bank.questions.values())
    session = store.start_session("review")
    times = []
    for _ in range(runs):
        q = rng.choice(questions)
        picked = [0] if rng.random() < 0.8 else [1]
        start = time.perf_counter()
        store.record_answer(q, picked, session_id=session.id, duration_ms=4000)
        times.append(time.perf_counter() - start)
    return times


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--logs", type=int, default=100_000)
    parser.add_argument("--answers", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(7)
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "progress.db"
        started = time.perf_counter()
        bank = make_bank(args.cards, rng)
        store = Store(make_engine(path))
        populate(store, bank, args.logs, now, rng)
        store.close()
        print(f"database: {args.cards} cards, {args.logs} logs, "
              f"{path.stat().st_size / 1e6:.1f} MB, built in {time.perf_counter() - started:.1f} s")

        start = time.perf_counter()
        store = Store(make_engine(path))
        print(f"open (read-only check incl. quick_check, then engine): "
              f"{(time.perf_counter() - start) * 1e3:.0f} ms")

        bare: list[float] = []
        ours: list[float] = []
        record_times(store, bank, 50, rng)  # warm caches (compiled statements, pages)
        bare_commit_times(Path(tmp) / "bare.db", 50)
        for _ in range(10):  # interleaved so machine noise hits both alike
            bare += bare_commit_times(Path(tmp) / "bare.db", args.answers // 10)
            ours += record_times(store, bank, args.answers // 10, rng)
        b50, b99 = pct(bare, 0.5), pct(bare, 0.99)
        o50, o99 = pct(ours, 0.5), pct(ours, 0.99)
        print(f"bare INSERT+COMMIT:  p50 {b50 * 1e3:.3f} ms   p99 {b99 * 1e3:.3f} ms   "
              f"max {max(bare) * 1e3:.1f} ms")
        print(f"record_answer:       p50 {o50 * 1e3:.3f} ms   p99 {o99 * 1e3:.3f} ms   "
              f"max {max(ours) * 1e3:.1f} ms (a WAL checkpoint every ~500 answers)")
        print(f"ratio record_answer / bare:  p50 {o50 / b50:.2f}x   p99 {o99 / b99:.2f}x  "
              f"(target p99 <= 3x)")

        queue_times = []
        for _ in range(7):
            start = time.perf_counter()
            queue = review_queue(bank, store, datetime.now(UTC))
            queue_times.append(time.perf_counter() - start)
        due = len(queue) - min(len(queue), store.settings().daily_new_limit)
        print(f"review_queue: {len(queue)} questions (~{due} due), median "
              f"{statistics.median(queue_times) * 1e3:.1f} ms, max "
              f"{max(queue_times) * 1e3:.1f} ms  (target <= 50 ms)")

        start = time.perf_counter()
        compute_stats(bank, store, datetime.now(UTC))
        print(f"compute_stats (quiz stats): {(time.perf_counter() - start) * 1e3:.0f} ms")
        store.close()


if __name__ == "__main__":
    main()
