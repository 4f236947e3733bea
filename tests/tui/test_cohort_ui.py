"""The cohort screen: reached from the palette ("Cohort") and by ``quiz cohort --tui``, it shows
the figures of ``quiz cohort`` for the class of tests/cohort_class.py in three tables; Esc goes
back. A snapshot at 80x24."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import DataTable

from quiz.bank import Bank, load_bank
from quiz.store import Store, make_engine
from quiz.tui.app import QuizApp, make_app
from quiz.tui.screens.cohort import CohortScreen
from quiz.tui.screens.home import HomeScreen
from tests.cohort_class import record_class
from tests.conftest import MINI, Clock
from tests.tui.conftest import screen_text

SIZE = (80, 24)


@pytest.fixture
def bank() -> Bank:
    return load_bank([MINI])


@pytest.fixture
def teacher(tmp_path: Path, bank: Bank, clock: Clock) -> Iterator[Store]:
    """The instructor's store (a learner with no answers of their own) on the class's
    database."""
    store = Store(make_engine(tmp_path / "class.db"), now=clock, enable_fuzzing=False,
                  learner="alice")
    record_class(bank, store.for_learner, clock)
    yield store
    store.close()


def build(bank: Bank, store: Store, clock: Clock, **options: object) -> QuizApp:
    return make_app(bank, store, now=clock, rng=random.Random(7), **options)  # type: ignore[arg-type]


async def wait_for_figures(pilot: Pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def rows(screen: CohortScreen, pane: str) -> list[list[str]]:
    table = screen.query_one(f"#{pane}-table", DataTable)
    return [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]


async def test_the_palette_opens_the_class_and_esc_goes_back(
        bank: Bank, teacher: Store, clock: Clock) -> None:
    app = build(bank, teacher, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await pilot.press(*"cohort")
        await pilot.pause(0.5)
        assert isinstance(app.screen, CommandPalette)
        assert "Cohort: the class in this database" in screen_text(app)
        await pilot.press("enter")
        await wait_for_figures(pilot)
        screen = app.screen
        assert isinstance(screen, CohortScreen)
        assert "3 learners · 10 answers · 50% right" in screen_text(app)
        learners = rows(screen, "learners")
        assert [r[:3] for r in learners] == [["alice", "4", "50%"], ["bob", "3", "33%"],
                                             ["carol", "3", "67%"]]
        assert [r[5] for r in learners] == ["7", "7", "7"]
        assert learners[1][4] == "09 Mar 08:00"  # bob's last answer, 28 hours before T0
        await pilot.press("2")
        await pilot.pause()
        assert rows(screen, "concepts")[0][:4] == ["67%", "4/6", "2 of 3", "default-deny"]
        assert "default-deny" in screen_text(app) and "Worst first" in screen_text(app)
        await pilot.press("right")
        await pilot.pause()
        # None has the default 5 answers: highest error rate first.
        assert [r[3] for r in rows(screen, "questions")] == [
            "np-deny-effects", "np-egress-all-above", "np-deny-scope"]
        assert "np-egress-all-above" in screen_text(app)
        await pilot.press("down", "down")  # the table cuts the stem; the line under it does not
        await pilot.pause()
        assert ("np-deny-scope  Which pods does a NetworkPolicy with `podSelector: {}` select?"
                in screen_text(app))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_min_answers_and_topic_from_the_command_line(bank: Bank, teacher: Store,
                                                           clock: Clock) -> None:
    app = build(bank, teacher, clock, start="cohort", topic="network-policies", min_answers=4)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_figures(pilot)
        screen = app.screen
        assert isinstance(screen, CohortScreen)
        assert [r[3] for r in rows(screen, "concepts")] == ["default-deny", "egress-rules"]
        # With 4 answers enough, a question missed 2 times in 4 outranks 1 in 1.
        assert [r[3] for r in rows(screen, "questions")] == [
            "np-deny-scope", "np-deny-effects", "np-egress-all-above"]
        assert "topic network-policies" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_a_database_with_no_answers_says_so(bank: Bank, tmp_path: Path,
                                                  clock: Clock) -> None:
    store = Store(make_engine(tmp_path / "empty.db"), now=clock, learner="alice")
    app = build(bank, store, clock, start="cohort")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_figures(pilot)
            assert "nothing to show for the class" in screen_text(app)
            assert "Learners" not in screen_text(app)  # no empty tables
    finally:
        store.close()


class TestCohortSnapshots:
    def test_learners(self, snap_compare, bank: Bank, teacher: Store,  # type: ignore[no-untyped-def]
                      clock: Clock) -> None:
        assert snap_compare(build(bank, teacher, clock, start="cohort"), terminal_size=SIZE,
                            run_before=wait_for_figures)

    def test_concepts(self, snap_compare, bank: Bank, teacher: Store,  # type: ignore[no-untyped-def]
                      clock: Clock) -> None:
        async def concepts(pilot: Pilot) -> None:
            await wait_for_figures(pilot)
            await pilot.press("2")
            await pilot.pause()

        assert snap_compare(build(bank, teacher, clock, start="cohort"), terminal_size=SIZE,
                            run_before=concepts)
