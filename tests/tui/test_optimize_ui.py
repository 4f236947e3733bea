"""Optimise from my history, on the settings screen and from the palette: the fit runs in a
worker with a progress bar, shows the before/after figures and what was kept; the settings
say whether the parameters are fsrs's defaults or fitted (when, on how many answers)."""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, ProgressBar

from quiz.bank import Bank
from quiz.store import Store, make_engine
from quiz.tui.app import QuizApp, make_app
from quiz.tui.screens.optimize import OptimizeModal
from quiz.tui.screens.settings import SettingsScreen
from tests.conftest import HISTORY_END, Clock
from tests.tui.conftest import SIZE, AppFactory, screen_text


@pytest.fixture
def history(history_db: Path, tmp_path: Path) -> Iterator[tuple[Store, Clock]]:
    path = tmp_path / "history.db"
    shutil.copy(history_db, path)
    clock = Clock(HISTORY_END)
    store = Store(make_engine(path), now=clock, enable_fuzzing=False)
    yield store, clock
    store.close()


async def optimise_from_settings(pilot: Pilot) -> OptimizeModal:
    await pilot.press("comma")
    await pilot.pause()
    settings = pilot.app.screen
    assert isinstance(settings, SettingsScreen)
    button = settings.query_one("#optimize", Button)
    button.focus()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    modal = pilot.app.screen
    assert isinstance(modal, OptimizeModal)
    await pilot.app.workers.wait_for_complete()
    # The pressed button's flash is over (snapshots): waited for, not timed, as a loaded
    # machine can take longer than the flash's 0.2 s to clear it.
    for _ in range(100):
        await pilot.pause(0.05)
        if not any(button.has_class("-active") for screen in pilot.app.screen_stack
                   for button in screen.query(Button)):
            break
    await pilot.pause()
    return modal


async def test_the_settings_action_fits_shows_the_figures_and_saves(
        bank: Bank, history: tuple[Store, Clock]) -> None:
    store, clock = history
    app: QuizApp = make_app(bank, store, now=clock, rng=random.Random(7), start="home")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("comma")
        await pilot.pause()
        assert "FSRS parameters" in screen_text(app)
        assert "fsrs's defaults" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()

        modal = await optimise_from_settings(pilot)
        text = screen_text(app)
        assert modal.query_one(ProgressBar).percentage == 1.0
        assert "log loss" in text and "RMSE (bins)" in text
        assert "current" in text and "fitted" in text
        assert modal.outcome is not None and modal.outcome.saved
        assert f"Saved the fitted parameters; {modal.outcome.rescheduled} cards rescheduled" \
            in text
        settings = store.settings()
        assert settings.fsrs_parameters == modal.outcome.fitted
        assert settings.fsrs_fit is not None and settings.fsrs_fit.reviews == modal.outcome.reviews

        await pilot.press("enter")  # Close has the focus once the fit is over
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        assert f"fitted 2 May 2025, {modal.outcome.reviews} answers" in screen_text(app)


async def test_too_little_history_is_refused_on_screen(make: AppFactory, store: Store) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        modal = await optimise_from_settings(pilot)
        text = screen_text(app)
        assert "Too little history to optimise: 0 reviews" in text
        assert "Kept your current parameters." in text
        assert modal.outcome is None and store.settings().fsrs_parameters is None
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        assert "fsrs's defaults" in screen_text(app)


async def test_the_palette_opens_it(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await pilot.press(*"optimise")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, OptimizeModal)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Too little history to optimise" in screen_text(app)


def test_refusal_snapshot(snap_compare, make: AppFactory) -> None:  # type: ignore[no-untyped-def]
    """The dialog at 80x24 once the engine has said no: the bar, the reason, Close."""
    assert snap_compare(make(), terminal_size=(80, 24), run_before=optimise_from_settings)
