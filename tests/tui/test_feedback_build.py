"""How the feedback screen is built (it is on the hot path, Enter to feedback): the hints that
depend on the layout are mounted once it is known, a plain explanation is one widget with its
title, the blocks of a stem are spaced by a class given as they are built, and the view takes
the focus before its children are styled; the header takes the question screen's flag; concept
cards sure to be below the view are mounted after the first frame; the text that does not depend
on the answer is built while the question is read."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode
from textual.widgets import Static

from quiz.store import Store
from quiz.tui.screens.feedback import FeedbackScreen
from quiz.tui.screens.question import WARM_UP_AFTER_S
from quiz.tui.widgets.concept_card import _plain_card_text
from quiz.tui.widgets.feedback_view import FeedbackView, _rows_at_least, explanation_text
from quiz.tui.widgets.session_header import SessionHeader
from tests.tui.conftest import AppFactory, screen_text
from tests.tui.test_feedback_ahead import no_ahead
from tests.tui.test_session_ui import answer

NARROW = (80, 24)
TALL = (120, 60)



async def test_layout_hints_exist_only_where_the_layout_calls_for_them(
        make: AppFactory) -> None:
    # At 120x60 the manifest's stem is cut (four lines) but nothing is below the view.
    app = make("practice", concept="default-deny")
    async with app.run_test(size=TALL) as pilot:
        await answer(pilot, right=False)
        await pilot.pause()
        screen = app.screen
        assert len(screen.query("#stem-more")) == 1
        assert "s show the whole question" in screen_text(app)
        assert not screen.query("#below-hint")
        assert "below" not in screen_text(app)
    # At 80x24 the concept card is below: the hint is mounted above the grade line, once.
    app = make("practice", concept="default-deny")
    async with app.run_test(size=NARROW) as pilot:
        await answer(pilot, right=False)
        await pilot.pause()
        screen = app.screen
        hints = screen.query("#below-hint")
        assert len(hints) == 1
        assert screen.children.index(hints.first()) == \
            screen.children.index(screen.query_one(FeedbackView)) + 1
        await pilot.press("c", "home")  # hidden at the end, shown again at the top
        await pilot.pause()
        assert len(screen.query("#below-hint")) == 1 and hints.first().display
        assert "↓ 1 concept below" in screen_text(app)


async def test_a_plain_explanation_is_one_widget_under_its_title(make: AppFactory) -> None:
    app = make("practice", concept="default-deny")
    async with app.run_test(size=TALL) as pilot:
        await answer(pilot, right=False)
        await pilot.pause()
        section = app.screen.query_one("#explanation-title", Static)
        lines = section.render().plain.splitlines()  # type: ignore[union-attr]
        assert lines[:2] == ["Explanation", ""]
        assert lines[2].startswith("podSelector: {} selects all pods")
        assert not app.screen.query(".explanation").exclude("#explanation-title")
        text = screen_text(app).splitlines()
        title = next(i for i, line in enumerate(text) if line.strip() == "Explanation")
        assert text[title - 1].strip() == "" and text[title + 1].strip() == ""


async def test_the_last_block_of_a_stem_has_no_space_under_it(make: AppFactory) -> None:
    app = make("practice", concept="default-deny")  # a sentence, then a manifest
    async with app.run_test(size=TALL) as pilot:
        await pilot.pause()
        blocks = list(app.screen.query_one(".prose-blocks").children)
        assert len(blocks) == 2
        assert [b.styles.margin.bottom for b in blocks] == [1, 0]
        assert blocks[-1].has_class("-last") and not blocks[0].has_class("-last")


async def test_the_feedback_has_the_focus_and_each_widget_is_styled_once(
        make: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # Focusing the view once its children are mounted would style every one of them again.
    styled: Counter[int] = Counter()
    apply = Stylesheet.apply

    def counted(self: Stylesheet, node: DOMNode, *args: Any, **kwargs: Any) -> None:
        styled[id(node)] += 1
        apply(self, node, *args, **kwargs)

    no_ahead(monkeypatch)  # built after Enter (tests/tui/test_feedback_ahead.py: before)
    app = make("practice", concept="default-deny")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        monkeypatch.setattr(Stylesheet, "apply", counted)
        await answer(pilot, right=False)
        await pilot.pause()
        view = app.screen.query_one(FeedbackView)
        assert app.focused is view and view.has_focus
        inside = list(view.walk_children())
        assert len(inside) > 5
        assert {styled[id(node)] for node in inside} == {1}
        before = view.scroll_y
        await pilot.press("pagedown")  # the keys reach it
        assert view.scroll_y > before


async def test_the_feedback_header_keeps_the_flag_without_reading_the_store(
        make: AppFactory, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make("review")
    async with app.run_test(size=NARROW) as pilot:
        first = app.screen.showing.question.id  # type: ignore[attr-defined]
        await pilot.press("f")  # flagged on the question screen
        await pilot.pause()
        reads: list[str] = []
        card = Store.card

        def counted(self: Store, question_id: str) -> Any:
            reads.append(question_id)
            return card(self, question_id)

        monkeypatch.setattr(Store, "card", counted)
        await answer(pilot)
        assert app.screen.query_one(SessionHeader).flagged
        assert "⚑ flagged" in screen_text(app)
        assert first not in reads  # the question screen's header said it
        await pilot.press("enter")  # the next question: not flagged, and its feedback says so
        await pilot.pause()
        await answer(pilot)
        assert not app.screen.query_one(SessionHeader).flagged
        assert "⚑ flagged" not in screen_text(app)
    assert store.flagged_ids() == {first}


async def test_concept_cards_below_the_view_come_after_the_first_frame_and_move_nothing(
        make: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    first_frames: list[tuple[int, str]] = []  # concept cards, the screen's text
    draw = FeedbackScreen._compositor_refresh

    def drawing(self: FeedbackScreen) -> None:
        draw(self)
        if not first_frames:
            first_frames.append((len(self.query(".concept-card")), screen_text(self.app)))

    monkeypatch.setattr(FeedbackScreen, "_compositor_refresh", drawing)

    async def first_frame(size: tuple[int, int]) -> tuple[int, str]:
        first_frames.clear()
        app = make("practice", concept="default-deny")
        async with app.run_test(size=size) as pilot:
            await answer(pilot, right=False)
            await pilot.pause()
            assert len(app.screen.query(".concept-card")) == 1  # there in the end
            if size == NARROW:
                assert "↓ 1 concept below" in screen_text(app)
                await pilot.press("c")  # the key reaches it
                await pilot.pause()
                assert app.screen.query_one(FeedbackView).scroll_y > 0
        return first_frames[0]

    # 80x24: the concept card is far below the choices and the explanation; without it the
    # first frame is the same, scrollbar included.
    cards, deferred = await first_frame(NARROW)
    assert cards == 0
    with monkeypatch.context() as m:
        m.setattr(FeedbackView, "_concepts_below", lambda *args: False)
        cards, whole = await first_frame(NARROW)
    assert cards == 1 and deferred == whole
    # 120x60: everything fits; the card is in the first frame.
    cards, _ = await first_frame(TALL)
    assert cards == 1


def test_the_fewest_rows_a_stem_takes() -> None:
    assert _rows_at_least("What does this policy do?") == 1
    # a sentence, a line between, three lines of code
    assert _rows_at_least("Given:\n\n```yaml\na: 1\nb: 2\nc: 3\n```\n") == 5
    assert _rows_at_least("- a list: the Markdown widget\n- b") == 1


async def test_the_feedbacks_text_is_built_while_the_question_is_read(
        make: AppFactory) -> None:
    explanation_text.cache_clear()
    _plain_card_text.cache_clear()
    app = make("practice", concept="default-deny")
    async with app.run_test(size=TALL) as pilot:
        await pilot.pause(WARM_UP_AFTER_S + 0.2)  # the user reads
        question = app.screen.showing.question  # type: ignore[attr-defined]
        assert explanation_text.cache_info().currsize == 1
        assert _plain_card_text.cache_info().currsize == len(app.bank.concepts_of(question))
        await answer(pilot, right=False)
        await pilot.pause()
        # The feedback drew the very Content built ahead.
        shown = app.screen.query_one("#explanation-title", Static).visual
        assert shown is explanation_text(question.explanation)
        assert explanation_text.cache_info().misses == 1
        assert _plain_card_text.cache_info().misses == len(app.bank.concepts_of(question))
