"""Snapshots at 80x24 of the settings screen, help over home and over a question, and home
in solarized-light (the header bar's empty part used to vanish in it)."""

from __future__ import annotations

from textual.pilot import Pilot

from quiz.store import Store
from tests.tui.conftest import AppFactory

SIZE = (80, 24)


async def press(pilot: Pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await pilot.pause()


def test_home_solarized_light(snap_compare, make: AppFactory, store: Store) -> None:  # type: ignore[no-untyped-def]
    store.update_settings(theme="solarized-light")  # applied at start, as a stored theme
    assert snap_compare(make(), terminal_size=SIZE)


def test_settings(snap_compare, make: AppFactory) -> None:  # type: ignore[no-untyped-def]
    async def open_settings(pilot: Pilot) -> None:
        await press(pilot, "comma")
        await press(pilot, *"abc")  # a wrong value in the first field, with its message

    assert snap_compare(make(), terminal_size=SIZE, run_before=open_settings)


def test_help_over_home(snap_compare, make: AppFactory) -> None:  # type: ignore[no-untyped-def]
    async def help_(pilot: Pilot) -> None:
        await press(pilot, "question_mark")

    assert snap_compare(make(), terminal_size=SIZE, run_before=help_)


def test_help_over_a_question(snap_compare, make: AppFactory) -> None:  # type: ignore[no-untyped-def]
    async def help_(pilot: Pilot) -> None:
        await press(pilot, "f1")

    assert snap_compare(make("review"), terminal_size=SIZE, run_before=help_)
