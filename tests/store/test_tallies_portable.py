"""The stats' weekly tally on databases without SQLite's SQL (PostgreSQL): worked out in
Python, it must match what SQLite's SQL gives for the same answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from fsrs import Rating
from sqlalchemy import select, text

from quiz.bank import Bank
from quiz.store import Store, make_engine, tallies
from quiz.store.history import LOG
from tests.conftest import T0, Clock


def _history(store: Store, bank: Bank, clock: Clock) -> None:
    """Twenty weeks of answers, right and wrong, in review and practice, some cards mature."""
    questions = list(bank.questions.values())
    for day in range(0, 140, 2):
        for n, q in enumerate(questions[: 2 + day % 3]):
            mode = "practice" if (day + n) % 5 == 0 else "review"
            right = n == 0 or (day + n) % 3 == 0  # the first question always right
            picked = sorted(q.correct_indices) if right else [(day + n) % len(q.choices)]
            store.record_answer(q, picked, mode=mode)
            clock.advance(hours=5)
        clock.advance(hours=33)


@pytest.mark.parametrize("local", ["+0 minutes", "+330 minutes", "-420 minutes", "localtime"])
def test_the_python_tally_is_sqlites(tmp_path: Path, bank: Bank, local: str) -> None:
    clock = Clock(T0)
    store = Store(make_engine(tmp_path / "p.db"), now=clock, enable_fuzzing=False)
    _history(store, bank, clock)
    with store.engine.connect() as conn:  # one row whose card_before is not JSON
        conn.execute(text("UPDATE review_log SET card_before = 'not json' WHERE id = 3"))
        conn.commit()
    since = T0.replace(day=20)
    by_sql = store.weekly_tally(since, local)
    columns = [LOG.c[name] for name in tallies.WEEKLY_ROWS_COLUMNS]
    with store.engine.connect() as conn:
        rows = [(utc_row[0].replace(tzinfo=T0.tzinfo), *utc_row[1:]) for utc_row in conn.execute(
            select(*columns).where(LOG.c.answered_at >= since))]
    assert {t.kind for t in by_sql} == {tallies.YOUNG, tallies.MATURE, tallies.OTHER}
    assert sorted(tallies.weekly_from_rows(rows, local)) == sorted(by_sql)
    store.close()


def test_every_backend_tallies_the_same(store: Store, bank: Bank, clock: Clock,
                                        tmp_path: Path) -> None:
    reference_clock = Clock(clock())
    reference = Store(make_engine(tmp_path / "ref.db"), now=reference_clock,
                      enable_fuzzing=False)
    _history(store, bank, clock)
    _history(reference, bank, reference_clock)
    since = T0.replace(day=20)
    for local in ("+60 minutes", "localtime"):
        assert sorted(store.weekly_tally(since, local)) == \
            sorted(reference.weekly_tally(since, local))
    assert store.question_tally() == reference.question_tally()
    assert sorted(store.duration_tally()) == sorted(reference.duration_tally())
    assert store.answer_hours() == reference.answer_hours()
    reference.close()


def test_the_grades_tally_counts_review_answers_by_grade(store: Store, bank: Bank) -> None:
    """The plan's Hard/Easy shares (``tallies.ratings``) on SQLite and PostgreSQL alike:
    review answers only, a regrade counted as regraded."""
    q, other = list(bank.questions.values())[:2]
    right = sorted(q.correct_indices)
    store.record_answer(q, right, mode="practice")  # not a review: not counted
    store.record_answer(other, [min(set(range(len(other.choices))) - other.correct_indices)])
    regraded = store.record_answer(q, right)
    store.regrade(regraded.log_id, Rating.Easy)
    store.record_answer(other, sorted(other.correct_indices))
    assert store.rating_tally() == {1: 1, 3: 1, 4: 1}
    assert store.for_learner("someone else").rating_tally() == {}
