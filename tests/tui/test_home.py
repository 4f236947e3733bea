"""The home screen: a click selects and Enter starts, one 'due today' everywhere and kept fresh,
an open exam shown, the lab from home and the palette, and footers that fit 80 columns."""

from __future__ import annotations

from datetime import timedelta

from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Footer, OptionList

from quiz.bank import Bank
from quiz.exam import ExamFormat
from quiz.scheduling import due_today
from quiz.stats import compute_stats
from quiz.store import Store
from quiz.tui.app import QuizApp
from quiz.tui.screens.exam_modals import ResumeModal
from quiz.tui.screens.home import HomeScreen
from quiz.tui.screens.lab import LabScreen, ScenarioPickerModal
from quiz.tui.screens.question import QuestionScreen
from quiz.tui.widgets.title_line import TitleLine
from quiz.tui.widgets.topic_list import TopicList
from tests.conftest import T0, Clock
from tests.tui.conftest import SIZE, AppFactory, keys_for, screen_text

NARROW = (80, 24)


def home(app: QuizApp) -> HomeScreen:
    assert isinstance(app.screen, HomeScreen), app.screen
    return app.screen


async def test_one_click_selects_a_topic_and_enter_starts_it(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        topics = home(app).query_one(TopicList)
        assert topics.highlighted == 0
        await pilot.click(TopicList, offset=(5, 1))  # the second topic's row
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen) and topics.highlighted == 1
        second = topics.topics[1]
        assert second.title in str(app.screen.query_one("#topic-detail").render())
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen) and screen.session.mode == "practice"
        assert {q.topic for q in screen.session.questions} == {second.id}


async def test_a_double_click_starts_the_topic(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        first = home(app).query_one(TopicList).topics[0]
        await pilot.click(TopicList, offset=(5, 0), times=2)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen) and screen.session.mode == "practice"
        assert {q.topic for q in screen.session.questions} == {first.id}


def today_line(app: QuizApp) -> str:
    (line,) = [t for t in screen_text(app).splitlines() if "Today" in t]
    return line


async def test_today_is_one_figure_and_home_keeps_it_fresh(
        make: AppFactory, bank: Bank, store: Store, clock: Clock) -> None:
    store.update_settings(daily_new_limit=1)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = home(app)
        assert "1 question to review" in today_line(app)
        assert sum(t.due_today for t in screen.topics) == 1  # type: ignore[union-attr]
        # Answered elsewhere (a second copy of quiz on the same database): right, so its
        # next step is minutes away and the new allowance is used up.
        question = next(iter(bank.questions.values()))
        store.record_answer(question, sorted(question.correct_indices))
        screen.tick()  # the idle refresh
        await pilot.pause()
        assert "nothing due right now" in today_line(app)
        clock.advance(minutes=15)  # the step is over: due again
        screen.tick()
        await pilot.pause()
        assert "1 question to review" in today_line(app)
        # Past midnight: a new day's allowance of new questions joins it.
        clock.value = T0.replace(hour=0, minute=1) + timedelta(days=1)
        screen.tick()
        await pilot.pause()
        expected = due_today(bank, store, clock())
        assert expected.total == 2 and "2 questions to review" in today_line(app)
        topics = compute_stats(bank, store, clock()).topics
        assert [t.due_today for t in screen.topics] == [  # type: ignore[union-attr]
            t.due_today for t in topics]
        assert sum(t.due_today for t in topics) == 2
        await pilot.press("r")  # the review asks exactly those
        await pilot.pause()
        review = app.screen
        assert isinstance(review, QuestionScreen) and review.showing.total == 2


async def test_home_recounts_when_the_user_comes_back(make: AppFactory, store: Store) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        before = home(app).review_size
        await pilot.press("r")
        await pilot.pause()
        showing = app.screen.showing  # type: ignore[attr-defined]
        await pilot.press(*keys_for(showing), "enter")
        await pilot.pause()
        await pilot.press("escape")  # end the session: the summary
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert home(app).review_size == before - 1


async def open_lab_from(pilot: Pilot, *keys: str) -> None:
    app = pilot.app
    await pilot.press(*keys)
    await pilot.pause(0.3)
    assert isinstance(app.screen, ScenarioPickerModal)
    picker = app.screen
    picker.query_one(OptionList).highlighted = [  # other bundled scenarios come first
        p.name for p in picker.files].index("three-namespaces.yaml")
    await pilot.pause()
    assert "three-namespaces.yaml" in screen_text(app)  # type: ignore[arg-type]
    assert "A small shop in three namespaces" in screen_text(app)  # type: ignore[arg-type]
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, LabScreen)
    assert "Policy lab  three-namespaces.yaml" in screen_text(app)  # type: ignore[arg-type]
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(app.screen, HomeScreen)


async def test_the_lab_opens_from_home_on_a_picked_scenario(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=NARROW) as pilot:
        assert "l Lab" in screen_text(app)
        await open_lab_from(pilot, "l")
        await pilot.press("l", "escape")  # the picker cancelled: home again
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_the_palette_finds_the_lab(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"lab")
        await pilot.pause(0.3)
        assert "Lab: explore NetworkPolicies" in screen_text(app)
        await open_lab_from(pilot, "enter")


def footer_keys(app: QuizApp) -> str:
    (line,) = [line for line in screen_text(app).splitlines()[-1:]]
    assert app.screen.query_one(Footer)
    return line


async def test_every_home_key_fits_at_80_columns_with_an_exam_date_and_an_open_exam(
        make: AppFactory, store: Store) -> None:
    store.update_settings(exam_date=(T0 + timedelta(days=10)).date())
    app = make("exam", exam_format=ExamFormat(3, timedelta(minutes=10), all_questions=True))
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("escape", "y")  # leave the exam open
        await pilot.pause()
        line = footer_keys(app)
        for key in ("r Review", "p Practice", "c Concept", "x Exam", "s Stats", "b Browse",
                    "l Lab", "q Quit", "^p palette"):
            assert key in line, (key, line)
        text = screen_text(app)
        assert "k crams the weakest questions" in text and "x resumes it" in text
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ResumeModal)
        assert "d Delete" in footer_keys(app) and "esc Later" in footer_keys(app)


class TestHomeSnapshots:
    """80x24: home with an exam date set, and with an exam left open too."""

    def test_home_with_an_exam_date(self, snap_compare, make: AppFactory,  # type: ignore[no-untyped-def]
                                    store: Store) -> None:
        store.update_settings(exam_date=(T0 + timedelta(days=10)).date())
        assert snap_compare(make(), terminal_size=NARROW)

    def test_home_with_an_open_exam(self, snap_compare, make: AppFactory,  # type: ignore[no-untyped-def]
                                    store: Store) -> None:
        store.update_settings(exam_date=(T0 + timedelta(days=10)).date())

        async def leave_exam(pilot: Pilot) -> None:
            showing = pilot.app.screen.showing  # type: ignore[attr-defined]
            await pilot.press(*keys_for(showing), "escape", "y")
            await pilot.pause()

        app = make("exam", exam_format=ExamFormat(3, timedelta(minutes=10), all_questions=True))
        assert snap_compare(app, terminal_size=NARROW, run_before=leave_exam)

    def test_home_of_a_learner_other_than_the_user(  # type: ignore[no-untyped-def]
            self, snap_compare, bank: Bank, store: Store, clock: Clock) -> None:
        from quiz.tui.app import make_app

        app = make_app(bank, store.for_learner("Ana Lima"), now=clock, start="home")
        assert snap_compare(app, terminal_size=NARROW)


async def test_settings_and_help_are_seen_on_home_and_open_from_its_buttons(
        make: AppFactory) -> None:
    """The footer has no room for them at 80 columns: the home's buttons show them."""
    from quiz.tui.screens.help import HelpModal
    from quiz.tui.screens.settings import SettingsScreen

    app = make()
    async with app.run_test(size=SIZE) as pilot:
        text = screen_text(app)
        assert "Settings" in text and "Help ?" in text
        await pilot.click("#help")
        await pilot.pause()
        assert isinstance(app.screen, HelpModal)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.click("#settings")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)


async def test_home_buttons_press_on_a_click_and_on_enter_or_space_when_focused(
        make: AppFactory, store: Store) -> None:
    """Home's buttons (ActionButton) act as Textual's did: a click, or Tab to one and Enter or
    space; Review is disabled while nothing is due and says so in its label."""
    from quiz.tui.screens.help import HelpModal
    from quiz.tui.screens.stats import StatsScreen
    from quiz.tui.widgets.action_button import ActionButton

    store.update_settings(daily_new_limit=1)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        review = home(app).query_one("#review", ActionButton)
        assert str(review.render()) == "Review (1)" and not review.disabled
        await pilot.press("tab")  # from the topic list
        assert app.focused is review
        home(app).query_one("#stats", ActionButton).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        await pilot.press("escape")
        await pilot.pause()
        home(app).query_one("#help", ActionButton).focus()
        await pilot.press("space")
        await pilot.pause()
        assert isinstance(app.screen, HelpModal)
        await pilot.press("escape")
        await pilot.pause()
        store.update_settings(daily_new_limit=0)
        home(app).refresh_figures()
        await pilot.pause()
        assert str(review.render()) == "Review (0)" and review.disabled
        await pilot.click("#review")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        store.update_settings(daily_new_limit=1)
        home(app).refresh_figures()
        await pilot.click("#review")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)


async def test_each_learner_home_names_them_and_offers_only_their_open_exam(
        bank: Bank, store: Store, clock: Clock) -> None:
    from quiz.tui.app import make_app

    ana = store.for_learner("ana")
    ana.start_exam(list(bank.questions)[:3], time_limit_s=600)
    for who, named, open_exam in ((ana, True, True), (store.for_learner("bo"), True, False),
                                  (store, False, False)):
        app = make_app(bank, who, now=clock, start="home")
        async with app.run_test(size=NARROW) as pilot:
            await pilot.pause()
            # An open attempt of one's own is offered at once, over home.
            assert isinstance(app.screen, ResumeModal) is open_exam, who.learner
            [under] = [s for s in app.screen_stack if isinstance(s, HomeScreen)]
            title = under.query_one(TitleLine).left.plain
            assert (f"learner {who.learner}" in title) is named, title
            assert ("KCSA networking security" in title) is not named
            assert (under.open_exam is not None) is open_exam, who.learner
