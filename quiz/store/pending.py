"""A store that opens in the background while the first screen is already up.

``quiz review`` must show its first question about as fast as a bare Textual app starts, but
importing SQLAlchemy and SQLModel alone takes longer than that. ``PendingStore`` stands in for
``Store``: the reads the first screen needs come from a ``Snapshot`` (standard-library
``sqlite3``, read-only), and everything else (every write, every other read) waits for the
real store, which a thread opens once the first frame is drawn. The user is reading the
question by then, so the first answer finds it open.

Only a SQLite file at the current schema whose cards are in step with the bank is read this
way (``pending_store`` returns None otherwise and the caller opens the store as usual): a file
that needs migrating, or cards that ``Store.sync_bank`` would reset, could make the snapshot
differ from what the store is about to hold.

Three writes a start makes at once are made this way too (``*_when_open``): ``--exam-date``'s
setting, the exam-date cap and ``quiz exam``'s new attempt. The snapshot reads them as saved,
so the first screen shows them; the real store makes them (the cap worked out again on its own
cards) as soon as it opens, before anything else reads or writes it, and a failure there ends
the app as a store that fails to open does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from quiz.clock import utc_now
from quiz.store.inspection import database_path, make_parent
from quiz.store.records import ExamAttempt, SessionRecord
from quiz.store.snapshot import READS, Snapshot, SnapshotClosed, take_snapshot

if TYPE_CHECKING:
    from quiz.bank import Bank
    from quiz.store.records import CardRecord
    from quiz.store.store import Store

Done = Callable[[BaseException | None], None]


class SavedAs(Protocol):
    """What ``start_exam_when_open`` builds: told the attempt as saved if its id changed."""

    def saved_as(self, attempt: ExamAttempt) -> None: ...


R = TypeVar("R", bound=SavedAs)


class PendingStore:
    """Answers like a ``Store``: from the snapshot until the real store is open, then from it."""

    def __init__(self, snapshot: Snapshot, opener: Callable[[], Store]) -> None:
        self.learner = snapshot.learner  # whose progress: known without waiting for the store
        self._snapshot: Snapshot | None = snapshot
        self._opener = opener
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._store: Store | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        # Writes the first screen already shows from the snapshot, made once the store opens.
        self._after_open: list[Callable[[Store], object]] = []

    # --- opening -----------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        """Whether the real store has opened (or failed to)."""
        return self._done.is_set()

    def open_in_background(self, on_done: Done | None = None) -> None:
        """Start opening the real store in a thread; ``on_done(error or None)`` runs there."""
        if self._thread is not None or self._done.is_set():
            return
        self._thread = threading.Thread(target=self._open, args=(on_done,),
                                        name="quiz-store-open", daemon=True)
        self._thread.start()

    def _open(self, on_done: Done | None = None) -> None:
        with self._lock:
            if self._done.is_set():
                return
            try:
                self._store = self._opener()
                for write in self._after_open:
                    write(self._store)
            except BaseException as exc:  # handed to whoever uses the store next
                self._error = exc
            finally:
                self._done.set()
        if on_done is not None:
            try:
                on_done(self._error)
            except RuntimeError:  # the app's event loop has already closed
                pass

    def wait(self) -> Store:
        """The real store, once open (opened here and now if no thread has started it).

        Raises the ``StoreError`` (or other exception) opening it raised.
        """
        if not self._done.is_set():
            if self._thread is None:
                self._open()
            else:
                self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._store is not None
        self._drop_snapshot()
        return self._store

    def save_schedules_when_open(self, records: list[CardRecord],
                                 write: Callable[[Store], object]) -> None:
        """Read ``records`` (cards about to be rescheduled) as saved from now on, and run
        ``write(store)`` (which saves them, worked out again on the store's own cards) as soon
        as the real store opens, before anything else reads or writes it. Once open: now."""
        self._when_open(write, lambda snapshot: snapshot.show_as_saved(records))

    def update_settings_when_open(self, **values: Any) -> None:
        """``update_settings(**values)`` on the real store as soon as it opens; the snapshot
        reads them as saved meanwhile."""
        self._when_open(lambda store: store.update_settings(**values),
                        lambda snapshot: snapshot.show_settings(**values))

    def start_exam_when_open(self, question_ids: Sequence[str], build: Callable[[ExamAttempt], R],
                             *, time_limit_s: int | None = None,
                             pass_mark: float | None = None, topic: str | None = None,
                             position: str | None = None) -> R:
        """``build(attempt)`` (an exam run) on a new attempt at ``question_ids``, opening on
        ``position``, which the real store saves (``start_exam``, ``save_exam_position``) as
        soon as it opens, before anything else reads or writes it; the snapshot reads it as
        saved meanwhile. Once open: saved now, then built.

        Before it opens, the attempt has the id the store is about to give it (its choice
        orders are seeded by it). If another copy of quiz takes that id first, the store saves
        it under the next one and ``built.saved_as(attempt)`` hands the run the saved attempt
        before the run's first write; only a later resume shows its choices in another order.
        """
        ids = tuple(question_ids)
        with self._lock:
            snapshot = self._snapshot
            if not self._done.is_set() and snapshot is not None:
                session = SessionRecord(id=snapshot.next_session_id(), mode="exam",
                                        started_at=snapshot.now(), topic=topic)
                shown = ExamAttempt(session=session, question_ids=ids,
                                    time_limit_s=time_limit_s, pass_mark=pass_mark)
                snapshot.show_exam(shown, position)
                built = build(shown)

                def write(store: Store) -> None:
                    saved = store.start_exam(ids, time_limit_s=time_limit_s, pass_mark=pass_mark,
                                             topic=topic, started_at=session.started_at,
                                             prefer_id=session.id)
                    if position is not None:
                        store.save_exam_position(saved.id, position)
                    if saved.id != shown.id:
                        built.saved_as(saved)

                self._after_open.append(write)
                return built
        store = self.wait()
        attempt = store.start_exam(ids, time_limit_s=time_limit_s, pass_mark=pass_mark,
                                   topic=topic)
        if position is not None:
            store.save_exam_position(attempt.id, position)
        return build(attempt)

    def _when_open(self, write: Callable[[Store], object],
                   show: Callable[[Snapshot], None]) -> None:
        with self._lock:
            if not self._done.is_set() and self._snapshot is not None:
                show(self._snapshot)
                self._after_open.append(write)
                return
        write(self.wait())

    def _drop_snapshot(self) -> None:
        if self._snapshot is not None:
            self._snapshot.close()
            self._snapshot = None

    # --- as Store ----------------------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        snapshot = self._snapshot
        if name in READS and snapshot is not None and not self._done.is_set():
            from_snapshot = getattr(snapshot, name)

            def read(*args: Any, **kwargs: Any) -> Any:
                # Taken before the store opened, called after it closed the snapshot (a
                # screen's worker thread): the store answers.
                try:
                    return from_snapshot(*args, **kwargs)
                except SnapshotClosed:
                    return getattr(self.wait(), name)(*args, **kwargs)

            return read
        return getattr(self.wait(), name)

    def close(self) -> None:
        """Close the real store (waiting for a thread still opening it) and the snapshot.

        Never raises: an error opening it went to ``on_done`` or to the caller that waited."""
        if self._thread is not None:
            self._done.wait()
        if self._store is not None:
            self._store.close()
        self._drop_snapshot()


def pending_store(path: Path, bank: Bank, *, learner: str | None = None,
                  now: Callable[[], datetime] = utc_now,
                  enable_fuzzing: bool = True) -> PendingStore | None:
    """A ``PendingStore`` on ``learner``'s progress in the SQLite file ``path`` (synced with
    ``bank`` once open), or None
    when the store must be opened first (see the module's docstring).

    Raises ``StoreError`` for a file that is not a usable progress database, as ``Store`` does.
    """
    path = database_path(path)
    make_parent(path)
    snapshot = take_snapshot(path, learner=learner, now=now, enable_fuzzing=enable_fuzzing)
    if snapshot is None:
        return None
    if not snapshot.in_step_with(bank):
        snapshot.close()
        return None

    def opener() -> Store:
        # Through the package face on purpose, looked up when called: ``quiz.store.open_store``
        # is the one seam for opening a store (tests replace it to make opening fail). No
        # cycle: the package's __init__ does not import this module.
        from quiz.store import open_store

        store = open_store(path, learner=snapshot.learner, now=now,
                           enable_fuzzing=enable_fuzzing)
        try:
            store.sync_bank(bank)
        except BaseException:
            store.close()
            raise
        return store

    return PendingStore(snapshot, opener)
