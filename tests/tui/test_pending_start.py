"""Start-up on a store that opens in the background (what ``quiz review`` and ``quiz`` do with
a SQLite file): the first screen comes from the snapshot, the store opens once it is drawn,
and a database that fails then ends the app with one message, as a bad one does at start."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from quiz.bank import Bank
from quiz.cli import cli
from quiz.store import Store, StoreError, open_store
from quiz.store.pending import PendingStore, pending_store
from quiz.tui.app import QuizApp, make_app
from quiz.tui.screens.feedback import FeedbackScreen
from quiz.tui.screens.home import HomeScreen
from quiz.tui.screens.question import QuestionScreen
from tests.conftest import Clock
from tests.tui.conftest import SIZE, TUI_BANK, keys_for, screen_text


async def until_ready(store: PendingStore) -> None:
    for _ in range(1000):
        if store.ready:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the store never opened")


def on_file(path: Path, bank: Bank, clock: Clock) -> PendingStore:
    found = pending_store(path, bank, now=clock, enable_fuzzing=False)
    assert found is not None
    return found


async def test_review_starts_from_the_snapshot_and_answers_go_to_the_store(
        tmp_path: Path, bank: Bank, clock: Clock) -> None:
    path = tmp_path / "p.db"
    store = on_file(path, bank, clock)
    app = make_app(bank, store, now=clock, start="review")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        assert f"{len(bank.questions)} left" in screen_text(app)
        await until_ready(store)  # opened in the background once the question was drawn
        await pilot.press(*keys_for(screen.showing), "enter")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
    store.close()
    real = open_store(path, now=clock)
    (entry,) = real.logs()
    (session,) = real.sessions()
    assert entry.question_id == screen.showing.question.id
    assert entry.session_id == session.id and session.mode == "review"
    real.close()


async def test_home_counts_come_from_the_snapshot(tmp_path: Path, bank: Bank,
                                                  clock: Clock) -> None:
    path = tmp_path / "p.db"
    first = open_store(path, now=clock, enable_fuzzing=False)
    first.record_answer(bank.questions[next(iter(bank.questions))], [0])
    first.close()
    store = on_file(path, bank, clock)
    app = make_app(bank, store, now=clock)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, HomeScreen)
        assert f"{len(bank.questions) - 1} questions to review" in screen_text(app)
        await until_ready(store)
        await pilot.press("escape")  # nothing to offer: no unfinished exam
    store.close()


async def test_a_store_that_fails_to_open_ends_the_app(tmp_path: Path, bank: Bank,
                                                       clock: Clock) -> None:
    path = tmp_path / "p.db"

    def fail() -> Store:
        raise StoreError(f"{path}: cannot set up the progress database: disk I/O error")

    snapshot = on_file(path, bank, clock)._snapshot
    assert snapshot is not None
    store = PendingStore(snapshot, fail)
    app = make_app(bank, store, now=clock, start="review")
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(200):
            if app.store_error is not None:
                break
            await pilot.pause(0.01)
    assert app.return_code == 2
    assert "disk I/O error" in str(app.store_error)


async def test_a_store_error_in_a_handler_ends_the_app_without_a_traceback(
        make: Any, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def locked(*_a: object, **_k: object) -> None:
        raise StoreError("progress.db: still locked by another program after 5 tries")

    monkeypatch.setattr(Store, "record_answer", locked)
    app: QuizApp = make("review")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        await pilot.press(*keys_for(screen.showing))
        app.simulate_key("enter")  # the app exits under it: pilot.press would wait forever
        for _ in range(200):
            if app.store_error is not None:
                break
            await asyncio.sleep(0.01)
    assert app.return_code == 2 and "still locked" in str(app.store_error)


def test_quiz_review_reports_a_store_that_fails_under_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_a: object, **_k: object) -> Store:
        raise StoreError(f"{tmp_path / 'p.db'}: cannot set up the progress database: "
                         "attempt to write a readonly database")

    monkeypatch.setattr("quiz.store.open_store", broken)
    run = QuizApp.run
    monkeypatch.setattr(QuizApp, "run", lambda self: run(self, headless=True, size=SIZE))
    result = CliRunner().invoke(cli, ["--bank", str(TUI_BANK), "--db", str(tmp_path / "p.db"),
                                      "review"])
    assert result.exit_code == 2, result.output
    assert result.output.strip().endswith("attempt to write a readonly database")
    assert result.output.startswith("quiz: ") and "Traceback" not in result.output


async def test_a_bug_while_opening_is_reported_as_a_crash(tmp_path: Path, bank: Bank,
                                                          clock: Clock) -> None:
    def broken() -> Store:
        raise ImportError("sqlalchemy is broken")

    snapshot = on_file(tmp_path / "p.db", bank, clock)._snapshot
    assert snapshot is not None
    app = make_app(bank, PendingStore(snapshot, broken), now=clock, start="review")
    with pytest.raises(ImportError, match="sqlalchemy is broken"):
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(200):
                await pilot.pause(0.01)
    assert app.return_code == 1 and app.store_error is None
