"""The engine: paths and URLs, lazy creation, pragmas, BEGIN IMMEDIATE and lock retries."""

from __future__ import annotations

import sqlite3
import stat
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import event, text

from quiz.bank import Bank
from quiz.store import Store, StoreError, make_engine
from quiz.store import base as store_base
from quiz.store import engine as store_engine

if TYPE_CHECKING:
    from tests.conftest import Clock


def test_a_path_is_a_sqlite_file_created_lazily_in_private_dirs(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "progress.db"
    engine = make_engine(target)
    assert engine.url.get_backend_name() == "sqlite"
    assert not target.exists()  # nothing is opened until the store needs it
    assert stat.S_IMODE((tmp_path / "deep" / "er").stat().st_mode) == 0o700
    Store(engine).close()
    assert target.stat().st_size > 0


def test_sqlalchemy_urls_are_accepted(tmp_path: Path, bank: Bank) -> None:
    store = Store(make_engine(f"sqlite:///{tmp_path / 'url.db'}"))
    store.record_answer(bank.questions["np-deny-scope"], [0])
    store.close()
    assert (tmp_path / "url.db").exists()
    memory = Store(make_engine("sqlite://"))
    memory.record_answer(bank.questions["np-deny-scope"], [0])
    assert len(memory.logs()) == 1
    memory.close()


def test_unusable_urls_raise_store_errors() -> None:
    with pytest.raises(StoreError, match="nosuch://x"):
        make_engine("nosuch://x")


@pytest.mark.sqlite_only
def test_connections_use_wal_foreign_keys_and_a_busy_timeout(store: Store) -> None:
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10_000


@pytest.mark.sqlite_only
def test_writes_begin_immediate_and_reads_deferred(store: Store, bank: Bank) -> None:
    store.scheduler()  # settings are read once, before the first write
    statements: list[str] = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def _log(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("BEGIN"):
            statements.append(statement)

    store.record_answer(bank.questions["np-deny-scope"], [0])
    store.card("np-deny-scope")
    assert statements == ["BEGIN IMMEDIATE", "BEGIN"]


def _hold_write_lock(path: Path, seconds: float) -> threading.Thread:
    ready = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        ready.set()
        threading.Event().wait(seconds)
        conn.execute("ROLLBACK")
        conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    ready.wait()
    return thread


def test_a_locked_database_is_retried_until_free(
        db_path: Path, bank: Bank, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_engine, "BUSY_TIMEOUT_S", 0.05)  # fail fast, then retry
    store = Store(make_engine(db_path), now=clock, enable_fuzzing=False)
    holder = _hold_write_lock(db_path, 0.3)
    answer = store.record_answer(bank.questions["np-deny-scope"], [0])
    holder.join()
    assert [e.id for e in store.logs()] == [answer.log_id]
    store.close()


def test_a_database_locked_for_too_long_is_a_clear_error(
        db_path: Path, bank: Bank, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_engine, "BUSY_TIMEOUT_S", 0.01)
    monkeypatch.setattr(store_base, "LOCK_RETRIES", 2)
    store = Store(make_engine(db_path), now=clock, enable_fuzzing=False)
    holder = _hold_write_lock(db_path, 1.0)
    with pytest.raises(StoreError, match="locked by another program"):
        store.record_answer(bank.questions["np-deny-scope"], [0])
    holder.join()
    assert store.logs() == []
    store.close()
