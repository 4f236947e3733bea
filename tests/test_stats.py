"""Progress figures and ``quiz stats``: counts, accuracy windows, streaks, orphans, exams."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from fsrs import Rating, State

from quiz.bank import Bank
from quiz.cli import cli
from quiz.scheduling import review_queue
from quiz.stats import MASTERED_STABILITY_DAYS, compute_stats, format_stats, streak
from quiz.store import Store
from tests.conftest import MINI, NEW_YORK, T0, Clock


def answer_at(store: Store, clock: Clock, when: datetime, bank: Bank, qid: str,
              right: bool = True, rating: Rating | None = None, mode: str = "review") -> None:
    clock.value = when
    q = bank.questions[qid]
    picked = min(q.correct_indices) if right else min(set(range(len(q.choices)))
                                                        - q.correct_indices)
    answer = store.record_answer(q, [picked], mode=mode)
    if rating is not None:
        store.regrade(answer.log_id, rating)


def test_a_fresh_store(bank: Bank, store: Store) -> None:
    stats = compute_stats(bank, store, T0, tz=UTC)
    assert [(t.id, t.questions, t.new) for t in stats.topics] == [
        ("network-policies", 4, 4), ("encryption", 3, 3)]
    assert (stats.reviews, stats.streak, stats.orphaned, stats.exams) == (0, 0, [], [])
    assert stats.accuracy.overall is None and stats.totals.new == 7


def test_counts_accuracy_streak_orphans_and_exams(
        bank: Bank, store: Store, clock: Clock) -> None:
    now = T0
    # mastered: long-spaced Easy reviews build stability past three weeks
    for days in (-120, -119.99, -60, -1):
        answer_at(store, clock, now + timedelta(days=days), bank, "enc-mtls-mutual",
                  rating=Rating.Easy)
    # review, due today: Good twice, then a long gap
    answer_at(store, clock, now - timedelta(days=40), bank, "np-deny-scope", right=False)
    answer_at(store, clock, now - timedelta(days=40, minutes=-10), bank, "np-deny-scope")
    answer_at(store, clock, now - timedelta(days=39.99), bank, "np-deny-scope")
    # learning: one right answer this morning
    answer_at(store, clock, now - timedelta(hours=2), bank, "np-egress-dns")
    # practice only: still new
    answer_at(store, clock, now - timedelta(hours=1), bank, "enc-mtls-facts", right=False,
              mode="practice")
    store.set_suspended("np-deny-effects")
    answer_at(store, clock, now - timedelta(days=2), bank, "np-egress-all-above")
    del bank.questions["np-egress-all-above"]  # edited out of the bank since
    exam = store.start_exam(["np-deny-scope", "enc-mtls-mutual"], pass_mark=0.5)
    store.finish_session(exam.id, score=1, total=2, per_topic={})

    cards = store.cards()
    assert cards["enc-mtls-mutual"].state == State.Review
    assert cards["enc-mtls-mutual"].card.stability >= MASTERED_STABILITY_DAYS  # type: ignore[operator]
    assert cards["np-deny-scope"].state == State.Review
    assert cards["np-deny-scope"].card.stability < MASTERED_STABILITY_DAYS  # type: ignore[operator]

    stats = compute_stats(bank, store, now, tz=UTC)
    by_topic = {t.id: t for t in stats.topics}
    enc, nps = by_topic["encryption"], by_topic["network-policies"]
    assert (enc.questions, enc.new, enc.learning, enc.review, enc.mastered) == (3, 2, 0, 1, 1)
    assert (nps.questions, nps.new, nps.learning, nps.review, nps.suspended) == (3, 0, 1, 1, 1)
    # Due today (quiz.scheduling.due_today): np-deny-scope and np-egress-dns (its step ended),
    # and encryption's two new questions, today's new allowance.
    assert nps.due_today == 2 and enc.due_today == 2
    assert stats.totals.due_today == len(review_queue(bank, store, now, tz=UTC))
    assert stats.reviews == 10
    assert stats.accuracy.overall == pytest.approx(8 / 10)
    assert stats.accuracy.last_7_days == pytest.approx(3 / 4)
    assert stats.accuracy.last_30_days == pytest.approx(3 / 4)
    assert stats.streak == 3  # today, yesterday, the day before
    assert stats.orphaned == ["np-egress-all-above"]
    assert [(e.score, e.total, e.passed) for e in stats.exams] == [(1, 2, True)]

    table = format_stats(stats).splitlines()
    header, rows = table[0], table[1:4]
    assert header.split() == ["topic", "questions", "new", "learning", "review", "due",
                              "today", "mastered", "suspended"]
    assert len({len(line) for line in [header, *rows]}) == 1  # aligned columns
    assert any(line.startswith("orphaned") and "np-egress-all-above" in line for line in table)
    assert any(line.startswith("exam") and "1/2 (50%)  passed" in line for line in table)


def test_streaks_count_local_days() -> None:
    now = datetime(2025, 3, 11, 15, tzinfo=UTC)
    days = [now - timedelta(days=d) for d in (1, 2, 3, 5)]  # not today yet: ends yesterday
    assert streak(days, now, UTC) == 3
    assert streak(days[1:], now, UTC) == 0  # ended two days ago
    assert streak([], now, UTC) == 0
    # 02:00 UTC on the 11th is still the 10th in New York: one local day, not two.
    late = [datetime(2025, 3, 11, 2, tzinfo=UTC), datetime(2025, 3, 10, 14, tzinfo=UTC)]
    assert streak(late, datetime(2025, 3, 11, 3, tzinfo=UTC), NEW_YORK) == 1
    assert streak(late, datetime(2025, 3, 11, 3, tzinfo=UTC), UTC) == 2


def test_quiz_stats_json_on_a_fresh_database(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["stats", "--json", "--bank", str(MINI),
                                      "--db", str(tmp_path / "new" / "progress.db")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["reviews"] == 0 and data["exams"] == [] and data["streak"] == 0
    assert [(t["id"], t["new"], t["review"]) for t in data["topics"]] == [
        ("network-policies", 4, 0), ("encryption", 3, 0)]


def test_quiz_stats_on_a_used_database(bank: Bank, store: Store, clock: Clock,
                                       db_path: Path) -> None:
    for qid in ("np-deny-scope", "enc-mtls-mutual", "np-egress-dns"):
        answer_at(store, clock, T0, bank, qid)
    answer_at(store, clock, T0, bank, "enc-mtls-facts", right=False)
    exam = store.start_exam(list(bank.questions), time_limit_s=600, pass_mark=0.75)
    store.finish_session(exam.id, score=6, total=7, per_topic={})
    store.close()

    as_json = CliRunner().invoke(cli, ["stats", "--json", "--bank", str(MINI),
                                       "--db", str(db_path)])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.stdout)
    assert data["reviews"] == 4
    assert data["accuracy"]["overall"] == pytest.approx(0.75)
    assert [(e["score"], e["total"], e["passed"]) for e in data["exams"]] == [(6, 7, True)]
    assert sum(t["learning"] for t in data["topics"]) == 4
    assert {"id", "new", "learning", "review", "due_today", "mastered"} <= set(data["topics"][0])
    # The charts' figures too; the command's clock is today's, long after these answers.
    assert len(data["history"]["weeks"]) == 12
    assert sum(w["answers"] for w in data["history"]["answers_per_week"]) == 0
    assert data["history"]["hardest"] == []  # no question has 3 answers
    assert data["history"]["retention"]["total"] == {"answers": 0, "correct": 0, "rate": None}
    assert data["exam_trend"][0]["percent"] == pytest.approx(600 / 7)
    assert sum(n for _, n in data["intervals"]["histogram"]) == 0  # all four still learning

    text = CliRunner().invoke(cli, ["stats", "--bank", str(MINI), "--db", str(db_path)])
    assert text.exit_code == 0, text.output
    assert text.stdout.splitlines()[0].split()[:3] == ["topic", "questions", "new"]
    assert "reviews    4" in text.stdout and "6/7 (86%)  passed" in text.stdout
    assert "retention  young -, mature - (last 12 weeks" in text.stdout


def test_a_streak_across_a_half_hour_midnight_counts_both_days(
        store: Store, bank: Bank, clock: Clock) -> None:
    # Kolkata is UTC+5:30: 18:20 and 18:40 UTC share an hour but are 23:50 and 00:10 there.
    kolkata = ZoneInfo("Asia/Kolkata")
    q = bank.questions["np-deny-scope"]
    for minute in (20, 25, 40):
        clock.value = datetime(2025, 3, 10, 18, minute, tzinfo=UTC)
        store.record_answer(q, [0], mode="practice")
    (hour,) = store.answer_hours()
    assert hour == (datetime(2025, 3, 10, 18, 20, tzinfo=UTC),
                    datetime(2025, 3, 10, 18, 40, tzinfo=UTC))
    assert compute_stats(bank, store, clock(), tz=kolkata).streak == 2
    assert compute_stats(bank, store, clock(), tz=UTC).streak == 1
