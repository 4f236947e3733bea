"""The start-up snapshot reads exactly what the store reads, without SQLAlchemy."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fsrs import Rating

from quiz.bank import Bank
from quiz.scheduling import review_queue
from quiz.store import Store, StoreError, TopicResult, make_engine
from quiz.store.migrations import migrate
from quiz.store.snapshot import READS, Snapshot, take_snapshot
from tests.conftest import MINI, T0

# The snapshot and the pending store read SQLite files with the standard library.
pytestmark = pytest.mark.sqlite_only

if TYPE_CHECKING:
    from tests.conftest import Clock


def use(store: Store, bank: Bank, clock: Clock) -> None:
    """A history with something in every table and every column the snapshot reads."""
    q = bank.questions
    session = store.start_session("review")
    store.record_answer(q["np-deny-scope"], [0], session_id=session.id, duration_ms=900)
    right = store.record_answer(q["enc-mtls-mutual"], [0], session_id=session.id)
    store.regrade(right.log_id, Rating.Easy)
    store.record_answer(q["np-deny-effects"], [2], session_id=session.id)
    store.finish_session(session.id, score=1, total=3,
                         per_topic={"encryption": TopicResult(1, 1)})
    clock.advance(days=1, hours=3)
    store.record_answer(q["np-egress-dns"], [1], mode="practice")
    store.set_flagged("enc-wireguard-scope")  # a card with no answer yet
    store.set_suspended("np-egress-all-above")
    store.record_answer(q["np-egress-all-above"], [0])
    store.update_settings(desired_retention=0.85, daily_new_limit=7,
                          exam_date=date(2025, 4, 1))
    done = store.start_exam(["np-deny-scope", "enc-mtls-facts"], time_limit_s=600,
                            pass_mark=0.75)
    store.save_exam_answer(done.session.id, "np-deny-scope", [0])
    store.finish_session(done.session.id, score=1, total=2,
                         per_topic={"network-policies": TopicResult(1, 1)})
    open_exam = store.start_exam(["enc-mtls-facts"], time_limit_s=None)
    store.save_exam_answer(open_exam.session.id, "enc-mtls-facts", [1, 0])
    store.save_exam_flags(open_exam.session.id, ["enc-mtls-facts"])
    store.save_exam_position(open_exam.session.id, "enc-mtls-facts")
    clock.advance(minutes=5)


def test_every_read_matches_the_store(store: Store, bank: Bank, clock: Clock,
                                      db_path: Path) -> None:
    use(store, bank, clock)
    # An orphan: progress on a question the bank no longer has.
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE review_log SET question_id = 'gone' WHERE mode = 'practice'")
    snap = take_snapshot(db_path, now=clock, enable_fuzzing=False)
    assert isinstance(snap, Snapshot)
    now = clock()
    day = (T0, T0 + timedelta(days=1))
    exam_ids = [e.session.id for e in store.exams()]
    pairs = {
        "now": ((), {}), "settings": ((), {}), "cards": ((), {}), "card_summaries": ((), {}),
        "card": (("np-deny-scope",), {}), "due_reviews": ((now + timedelta(days=30),), {}),
        "cards_due_after": ((now,), {}),
        "started_ids": ((), {}), "suspended_ids": ((), {}), "flagged_ids": ((), {}),
        "introduced_count": (day, {}), "answer_counts": ((), {}),
        "first_answer_counts": ((), {}),
        "answer_times": ((), {"since": T0 + timedelta(hours=1)}),
        "answer_hours": ((), {"since": T0 + timedelta(hours=1)}),
        "logged_question_ids": ((), {}), "orphaned_ids": ((bank,), {}),
        "exams": ((), {}), "exam": ((exam_ids[-1],), {}),
        "exam_position": ((exam_ids[-1],), {}),
        "weekly_tally": ((T0 - timedelta(days=7),), {"local": "+60 minutes"}),
        "question_tally": ((), {}), "duration_tally": ((), {}),
    }
    assert set(pairs) | {"scheduler"} == READS
    for name, (args, kwargs) in pairs.items():
        mine, theirs = getattr(snap, name)(*args, **kwargs), getattr(store, name)(*args, **kwargs)
        assert mine == theirs, name
        assert mine, f"{name}: the history should give it something to compare"
    assert snap.card("nope") is None and snap.exam(10_000) is None
    assert snap.exam_position(exam_ids[0]) is None is store.exam_position(exam_ids[0])
    # A summary says what the card says, for the figures that read it.
    for qid, summary in store.card_summaries().items():
        card = store.cards()[qid]
        assert (summary.state, summary.stability, summary.last_review, summary.due,
                summary.suspended, summary.is_new) == (card.state, card.card.stability,
                                                       card.card.last_review, card.due,
                                                       card.suspended, card.is_new)
    assert snap.answer_counts(since=now) == store.answer_counts(since=now)
    assert snap.answer_times() == store.answer_times()
    assert snap.answer_hours() == store.answer_hours()
    assert [len({a, b}) for a, b in store.answer_hours()] == [1, 1]  # one answer each hour
    assert snap.introduced_count(T0 - timedelta(days=1), T0 + timedelta(days=3)) == 4
    assert snap.scheduler().desired_retention == store.scheduler().desired_retention == 0.85
    assert review_queue(bank, snap, now) == review_queue(bank, store, now)
    snap.close()


def test_a_missing_file_is_an_empty_snapshot_and_stays_missing(tmp_path: Path,
                                                                bank: Bank) -> None:
    path = tmp_path / "new.db"
    snap = take_snapshot(path)
    assert snap is not None
    assert (snap.cards(), snap.exams(), snap.answer_counts()) == ({}, [], (0, 0))
    assert len(review_queue(bank, snap, T0)) == len(bank.questions)
    assert not path.exists()


def test_a_file_of_an_older_schema_needs_the_store(db_path: Path) -> None:
    migrate(make_engine(db_path), T0, target=1)
    assert take_snapshot(db_path) is None


@pytest.mark.parametrize(("content", "message"), [
    (b"not a database at all", r"not a progress database \(not an SQLite file\)"),
    (b"SQLite format 3\x00" + b"\x00" * 10, "truncated"),
])
def test_a_bad_file_is_refused_like_the_store_refuses_it(db_path: Path, content: bytes,
                                                         message: str) -> None:
    db_path.write_bytes(content)
    with pytest.raises(StoreError, match=message):
        take_snapshot(db_path)
    with pytest.raises(StoreError, match=message):
        Store(make_engine(db_path))
    assert db_path.read_bytes() == content


def test_a_newer_schema_is_refused(store: Store, db_path: Path) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO schema_version VALUES (99, 'future', '2030-01-01')")
    with pytest.raises(StoreError, match="newer version of quiz"):
        take_snapshot(db_path)


def test_in_step_with_a_bank_until_an_answer_key_changes(store: Store, bank: Bank,
                                                         db_path: Path) -> None:
    store.record_answer(bank.questions["np-deny-scope"], [0])
    store.set_flagged("np-egress-dns")  # a card without a fingerprint: the sync adopts it
    snap = take_snapshot(db_path)
    assert snap is not None and snap.in_step_with(bank)
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE card SET fingerprint = 'old' WHERE question_id = 'np-deny-scope'")
    snap = take_snapshot(db_path)
    assert snap is not None and not snap.in_step_with(bank)


def test_reading_the_snapshot_imports_no_sqlalchemy(store: Store, bank: Bank, clock: Clock,
                                                    db_path: Path) -> None:
    use(store, bank, clock)
    code = f"""
import datetime
import sys
from quiz.bank import load_bank
from quiz.scheduling import review_queue
from quiz.stats import compute_stats
from quiz.store.pending import pending_store
T0 = {T0!r}
bank = load_bank([{str(MINI)!r}])
pending = pending_store(__import__("pathlib").Path({str(db_path)!r}), bank)
queue = review_queue(bank, pending, T0)
stats = compute_stats(bank, pending, T0)
print(len(queue), stats.totals.questions)
print(sorted(m for m in sys.modules if m.split(".")[0] in ("sqlalchemy", "sqlmodel")))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).parents[2], check=True).stdout.splitlines()
    assert int(out[0].split()[1]) == len(bank.questions)
    assert out[1] == "[]"  # no SQLAlchemy, no SQLModel


def test_a_dropped_column_is_refused_before_the_first_read(store: Store, db_path: Path) -> None:
    with sqlite3.connect(db_path) as conn:  # ours by its tables, but not as this app wrote it
        conn.execute("ALTER TABLE card DROP COLUMN flagged")
    conn.close()
    with pytest.raises(StoreError, match=f"^{db_path}: .*card table .*lacks flagged"):
        take_snapshot(db_path)


def test_a_read_that_fails_names_the_file(store: Store, db_path: Path) -> None:
    snap = take_snapshot(db_path)
    assert snap is not None
    with sqlite3.connect(db_path) as conn:  # changed under the running app
        conn.execute("ALTER TABLE card DROP COLUMN flagged")
    conn.close()
    with pytest.raises(StoreError, match=f"^{db_path}: cannot read the progress database "
                                         r"\(no such column: flagged\)"):
        snap.flagged_ids()
    snap.close()
