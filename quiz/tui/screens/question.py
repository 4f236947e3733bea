"""A question: the stem as Markdown, numbered choices, Enter to submit."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from quiz.tui.text import literal
from quiz.tui.widgets.choice_list import ChoiceList
from quiz.tui.widgets.prose import markdown_widget
from quiz.tui.widgets.session_header import SessionHeader

if TYPE_CHECKING:
    from quiz.session import Showing, StudySession
    from quiz.tui.app import QuizApp


def session_header(app: QuizApp, session: StudySession, showing: Showing) -> SessionHeader:
    """The header for the question on screen."""
    question = showing.question
    topic = app.bank.topics.get(question.topic)
    card = app.store.card(question.id)
    return SessionHeader(session.mode.capitalize(), topic.title if topic else question.topic,
                         showing.number, showing.total,
                         flagged=card is not None and card.flagged)


def toggle_flag(screen: Screen[None], session: StudySession) -> None:
    """Flag (or unflag) the session's current question; the header and a toast say which."""
    flagged = session.flag()
    screen.query_one(SessionHeader).set_flagged(flagged)
    screen.notify("Flagged for a later look." if flagged else "Flag removed.", timeout=2)


class QuestionScreen(Screen[None]):
    """The session's current question; submitting stores the answer, then shows feedback."""

    # No auto focus: it would pick the scrolling body first, and each focus change restyles
    # the focused widget's whole subtree; on_mount focuses the right widget itself.
    AUTO_FOCUS = ""
    BINDINGS = [
        Binding("1", "pick(0)", "Choose", key_display="1-6"),
        *(Binding(str(n), f"pick({n - 1})", show=False) for n in range(2, 7)),
        Binding("enter", "submit", "Submit"),
        Binding("f", "flag", "Flag"),
        Binding("u", "undo", "Undo last"),
        Binding("pageup", "scroll(-1)", "Page up", show=False),
        Binding("pagedown", "scroll(1)", "Page down", show=False),
        Binding("escape", "end", "End"),
    ]

    def __init__(self, session: StudySession) -> None:
        super().__init__()
        self.session = session
        assert session.current is not None, "a finished session has no question to show"
        self.showing: Showing = session.current
        self.shown_at = time.monotonic()

    @property
    def quiz(self) -> QuizApp:
        return cast("QuizApp", self.app)

    def compose(self) -> ComposeResult:
        showing = self.showing
        question = showing.question
        yield session_header(self.quiz, self.session, showing)
        with VerticalScroll(id="question-body"):
            yield markdown_widget(question.question, "stem")
            if question.is_multi:
                yield Static(literal(f"Select {showing.picks_needed}"), id="select-hint")
            yield ChoiceList([c.text for c in showing.choices], multi=question.is_multi,
                             picked=showing.selected, id="choices")
        yield Footer()

    def on_mount(self) -> None:
        # The question reads from its first line: focus the choices without scrolling to them.
        self.query_one(ChoiceList).focus(scroll_visible=False)
        self.shown_at = time.monotonic()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo":
            return self.quiz.can_undo
        if action == "pick":
            return cast(int, parameters[0]) < len(self.showing.order)
        return True

    def action_pick(self, index: int) -> None:
        self.query_one(ChoiceList).pick(index)

    def on_choice_list_chosen(self, event: ChoiceList.Chosen) -> None:
        self._sync()

    def _sync(self) -> None:
        """Bring the session's picks in line with the list's (it changes them at once, on key
        or click; its messages may arrive after a quick Enter)."""
        wanted = self.query_one(ChoiceList).picked
        have = self.showing.selected
        changed = wanted ^ have if self.showing.question.is_multi else wanted - have
        for index in sorted(changed):
            self.showing = self.session.select(index)

    def action_submit(self) -> None:
        self._sync()
        if not self.showing.selected:
            count = len(self.showing.order)
            self.notify(f"Pick an answer first: a number from 1 to {count}, or the arrows.",
                        severity="warning", timeout=3)
            return
        duration_ms = round((time.monotonic() - self.shown_at) * 1000)
        feedback = self.session.submit(duration_ms)  # committed before anything is drawn
        self.quiz.show_feedback(self.session, feedback)

    def action_flag(self) -> None:
        toggle_flag(self, self.session)

    def action_undo(self) -> None:
        self.quiz.undo(self.session)

    def action_scroll(self, pages: int) -> None:
        body = self.query_one("#question-body", VerticalScroll)
        if pages < 0:
            body.scroll_page_up()
        else:
            body.scroll_page_down()

    def action_end(self) -> None:
        self.quiz.end_session(self.session)
