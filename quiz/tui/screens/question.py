"""A question: the stem as Markdown, numbered choices, Enter to submit."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from quiz.tui.text import literal
from quiz.tui.widgets.choice_list import ChoiceList
from quiz.tui.widgets.prose import markdown_widget
from quiz.tui.widgets.session_header import SessionHeader

WARM_UP_AFTER_S = 0.1  # after the question is shown: the feedback's text is built (_warm_up)

if TYPE_CHECKING:
    from textual.events import Resize
    from textual.timer import Timer

    from quiz.session import Showing, StudySession
    from quiz.tui.app import QuizApp
    from quiz.tui.screens.feedback import FeedbackScreen


def session_header(app: QuizApp, session: StudySession, showing: Showing,
                   flagged: bool | None = None) -> SessionHeader:
    """The header for the question on screen: the session's title (or its mode and the
    concept practised, or the question's topic), what is left, what comes back.
    ``flagged``: the question's flag, if known (else read from the store)."""
    question = showing.question
    if flagged is None:
        flagged = is_flagged(app, question.id)
    if session.title:
        title, subject = session.title, ""
    else:
        concept = app.bank.concepts.get(session.concept) if session.concept else None
        topic = app.bank.topics.get(question.topic)
        title = session.mode.capitalize()
        subject = concept.title if concept else (topic.title if topic else question.topic)
    return SessionHeader(title, subject, flagged=flagged, **header_counts(session, showing))


def is_flagged(app: QuizApp, question_id: str) -> bool:
    """The question's flag, as stored."""
    card = app.store.card(question_id)
    return card is not None and card.flagged


def header_counts(session: StudySession, showing: Showing) -> dict[str, Any]:
    """What a session header counts: what is left, what comes back, the question's showing."""
    return {"left": session.left, "total": len(session.questions),
            "relearning": session.relearning, "again": showing.again}


def edit_current(screen: Screen[None], session: StudySession) -> None:
    """The edit form on the question being studied; closing it comes back to this screen."""
    showing = session.current
    if showing is not None:
        cast("QuizApp", screen.app).open_edit(showing.question.id)


def bank_edited(screen: Screen[None], session: StudySession) -> bool:
    """On return to a session screen: if the bank was reloaded (a question edited), the
    session takes it; True if the question being asked must be shown again as edited."""
    app = cast("QuizApp", screen.app)
    return app.bank is not session.bank and session.use_bank(app.bank)


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
        Binding("1", "pick(0)", "Pick", key_display="1-6",
                tooltip="Pick a choice by its number (toggles in a select-all question)"),
        *(Binding(str(n), f"pick({n - 1})", f"Pick choice {n}", show=False)
          for n in range(2, 7)),
        Binding("enter", "submit", "Submit"),
        Binding("f", "flag", "Flag", tooltip="Flag the question for a later look"),
        Binding("u", "undo", "Undo", tooltip="Take back the last answer"),
        Binding("e", "edit", "Edit", tooltip="Edit this question; back here afterwards"),
        Binding("pageup", "scroll(-1)", "Page up", show=False),
        Binding("pagedown", "scroll(1)", "Page down", show=False),
        Binding("escape", "end", "End", tooltip="End the session: answers so far are kept"),
    ]

    def __init__(self, session: StudySession) -> None:
        super().__init__()
        self.session = session
        assert session.current is not None, "a finished session has no question to show"
        self.showing: Showing = session.current
        self.shown_at = time.monotonic()
        # The feedback screen built ahead while the question is read (_build_ahead), until
        # the answer takes it or this screen goes.
        self.ahead: FeedbackScreen | None = None
        self._ahead_timer: Timer | None = None

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
        # The footer is mounted by on_mount, once the choices have the focus.

    async def on_mount(self) -> None:
        # The question reads from its first line: focus the choices without scrolling to them.
        self.set_focus(self.query_one(ChoiceList), scroll_visible=False)
        # Then the footer, so it is built with the keys the focused choices add (space for
        # a select-all question): composed with the screen, before the focus, it showed the
        # screen's keys alone and was built again after the screen's first layout, which then
        # took a second layout and frame (~0.15x the bare app's start-up instructions).
        await self.mount(Footer())
        self.shown_at = time.monotonic()
        # Timed from the first frame: a start-up's first frame must not wait for it.
        self.quiz.after_first_frame(lambda: self.set_timer(WARM_UP_AFTER_S, self._warm_up), self)
        # A theme picked while the question is read (the palette, settings): the feedback
        # screen built ahead has the old one's colours.
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._check_ahead())

    def _warm_up(self) -> None:
        """While the user reads: the feedback's text that does not depend on the answer,
        and its rules; then the feedback screen itself (_build_ahead)."""
        from quiz.tui.widgets.feedback_view import warm_up

        warm_up(self.quiz.bank, self.showing.question)
        self.quiz.feedback_styles()
        self._build_ahead()

    def _build_ahead(self) -> None:
        """Build the feedback screen for this question without its answer, off the screen
        (QuizApp.build_aside): Enter then only fills in the verdict, the picks, the counts
        and the grade line (FeedbackScreen.show): a median of ~7 ms from Enter to the feedback
        instead of ~32 ms (benchmarks/startup.py).
        Not while the screen is not the session's current one (answered, or going)."""
        self._ahead_timer = None
        if self.ahead is not None or self not in self.app.screen_stack:
            return
        if not self.quiz.can_build_aside:
            self._build_ahead_later()  # the start's store is still opening (see QuizApp)
            return
        from quiz.tui.screens.feedback import FeedbackScreen

        self.ahead = FeedbackScreen(self.session, None)
        self.quiz.build_aside(self.ahead)

    def _build_ahead_later(self) -> None:
        if self._ahead_timer is not None:
            self._ahead_timer.stop()
        self._ahead_timer = self.set_timer(WARM_UP_AFTER_S, self._build_ahead)

    def take_ahead(self) -> FeedbackScreen | None:
        """The feedback screen built ahead, if any, now the caller's to show or remove."""
        ahead, self.ahead = self.ahead, None
        return ahead

    def _drop_ahead(self) -> None:
        """Remove the feedback screen built ahead: what it was built on has changed, or this
        screen is going."""
        ahead = self.take_ahead()
        if ahead is not None:
            ahead.remove()

    def _check_ahead(self) -> None:
        """A feedback screen built ahead that no longer fits (another size, bank or theme) is
        removed, and built again a moment later."""
        if self.ahead is not None and not self.ahead.still_fits():
            self._drop_ahead()
            self._build_ahead_later()

    def on_resize(self, event: Resize) -> None:
        self._check_ahead()

    def on_unmount(self) -> None:
        # The signal holds its subscribers weakly, but the callback holds this screen: left
        # subscribed, every question screen would stay alive as long as the app.
        self.app.theme_changed_signal.unsubscribe(self)
        self._drop_ahead()

    def on_screen_resume(self) -> None:
        if bank_edited(self, self.session):
            # Its answer key changed: the edited question, picks cleared (they were for the
            # old choices).
            self.quiz.switch_screen(QuestionScreen(self.session))
            self.notify("The question was edited: shown as it is now.", timeout=4)
            return
        self._check_ahead()  # back from a theme picked, a question edited in place

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
        # The flag as this header shows it: answering does not change it (no store read).
        flagged = self.query_one(SessionHeader).flagged
        self.quiz.show_feedback(self.session, feedback, flagged=flagged,
                                ahead=self.take_ahead())

    def action_flag(self) -> None:
        toggle_flag(self, self.session)

    def action_undo(self) -> None:
        self.quiz.undo(self.session)

    def action_edit(self) -> None:
        edit_current(self, self.session)

    def action_scroll(self, pages: int) -> None:
        body = self.query_one("#question-body", VerticalScroll)
        if pages < 0:
            body.scroll_page_up()
        else:
            body.scroll_page_down()

    def action_end(self) -> None:
        self.quiz.end_session(self.session)
