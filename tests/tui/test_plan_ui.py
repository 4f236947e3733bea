"""The plan screen: reached from home and the palette, the plan computed in a thread, the
recommended settings stored only once confirmed, a clear message without an exam date."""

from __future__ import annotations

from datetime import timedelta

from textual.command import CommandPalette
from textual.pilot import Pilot

from quiz.store import Store
from quiz.tui.screens.modals import ConfirmModal
from quiz.tui.screens.plan import PlanScreen
from tests.conftest import T0
from tests.tui.conftest import AppFactory, screen_text

SIZE = (80, 24)
EXAM = T0.date() + timedelta(days=10)


async def open_plan(pilot: Pilot) -> PlanScreen:
    await pilot.press("d")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, PlanScreen)
    return screen


async def test_the_recommended_settings_are_stored_once_confirmed(make: AppFactory,
                                                                  store: Store) -> None:
    store.update_settings(exam_date=EXAM, daily_new_limit=0, desired_retention=0.95)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_plan(pilot)
        plan = screen.plan
        assert plan is not None and plan.current.new_per_day == 0
        best = plan.recommended
        assert best.new_per_day == plan.needed_new_per_day > 0 and best.unseen_at_exam == 0
        assert "Now" in screen_text(app) and "Recommended" in screen_text(app)

        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert "New questions a day: 0 → 1" in screen_text(app)
        await pilot.press("n")  # not now: nothing stored
        await pilot.pause()
        assert store.settings().daily_new_limit == 0

        await pilot.press("a", "y")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        settings = store.settings()
        assert (settings.daily_new_limit, settings.desired_retention) == \
            (best.new_per_day, best.retention)
        assert screen.plan is not None and screen.plan.current.new_per_day == best.new_per_day
        assert screen.changes("both") == {}  # the plan again, with nothing left to apply


async def test_one_setting_alone_can_be_applied(make: AppFactory, store: Store) -> None:
    store.update_settings(exam_date=EXAM, daily_new_limit=0, desired_retention=0.95)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_plan(pilot)
        assert screen.plan is not None
        best = screen.plan.recommended
        assert set(screen.changes("both")) == {"daily_new_limit", "desired_retention"}
        await pilot.press("n", "y")  # new a day only
        await pilot.pause()
        await app.workers.wait_for_complete()
        settings = store.settings()
        assert (settings.daily_new_limit, settings.desired_retention) == (best.new_per_day, 0.95)


async def test_without_an_exam_date_the_plan_says_how_to_set_one(make: AppFactory,
                                                                  store: Store) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_plan(pilot)
        text = screen_text(app)
        assert "No exam date set" in text and "Set the exam date in the settings" in text
        assert screen.plan is None and screen.changes("both") == {}
        await pilot.press("a")
        await pilot.pause()
        assert app.screen is screen  # nothing to apply, nothing asked
        assert store.settings().daily_new_limit == 20


async def test_the_palette_opens_the_plan(make: AppFactory, store: Store) -> None:
    store.update_settings(exam_date=EXAM)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"plan to the exam", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)
        await app.workers.wait_for_complete()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, PlanScreen)
