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

Two writes a start makes at once are made this way too (``*_when_open``): ``--exam-date``'s
setting and the exam-date cap. The snapshot reads them as saved, so the first screen shows
them; the real store makes them (the cap worked out again on its own cards) as soon as it
opens, before anything else reads or writes it, and a failure there ends the app as a store
that fails to open does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quiz.clock import utc_now
from quiz.store.inspection import database_path, make_parent
from quiz.store.snapshot import READS, Snapshot, take_snapshot

if TYPE_CHECKING:
    from quiz.bank import Bank
    from quiz.store.records import CardRecord
    from quiz.store.store import Store

Done = Callable[[BaseException | None], None]


class PendingStore:
    """Answers like a ``Store``: from the snapshot until the real store is open, then from it."""

    def __init__(self, snapshot: Snapshot, opener: Callable[[], Store]) -> None:
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
            return getattr(snapshot, name)
        return getattr(self.wait(), name)

    def close(self) -> None:
        """Close the real store (waiting for a thread still opening it) and the snapshot.

        Never raises: an error opening it went to ``on_done`` or to the caller that waited."""
        if self._thread is not None:
            self._done.wait()
        if self._store is not None:
            self._store.close()
        self._drop_snapshot()


def pending_store(path: Path, bank: Bank, *, now: Callable[[], datetime] = utc_now,
                  enable_fuzzing: bool = True) -> PendingStore | None:
    """A ``PendingStore`` on the SQLite file ``path`` (synced with ``bank`` once open), or None
    when the store must be opened first (see the module's docstring).

    Raises ``StoreError`` for a file that is not a usable progress database, as ``Store`` does.
    """
    path = database_path(path)
    make_parent(path)
    snapshot = take_snapshot(path, now=now, enable_fuzzing=enable_fuzzing)
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

        store = open_store(path, now=now, enable_fuzzing=enable_fuzzing)
        try:
            store.sync_bank(bank)
        except BaseException:
            store.close()
            raise
        return store

    return PendingStore(snapshot, opener)
