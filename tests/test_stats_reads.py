"""The progress figures as computed (card summaries, aggregate reads, each read once) equal the
straightforward computation from every card and every logged answer, on random histories."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fsrs import State

from quiz.bank import Bank
from quiz.readiness import readiness
from quiz.stats import MASTERED_STABILITY_DAYS, compute_stats
from quiz.store import Store, make_engine
from quiz.store.once import read_once
from quiz.store.snapshot import take_snapshot
from quiz.streak import streak
from tests.conftest import NEW_YORK, T0, Clock


def random_history(bank: Bank, store: Store, clock: Clock, rng: random.Random) -> datetime:
    """Sixty days of answers in every mode at random times, marks, an exam; returns now."""
    ids = sorted(bank.questions)
    clock.value = T0

    def answer() -> None:
        q = bank.questions[rng.choice(ids)]
        right = rng.random() < 0.7
        picked = min(q.correct_indices) if right else min(set(range(len(q.choices)))
                                                            - q.correct_indices)
        store.record_answer(q, [picked], mode=rng.choice(["review"] * 4 + ["practice"]))
        clock.advance(minutes=rng.randrange(1, 300))

    for _ in range(60):
        for _ in range(rng.randrange(0, 6)):
            answer()
        clock.advance(hours=rng.randrange(4, 40))
    answer()  # the streak runs to today or yesterday
    for qid in rng.sample(ids, 2):
        store.set_suspended(qid)
    store.set_flagged(rng.choice(ids))
    exam = store.start_exam(rng.sample(ids, 3), pass_mark=0.75)
    store.finish_session(exam.id, score=rng.randrange(0, 4), total=3, per_topic={})
    return clock.advance(minutes=rng.randrange(1, 120))


def plain_figures(bank: Bank, store: Store, now: datetime, tz: object) -> dict[str, object]:
    """Every figure from ``store.cards()`` (fsrs cards) and ``store.logs()``, by hand."""
    cards, logs = store.cards(), store.logs()
    scheduler = store.scheduler()

    def day(t: datetime) -> date:
        return t.astimezone(tz).date()  # type: ignore[arg-type]

    today = day(now)
    end_of_today = datetime.combine(today + timedelta(days=1), datetime.min.time(),
                                    tzinfo=tz).astimezone(UTC)  # type: ignore[arg-type]
    topics: dict[str, Counter[str]] = {}
    recall: dict[str, list[float]] = {}
    for q in bank.questions.values():
        c = topics.setdefault(q.topic, Counter())
        card = cards.get(q.id)
        c["questions"] += 1
        if card is not None and card.suspended:
            c["suspended"] += 1
        elif card is None or card.card.last_review is None:
            c["new"] += 1
        elif card.card.state == State.Review:
            c["review"] += 1
            c["mastered"] += (card.card.stability or 0) >= MASTERED_STABILITY_DAYS
        else:
            c["learning"] += 1
        started = card is not None and card.card.last_review is not None
        if started and not card.suspended and card.card.due < end_of_today:  # type: ignore
            c["due_today"] += 1
        recall.setdefault(q.topic, []).append(
            scheduler.get_card_retrievability(card.card, now) if started else 0.0)  # type: ignore
    forecast: Counter[date] = Counter()
    for card in cards.values():
        if card.card.last_review is not None and not card.suspended \
                and card.question_id in bank.questions:
            forecast[max(today, day(card.card.due))] += 1

    def accuracy(since: datetime | None) -> float | None:
        chosen = [e for e in logs if since is None or e.answered_at >= since]
        return sum(e.correct for e in chosen) / len(chosen) if chosen else None

    per_day = Counter(day(e.answered_at) for e in logs)
    return {
        "topics": {t: {k: c[k] for k in ("questions", "new", "learning", "review",
                                         "due_today", "mastered", "suspended")}
                   for t, c in topics.items()},
        "reviews": len(logs),
        "accuracy": (accuracy(None), accuracy(now - timedelta(days=7)),
                     accuracy(now - timedelta(days=30))),
        "streak": streak([e.answered_at for e in logs], now, tz),  # type: ignore[arg-type]
        "orphaned": sorted(({c.question_id for c in cards.values()}
                            | {e.question_id for e in logs}) - set(bank.questions)),
        "mastery": {t: sum(v) / len(v) for t, v in recall.items()},
        "forecast": [forecast[today + timedelta(days=d)] for d in range(14)],
        "per_day": [per_day[today - timedelta(days=d)] for d in range(29, -1, -1)],
    }


def fast_figures(bank: Bank, reads: Store, now: datetime, tz: object) -> dict[str, object]:
    """The same figures as ``quiz stats`` and the stats screen compute them."""
    stats = compute_stats(bank, reads, now, tz=tz)  # type: ignore[arg-type]
    ready = readiness(bank, reads, now, tz=tz)  # type: ignore[arg-type]
    acc = stats.accuracy
    return {
        "topics": {t.id: {k: getattr(t, k) for k in ("questions", "new", "learning", "review",
                                                      "due_today", "mastered", "suspended")}
                   for t in stats.topics},
        "reviews": stats.reviews,
        "accuracy": (acc.overall, acc.last_7_days, acc.last_30_days),
        "streak": stats.streak,
        "orphaned": stats.orphaned,
        "mastery": ready.prediction.per_topic,
        "forecast": [n for _, n in ready.due_forecast],
        "per_day": [n for _, n in ready.reviews_per_day],
    }


@pytest.mark.parametrize("seed", range(4))
def test_the_figures_equal_the_plain_computation(bank: Bank, tmp_path: Path,
                                                 seed: int) -> None:
    rng = random.Random(seed)
    clock = Clock()
    path = tmp_path / "progress.db"
    store = Store(make_engine(path), now=clock, enable_fuzzing=False)
    now = random_history(bank, store, clock, rng)
    del bank.questions[sorted(bank.questions)[rng.randrange(len(bank.questions))]]  # an orphan
    tz = rng.choice([UTC, NEW_YORK])
    expected = plain_figures(bank, store, now, tz)
    assert expected["reviews"] and expected["streak"] and expected["orphaned"]
    snapshot = take_snapshot(path, now=clock, enable_fuzzing=False)
    assert snapshot is not None
    for source in (store, snapshot, read_once(store), read_once(snapshot)):
        assert fast_figures(bank, source, now, tz) == expected  # type: ignore[arg-type]
    snapshot.close()
    store.close()


def test_read_once_reads_each_thing_once_and_nothing_else(store: Store) -> None:
    calls: list[str] = []

    class Counting:
        def answer_counts(self, since: datetime | None = None) -> tuple[int, int]:
            calls.append(f"answer_counts {since}")
            return store.answer_counts(since)

        def record_answer(self) -> None:
            raise AssertionError("not a read")

    reads = read_once(Counting())
    assert reads.answer_counts() == reads.answer_counts() == (0, 0)
    reads.answer_counts(since=T0)
    reads.answer_counts(since=T0)
    assert calls == ["answer_counts None", f"answer_counts {T0}"]
    with pytest.raises(AttributeError, match="not a read"):
        reads.record_answer  # noqa: B018
