"""Keys: none that terminals eat, every screen has a footer, the palette offers the actions."""

from __future__ import annotations

import pytest
from textual.binding import Binding
from textual.command import CommandPalette
from textual.widgets import Footer

from quiz.tui.app import QuizApp
from quiz.tui.screens.feedback import FeedbackScreen
from quiz.tui.screens.help import HelpModal
from quiz.tui.screens.home import HomeScreen
from quiz.tui.screens.modals import ConceptPickerModal, MissedQuestionModal
from quiz.tui.screens.question import QuestionScreen
from quiz.tui.screens.settings import LeaveSettingsModal, SettingsScreen
from quiz.tui.screens.stats import StatsScreen
from quiz.tui.screens.summary import SummaryScreen
from quiz.tui.widgets.choice_list import ChoiceList
from quiz.tui.widgets.feedback_view import FeedbackView
from tests.tui.conftest import SIZE, AppFactory, screen_text

BOUND = [QuizApp, HomeScreen, QuestionScreen, FeedbackScreen, SummaryScreen, StatsScreen,
         ConceptPickerModal, MissedQuestionModal, ChoiceList, FeedbackView, SettingsScreen,
         LeaveSettingsModal, HelpModal]
# F1 is taken by many terminals; ctrl+h is backspace, ctrl+m is enter, ctrl+s / ctrl+q are
# flow control on some terminals, ctrl+i is tab.
EATEN = {"f1", "ctrl+h", "ctrl+m", "ctrl+s", "ctrl+q", "ctrl+i", "ctrl+j", "ctrl+z"}


@pytest.mark.parametrize("owner", BOUND, ids=lambda c: c.__name__)
def test_no_binding_uses_a_key_terminals_eat(owner: type) -> None:
    # A key terminals may eat is fine beside one they do not that does the same (F1 and ?
    # for help, ctrl+s and F2 for save), and Textual's own ctrl+q quit beside q.
    spare: dict[str, set[str]] = {}
    for binding in owner.BINDINGS:
        assert isinstance(binding, Binding)
        spare.setdefault(binding.description, set()).update(
            set(binding.key.split(",")) - EATEN)
    for binding in owner.BINDINGS:
        eaten = set(binding.key.split(",")) & EATEN
        assert not eaten or spare[binding.description] \
            or (eaten == {"ctrl+q"} and owner is QuizApp), (owner, binding)


async def test_every_screen_shows_its_bindings_in_a_footer(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        assert app.screen.query(Footer)
        assert "r Review" in screen_text(app) and "q Quit" in screen_text(app)
        await pilot.press("r")
        await pilot.pause()
        assert app.screen.query(Footer) and "⏎ Submit" in screen_text(app)


async def test_palette_offers_review_practice_stats_quit(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        assert isinstance(app.screen, CommandPalette)
        text = screen_text(app)
        for name in ("Review: today's questions", "Practice: NetworkPolicy [basics]",
                     "Practice: Encryption in transit", "Stats: progress per topic", "Quit"):
            assert name in text, name
        assert "Quit the application as soon as possible" not in text  # Textual's own Quit
        await pilot.press(*"stats", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
