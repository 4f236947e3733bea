"""The settings screen: every setting changed on screen is stored and used; bad values are
refused with check_setting's message; leaving with changes asks; the theme sticks."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path

from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select

from quiz.bank import Bank
from quiz.store import Store, open_store
from quiz.store.pending import pending_store
from quiz.tui.app import make_app
from quiz.tui.screens.home import HomeScreen
from quiz.tui.screens.question import QuestionScreen
from quiz.tui.screens.settings import LeaveSettingsModal, SettingsScreen
from tests.conftest import Clock
from tests.tui.conftest import SIZE, AppFactory, screen_text


async def type_into(pilot: Pilot, field: str, text: str) -> None:
    """Clear a settings field and type ``text`` into it, key by key."""
    box = pilot.app.screen.query_one(f"#{field}", Input)
    box.focus()
    await pilot.pause()
    box.value = ""
    await pilot.press(*text)
    await pilot.pause()


async def open_settings(pilot: Pilot) -> SettingsScreen:
    await pilot.press("comma")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, SettingsScreen)
    return screen


async def pick_theme(pilot: Pilot, name: str) -> None:
    themes = pilot.app.screen.query_one("#theme", OptionList)
    themes.focus()
    themes.highlighted = themes.get_option_index(name)
    await pilot.pause()


def today(clock: Clock) -> date:
    return clock().astimezone().date()


async def test_opens_from_home_and_from_the_palette_on_any_screen(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_settings(pilot)
        for label in ("New questions a day", "Desired retention", "Maximum interval",
                      "Practice length", "Exam date", "Leech threshold", "Leech action",
                      "Theme", "Higher: more reviews, fewer lapses"):
            assert label in screen_text(app), label
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("r")  # a review under way: the palette opens settings over it
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await pilot.press(*"settings")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)  # back to the same question


async def test_every_setting_changed_on_screen_is_stored_and_used(
        make: AppFactory, store: Store, clock: Clock) -> None:
    exam_day = today(clock) + timedelta(days=30)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        home = app.screen
        assert isinstance(home, HomeScreen)
        assert home.review_size == 3  # the three new questions of the TUI bank
        await open_settings(pilot)
        await type_into(pilot, "daily_new_limit", "1")
        await type_into(pilot, "desired_retention", "0.85")
        await type_into(pilot, "maximum_interval", "180")
        await type_into(pilot, "practice_length", "2")
        await type_into(pilot, "exam_date", exam_day.isoformat())
        await type_into(pilot, "leech_threshold", "5")
        app.screen.query_one("#leech_action", Select).value = "suspend"
        await pick_theme(pilot, "nord")
        assert app.theme == "nord"  # previewed
        assert store.settings().theme is None  # but not stored yet
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is home
        assert "1 question to review" in screen_text(app)  # home recounted on return
        assert home.review_size == 1
    settings = store.settings()
    assert settings.daily_new_limit == 1 and settings.desired_retention == 0.85
    assert settings.maximum_interval == 180 and settings.practice_length == 2
    assert settings.exam_date == exam_day
    assert settings.leech_threshold == 5 and settings.leech_action == "suspend"
    assert settings.theme == "nord"
    scheduler = store.scheduler()  # the next answer is scheduled with them
    assert scheduler.desired_retention == 0.85 and scheduler.maximum_interval == 180


async def test_practice_length_sets_the_session_length(make: AppFactory, store: Store) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_settings(pilot)
        await type_into(pilot, "practice_length", "1")
        await pilot.press("ctrl+s")
        await pilot.pause()
        app.start_practice(None)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        assert "1 left" in screen_text(app)
        assert len(screen.session.questions) == 1


async def test_bad_values_are_refused_with_their_message_and_nothing_stored(
        make: AppFactory, store: Store, clock: Clock) -> None:
    app = make()
    before = store.settings()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        cases = [("daily_new_limit", "lots", "Must be a whole number from 0 to 9999"),
                 ("desired_retention", "1.5", "Must be between 0.7 and 0.99"),
                 ("maximum_interval", "0", "Must be a whole number from 1 to 36500"),
                 ("practice_length", "-3", "Must be a whole number from 0 to 9999"),
                 ("exam_date", "next week", "Use YYYY-MM-DD"),
                 ("exam_date", (today(clock) - timedelta(days=1)).isoformat(),
                  "That day is past"),
                 ("leech_threshold", "1", "Must be a whole number from 2 to 99")]
        for field, text, message in cases:
            await type_into(pilot, field, text)
            assert message in screen_text(app), (field, text)
            assert app.screen.query_one(f"#{field}", Input).has_class("-invalid")
            await pilot.press("f2")
            await pilot.pause()
            assert app.screen is screen  # not saved, still here
            assert store.settings() == before
            await type_into(pilot, field, "")  # empty is a bad value too, except the date
            if field != "exam_date":
                assert field in screen.problems
        # Put right, the message goes away.
        await type_into(pilot, "daily_new_limit", "12")
        assert "daily_new_limit" not in screen.problems
        assert not app.screen.query_one("#daily_new_limit-problem").has_class("-shown")
        assert app.screen.query_one("#practice_length-problem").has_class("-shown")


async def test_escape_with_unsaved_changes_asks(make: AppFactory, store: Store) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_settings(pilot)
        await pilot.press("escape")  # nothing changed: leaves at once
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)

        await open_settings(pilot)
        await type_into(pilot, "daily_new_limit", "3")
        await pick_theme(pilot, "gruvbox")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LeaveSettingsModal)
        await pilot.press("n")  # keep editing: nothing lost
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        assert app.screen.query_one("#daily_new_limit", Input).value == "3"
        await pilot.press("escape", "d")  # discard
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert store.settings().daily_new_limit == 20
        assert app.theme == "textual-dark" and store.settings().theme is None  # preview undone

        await open_settings(pilot)
        await type_into(pilot, "daily_new_limit", "4")
        await pilot.press("escape", "s")  # save from the question
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert store.settings().daily_new_limit == 4


async def test_a_theme_picked_in_settings_persists_across_a_restart(
        bank: Bank, db_path: Path, clock: Clock) -> None:
    store = open_store(db_path, now=clock)
    store.sync_bank(bank)
    app = make_app(bank, store, now=clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_settings(pilot)
        await pick_theme(pilot, "solarized-light")
        await pilot.press("f2")
        await pilot.pause()
    store.close()
    again = open_store(db_path, now=clock)
    app = make_app(bank, again, now=clock)
    async with app.run_test(size=SIZE):
        assert app.theme == "solarized-light"
    again.close()


async def test_the_stored_theme_is_applied_from_the_snapshot_before_the_store_opens(
        bank: Bank, db_path: Path, clock: Clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    store = open_store(db_path, now=clock)
    store.sync_bank(bank)
    store.update_settings(theme="gruvbox")
    store.close()
    themes_when_opened: list[str] = []
    import quiz.store

    real_open = quiz.store.open_store

    def opening(*args, **kwargs):  # type: ignore[no-untyped-def]
        themes_when_opened.append(app.theme)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(quiz.store, "open_store", opening)
    pending = pending_store(db_path, bank, now=clock, enable_fuzzing=False)
    assert pending is not None
    app = make_app(bank, pending, now=clock)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(500):
            if pending.ready:
                break
            await asyncio.sleep(0.01)
        await pilot.pause()
        assert app.theme == "gruvbox"
    pending.close()
    assert themes_when_opened == ["gruvbox"]  # applied before the real store was opened


async def test_a_theme_from_textuals_change_theme_is_stored(make: AppFactory,
                                                             store: Store) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await pilot.press(*"theme")  # Textual's own "Theme" command, first of two
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"nord")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.theme == "nord"
    assert store.settings().theme == "nord"


async def test_an_unknown_stored_theme_falls_back_with_a_notice(make: AppFactory,
                                                                 store: Store) -> None:
    store.update_settings(theme="retired-theme")
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        assert isinstance(app.screen, HomeScreen)
        notices = [n.message for n in app._notifications]
        assert any("'retired-theme' is not available" in m for m in notices), notices
        assert store.settings().theme == "retired-theme"  # kept: start-up writes nothing
        await open_settings(pilot)  # keeping the default there replaces it
        await pilot.press("f2")
        await pilot.pause()
    assert store.settings().theme == "textual-dark"

