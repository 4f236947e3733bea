"""quiz.tcss, with home.tcss or session.tcss (and feedback.tcss, parsed while a question is
read), styles the first screens (home, a question, its feedback) alone, each start parsing
its own first screen's file only; the other screens' rules (other_screens.tcss) are parsed
before the first of those screens is shown, or after the first frame, and change nothing on
the first screens. The exam paper and the add form, first screens of `quiz exam` and
`quiz add`, have their own stylesheets too (OWN_CSS): those starts parse them alone, and the
others' rules change nothing on them. The add form's lower fields' rules are parsed as those
fields are mounted, after its first frame."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from textual.pilot import Pilot

from quiz.tui import app as app_module
from quiz.tui.app import FIRST_SCREENS, FORM_MORE_CSS, OWN_CSS, QuizApp
from quiz.tui.screens import question as question_module
from quiz.tui.screens.feedback import FeedbackScreen
from quiz.tui.screens.home import HomeScreen
from quiz.tui.screens.question import QuestionScreen
from quiz.tui.screens.question_form import QuestionFormScreen
from quiz.tui.screens.stats import StatsScreen
from tests.tui.conftest import SIZE, AppFactory, keys_for


def styles(app: QuizApp) -> dict[str, str]:
    """Every widget's rules from the stylesheet, by its place in the DOM."""
    return {" ".join(repr(n) for n in node.ancestors_with_self): node._css_styles.css
            for node in app.walk_children(with_self=False)}


@pytest.fixture(autouse=True)
def _no_warm_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """The warm-ups after the first frame would load the other styles (the app's) and the
    feedback's (a question screen's): keep them away."""
    monkeypatch.setattr(app_module, "WARM_UP_AFTER_S", 3600)
    monkeypatch.setattr(question_module, "WARM_UP_AFTER_S", 3600)


async def reach(pilot: Pilot, screen: str) -> None:
    if screen in ("question", "feedback"):
        await pilot.press("r")
        await pilot.pause()
    if screen == "feedback":
        question = pilot.app.screen
        assert isinstance(question, QuestionScreen)
        await pilot.press(*keys_for(question.showing, right=False), "enter")
        await pilot.pause()


@pytest.mark.parametrize(("screen", "kind"), [
    ("home", HomeScreen), ("question", QuestionScreen), ("feedback", FeedbackScreen)])
async def test_the_first_screens_need_no_other_styles(
        make: AppFactory, screen: str, kind: type) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await reach(pilot, screen)
        assert isinstance(app.screen, kind)
        assert not app.other_styles_loaded
        before = styles(app)
        app.load_other_styles()
        assert app.other_styles_loaded
        app.stylesheet.update(app)
        await pilot.pause()
        assert styles(app) == before


@pytest.mark.parametrize(("start", "screen", "first"), [
    ("home", "home", "home.tcss"), ("review", "question", "session.tcss"),
    ("home", "feedback", "home.tcss session.tcss feedback.tcss")])
async def test_a_start_parses_its_first_screens_rules_alone(
        make: AppFactory, start: str, screen: str, first: str) -> None:
    app = make(start)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        if start == "home":
            await reach(pilot, screen)
        read = [Path(path).name for path, _ in app.stylesheet.source]
        assert [name for name in read if name.endswith(".tcss")] == ["quiz.tcss", *first.split()]


async def test_another_screen_is_styled_by_the_other_styles_from_its_first_frame(
        make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        assert not app.other_styles_loaded
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        assert app.other_styles_loaded
        body = app.screen.query_one(".stats-body")
        assert tuple(body.styles.padding) == (1, 2, 0, 2)  # .stats-body in other_screens.tcss


async def test_the_other_styles_are_parsed_after_the_first_frame(
        make: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_module, "WARM_UP_AFTER_S", 0.05)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):
            if app.other_styles_loaded:
                break
            await pilot.pause(0.05)
        assert app.other_styles_loaded
        assert isinstance(app.screen, HomeScreen)


async def test_a_question_parses_its_feedbacks_rules_while_it_is_read(
        make: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not before a review's first frame (session.tcss alone), nor between Enter and the
    feedback: in the question screen's warm-up."""
    monkeypatch.setattr(question_module, "WARM_UP_AFTER_S", 0.01)
    app = make("review")
    async with app.run_test(size=SIZE) as pilot:
        def read() -> list[str]:
            return [Path(path).name for path, _ in app.stylesheet.source
                    if path.endswith(".tcss")]

        for _ in range(100):
            if "feedback.tcss" in read():
                break
            await pilot.pause(0.02)
        assert read() == ["quiz.tcss", "session.tcss", "feedback.tcss"]
        question = app.screen
        assert isinstance(question, QuestionScreen)
        await pilot.press(*keys_for(question.showing, right=False), "enter")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
        assert read() == ["quiz.tcss", "session.tcss", "feedback.tcss"]
        assert not app.other_styles_loaded


@pytest.mark.parametrize(("start", "kind"), [
    ("exam", "ExamScreen"), ("add", "QuestionFormScreen")])
async def test_exam_and_add_start_with_their_own_styles_alone(
        make: AppFactory, start: str, kind: str, tmp_path: Path) -> None:
    app = make(start, user_bank=tmp_path / "mine")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == kind
        assert start != "add" or app.screen.complete  # type: ignore[attr-defined]
        assert not app.other_styles_loaded
        read = [Path(path).name for path, _ in app.stylesheet.source]
        assert "other_screens.tcss" not in read
        own = [path.name for path in OWN_CSS[f"{type(app.screen).__module__}.{kind}"]]
        later = [FORM_MORE_CSS.name] if start == "add" else []  # with the lower fields
        assert [name for name in read if name.endswith(".tcss")] == ["quiz.tcss", *own, *later]
        before = styles(app)
        app.load_other_styles()
        app.stylesheet.update(app)
        await pilot.pause()
        assert styles(app) == before


async def test_the_add_forms_lower_fields_rules_are_parsed_with_them(
        make: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    read_before: list[list[str]] = []
    mount_more = QuestionFormScreen._mount_more

    async def spy(self: QuestionFormScreen) -> None:  # the fields below the preview
        read_before.append([Path(path).name for path, _ in self.app.stylesheet.source
                            if path.endswith(".tcss")])
        await mount_more(self)

    monkeypatch.setattr(QuestionFormScreen, "_mount_more", spy)
    app = make("add", user_bank=tmp_path / "mine")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        form = app.screen
        assert isinstance(form, QuestionFormScreen) and form.complete
        assert read_before == [["quiz.tcss", "question_form.tcss"]]
        explanation = form.query_one("#form-explanation").styles.height
        assert explanation is not None and explanation.value == 5  # question_form_more.tcss
        assert form.query_one(".choice-number").styles.width.value == 3  # type: ignore[union-attr]


def test_the_first_screens_are_named_as_they_are() -> None:
    for name in [*FIRST_SCREENS, *OWN_CSS]:
        module, _, cls = name.rpartition(".")
        assert getattr(importlib.import_module(module), cls).__qualname__ == cls
