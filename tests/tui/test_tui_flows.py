"""Whole flows through the app, driven by Pilot, checked against the store."""

from __future__ import annotations

from fsrs import Rating

from quiz.store import Store
from quiz.tui.screens.feedback import FeedbackScreen
from quiz.tui.screens.home import HomeScreen
from quiz.tui.screens.modals import ConceptPickerModal, MissedQuestionModal
from quiz.tui.screens.question import QuestionScreen
from quiz.tui.screens.summary import SummaryScreen
from tests.tui.conftest import SIZE, AppFactory, keys_for, screen_text


async def answer(pilot, right: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Answer the question on screen, right or wrong, and wait for the feedback."""
    screen = pilot.app.screen
    assert isinstance(screen, QuestionScreen)
    await pilot.press(*keys_for(screen.showing, right), "enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, FeedbackScreen)


async def test_whole_review_session(make: AppFactory, store: Store, clock) -> None:  # type: ignore[no-untyped-def]
    app = make("review")
    async with app.run_test(size=SIZE) as pilot:
        asked = []
        for n, right in enumerate((True, False, True)):
            screen = app.screen
            assert isinstance(screen, QuestionScreen) and not screen.showing.again
            asked.append(screen.showing.question.id)
            relearning = f" · {n} coming back" if n else ""
            assert f"{3 - n} left{relearning}" in screen_text(app)
            await answer(pilot, right)
            assert ("Correct" if right else "Incorrect") in screen_text(app)
            if not right:
                assert "back in 1 min, in this session" in screen_text(app)
            await pilot.press("enter")
            await pilot.pause()
        # New questions go through their learning steps (1 and 10 minutes) in the session:
        # the missed one first (due soonest), twice; the others once more.
        again = []
        while isinstance(app.screen, QuestionScreen):
            screen = app.screen
            assert screen.showing.again and "↻ again" in screen_text(app)
            assert "coming back" in screen_text(app) and again[-1:] != [screen.showing.question.id]
            again.append(screen.showing.question.id)
            clock.advance(seconds=30)
            await answer(pilot, True)
            await pilot.press("enter")
            await pilot.pause()
        assert again[0] == asked[1] and sorted(again) == sorted([*asked, asked[1]])
        assert isinstance(app.screen, SummaryScreen)
        text = screen_text(app)
        assert "First try  2 of 3 right" in text and "Final      3 of 3 right" in text
        assert "1 put right when asked again" in text
        assert "Missed (1)" in text and "Next reviews" in text
        logs = store.logs()
        assert [e.question_id for e in logs] == asked + again
        assert [e.correct for e in logs] == [True, False, True] + [True] * len(again)
        assert {e.mode for e in logs} == {"review"}
        (session,) = store.sessions()
        assert session.finished_at is not None and (session.score, session.total) == (2, 3)
        assert all(not store.card(q).is_new for q in asked)  # type: ignore[union-attr]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "nothing due right now" in screen_text(app)


async def test_multi_select_wrong_then_right(make: AppFactory, store: Store) -> None:
    app = make("practice", topic="encryption")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        showing = screen.showing
        assert showing.question.is_multi and "Select 2" in screen_text(app)
        right = keys_for(showing)
        wrong = keys_for(showing, right=False)
        # One right choice and one wrong one: incorrect, every choice marked.
        await pilot.press(right[0], wrong[0], "enter")
        await pilot.pause()
        text = screen_text(app)
        assert "Incorrect: the answers are" in text
        assert text.count("✓") == 2 and text.count("✗") == 3  # the verdict's ✗ too
        (log,) = store.logs()
        picked = {showing.order[int(k) - 1] for k in (right[0], wrong[0])}
        assert set(log.picked) == picked and not log.correct and log.mode == "practice"
        # Take it back and answer right: both choices, toggled on with the keys.
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen) and store.logs() == []
        await pilot.press(right[0], wrong[0], wrong[0], right[1], "enter")
        await pilot.pause()
        assert "✓ Correct" in screen_text(app)
        (log,) = store.logs()
        assert log.correct and set(log.picked) == showing.question.correct_indices


async def test_undo_restores_the_card(make: AppFactory, store: Store) -> None:
    app = make("review")
    async with app.run_test(size=SIZE) as pilot:
        first = app.screen.showing.question.id  # type: ignore[attr-defined]
        await answer(pilot, right=True)
        await pilot.press("enter")
        await pilot.pause()
        assert not store.card(first).is_new  # type: ignore[union-attr]
        # From the next question, undo goes back to the previous one.
        await pilot.press("u")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen) and screen.showing.question.id == first
        assert store.logs() == []
        card = store.card(first)
        assert card is None or card.is_new


async def test_flag_toggles_in_the_store(make: AppFactory, store: Store) -> None:
    app = make("review")
    async with app.run_test(size=SIZE) as pilot:
        question = app.screen.showing.question.id  # type: ignore[attr-defined]
        await pilot.press("f")
        await pilot.pause()
        assert store.card(question).flagged  # type: ignore[union-attr]
        assert "flagged" in screen_text(app)
        await answer(pilot)
        await pilot.press("f")  # on the feedback too: toggles back
        await pilot.pause()
        assert not store.card(question).flagged  # type: ignore[union-attr]
        assert store.flagged_ids() == set()


async def test_grades_show_their_intervals_and_4_is_easy(make: AppFactory,
                                                          store: Store) -> None:
    app = make("review")
    async with app.run_test(size=SIZE) as pilot:
        await answer(pilot, right=True)
        # A new card: Hard and Good keep it in its learning steps, Easy graduates it.
        feedback = app.screen.feedback  # type: ignore[attr-defined]
        assert "2 guessed · 6m   3 knew it · 10m   4 instantly · " in screen_text(app)
        easy_days = round((feedback.grade_dues[Rating.Easy] - app.now()).total_seconds()
                          / 86400)
        assert f"4 instantly · {easy_days}d" in screen_text(app)
        await pilot.press("4")
        await pilot.pause()
        (log,) = store.logs()
        assert log.rating == Rating.Easy
        assert store.card(log.question_id).due == feedback.grade_dues[Rating.Easy]  # type: ignore[union-attr]
        assert isinstance(app.screen, QuestionScreen)  # and on to the next question
        toasts = [n.message for n in app._notifications]
        assert any(m.startswith(f"Next review in {easy_days} days, ") for m in toasts)
        await answer(pilot, right=True)
        await pilot.press("2")
        await pilot.pause()
        assert store.logs()[-1].rating == Rating.Hard
        assert "Back in 6 min, in this session." in [n.message for n in app._notifications]
        await answer(pilot, right=True)
        await pilot.press("e")  # e edits now: the form on this question, not a grade
        await pilot.pause()
        assert type(app.screen).__name__ == "QuestionFormScreen"
        assert store.logs()[-1].rating == Rating.Good


async def test_practice_by_topic_leaves_the_schedule(make: AppFactory, store: Store,
                                                     bank) -> None:  # type: ignore[no-untyped-def]
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("down", "p")  # the second topic: encryption
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen) and screen.session.mode == "practice"
        assert screen.showing.question.topic == "encryption" and screen.showing.total == 1
        await answer(pilot, right=True)
        assert "practice: the schedule is unchanged" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        (log,) = store.logs()
        assert log.mode == "practice" and log.question_id == "enc-mtls-both-ends"
        assert store.card("enc-mtls-both-ends").is_new  # type: ignore[union-attr]
        (session,) = store.sessions()
        assert session.mode == "practice" and session.topic == "encryption"


async def test_practice_a_concept_from_home(make: AppFactory, store: Store) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConceptPickerModal)
        assert "Selectors [and] their scope" in screen_text(app)
        await pilot.press("down", "enter")  # the second concept of network-policies
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        assert screen.showing.question.id == "np-literal-markup"
        assert store.sessions() == []  # stored with its first answer
        await answer(pilot)
        (session,) = store.sessions()
        assert session.concept == "policy-selectors"
        assert [e.session_id for e in store.logs()] == [session.id]


async def test_missed_question_opens_again(make: AppFactory) -> None:
    app = make("practice", topic="network-policies")
    async with app.run_test(size=SIZE) as pilot:
        await answer(pilot, right=False)
        missed = app.screen.feedback.question.id  # type: ignore[attr-defined]
        assert "asked once more at the end" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        await answer(pilot, right=True)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen  # practice asks the missed one once more, at the end
        assert isinstance(screen, QuestionScreen) and screen.showing.question.id == missed
        assert screen.showing.again and "1 coming back" in screen_text(app)
        await answer(pilot, right=False)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)  # once only
        assert "3 answers" in screen_text(app)
        assert "asked once more at the end" in str(app.screen.query_one("#next-due").render())
        await pilot.press("enter")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, MissedQuestionModal) and modal.feedback.question.id == missed
        assert "Incorrect" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)


async def test_end_early_keeps_the_answers(make: AppFactory, store: Store) -> None:
    app = make("review")
    async with app.run_test(size=SIZE) as pilot:
        await answer(pilot, right=True)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert "1 of 1 right" in screen_text(app)
        (session,) = store.sessions()
        assert (session.score, session.total) == (1, 1) and session.finished_at is not None
        assert len(store.logs()) == 1


async def test_submit_without_a_pick_stores_nothing(make: AppFactory, store: Store) -> None:
    app = make("review")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen) and store.logs() == []


async def test_mouse_picks_a_choice(make: AppFactory, store: Store) -> None:
    app = make("practice", topic="network-policies")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        rows = screen.query("ChoiceRow")
        target = next(i for i, c in enumerate(screen.showing.choices) if c.correct)
        assert await pilot.click(rows[target])
        await pilot.press("enter")
        await pilot.pause()
        (log,) = store.logs()
        assert log.correct


async def test_command_palette_starts_practice(make: AppFactory, store: Store) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"practice encryption")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        assert screen.showing.question.topic == "encryption"
