"""The stats' history figures from hand-made logs and cards: weeks, true retention (young and
mature), accuracy per topic by week, time per answer, the hardest questions, the interval and
difficulty histograms, the exam trend; exact numbers on a fixed clock."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from quiz.activity import AnswerTime, Tally, answer_history, answer_times
from quiz.bank import Bank
from quiz.learner import default_learner
from quiz.stats import compute_stats, format_stats
from quiz.store import Store
from tests.conftest import NEW_YORK, T0, Clock

NOW = T0 + timedelta(days=2)  # Wednesday 12 March 2025, 12:00 UTC; the week began Monday 10th


def at(month: int, day: int, hour: int, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def log(conn: sqlite3.Connection, qid: str, when: datetime, correct: bool, *,
        mode: str = "review", state: int = 2, interval: float = 30,
        duration_ms: int | None = None) -> None:
    """One answer whose card was in ``state`` with an ``interval`` (days) before it."""
    last = when - timedelta(days=1)
    card = {"card_id": 1, "state": state, "step": None, "stability": 10.0, "difficulty": 5.0,
            "due": (last + timedelta(days=interval)).isoformat(), "last_review": last.isoformat()}
    conn.execute(
        "INSERT INTO review_log (question_id, answered_at, picked, correct, rating, duration_ms, "
        "mode, fingerprint, card_before, learner) VALUES (?, ?, '[0]', ?, 3, ?, ?, '', ?, ?)",
        (qid, when.strftime("%Y-%m-%d %H:%M:%S.%f"), int(correct), duration_ms, mode,
         json.dumps({"card": card}), default_learner()))


def card(conn: sqlite3.Connection, qid: str, *, state: int, interval_days: int = 0,
         difficulty: float | None = None, lapses: int = 0, leech: bool = False,
         suspended: bool = False) -> None:
    last = datetime(2025, 3, 1, tzinfo=UTC)
    conn.execute(
        "UPDATE card SET state = ?, last_review = ?, due = ?, difficulty = ?, lapses = ?, "
        "leech = ?, suspended = ? WHERE question_id = ?",
        (state, last.strftime("%Y-%m-%d %H:%M:%S.%f"),
         (last + timedelta(days=interval_days)).strftime("%Y-%m-%d %H:%M:%S.%f"), difficulty,
         lapses, int(leech), int(suspended), qid))


@pytest.fixture
def history_db(bank: Bank, store: Store, db_path: Path, clock: Clock) -> Store:
    """Cards for five questions, then the answers below in place of their own."""
    for qid in ("np-deny-scope", "enc-mtls-mutual", "enc-mtls-facts", "np-egress-dns",
                "np-deny-effects"):
        store.record_answer(bank.questions[qid], [0])
    exam = store.start_exam(["np-deny-scope", "enc-mtls-mutual", "enc-mtls-facts",
                             "np-egress-dns"], pass_mark=0.75)
    store.finish_session(exam.id, score=3, total=4, per_topic={})
    with sqlite3.connect(db_path) as conn:
        conn.execute("DELETE FROM review_log")
        # This week: mature 1 of 2, young 3 of 3 (one exam answer, one orphan), a practice miss.
        log(conn, "np-deny-scope", at(3, 10, 9), True, duration_ms=4000)
        log(conn, "np-deny-scope", at(3, 11, 10), False, duration_ms=12000)
        log(conn, "enc-mtls-mutual", at(3, 11, 11), True, interval=5, duration_ms=12000)
        log(conn, "enc-mtls-mutual", at(3, 11, 12), True, mode="exam", interval=10,
            duration_ms=65000)
        log(conn, "enc-mtls-mutual", at(3, 11, 13), False, mode="practice", interval=10,
            duration_ms=3000)
        log(conn, "gone-q", at(3, 11, 14), True, interval=1, duration_ms=5000)
        # Last week (Sunday 23:00 UTC): a learning card, right, untimed.
        log(conn, "np-egress-dns", at(3, 9, 23), True, state=1)
        # Before the twelve weeks: four answers to enc-mtls-facts, one right.
        for day in range(1, 5):
            log(conn, "enc-mtls-facts", at(12, day, 9, 2024), day == 4, duration_ms=8000)
        card(conn, "np-deny-scope", state=2, interval_days=30, difficulty=10.0, lapses=3,
             leech=True)
        card(conn, "enc-mtls-mutual", state=2, interval_days=1, difficulty=1.0)
        card(conn, "enc-mtls-facts", state=2, interval_days=7, difficulty=5.0, lapses=1,
             suspended=True)
        card(conn, "np-egress-dns", state=1, difficulty=5.0)
        card(conn, "np-deny-effects", state=2, interval_days=16, difficulty=5.5)
    return store


def test_weeks_retention_and_topics(bank: Bank, history_db: Store) -> None:
    h = answer_history(bank, history_db, NOW, UTC)
    assert len(h.weeks) == 12
    assert h.weeks[0].week == date(2024, 12, 23) and h.weeks[-1].week == date(2025, 3, 10)
    this, last = h.weeks[-1], h.weeks[-2]
    assert this.answers == Tally(6, 4)
    assert this.young == Tally(3, 3)  # review + exam answers to cards under 21 days
    assert this.mature == Tally(2, 1)
    assert last.answers == Tally(1, 1) and last.young == last.mature == Tally()
    assert all(w.answers == Tally() for w in h.weeks[:-2])  # December's answers are older
    assert h.retention() == (Tally(3, 3), Tally(2, 1))
    assert list(h.topic_weeks) == ["network-policies", "encryption"]  # the bank's order
    assert h.topic_weeks["network-policies"][-2:] == [Tally(1, 1), Tally(2, 1)]
    assert h.topic_weeks["encryption"][-1] == Tally(3, 2)  # the practice miss counts here


def test_weeks_follow_the_time_zone(bank: Bank, history_db: Store, db_path: Path) -> None:
    with sqlite3.connect(db_path) as conn:  # Monday 02:00 UTC is Sunday 22:00 in New York
        log(conn, "np-deny-effects", at(3, 10, 2), True)
    assert answer_history(bank, history_db, NOW, UTC).weeks[-1].answers == Tally(7, 5)
    in_new_york = answer_history(bank, history_db, NOW, NEW_YORK).weeks
    assert in_new_york[-1].answers == Tally(6, 4)
    assert in_new_york[-2].answers == Tally(2, 2)


def test_time_per_answer_by_mode(bank: Bank, history_db: Store) -> None:
    times = {a.mode: a for a in answer_history(bank, history_db, NOW, UTC).answer_times}
    assert list(times) == ["review", "practice", "exam"]
    review = times["review"]  # 4, 5, 8, 8, 8, 8, 12, 12 seconds (the untimed one left out)
    assert review.answers == 8 and review.median_s == 8.0
    assert dict(review.histogram) == {"<5s": 1, "5s": 5, "10s": 2, "20s": 0, "30s": 0,
                                      "1m": 0, "2m+": 0}
    assert times["exam"] == AnswerTime("exam", 1, 65.0, [
        ("<5s", 0), ("5s", 0), ("10s", 0), ("20s", 0), ("30s", 0), ("1m", 1), ("2m+", 0)])
    assert times["practice"].median_s == 3.0


def test_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    (found,) = answer_times([("review", 40, 1), ("review", 51, 1), ("review", 10, 1),
                             ("review", 90, 1)])
    assert found.median_s == 4.55 and found.answers == 4
    assert answer_times([]) == []


def test_hardest_and_most_lapses(bank: Bank, history_db: Store) -> None:
    h = answer_history(bank, history_db, NOW, UTC)
    assert [(q.question_id, q.answers, q.correct) for q in h.hardest] == [
        ("enc-mtls-facts", 4, 1), ("enc-mtls-mutual", 3, 2)]  # np-deny-scope: only 2 answers
    assert [(q.question_id, q.lapses, q.leech, q.answers) for q in h.most_lapses] == [
        ("np-deny-scope", 3, True, 2), ("enc-mtls-facts", 1, False, 4)]


def test_histograms_exam_trend_and_json(bank: Bank, history_db: Store) -> None:
    stats = compute_stats(bank, history_db, NOW, UTC, charts=True)
    # In review and not suspended: 30 days, 1 day, 16 days (enc-mtls-facts is suspended).
    assert {k: n for k, n in stats.intervals if n} == {"1d": 1, "2w": 1, "1m": 1}
    assert {k: n for k, n in stats.difficulty if n} == {"0%": 1, "50%": 1, "90%": 1}
    figures = stats.to_dict()
    assert figures["exam_trend"] == [{"started_at": T0.isoformat(), "percent": 75.0,
                                      "pass_mark_percent": 75.0, "passed": True}]
    history = figures["history"]
    assert history["retention"]["mature"] == {"answers": 2, "correct": 1, "rate": 0.5}
    assert history["retention"]["per_week"][-1]["young"]["answers"] == 3
    assert history["answer_time"]["review"]["median_s"] == 8.0
    assert history["hardest"][0] == {"id": "enc-mtls-facts", "answers": 4, "correct": 1,
                                     "rate": 0.25, "lapses": 1, "leech": False}
    assert history["topic_accuracy"]["encryption"][-1] == {"answers": 3, "correct": 2,
                                                           "rate": 2 / 3}
    # The keys that were there before stay.
    assert {"reviews", "accuracy", "streak", "topics", "totals", "leeches", "exams",
            "mastered"} <= set(figures)
    text = format_stats(stats)
    assert "retention  young 100% of 3, mature 50% of 2 (last 12 weeks" in text
    assert "time       review median 8.0 s of 8, practice median 3.0 s of 1, " \
           "exam median 65.0 s of 1" in text
    assert "hardest    enc-mtls-facts 1/4, enc-mtls-mutual 2/3" in text
    assert "intervals  1d:1 2d:0 3d:0 1w:0 2w:1 3w:0 1m:1" in text
    plain = compute_stats(bank, history_db, NOW, UTC)  # home's counts: none of the charts
    assert plain.history is None and plain.intervals == []
    assert not {"history", "intervals", "difficulty"} & set(plain.to_dict())
