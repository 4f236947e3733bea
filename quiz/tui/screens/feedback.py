"""Feedback after an answer (already stored): verdict, marked choices, explanation, concepts."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from fsrs import Rating
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from quiz.tui.screens.question import session_header, toggle_flag
from quiz.tui.text import when
from quiz.tui.widgets.feedback_view import FeedbackView

if TYPE_CHECKING:
    from quiz.session import Feedback, Showing, StudySession
    from quiz.tui.app import QuizApp

KEY = "bold $text-accent"


def leech_notice(suspended: bool) -> Content:
    """One line for the answer that made the question a leech."""
    then = " It is suspended: reviews will not ask it until you unsuspend it in browse." \
        if suspended else " Browse lists it under the leech filter."
    return Content.assemble(("Leech: ", "bold $text-error"),
                            "you keep missing this question." + then)


class FeedbackScreen(Screen[None]):
    """The answer just given; Enter goes on, h / e regrade a right answer in review mode."""

    BINDINGS = [
        Binding("enter", "next", "Next"),
        Binding("h", "grade('hard')", "I guessed"),
        Binding("e", "grade('easy')", "Knew it instantly"),
        Binding("f", "flag", "Flag"),
        Binding("u", "undo", "Undo"),
        Binding("l", "lab", "Open in lab"),
        Binding("escape", "end", "End"),
    ]

    def __init__(self, session: StudySession, feedback: Feedback) -> None:
        super().__init__()
        self.session = session
        self.feedback = feedback
        assert session.current is not None
        self.showing: Showing = session.current

    @property
    def quiz(self) -> QuizApp:
        return cast("QuizApp", self.app)

    def compose(self) -> ComposeResult:
        yield session_header(self.quiz, self.session, self.showing)
        yield FeedbackView(self.quiz.bank, self.feedback, id="feedback")
        if self.feedback.leech:
            yield Static(leech_notice(self.feedback.suspended), id="leech-notice")
        yield Static(self._hint(), id="grade-hint")
        yield Footer()

    def _hint(self) -> Content:
        feedback = self.feedback
        parts: list[str | tuple[str, str]] = []
        if feedback.can_regrade:
            parts += [("enter", KEY), " I knew it  ", ("h", KEY), " I guessed  ",
                      ("e", KEY), " knew it instantly"]
        else:
            parts += [("enter", KEY), " next question"]
        if feedback.due is not None:
            due = when(feedback.due, self.quiz.now())
            parts += ["   ·   ", (f"next review {due}", "$text-muted")]
        elif self.session.mode != "review":
            parts += ["   ·   ", ("practice: the schedule is unchanged", "$text-muted")]
        return Content.assemble(*parts)

    def on_mount(self) -> None:
        self.query_one(FeedbackView).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "grade":
            return self.feedback.can_regrade
        if action == "undo":
            return self.quiz.can_undo
        if action == "lab":  # only scenario questions have a cluster to explore
            return self.feedback.question.scenario is not None
        return True

    def action_next(self) -> None:
        self.quiz.next_question(self.session)

    def action_grade(self, name: str) -> None:
        feedback = self.session.regrade(Rating.Hard if name == "hard" else Rating.Easy)
        self.quiz.regraded(feedback)
        self.quiz.next_question(self.session)

    def action_flag(self) -> None:
        toggle_flag(self, self.session)

    def action_undo(self) -> None:
        self.quiz.undo(self.session)

    def action_end(self) -> None:
        self.quiz.end_session(self.session)

    def action_lab(self) -> None:
        from quiz.netpol import ManifestError
        from quiz.tui.screens.lab import LabScreen, scenario_cluster

        question = self.feedback.question
        try:
            cluster = scenario_cluster(question)
        except ManifestError as exc:
            self.notify(str(exc), title="Cannot open the scenario", severity="error",
                        markup=False)
            return
        self.app.push_screen(LabScreen(cluster, f"scenario of {question.id}"))
