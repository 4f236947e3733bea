"""The study session's screens beyond the basic flow: questions asked again, the grade keys,
the question kept in view on the feedback, editing from the session, one session at a time,
and footers that fit at 80 columns."""

from __future__ import annotations

import random
from pathlib import Path

from textual.widgets import TextArea

from quiz.bank import load_bank
from quiz.store import Store
from quiz.tui.app import make_app
from quiz.tui.screens.feedback import FeedbackScreen, span
from quiz.tui.screens.modals import EndSessionModal
from quiz.tui.screens.question import QuestionScreen
from quiz.tui.screens.question_form import QuestionFormScreen
from quiz.tui.widgets.choice_list import ChoiceList
from quiz.tui.widgets.feedback_view import FeedbackView
from tests.conftest import Clock
from tests.tui.conftest import AppFactory, editable_practice, keys_for, screen_text
from tests.tui.test_lab import SCENARIO_BANK
from tests.tui.test_question_form import checked, save
from tests.tui.test_tui_flows import answer

NARROW = (80, 24)


def test_intervals_read_as_anki_shows_them() -> None:
    from datetime import timedelta

    assert [span(timedelta(**d)) for d in ({"seconds": 20}, {"minutes": 10}, {"hours": 5},
                                           {"hours": 23, "minutes": 50}, {"days": 3}, {"days": 75},
                                           {"days": 548})] == \
        ["1m", "10m", "5h", "1d", "3d", "2.5mo", "1.5y"]


async def test_a_miss_comes_back_when_due_and_the_header_counts_it(
        make: AppFactory, store: Store, clock: Clock) -> None:
    app = make("review")
    async with app.run_test(size=NARROW) as pilot:
        missed = app.screen.showing.question.id  # type: ignore[attr-defined]
        await answer(pilot, right=False)
        assert "back in 1 min, in this session" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert "2 left · 1 coming back" in screen_text(app)
        assert app.screen.showing.question.id != missed  # type: ignore[attr-defined]
        clock.advance(minutes=2)  # its step falls due: before the last planned question
        await answer(pilot)
        await pilot.press("4", )
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        assert screen.showing.question.id == missed and screen.showing.again
        assert "↻ again" in screen_text(app) and "1 left · 1 coming back" in screen_text(app)
        # Undo from here takes back the answer before it (the re-showing is put back).
        await pilot.press("u")
        await pilot.pause()
        assert app.screen.showing.question.id != missed  # type: ignore[attr-defined]
        assert len(store.logs()) == 1


async def test_the_feedback_keeps_the_question_in_view(make: AppFactory) -> None:
    app = make("practice", concept="default-deny")  # np-deny-all-effect: a manifest
    async with app.run_test(size=NARROW) as pilot:
        await answer(pilot, right=False)
        view = app.screen.query_one(FeedbackView)
        text = screen_text(app)
        assert "What does this policy do to the pods in default?" in text
        assert "s show the whole question" in text and "policyTypes: [Ingress]" not in text
        await pilot.press("s")
        await pilot.pause()
        assert view.stem_expanded and "policyTypes: [Ingress]" in screen_text(app)
        assert "s collapse the question" in screen_text(app)
        await pilot.press("s")
        await pilot.pause()
        assert "policyTypes: [Ingress]" not in screen_text(app)


async def test_what_is_below_is_said_and_reachable_by_key(make: AppFactory) -> None:
    app = make("practice", concept="default-deny")
    async with app.run_test(size=NARROW) as pilot:
        await answer(pilot, right=False)
        await pilot.pause()
        # At 80x24 the explanation's title is in view, the concept card is not.
        assert "↓ 1 concept below   c concepts  PgDn scroll" in screen_text(app)
        view = app.screen.query_one(FeedbackView)
        await pilot.press("c")
        await pilot.pause()
        assert view.scroll_y > 0 and "Default-deny policies" in screen_text(app).split("\n", 1)[1]
        assert "below" not in screen_text(app)  # nothing left below: the hint goes
        await pilot.press("home")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert "Explanation" in [line.strip() for line in screen_text(app).splitlines()[1:4]]


async def test_e_edits_the_question_and_comes_back_to_the_same_place(
        store: Store, clock: Clock, tmp_path: Path) -> None:
    app = editable_practice(store, clock, tmp_path)
    async with app.run_test(size=NARROW) as pilot:
        question = app.screen
        assert isinstance(question, QuestionScreen)
        showing = question.showing
        await pilot.press(keys_for(showing)[0])
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, QuestionFormScreen)
        await pilot.press("escape")  # nothing changed: straight back
        await pilot.pause()
        assert app.screen is question and question.showing.order == showing.order
        assert question.query_one(ChoiceList).picked == {int(keys_for(showing)[0]) - 1}
        await pilot.press("enter")
        await pilot.pause()
        feedback = app.screen
        assert isinstance(feedback, FeedbackScreen)
        # Edit the other question's stem from the feedback; it is asked next, as edited.
        other = next(q for q in app.bank.questions.values()
                     if q.topic == "network-policies" and q.id != showing.question.id)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, QuestionFormScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is feedback
        app.open_edit(other.id)
        await pilot.pause()
        form = app.screen
        assert isinstance(form, QuestionFormScreen)
        form.query_one("#form-stem", TextArea).text = "Edited: " + other.question
        await checked(pilot)
        await save(pilot)
        assert app.screen is feedback
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.showing.question.id == other.id  # type: ignore[attr-defined]
        assert "Edited: " in screen_text(app)


async def test_starting_practice_during_a_review_ends_it_properly(
        make: AppFactory, store: Store) -> None:
    app = make("review")
    async with app.run_test(size=NARROW) as pilot:
        await answer(pilot, right=True)
        app.start_practice("encryption")
        await pilot.pause()
        assert isinstance(app.screen, EndSessionModal)
        assert "End this review and start practice · Encryption" in screen_text(app)
        await pilot.press("n")  # keep going: nothing changes
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen) and store.sessions()[0].finished_at is None
        app.start_practice("encryption")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen) and screen.session.mode == "practice"
        (review,) = store.sessions()
        assert review.finished_at is not None and (review.score, review.total) == (1, 1)
        assert any("Review ended: 1 of 1 right" in n.message for n in app._notifications)
        assert not any(isinstance(s, FeedbackScreen) for s in app.screen_stack)


async def test_cram_and_concept_practice_say_what_they_are(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=NARROW) as pilot:
        app.start_cram()
        await pilot.pause()
        assert screen_text(app).startswith(" Cram · weakest first")
    app = make("practice", concept="mesh-mtls")
    async with app.run_test(size=NARROW):
        assert "Practice · Mutual TLS" in screen_text(app).splitlines()[0]


async def test_footers_keep_the_way_out_at_80_columns(make: AppFactory, store: Store,
                                                     clock: Clock) -> None:
    app = make("review")
    async with app.run_test(size=NARROW) as pilot:
        for _ in range(3):
            await answer(pilot)
            await pilot.press("enter")
            await pilot.pause()
        # The select-all question again, with an answer to undo: every key of the footer.
        screen = app.screen
        assert isinstance(screen, QuestionScreen) and screen.showing.question.is_multi
        footer = screen_text(app).splitlines()[-1]
        for key in ("space Toggle", "1-6 Pick", "⏎ Submit", "f Flag", "u Undo", "e Edit",
                    "esc End"):
            assert key in footer, key
    app = make_app(load_bank([SCENARIO_BANK]), store, now=clock, rng=random.Random(7),
                   start="practice")
    async with app.run_test(size=NARROW) as pilot:
        await answer(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "l Open in lab" in footer and "esc End" in footer
