"""The life of a feedback screen built ahead (tests/tui/test_feedback_ahead.py): Enter before it
is ready takes the usual way; it goes with its question (end, another session, exit) and is
freed; a resize, a theme or an edited bank has it built again; flag, undo and end work on it."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from textual.widgets import TextArea

from quiz.bank import Bank
from quiz.store import Store
from quiz.tui.screens.feedback import FeedbackScreen
from quiz.tui.screens.modals import EndSessionModal
from quiz.tui.screens.question import QuestionScreen
from quiz.tui.screens.question_form import QuestionFormScreen
from quiz.tui.screens.summary import SummaryScreen
from tests.conftest import Clock
from tests.tui.conftest import AppFactory, editable_practice, keys_for, screen_text
from tests.tui.test_feedback_ahead import (
    NARROW,
    SIZE,
    built_ahead,
    feedback_shown,
    frame,
    freed,
    no_ahead,
    settled,
)
from tests.tui.test_question_form import checked, save


async def test_enter_before_the_screen_is_ready_takes_the_usual_way(
        make: AppFactory) -> None:
    app = make("practice", topic="network-policies")
    async with app.run_test(size=NARROW) as pilot:
        question = app.screen
        assert isinstance(question, QuestionScreen)
        await pilot.press(*keys_for(question.showing))
        question._drop_ahead()
        question._build_ahead()
        ahead = question.ahead
        assert ahead is not None and not ahead.ready
        gone = freed(ahead)
        question.action_submit()  # Enter, while it is being composed
        shown = await settled(pilot)
        assert shown is not ahead and shown.feedback is not None and shown.feedback.correct
        assert "✓ Correct" in screen_text(app)
        del ahead, shown
        await pilot.pause()
        assert gone()
        await pilot.press("enter")  # the session goes on
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)


async def test_a_screen_built_ahead_goes_with_its_question(make: AppFactory) -> None:
    app = make("practice", topic="network-policies")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        ahead = await built_ahead(pilot)
        gone = freed(ahead)
        assert ahead in app._registry and ahead not in app.screen_stack
        await pilot.press("escape")  # end the session from the question
        await pilot.pause()
        assert not isinstance(app.screen, QuestionScreen | FeedbackScreen)
        assert ahead not in app._registry and not ahead.is_running
        assert not any(isinstance(node, FeedbackScreen) for node in app._registry)
        del ahead
        await pilot.pause(0.2)
        assert gone()


async def test_undo_and_end_from_a_feedback_built_ahead(make: AppFactory) -> None:
    app = make("practice", topic="network-policies")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        question = app.screen
        assert isinstance(question, QuestionScreen)
        asked = question.showing.question.id
        ahead = await built_ahead(pilot)
        await pilot.press(*keys_for(question.showing), "enter")
        assert await settled(pilot) is ahead
        assert ahead.check_action("undo", ()) and app.can_undo
        await pilot.press("u")  # taken back: the question again, and a new screen ahead
        await pilot.pause()
        again = app.screen
        assert isinstance(again, QuestionScreen) and again.showing.question.id == asked
        second = await built_ahead(pilot)
        assert second is not ahead
        await pilot.press(*keys_for(again.showing), "enter")
        assert await settled(pilot) is second
        await pilot.press("escape")  # end: the summary
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert "1 of 1 right" in screen_text(app)


async def test_a_resize_builds_it_again_for_the_new_size(
        make: AppFactory, tmp_path: Path, bank: Bank) -> None:
    app = make("practice", concept="default-deny")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        old = await built_ahead(pilot)
        gone = freed(old)
        await pilot.resize_terminal(*NARROW)
        await pilot.pause()
        assert app.screen.ahead is not old  # type: ignore[attr-defined]
        new = await built_ahead(pilot)
        assert new is not old and not old.is_running
        del old
        await pilot.pause()
        assert gone()
        question = app.screen
        assert isinstance(question, QuestionScreen)
        await pilot.press(*keys_for(question.showing, right=False), "enter")
        assert await settled(pilot) is new
        resized = frame(app)
    # The same as the feedback of an app started at that size.
    _, built_then, _ = await feedback_shown(bank, tmp_path, ahead=False, size=NARROW,
                                            question_id="np-deny-all-effect", right=False,
                                            concept="default-deny")
    assert resized == built_then


async def test_a_theme_change_builds_it_again_in_the_new_theme(
        make: AppFactory) -> None:
    app = make("practice", topic="network-policies")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        old = await built_ahead(pilot)
        app.theme = "textual-light"
        await pilot.pause()
        assert app.screen.ahead is not old and not old.is_running  # type: ignore[attr-defined]
        new = await built_ahead(pilot)
        question = app.screen
        assert isinstance(question, QuestionScreen)
        await pilot.press(*keys_for(question.showing), "enter")
        assert await settled(pilot) is new
        themed = frame(app)
    # What a feedback built after Enter looks like in that theme.
    app = make("practice", topic="network-policies")
    with pytest.MonkeyPatch.context() as patch:
        no_ahead(patch)
        async with app.run_test(size=NARROW) as pilot:
            app.theme = "textual-light"
            await pilot.pause()
            question = app.screen
            assert isinstance(question, QuestionScreen)
            await pilot.press(*keys_for(question.showing), "enter")
            await settled(pilot)
            assert frame(app) == themed


async def test_a_screen_that_no_longer_fits_is_not_shown(make: AppFactory) -> None:
    # Changed under it with no chance to notice (the theme set between two keys): Enter
    # builds the feedback as before, and the screen built ahead is removed.
    app = make("practice", topic="network-policies")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        ahead = await built_ahead(pilot)
        gone = freed(ahead)
        question = app.screen
        assert isinstance(question, QuestionScreen)
        await pilot.press(*keys_for(question.showing))
        app._css_update_count += 1  # as a theme change counts it
        await pilot.press("enter")
        shown = await settled(pilot)
        assert shown is not ahead and not ahead.is_running
        del ahead
        await pilot.pause()
        assert gone()


async def test_starting_another_session_from_a_question_removes_it(
        make: AppFactory) -> None:
    app = make("review")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        ahead = await built_ahead(pilot)
        gone = freed(ahead)
        app.start_practice("encryption")  # as the palette does
        await pilot.pause()
        assert isinstance(app.screen, EndSessionModal)
        app.screen.dismiss("end")
        await pilot.pause()
        question = app.screen
        assert isinstance(question, QuestionScreen) and question.session.mode == "practice"
        assert not ahead.is_running
        del ahead
        await pilot.pause()
        assert gone()
        new = await built_ahead(pilot)  # the new session's question builds its own
        assert new.session is question.session


async def test_the_app_exits_with_a_screen_built_ahead(make: AppFactory) -> None:
    app = make("practice", topic="network-policies")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        ahead = await built_ahead(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert not ahead.is_running and app.return_code in (None, 0)


async def test_an_edit_from_the_question_builds_it_again_on_the_new_bank(
        store: Store, clock: Clock, tmp_path: Path) -> None:
    app = editable_practice(store, clock, tmp_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        old = await built_ahead(pilot)
        question = app.screen
        assert isinstance(question, QuestionScreen)
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, QuestionFormScreen)
        stem = question.showing.question.question
        form.query_one("#form-stem", TextArea).text = "Edited: " + stem
        await checked(pilot)
        await save(pilot)
        # The answer key is the same: the same question screen, on the reloaded bank.
        assert app.screen is question and old._built_on is not None
        assert app.bank is not old._built_on[0]
        assert not old.is_running
        new = await built_ahead(pilot)
        assert new._built_on is not None and new._built_on[0] is app.bank
        await pilot.press(*keys_for(question.showing), "enter")
        assert await settled(pilot) is new
        assert "✓ Correct" in screen_text(app)


async def test_screens_built_ahead_are_freed(make: AppFactory) -> None:
    # Shown, taken back, dropped for a theme: none stays alive (timers, watchers, signals).
    # (A resize is not used here: the app keeps its last Resize event, and the event the
    # screen it was sent from.)
    app = make("practice", topic="network-policies")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for theme in ("textual-dark", "textual-light", "nord"):
            await built_ahead(pilot)
            app.theme = theme  # the second and third drop it
            await pilot.pause()
            ahead = await built_ahead(pilot)
            await pilot.press(*keys_for(app.screen.showing), "enter")  # type: ignore[attr-defined]
            assert await settled(pilot) is ahead
            await pilot.press("u")
            await pilot.pause()
        del ahead
        await built_ahead(pilot)
        await pilot.pause(0.2)
        gc.collect()
        alive = [o for o in gc.get_objects() if isinstance(o, QuestionScreen | FeedbackScreen)]
        question = app.screen
        assert isinstance(question, QuestionScreen)
        assert sorted(map(id, alive)) == sorted([id(question), id(question.ahead)])
