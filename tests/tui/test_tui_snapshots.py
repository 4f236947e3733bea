"""Snapshots of the main screens at 80x24: fixed bank, frozen clock, seeded shuffle.

Regenerate after a deliberate change with ``pytest tests/tui --snapshot-update`` and look at
the report before committing.
"""

from __future__ import annotations

import random

from textual.pilot import Pilot

from quiz.bank import load_bank
from quiz.store import Store
from quiz.tui.app import make_app
from tests.conftest import Clock
from tests.tui.conftest import AppFactory, keys_for
from tests.tui.test_lab import SCENARIO_BANK
from tests.tui.test_stats_ui import history_read, weeks_of_study

SIZE = (80, 24)


async def answer(pilot: Pilot, right: bool = True, then: tuple[str, ...] = ()) -> None:
    showing = pilot.app.screen.showing  # type: ignore[attr-defined]
    await pilot.press(*keys_for(showing, right), "enter", *then)
    await pilot.pause()


class TestHome:
    def test_home(self, snap_compare, make: AppFactory) -> None:  # type: ignore[no-untyped-def]
        assert snap_compare(make(), terminal_size=SIZE)

    def test_home_light_theme(self, snap_compare, make: AppFactory) -> None:  # type: ignore[no-untyped-def]
        app = make()

        async def light(pilot: Pilot) -> None:
            pilot.app.theme = "textual-light"
            await pilot.pause()

        assert snap_compare(app, terminal_size=SIZE, run_before=light)


class TestQuestion:
    def test_multi_select(self, snap_compare, make: AppFactory) -> None:  # type: ignore[no-untyped-def]
        async def pick_one(pilot: Pilot) -> None:
            showing = pilot.app.screen.showing  # type: ignore[attr-defined]
            await pilot.press(keys_for(showing)[0])

        assert snap_compare(make("review"), terminal_size=SIZE, run_before=pick_one)

    def test_single_with_yaml(self, snap_compare, make: AppFactory) -> None:  # type: ignore[no-untyped-def]
        async def to_second(pilot: Pilot) -> None:
            await answer(pilot, then=("enter",))

        assert snap_compare(make("review"), terminal_size=SIZE, run_before=to_second)


class TestFeedback:
    def test_right_multi(self, snap_compare, make: AppFactory) -> None:  # type: ignore[no-untyped-def]
        async def right(pilot: Pilot) -> None:
            await answer(pilot)

        assert snap_compare(make("review"), terminal_size=SIZE, run_before=right)

    def test_wrong_single(self, snap_compare, make: AppFactory) -> None:  # type: ignore[no-untyped-def]
        async def wrong(pilot: Pilot) -> None:
            await answer(pilot, then=("enter",))
            await answer(pilot, right=False)

        assert snap_compare(make("review"), terminal_size=SIZE, run_before=wrong)


    def test_wrong_with_the_stem_expanded(self, snap_compare, make: AppFactory) -> None:  # type: ignore[no-untyped-def]
        async def expanded(pilot: Pilot) -> None:
            await answer(pilot, then=("enter",))
            await answer(pilot, right=False, then=("s",))

        assert snap_compare(make("review"), terminal_size=SIZE, run_before=expanded)

    def test_scenario(self, snap_compare, store: Store, clock: Clock) -> None:  # type: ignore[no-untyped-def]
        app = make_app(load_bank([SCENARIO_BANK]), store, now=clock, rng=random.Random(7),
                       start="practice")

        async def right(pilot: Pilot) -> None:
            await answer(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=right)


class TestSummary:
    def test_summary(self, snap_compare, make: AppFactory) -> None:  # type: ignore[no-untyped-def]
        async def finish(pilot: Pilot) -> None:
            await answer(pilot, then=("enter",))
            await answer(pilot, right=False, then=("enter",))
            await answer(pilot, then=("enter",))
            # Asked again (learning steps): the missed one twice, the others once.
            for _ in range(4):
                await answer(pilot, then=("enter",))

        assert snap_compare(make("review"), terminal_size=SIZE, run_before=finish)


class TestBrowse:
    def test_browse_sorted_with_a_leech(self, snap_compare, make: AppFactory, store,  # type: ignore[no-untyped-def]
                                        bank) -> None:
        store.update_settings(leech_threshold=2)
        question = bank.questions["np-deny-all-effect"]
        right = next(i for i, c in enumerate(question.choices) if c.correct)
        wrong = next(i for i, c in enumerate(question.choices) if not c.correct)
        for picked in (right, right, wrong, right, wrong):  # two lapses: a leech
            store.record_answer(question, [picked])
        store.set_flagged("np-literal-markup")

        async def sorted_by_lapses(pilot: Pilot) -> None:
            await pilot.press("b", *["s"] * 7, "r")  # the seventh column, descending
            await pilot.pause()

        assert snap_compare(make(), terminal_size=SIZE, run_before=sorted_by_lapses)


class TestStats:
    """The stats screen's chart sections at 80x24 on five weeks of study, light and dark."""

    @staticmethod
    def at(section: str, theme: str):  # type: ignore[no-untyped-def]
        async def show(pilot: Pilot) -> None:
            pilot.app.theme = theme
            await pilot.press("s", section)
            await history_read(pilot)

        return show

    def test_retention_light(self, snap_compare, make: AppFactory, bank, store: Store,  # type: ignore[no-untyped-def]
                             clock: Clock) -> None:
        weeks_of_study(bank, store, clock)
        assert snap_compare(make(), terminal_size=SIZE,
                            run_before=self.at("4", "solarized-light"))

    def test_cards_dark(self, snap_compare, make: AppFactory, bank, store: Store,  # type: ignore[no-untyped-def]
                        clock: Clock) -> None:
        weeks_of_study(bank, store, clock)
        assert snap_compare(make(), terminal_size=SIZE, run_before=self.at("5", "textual-dark"))

    def test_exams_light(self, snap_compare, make: AppFactory, bank, store: Store,  # type: ignore[no-untyped-def]
                         clock: Clock) -> None:
        weeks_of_study(bank, store, clock)
        assert snap_compare(make(), terminal_size=SIZE,
                            run_before=self.at("7", "textual-light"))

    def test_time_dark(self, snap_compare, make: AppFactory, bank, store: Store,  # type: ignore[no-untyped-def]
                       clock: Clock) -> None:
        weeks_of_study(bank, store, clock)
        assert snap_compare(make(), terminal_size=SIZE, run_before=self.at("6", "textual-dark"))
