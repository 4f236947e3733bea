"""Memory while studying: dead screens are freed (quiz.tui.textual_fixes works around a
Textual leak), and the collector runs while the user reads, not between Enter and feedback."""

from __future__ import annotations

import asyncio
import gc
import time

import pytest
from textual._styles_cache import StylesCache
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.screen import Screen

from quiz.tui import textual_fixes
from quiz.tui.app import COLLECT_AFTER_S, QuizApp
from tests.tui.conftest import SIZE, AppFactory, keys_for
from tests.tui.test_feedback_ahead import built_ahead, no_ahead


def live_styles_caches() -> int:
    gc.collect()
    return sum(isinstance(o, StylesCache) for o in gc.get_objects())


async def test_screens_of_past_answers_are_freed(make: AppFactory) -> None:
    app = make("practice", topic="network-policies")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = live_styles_caches()
        for _ in range(8):  # answer and take it back: 16 screens of ~35 widgets come and go
            await pilot.press(*keys_for(app.screen.showing), "enter")  # type: ignore[attr-defined]
            await pilot.pause()
            await pilot.press("u")
            await pilot.pause()
        widgets = sum(1 for screen in app.screen_stack for _ in screen.walk_children())
        assert live_styles_caches() <= max(before, widgets) + 40


def test_the_fix_replaces_textuals_cached_method_once() -> None:
    textual_fixes.apply()
    fixed = StylesCache.get_inner_outer
    assert not hasattr(fixed, "cache_clear")  # no lru_cache holding StylesCache instances
    textual_fixes.apply()
    assert StylesCache.get_inner_outer is fixed
    from textual.color import Color

    inner, outer = StylesCache().get_inner_outer(Color(10, 20, 30), Color(200, 0, 0, 0.5))
    assert outer.background == Color(10, 20, 30)
    assert inner.background == Color(10, 20, 30) + Color(200, 0, 0, 0.5)


async def test_the_collector_runs_once_the_new_screen_is_up(make: AppFactory,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    app = make("practice", topic="network-policies")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        switched: list[float] = []
        runs: list[tuple[str, float]] = []
        switch = QuizApp.switch_screen

        def timed_switch(self: QuizApp, screen: Screen | str) -> AwaitComplete:
            switched.append(time.monotonic())
            return switch(self, screen)

        monkeypatch.setattr(QuizApp, "switch_screen", timed_switch)
        monkeypatch.setattr(gc, "collect",
                            lambda *a: runs.append((type(app.screen).__name__, time.monotonic())))
        await pilot.press(*keys_for(app.screen.showing), "enter")  # type: ignore[attr-defined]
        await asyncio.sleep(0.3)
        await pilot.pause()
        (switch_time,) = switched
        ((screen, when),) = runs  # once, on the feedback, a while after the switch
        assert screen == "FeedbackScreen" and when - switch_time >= COLLECT_AFTER_S


async def test_no_collector_pass_between_enter_and_the_feedbacks_first_frame(
        make: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    from quiz.tui.screens.feedback import FeedbackScreen

    collector_on: list[tuple[str, bool]] = []
    compose, draw = FeedbackScreen.compose, FeedbackScreen._compositor_refresh

    def composing(self: FeedbackScreen) -> ComposeResult:
        collector_on.append(("compose", gc.isenabled()))
        return compose(self)

    def drawing(self: FeedbackScreen) -> None:
        collector_on.append(("draw", gc.isenabled()))
        draw(self)

    monkeypatch.setattr(FeedbackScreen, "compose", composing)
    monkeypatch.setattr(FeedbackScreen, "_compositor_refresh", drawing)
    no_ahead(monkeypatch)  # built after Enter (below: built ahead)
    app = make("practice", topic="network-policies")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        assert gc.isenabled()
        await pilot.press(*keys_for(app.screen.showing), "enter")  # type: ignore[attr-defined]
        await pilot.pause()
        assert collector_on[:2] == [("compose", False), ("draw", False)]
        assert gc.isenabled()  # on again once the frame is drawn, before the collect timer
        await pilot.press("u")  # and the next feedback pauses it again
        await pilot.pause()
        collector_on.clear()
        await pilot.press(*keys_for(app.screen.showing), "enter")  # type: ignore[attr-defined]
        await pilot.pause()
        assert collector_on[:2] == [("compose", False), ("draw", False)] and gc.isenabled()


async def test_a_feedback_built_ahead_is_composed_while_the_question_is_read(
        make: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # From Enter to its first frame there is no compose at all, and still no collector pass.
    from quiz.tui.screens.feedback import FeedbackScreen

    events: list[tuple[str, bool]] = []
    compose, draw = FeedbackScreen.compose, FeedbackScreen._compositor_refresh

    def composing(self: FeedbackScreen) -> ComposeResult:
        events.append(("compose", gc.isenabled()))
        return compose(self)

    def drawing(self: FeedbackScreen) -> None:
        events.append(("draw", gc.isenabled()))
        draw(self)

    monkeypatch.setattr(FeedbackScreen, "compose", composing)
    monkeypatch.setattr(FeedbackScreen, "_compositor_refresh", drawing)
    app = make("practice", topic="network-policies")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        ahead = await built_ahead(pilot)
        assert events == [("compose", True)]  # while the question is read
        events.clear()
        await pilot.press(*keys_for(app.screen.showing), "enter")  # type: ignore[attr-defined]
        await pilot.pause()
        assert app.screen is ahead
        assert events[:1] == [("draw", False)] and gc.isenabled()
