"""Snapshots of the plan screen at 80x24, dark and light: the TUI bank, the frozen clock,
the screen's fixed seed; a little history so both columns have something to say."""

from __future__ import annotations

from datetime import timedelta

from textual.pilot import Pilot

from quiz.bank import Bank
from quiz.store import Store
from tests.conftest import T0, Clock
from tests.tui.conftest import AppFactory

SIZE = (80, 24)


def with_history(store: Store, clock: Clock, bank: Bank) -> None:
    first = next(iter(bank.questions.values()))
    clock.value = T0 - timedelta(days=3)
    store.record_answer(first, first.correct_indices)
    clock.value = T0
    store.update_settings(exam_date=T0.date() + timedelta(days=12), daily_new_limit=0)


async def open_plan(pilot: Pilot, theme: str | None = None) -> None:
    if theme is not None:
        pilot.app.theme = theme
    await pilot.press("d")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


class TestPlanSnapshots:
    def test_plan(self, snap_compare, make: AppFactory, store: Store,  # type: ignore[no-untyped-def]
                  clock: Clock, bank: Bank) -> None:
        with_history(store, clock, bank)
        assert snap_compare(make(), terminal_size=SIZE, run_before=open_plan)

    def test_plan_light_theme(self, snap_compare, make: AppFactory,  # type: ignore[no-untyped-def]
                              store: Store, clock: Clock, bank: Bank) -> None:
        with_history(store, clock, bank)

        async def light(pilot: Pilot) -> None:
            await open_plan(pilot, "textual-light")

        assert snap_compare(make(), terminal_size=SIZE, run_before=light)
