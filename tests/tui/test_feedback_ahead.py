"""The feedback screen built ahead while the question is read (``QuestionScreen._build_ahead``,
``QuizApp.build_aside``): shown for the answer it was built for, it looks exactly as the screen
built after Enter would, first frame and settled screen alike, cell for cell and style for
style; between Enter and its frame only the verdict is styled again. Its life (removed, freed,
built again) is in test_feedback_ahead_lifecycle.py."""

from __future__ import annotations

import gc
import random
import weakref
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from rich.style import Style
from textual.pilot import Pilot

from quiz.bank import Bank
from quiz.store import Store, make_engine
from quiz.tui.app import QuizApp, make_app
from quiz.tui.screens.feedback import FeedbackScreen
from quiz.tui.screens.question import QuestionScreen
from tests.conftest import Clock
from tests.tui.conftest import AppFactory, keys_for

NARROW, SIZE = (80, 24), (100, 30)
Frame = list[list[tuple[str, Style | None]]]


def frame(app: QuizApp) -> Frame:
    """The screen as drawn: every cell's text and style."""
    return [[(segment.text, segment.style) for segment in strip]
            for strip in app.screen._compositor.render_strips()]


async def built_ahead(pilot: Pilot[None]) -> FeedbackScreen:
    """The question screen's feedback screen built ahead, once it is ready (waited for)."""
    question = pilot.app.screen
    assert isinstance(question, QuestionScreen)
    for _ in range(300):
        ahead = question.ahead
        if ahead is not None and ahead.ready:
            return ahead
        await pilot.pause(0.01)
    raise AssertionError("no feedback screen was built ahead")


async def settled(pilot: Pilot[None]) -> FeedbackScreen:
    """The feedback screen once its hints are laid out (after its first frame)."""
    screen = pilot.app.screen
    assert isinstance(screen, FeedbackScreen)
    for _ in range(300):
        if screen._hints_on:
            break
        await pilot.pause(0.01)
    await pilot.pause()
    return screen


def no_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    """Questions build no feedback screen ahead: each is built after Enter, as before."""
    monkeypatch.setattr(QuizApp, "can_build_aside", property(lambda self: False))


def freed(screen: FeedbackScreen) -> Callable[[], bool]:
    """Whether ``screen`` has been freed (call it later)."""
    ref = weakref.ref(screen)
    return lambda: gc.collect() >= 0 and ref() is None


Prepare = Callable[[Store, Clock, Bank], None]
Before = Callable[[Pilot[None]], Awaitable[None]]


async def feedback_shown(bank: Bank, tmp_path: Path, *, ahead: bool, size: tuple[int, int],
                         question_id: str, right: bool, start: str = "practice",
                         prepare: Prepare | None = None, before: Before | None = None,
                         **options: Any) -> tuple[Frame, Frame, str]:
    """Answer ``question_id`` (the questions before it answered right) in a fresh app on its
    own store and clock; the feedback's first frame, its settled frame and its screenshot.
    ``ahead``: answered once the feedback screen is built ahead (shown: the same object);
    else with building ahead turned off."""
    first: list[Frame] = []
    draw = FeedbackScreen._compositor_refresh

    def drawing(self: FeedbackScreen) -> None:
        draw(self)
        if self.is_current and not first:
            first.append(frame(self.app))  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(FeedbackScreen, "_compositor_refresh", drawing)
        if not ahead:
            no_ahead(patch)
        clock = Clock()
        db = tmp_path / f"{'ahead' if ahead else 'after'}-{size[0]}-{question_id}.db"
        store = Store(make_engine(db), now=clock, enable_fuzzing=False)
        if prepare is not None:
            prepare(store, clock, bank)
        app = make_app(bank, store, now=clock, rng=random.Random(7), start=start,
                       **options)
        try:
            async with app.run_test(size=size) as pilot:
                await pilot.pause()
                while app.screen.showing.question.id != question_id:  # type: ignore[attr-defined]
                    await pilot.press(*keys_for(app.screen.showing), "enter")  # type: ignore[attr-defined]
                    await pilot.pause()
                    await pilot.press("enter")
                    await pilot.pause()
                question = app.screen
                assert isinstance(question, QuestionScreen)
                built = await built_ahead(pilot) if ahead else None
                if before is not None:
                    await before(pilot)
                first.clear()
                await pilot.press(*keys_for(question.showing, right), "enter")
                shown = await settled(pilot)
                assert (shown is built) if ahead else question.ahead is None
                assert shown.feedback is not None and shown.feedback.correct == right
                return first[0], frame(app), app.export_screenshot()
        finally:
            store.close()


def the_same(one: tuple[Frame, Frame, str], other: tuple[Frame, Frame, str]) -> None:
    first, last, shot = one
    first_other, last_other, shot_other = other
    assert first == first_other  # the first frame, cell for cell, styles included
    assert last == last_other
    assert shot == shot_other


def leech_due(question_id: str) -> Prepare:
    """The question lapsed once, due again: one more miss makes it a leech (suspended)."""
    def prepare(store: Store, clock: Clock, bank: Bank) -> None:
        store.update_settings(leech_threshold=2, leech_action="suspend")
        question = bank.questions[question_id]
        right = next(i for i, c in enumerate(question.choices) if c.correct)
        wrong = next(i for i, c in enumerate(question.choices) if not c.correct)
        for picked in (right, right, wrong, right):  # to Review, a lapse, back to Review
            store.record_answer(question, [picked])
            clock.advance(minutes=10)
        clock.advance(days=60)
    return prepare


CASES = {
    # question, right, start options
    "right": ("np-literal-markup", True, {"topic": "network-policies"}),
    "wrong": ("np-literal-markup", False, {"topic": "network-policies"}),
    "select-all": ("enc-mtls-both-ends", False, {"topic": "encryption"}),
    "select-all right": ("enc-mtls-both-ends", True, {"topic": "encryption"}),
    "code-block stem": ("np-deny-all-effect", False, {"concept": "default-deny"}),
}


@pytest.mark.parametrize("size", [NARROW, SIZE], ids=["80x24", "100x30"])
@pytest.mark.parametrize("case", list(CASES))
async def test_built_ahead_or_after_enter_the_feedback_is_the_same(
        bank: Bank, tmp_path: Path, case: str, size: tuple[int, int]) -> None:
    question_id, right, options = CASES[case]
    shots = [await feedback_shown(bank, tmp_path, ahead=ahead, size=size,
                                  question_id=question_id, right=right, **options)
             for ahead in (True, False)]
    the_same(*shots)


@pytest.mark.parametrize("size", [NARROW, SIZE], ids=["80x24", "100x30"])
async def test_a_leech_is_announced_the_same_on_a_screen_built_ahead(
        bank: Bank, tmp_path: Path, size: tuple[int, int]) -> None:
    shots = [await feedback_shown(bank, tmp_path, ahead=ahead, size=size, start="review",
                                  question_id="np-deny-all-effect", right=False,
                                  prepare=leech_due("np-deny-all-effect"))
             for ahead in (True, False)]
    text = "\n".join("".join(text for text, _ in line) for line in shots[0][1])
    assert "Leech:" in text and "It is suspended" in text
    the_same(*shots)


async def test_a_flag_set_while_reading_is_on_the_feedback_built_ahead(
        bank: Bank, tmp_path: Path) -> None:
    async def flag(pilot: Pilot[None]) -> None:
        await pilot.press("f")
        await pilot.pause()

    shots = [await feedback_shown(bank, tmp_path, ahead=ahead, size=NARROW, before=flag,
                                  question_id="np-literal-markup", right=True,
                                  topic="network-policies")
             for ahead in (True, False)]
    assert "⚑ flagged" in "".join(text for text, _ in shots[0][1][0])
    the_same(*shots)


async def test_between_enter_and_the_frame_only_the_verdict_is_styled(
        make: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    from collections import Counter

    from textual.css.stylesheet import Stylesheet
    from textual.dom import DOMNode

    from quiz.tui.widgets.feedback_view import FeedbackView

    styled: Counter[DOMNode] = Counter()
    apply = Stylesheet.apply

    def counted(self: Stylesheet, node: DOMNode, *args: Any, **kwargs: Any) -> None:
        styled[node] += 1
        apply(self, node, *args, **kwargs)

    app = make("practice", concept="default-deny")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        ahead = await built_ahead(pilot)
        question = app.screen
        assert isinstance(question, QuestionScreen)
        await pilot.press(*keys_for(question.showing, right=False))
        monkeypatch.setattr(Stylesheet, "apply", counted)
        await pilot.press("enter")
        assert await settled(pilot) is ahead
        view = ahead.query_one(FeedbackView)
        assert app.focused is view and view.has_focus
        # Its class said right or wrong; nothing else of the feedback is styled again (the
        # hints mounted after the first frame are new).
        again = {node.id or type(node).__name__: styled[node]
                 for node in ahead.walk_children(with_self=True) if styled[node]}
        assert again.pop("verdict") == 1
        assert set(again) <= {"stem-more", "below-hint"}
