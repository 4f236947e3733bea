"""The first frame a start writes to the terminal is its whole first screen: the footer with
its keys, the home screen's topic lines and heading at their real width. Textual draws it
inside the batch that wraps the app's mount and would drop it (drawing the screen again after
the start's same-size Resize); the app lets it through once nothing in it is still to come.
A start's notice is a toast a frame later: it is not waited for."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from textual.app import App
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._toast import Toast

from quiz.bank import Bank
from quiz.exam_format import ExamFormat
from quiz.store import Store
from quiz.tui.app import QuizApp
from quiz.tui.widgets.choice_list import ChoiceList
from tests.conftest import Clock
from tests.tui.conftest import AppFactory, screen_text
from tests.tui.test_pending_writes import late_cards


def first_frames(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The text of each frame of the start's screen Textual writes to the terminal."""
    written: list[str] = []
    display = App._display

    def spy(self: App[None], screen: Any, renderable: Any) -> None:
        # Textual writes a frame given with no batch open; one given in a batch it drops.
        if (renderable is not None and not self._batch_count
                and len(self.screen_stack) > 1 and screen is self.screen):
            written.append(screen_text(self))  # type: ignore[arg-type]
        display(self, screen, renderable)

    monkeypatch.setattr(App, "_display", spy)
    return written


@pytest.mark.parametrize(("start", "options"), [
    ("home", {}), ("review", {}), ("practice", {"concept": "default-deny"}), ("add", {})])
async def test_the_first_frame_written_is_the_whole_first_screen(
        make: AppFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Any, start: str,
        options: dict[str, Any]) -> None:
    written = first_frames(monkeypatch)
    if start == "add":
        options = {"user_bank": tmp_path / "mine"}
    app = make(start, **options)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app._first_frame_shown and written
        first = written[0].splitlines()
        now = screen_text(app).splitlines()
        assert "^p palette" in first[-1] and first[-1] == now[-1]  # the footer's keys
        if start == "add":  # the fields below the preview come after it (test_question_form)
            top = next(i for i, line in enumerate(first) if "Preview" in line)
            assert [line[:-4] for line in first[:top]] == [line[:-4] for line in now[:top]]
        else:
            assert first == now
        if start == "home":
            head = next(line for line in first if line.lstrip().startswith("Topic"))
            assert head.rstrip().endswith("progress") and len(head.rstrip()) > 80


async def test_a_start_notice_follows_the_first_frame_without_holding_it_back(
        make: AppFactory, monkeypatch: pytest.MonkeyPatch, store: Store, bank: Bank,
        clock: Clock) -> None:
    """An exam date with reviews due after it: the start brings them forward and says so in
    a toast. Waiting for the toast before showing home cost a second layout of the screen."""
    late_cards(store, bank, clock)
    written = first_frames(monkeypatch)
    in_batch: list[int] = []  # the start's batch depth when its first frame was written
    display = QuizApp._display

    def spy(self: QuizApp, screen: Any, renderable: Any) -> None:
        shown, depth = self._first_frame_shown, self._batch_count
        display(self, screen, renderable)
        if self._first_frame_shown and not shown:
            in_batch.append(depth)

    monkeypatch.setattr(QuizApp, "_display", spy)
    app = make("home")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause(0.3)
        first = written[0].splitlines()
        assert "^p palette" in first[-1] and any("Exam " in line for line in first)
        assert "brought forward" not in written[0]  # home at once, the toast after it
        assert in_batch and in_batch[0] > 0  # the frame laid out in the start's batch
        toasts = [str(toast._notification.message) for toast in app.screen.query(Toast)]
        assert any("2 reviews brought forward" in message for message in toasts)
        assert "2 reviews brought forward" in screen_text(app)


@pytest.mark.parametrize(("start", "options"), [
    ("practice", {"concept": "mesh-mtls"}),  # its one question: select all that apply
    ("exam", {"exam_format": ExamFormat(3, timedelta(minutes=10), all_questions=True)})])
async def test_a_question_screens_footer_is_built_once_with_the_choices_keys(
        make: AppFactory, monkeypatch: pytest.MonkeyPatch, start: str,
        options: dict[str, Any]) -> None:
    """The choices take the focus before the footer is built: a select-all question's
    choices add a key (space), and a footer built before the focus lacked it, was built
    again after the screen's first layout, and took a second layout and frame."""
    written = first_frames(monkeypatch)
    composed: list[Screen[Any]] = []
    compose = Footer.compose

    def spy(self: Footer) -> Any:
        composed.append(self.screen)
        return compose(self)

    monkeypatch.setattr(Footer, "compose", spy)
    app = make(start, **options)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app._first_frame_shown and written
        assert composed == [app.screen]  # once, with the screen
        choices = app.screen.query_one(ChoiceList)
        assert app.screen.focused is choices
        bottom = written[0].splitlines()[-1]
        assert bottom == screen_text(app).splitlines()[-1]
        assert ("Toggle" in bottom) == choices.multi
        if start == "practice":
            assert choices.multi
