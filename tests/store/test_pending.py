"""The store that opens in the background: reads from the snapshot until it is open, every
write (and every other read) from the real store, errors handed on."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from quiz.bank import Bank
from quiz.scheduling import review_queue
from quiz.store import ExamAttempt, Store, StoreError, make_engine, open_store
from quiz.store.migrations import migrate
from quiz.store.pending import PendingStore, pending_store
from quiz.store.snapshot import take_snapshot
from tests.conftest import T0

# The snapshot and the pending store read SQLite files with the standard library.
pytestmark = pytest.mark.sqlite_only

if TYPE_CHECKING:
    from tests.conftest import Clock


class Opener:
    """Opens the real store when asked, counting the calls (optionally failing or waiting)."""

    def __init__(self, path: Path, clock: Clock, error: StoreError | None = None) -> None:
        self.path, self.clock, self.error = path, clock, error
        self.calls: list[str] = []
        self.release = threading.Event()
        self.release.set()

    def __call__(self) -> Store:
        self.calls.append(threading.current_thread().name)
        self.release.wait(10)
        if self.error is not None:
            raise self.error
        return open_store(self.path, now=self.clock, enable_fuzzing=False)


def pending(path: Path, opener: Opener) -> PendingStore:
    snapshot = take_snapshot(path, now=opener.clock, enable_fuzzing=False)
    assert snapshot is not None
    return PendingStore(snapshot, opener)


def test_reads_need_no_store_and_a_write_opens_it(tmp_path: Path, bank: Bank,
                                                 clock: Clock) -> None:
    path = tmp_path / "p.db"
    opener = Opener(path, clock)
    store = pending(path, opener)
    queue = review_queue(bank, store, clock())
    assert len(queue) == len(bank.questions) and store.settings().daily_new_limit > 0
    assert opener.calls == [] and not path.exists() and not store.ready
    answer = store.record_answer(queue[0], [0])  # no thread started: opened right here
    assert opener.calls == [threading.current_thread().name] and store.ready
    assert store.started_ids() == {queue[0].id}  # from the real store now
    assert store.log(answer.log_id) is not None
    store.close()


def test_opened_in_the_background_then_used(tmp_path: Path, bank: Bank, clock: Clock) -> None:
    path = tmp_path / "p.db"
    opener = Opener(path, clock)
    opener.release.clear()
    store = pending(path, opener)
    done: list[BaseException | None] = []
    store.open_in_background(done.append)
    store.open_in_background(done.append)  # once is enough
    assert not store.ready
    assert store.cards() == {}  # still the snapshot's, while the thread waits
    opener.release.set()
    store.record_answer(bank.questions["np-deny-scope"], [0])  # waits for the thread
    assert opener.calls == ["quiz-store-open"] and done == [None]
    assert list(store.cards()) == ["np-deny-scope"]
    store.close()
    assert isinstance(store.wait(), Store)


def test_an_error_opening_goes_to_the_callback_and_to_every_later_use(
        tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "p.db"
    error = StoreError(f"{path}: cannot set up the progress database: disk I/O error")
    store = pending(path, Opener(path, clock, error))
    done: list[BaseException | None] = []
    store.open_in_background(done.append)
    with pytest.raises(StoreError, match="disk I/O error"):
        store.start_session("review")
    assert done == [error]
    with pytest.raises(StoreError, match="disk I/O error"):
        store.cards()  # no longer the snapshot's: nothing would ever be saved
    store.close()  # does not raise


def test_a_callback_whose_loop_has_closed_is_ignored(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "p.db"
    store = pending(path, Opener(path, clock))

    def closed_loop(_error: BaseException | None) -> None:
        raise RuntimeError("Event loop is closed")

    store.open_in_background(closed_loop)
    store.close()
    assert store.ready


def test_pending_store_syncs_the_bank_once_open(db_path: Path, bank: Bank, clock: Clock,
                                               store: Store) -> None:
    store.set_flagged("np-deny-scope")  # no fingerprint yet: the sync records it
    found = pending_store(db_path, bank, now=clock, enable_fuzzing=False)
    assert found is not None
    assert found.card("np-deny-scope").fingerprint == ""  # type: ignore[union-attr]
    found.wait()
    assert found.card("np-deny-scope").fingerprint == \
        bank.questions["np-deny-scope"].fingerprint()  # type: ignore[union-attr]
    found.close()


def test_pending_store_declines_what_the_store_must_open_first(
        tmp_path: Path, db_path: Path, bank: Bank, store: Store) -> None:
    store.record_answer(bank.questions["np-deny-scope"], [0])
    assert pending_store(db_path, bank) is not None
    # An answer key changed since: the sync would reset the card.
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE card SET fingerprint = 'old'")
    assert pending_store(db_path, bank) is None
    # A database of an older schema: migrating writes, so it happens before the UI.
    old = tmp_path / "old.db"
    migrate(make_engine(old), T0, target=2)
    assert pending_store(old, bank) is None


def test_pending_store_refuses_a_bad_file_before_anything(tmp_path: Path, bank: Bank) -> None:
    bad = tmp_path / "p.db"
    bad.write_text("not a database")
    with pytest.raises(StoreError, match="not a progress database"):
        pending_store(bad, bank)
    assert bad.read_text() == "not a database"
    (tmp_path / "dir.db").mkdir()
    with pytest.raises(StoreError, match="is a directory"):
        pending_store(tmp_path / "dir.db", bank)


def test_a_path_under_a_file_names_the_file_in_the_way(tmp_path: Path, bank: Bank) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("mine")
    target = blocker / "sub" / "p.db"
    for open_it in (lambda: pending_store(target, bank), lambda: make_engine(target)):
        with pytest.raises(StoreError, match=f"{blocker} is not a directory"):
            open_it()
    assert blocker.read_text() == "mine"


class Run:
    """What start_exam_when_open builds: the attempt it was given, and any it is told of."""

    def __init__(self, attempt: ExamAttempt) -> None:
        self.attempt = attempt

    def saved_as(self, attempt: ExamAttempt) -> None:
        self.attempt = attempt


def test_an_exam_is_shown_at_once_and_saved_first_once_open(tmp_path: Path,
                                                            clock: Clock) -> None:
    path = tmp_path / "p.db"
    open_store(path, now=clock).close()
    opener = Opener(path, clock)
    store = pending(path, opener)
    run = store.start_exam_when_open(["a", "b"], Run, time_limit_s=60, pass_mark=0.5,
                                     position="a")
    assert opener.calls == [] and run.attempt.id == 1 and store.exams() == [run.attempt]
    assert store.exam_position(1) == "a"
    store.save_exam_answer(1, "b", [0])  # a write: opens the store, the attempt saved first
    assert store.exam(1) == replace(run.attempt, answers={"b": (0,)})
    # Once open, a new attempt is saved before it is built.
    again = store.start_exam_when_open(["b"], Run)
    assert again.attempt.id == 2 and store.exam(2) == again.attempt
    assert store.exam_position(2) is None
    store.close()


def test_a_read_taken_before_the_store_opened_is_answered_by_it_after(
        tmp_path: Path, bank: Bank, clock: Clock) -> None:
    """A screen's thread that took a snapshot read just before the store opened (and closed
    the snapshot) gets the store's figures, not an empty file's nor a closed database's error."""
    path = tmp_path / "p.db"
    seed = open_store(path, now=clock, enable_fuzzing=False)
    seed.record_answer(bank.questions["np-deny-scope"], [0])
    expected = seed.question_tally()
    seed.close()
    opener = Opener(path, clock)
    store = pending(path, opener)
    tally = store.question_tally  # from the snapshot: the store is not open yet
    store.wait()  # opens it and closes the snapshot
    assert tally() == expected and list(expected) == ["np-deny-scope"]
    store.close()


def test_closing_the_snapshot_waits_for_a_read_in_progress(tmp_path: Path, bank: Bank,
                                                          clock: Clock) -> None:
    path = tmp_path / "p.db"
    seed = open_store(path, now=clock, enable_fuzzing=False)
    seed.record_answer(bank.questions["np-deny-scope"], [0])
    seed.close()
    snapshot = take_snapshot(path, now=clock, enable_fuzzing=False)
    assert snapshot is not None
    closed = threading.Event()
    with snapshot._using:  # a read in progress on another thread
        closer = threading.Thread(target=lambda: (snapshot.close(), closed.set()))
        closer.start()
        assert not closed.wait(0.2)
    closer.join(10)
    assert closed.is_set()
