"""The mock exam in the app: a whole paper, the clock running out, resuming after a crash,
results and review, the setup dialog, cram; checked against the store."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.command import CommandPalette
from textual.pilot import Pilot

from quiz.bank import Bank
from quiz.exam import Draw, ExamFormat
from quiz.store import Store, make_engine
from quiz.tui.app import QuizApp, make_app
from quiz.tui.screens.exam import ExamScreen, PaperChoices
from quiz.tui.screens.exam_modals import (
    ExamSetupModal,
    JumpListModal,
    LeaveModal,
    ResumeModal,
    SubmitModal,
)
from quiz.tui.screens.exam_results import ExamAnswerModal, ExamResultsScreen
from quiz.tui.screens.home import HomeScreen
from quiz.tui.screens.question import QuestionScreen
from quiz.tui.widgets.countdown import Countdown
from tests.conftest import T0, Clock
from tests.tui.conftest import SIZE, AppFactory, keys_for, screen_text
from tests.tui.test_tui_bindings import EATEN

FMT = ExamFormat(3, timedelta(minutes=10), 0.75, all_questions=True)  # the TUI bank: three


def exam_screen(app: QuizApp) -> ExamScreen:
    screen = app.screen
    assert isinstance(screen, ExamScreen), screen
    return screen


async def pick(pilot: Pilot, right: bool = True, then: tuple[str, ...] = ("enter",)) -> str:
    """Pick the current question's right (or a wrong) choices, then press ``then``."""
    screen = exam_screen(pilot.app)  # type: ignore[arg-type]
    question = screen.showing.question.id
    await pilot.press(*keys_for(screen.showing, right), *then)
    await pilot.pause()
    return question


async def press(pilot: Pilot, *keys: str) -> str:
    """Press ``keys``, let the app settle, and return what the screen shows."""
    await pilot.press(*keys)
    await pilot.pause()
    return screen_text(pilot.app)  # type: ignore[arg-type]


def flat(app: QuizApp) -> str:
    """The screen's words, line breaks, frames and runs of spaces each one space (wrapped
    text inside a dialog or a toast reads as one line)."""
    return " ".join(re.sub("[█▌▀▄▏]", " ", screen_text(app)).split())


def last_attempt(store: Store):  # type: ignore[no-untyped-def]
    return store.exams()[-1]


async def test_a_whole_paper_answered_and_handed_in(make: AppFactory, store: Store) -> None:
    app = make("exam", exam_format=FMT)
    async with app.run_test(size=SIZE) as pilot:
        assert len(app.screen_stack) == 2  # the paper alone: home is built when it is left
        text = screen_text(app)
        assert "question 1 of 3" in text and "⏱ 10:00 left" in text
        asked = [await pick(pilot) for _ in range(3)]  # Enter on the last asks to hand in
        assert isinstance(app.screen, SubmitModal)
        assert "Every question is answered." in screen_text(app)
        assert "Incorrect" not in screen_text(app) and not store.logs()  # no feedback yet
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ExamResultsScreen)
        text = screen_text(app)
        assert "3 of 3 right" in text and "(100%)" in text and "✓ passed" in text
        attempt = last_attempt(store)
        assert attempt.session.finished_at is not None
        assert (attempt.session.score, attempt.session.total) == (3, 3)
        assert sorted(e.question_id for e in store.logs()) == sorted(asked)
        assert {e.mode for e in store.logs()} == {"exam"}
        await pilot.press("x")  # another paper: the format is asked first
        await pilot.pause()
        assert isinstance(app.screen, ExamSetupModal)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_the_paper_hands_itself_in_when_the_time_is_up(make: AppFactory, store: Store,
                                                            clock: Clock) -> None:
    app = make("exam", exam_format=FMT)
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot)
        clock.advance(minutes=9, seconds=30)
        await pilot.pause(1.2)  # the clock redraws every second
        clock_widget = exam_screen(app).query_one(Countdown)
        assert clock_widget.has_class("-warning") and "⏱ 00:30 left" in screen_text(app)
        await pilot.press("s")  # a dialog open when the time runs out is closed too
        await pilot.pause()
        assert isinstance(app.screen, SubmitModal)
        assert "2 of 3 questions are unanswered: they count as wrong." in flat(app)
        clock.advance(seconds=31)
        await pilot.pause(1.2)
        assert isinstance(app.screen, ExamResultsScreen)
        text = screen_text(app)
        assert "time up" in text and "1 of 3 right" in text and "2 unanswered" in text
        assert "10:00 used of 10:00" in text
        attempt = last_attempt(store)
        assert attempt.session.finished_at is not None
        assert (attempt.session.score, attempt.session.total) == (1, 3)


async def test_a_pick_after_the_time_is_up_is_not_kept(make: AppFactory, store: Store,
                                                      clock: Clock) -> None:
    app = make("exam", exam_format=FMT)
    async with app.run_test(size=SIZE) as pilot:
        clock.advance(minutes=11)
        await pick(pilot, then=())  # before the next tick: refused, the paper goes in
        assert isinstance(app.screen, ExamResultsScreen)
        assert last_attempt(store).answers == {} and store.logs() == []


async def test_resume_after_a_crash_keeps_the_answers(make: AppFactory, bank: Bank,
                                                     clock: Clock, tmp_path: Path) -> None:
    app = make("exam", exam_format=FMT)
    async with app.run_test(size=SIZE) as pilot:
        first = await pick(pilot, then=())  # picked, not even confirmed with Enter
        await pilot.press("enter")
        second = await pick(pilot, right=False, then=())
    clock.advance(minutes=4)
    # A new app on a new store over the same database, as after a crash.
    store = Store(make_engine(tmp_path / "progress.db"), now=clock, enable_fuzzing=False)
    try:
        again = make_app(bank, store, now=clock, rng=random.Random(7))
        async with again.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(again.screen, ResumeModal)
            text = flat(again)
            assert "2 of 3 questions answered, 06:00 left" in text
            await pilot.press("r")
            await pilot.pause()
            screen = exam_screen(again)  # where it was left: the second question
            assert screen.showing.question.id == second and screen.showing.selected
            assert "question 2 of 3" in screen_text(again)
            await pilot.press("left")
            await pilot.pause()
            assert screen.showing.question.id == first and screen.showing.selected
            text = screen_text(again)
            assert "2 of 3 answered" in text and "⏱ 06:00 left" in text
            assert "(•)" in text or "[x]" in text
            assert last_attempt(store).session.finished_at is None
    finally:
        store.close()


async def test_an_attempt_that_ran_out_while_closed_is_handed_in(make: AppFactory,
                                                                store: Store,
                                                                clock: Clock) -> None:
    app = make("exam", exam_format=FMT)
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot)
    clock.advance(hours=1)
    again = make()
    async with again.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert isinstance(again.screen, ExamResultsScreen)
        text = flat(again)
        assert "ran out of time while quiz was closed" in text and "1 of 3 right" in text
        attempt = last_attempt(store)
        assert attempt.session.finished_at is not None and attempt.session.score == 1


async def test_results_list_missed_first_and_open_the_study_feedback(make: AppFactory,
                                                                    store: Store) -> None:
    app = make("exam", exam_format=FMT)
    async with app.run_test(size=SIZE) as pilot:
        right = await pick(pilot)
        wrong = await pick(pilot, right=False)
        await pilot.press("s", "y")  # the third is left blank
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExamResultsScreen)
        assert [item.status for item in screen.items] == ["wrong", "unanswered", "right"]
        assert screen.items[0].feedback.question.id == wrong
        assert screen.items[2].feedback.question.id == right
        assert "Review: 2 missed, listed first" in screen_text(app)
        text = await press(pilot, "enter")
        assert isinstance(app.screen, ExamAnswerModal)
        assert "✗ Incorrect" in text and "wrong" in text
        assert [e.question_id for e in store.logs()] == [right, wrong]  # blank: not logged
        question = screen.items[0].feedback.question
        why = next(c.why for c in question.choices if c.why)
        assert why is not None and why.split("`")[0][:25] in text  # rationale per choice
        # The next in the list: the blank one.
        assert "– Not answered: the answer" in await press(pilot, "right")
        await press(pilot, "escape")
        assert isinstance(app.screen, ExamResultsScreen)


async def test_jump_list_flags_and_arrows(make: AppFactory) -> None:
    app = make("exam", exam_format=FMT)
    async with app.run_test(size=SIZE) as pilot:
        assert "⚑ flagged" in await press(pilot, "f")
        text = await press(pilot, "right")
        assert "question 2 of 3" in text and "⚑ flagged" not in text
        assert "question 1 of 3" in await press(pilot, "left")
        text = await press(pilot, "l")
        assert isinstance(app.screen, JumpListModal)
        assert "0 answered, 3 unanswered, 1 flagged" in text and "⚑" in text
        text = await press(pilot, "down", "down", "enter")
        assert exam_screen(app).run.index == 2 and "question 3 of 3" in text


async def test_multi_question_says_how_many_to_select(make: AppFactory) -> None:
    app = make("exam", exam_format=FMT)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(3):
            showing = exam_screen(app).showing
            if showing.question.is_multi:
                assert f"Select {showing.picks_needed}" in screen_text(app)
                break
            await pilot.press("right")
            await pilot.pause()
        else:
            raise AssertionError("the TUI bank has a select-all-that-apply question")


async def test_home_x_confirms_the_format_first(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        assert "x Exam" in screen_text(app)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExamSetupModal)
        await pilot.press("end", "backspace", "backspace", "0", "enter")
        await pilot.pause()
        assert "Questions must be between 1 and 300, not 0" in screen_text(app)
        await pilot.press("backspace", "2", "tab", "end", *["backspace"] * 3, "5", "enter")
        await pilot.pause()
        screen = exam_screen(app)
        assert len(screen.run.questions) == 2 and "⏱ 05:00 left" in screen_text(app)


async def test_cram_with_an_exam_date(make: AppFactory, store: Store, bank: Bank,
                                      clock: Clock) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        assert "k Cram" not in screen_text(app)  # no exam date: nothing to cram for
    # Learned once, then due long after the exam: the cap brings it forward at start.
    question = bank.questions["np-deny-all-effect"]
    store.record_answer(question, [0])
    record = store.card(question.id)
    assert record is not None
    store.save_schedules([replace(record, card=replace(record.card, due=T0 + timedelta(60)))])
    store.update_settings(exam_date=(T0 + timedelta(days=10)).date())
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        moved = store.card(question.id)
        assert moved is not None and moved.due < T0 + timedelta(days=10)
        assert "Thu 20 Mar, in 10 days  ·  k crams the weakest questions" in screen_text(app)
        await pilot.press("k")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen) and screen.session.mode == "practice"
        assert screen.showing.question.id != question.id  # the learned one is not weakest


@pytest.mark.parametrize("owner", [ExamScreen, PaperChoices, JumpListModal, SubmitModal,
                                   LeaveModal, ResumeModal, ExamSetupModal, ExamResultsScreen,
                                   ExamAnswerModal], ids=lambda c: c.__name__)
def test_no_exam_key_is_one_terminals_eat(owner: type) -> None:
    for binding in owner.BINDINGS:
        assert isinstance(binding, Binding)
        assert not set(binding.key.split(",")) & EATEN, (owner, binding)


async def leave_after_two(make: AppFactory) -> tuple[str, str]:
    """Start an exam, answer two questions, go back to the first, leave it for home."""
    app = make("exam", exam_format=FMT)
    async with app.run_test(size=SIZE) as pilot:
        first = await pick(pilot)
        second = await pick(pilot, right=False, then=())
        await pilot.press("left")  # looking at the first again when leaving
        await pilot.pause()
        assert exam_screen(app).showing.question.id == first
        await pilot.press("escape", "y")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        # Home shows the open exam, its time and the key that resumes it.
        assert "Mock exam  open: 2 of 3 questions answered, 10:00 left  ·  x resumes it" in \
            screen_text(app)
    return first, second


async def test_a_resumed_exam_opens_where_it_was_left(make: AppFactory, clock: Clock) -> None:
    first, _ = await leave_after_two(make)
    clock.advance(minutes=2)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ResumeModal)
        await pilot.press("r")
        await pilot.pause()
        screen = exam_screen(app)
        assert screen.showing.question.id == first and "question 1 of 3" in screen_text(app)


async def test_home_shows_the_open_exam_and_x_resumes_it(make: AppFactory, clock: Clock,
                                                        store: Store) -> None:
    await leave_after_two(make)
    clock.advance(minutes=3)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("escape")  # "later"
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "open: 2 of 3 questions answered, 07:00 left" in screen_text(app)
        clock.advance(minutes=1)
        app.screen.tick()  # the idle refresh: the time left runs on
        await pilot.pause()
        assert "06:00 left" in screen_text(app)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ResumeModal)


async def test_hand_in_from_the_resume_dialog_asks_first(make: AppFactory, store: Store,
                                                        clock: Clock) -> None:
    await leave_after_two(make)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, SubmitModal)  # one key does not end an exam
        assert last_attempt(store).session.finished_at is None
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert last_attempt(store).session.finished_at is None
        await pilot.press("x", "h", "y")
        await pilot.pause()
        assert isinstance(app.screen, ExamResultsScreen)
        assert last_attempt(store).session.finished_at is not None


async def test_time_running_out_with_quiz_open_is_not_called_closed(
        make: AppFactory, clock: Clock) -> None:
    app = make("exam", exam_format=FMT)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pick(pilot)
        await pilot.press("escape", "y")
        await pilot.pause()
        clock.advance(minutes=11)  # the app stays open on home past the deadline
        app.screen.tick()
        await pilot.pause()
        assert "open: 1 of 3 questions answered, time is up  ·  x hands it in" in \
            screen_text(app)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExamResultsScreen)
        text = flat(app)
        assert "ran out of time after you left it" in text and "while quiz was closed" \
            not in text


async def test_a_finished_attempt_can_be_deleted_after_confirming(
        make: AppFactory, store: Store) -> None:
    app = make("exam", exam_format=FMT)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(3):
            await pick(pilot)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ExamResultsScreen)
        logged = store.logs()
        cards = store.cards()
        await pilot.press("d")
        await pilot.pause()
        assert "leaves the exam history, the scores and the trend" in flat(app)
        await pilot.press("escape")  # kept
        await pilot.pause()
        assert isinstance(app.screen, ExamResultsScreen) and len(store.exams()) == 1
        await pilot.press("d", "y")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert store.exams() == []
        # The answers that taught the schedule stay, and so does what they taught it.
        assert [e.id for e in store.logs()] == [e.id for e in logged]
        assert store.cards() == cards


async def test_an_unfinished_attempt_can_be_deleted_from_the_resume_dialog(
        make: AppFactory, store: Store) -> None:
    await leave_after_two(make)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert "never handed in" in flat(app)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen) and store.exams() == []
        assert "open:" not in screen_text(app)


async def test_a_paper_shorter_than_asked_says_so_on_screen_and_stderr(
        make: AppFactory) -> None:
    app = make("exam", exam_format=ExamFormat(250, timedelta(minutes=10), all_questions=True))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert "question 1 of 3" in screen_text(app)
        assert "the exam uses all of them instead of 250" in flat(app)
    assert app.exit_notes == ["exam: the bank has 3 questions; the exam uses all of them "
                              "instead of 250"]


async def test_palette_offers_the_exam(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        assert isinstance(app.screen, CommandPalette)
        assert "Exam: a timed mock exam" in screen_text(app)
        assert "Cram:" not in screen_text(app)  # no exam date
        await pilot.press(*"mock exam", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ExamSetupModal)


class TestExamSnapshots:
    """80x24, frozen clock, seeded draw: the exam screen mid-paper and the results."""

    def test_exam_screen(self, snap_compare, make: AppFactory, clock: Clock) -> None:  # type: ignore[no-untyped-def]
        async def mid_paper(pilot: Pilot) -> None:
            await pick(pilot)
            await pilot.press("f")
            clock.advance(minutes=3, seconds=25)
            exam_screen(pilot.app).query_one(Countdown).tick()  # type: ignore[arg-type]
            await pilot.pause()

        assert snap_compare(make("exam", exam_format=FMT), terminal_size=(80, 24),
                            run_before=mid_paper)

    def test_results(self, snap_compare, make: AppFactory, clock: Clock) -> None:  # type: ignore[no-untyped-def]
        async def handed_in(pilot: Pilot) -> None:
            await pick(pilot)
            await pick(pilot, right=False)
            clock.advance(minutes=4, seconds=10)
            await pilot.press("s", "y")
            await pilot.pause()

        assert snap_compare(make("exam", exam_format=FMT), terminal_size=(80, 24),
                            run_before=handed_in)


async def test_quiz_exam_with_no_paper_to_draw_shows_home(make: AppFactory,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("quiz.tui.screens.exam.draw_exam",
                        lambda *_a, **_k: Draw([], requested=3))
    app = make("exam", exam_format=FMT)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen) and len(app.screen_stack) == 2
        assert "no questions for an exam" in " ".join(str(n.message) for n in app._notifications)


@pytest.mark.parametrize("start", ["home", "exam"])
async def test_practice_from_the_palette_mid_exam_asks_to_leave_the_paper(
        make: AppFactory, store: Store, start: str) -> None:
    """The paper is left as Esc leaves it (open, the clock running), only once confirmed."""
    app = make(start, exam_format=FMT)
    async with app.run_test(size=SIZE) as pilot:
        if start == "home":
            await pilot.press("x")
            await pilot.pause()
            await pilot.press("enter")  # the format as proposed
            await pilot.pause()
        answered = await pick(pilot)
        for keep_going in (True, False):
            await pilot.press("ctrl+p")
            await pilot.pause(0.3)
            await pilot.press(*"Practice", "enter")
            await pilot.pause()
            assert isinstance(app.screen, LeaveModal)
            assert "The clock keeps running" in flat(app)
            await pilot.press("n" if keep_going else "y")
            await pilot.pause()
            if keep_going:
                assert isinstance(app.screen, ExamScreen)
        assert isinstance(app.screen, QuestionScreen)
        assert app.screen.session.mode == "practice"
        assert not any(isinstance(s, ExamScreen) for s in app.screen_stack)
        attempt = last_attempt(store)
        assert attempt.session.finished_at is None  # left open: x on home resumes it
        assert attempt.answers.get(answered)  # the pick made before leaving is kept
