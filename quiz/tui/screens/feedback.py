"""Feedback after an answer (already stored): the question (collapsed), verdict, marked
choices, explanation, concepts; for a right review answer, what each grade would schedule."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, cast

from fsrs import Rating
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.events import ScreenResume
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from quiz.tui.screens.question import (
    bank_edited,
    edit_current,
    header_counts,
    is_flagged,
    session_header,
    toggle_flag,
)
from quiz.tui.text import when
from quiz.tui.widgets.feedback_view import KEY, FeedbackView, unanswered
from quiz.tui.widgets.session_header import SessionHeader

if TYPE_CHECKING:
    from quiz.session import Feedback, Showing, StudySession
    from quiz.tui.app import QuizApp

# Anki's numbers for a right answer: 2 Hard, 3 Good, 4 Easy (1, Again, is a wrong answer).
GRADES = {"hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}
GRADE_KEYS = {Rating.Hard: ("2", "guessed"), Rating.Good: ("3", "knew it"),
              Rating.Easy: ("4", "instantly")}


def span(delta: timedelta) -> str:
    """An interval as Anki's buttons show it: '10m', '5h', '3d', '2.5mo', '1.2y'."""
    seconds = max(0.0, delta.total_seconds())
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))}m"
    if round(seconds / 3600) < 24:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if round(days) < 30:
        return f"{max(1, round(days))}d"
    value, unit = (days / 30, "mo") if days < 365 else (days / 365, "y")
    return f"{value:.1f}".removesuffix(".0") + unit


def scheduled(feedback: Feedback, now: datetime) -> str:
    """What an answer scheduled: 'Back in 10 min, in this session.', 'Next review in 8 days,
    Tue 18 Mar.'"""
    if feedback.back_in_session is not None:
        return f"Back {when(feedback.back_in_session, now)}, in this session."
    if feedback.due is None:
        return ""
    return f"Next review {when(feedback.due, now)}, {feedback.due.astimezone():%a %d %b}."


def leech_notice(suspended: bool) -> Content:
    """One line for the answer that made the question a leech."""
    then = " It is suspended: reviews will not ask it until you unsuspend it in browse." \
        if suspended else " Browse lists it under the leech filter."
    return Content.assemble(("Leech: ", "bold $text-error"),
                            "you keep missing this question." + then)


class FeedbackScreen(Screen[None]):
    """The answer just given; Enter goes on; 2 / 3 / 4 grade a right answer in review mode.

    ``feedback=None``: built ahead, while the question is read (``QuestionScreen`` has
    ``QuizApp.build_aside`` mount it off the screen stack): every widget that does not depend
    on the answer is composed, styled and laid out then; ``show`` fills in the rest when the
    answer comes, if ``built_for`` says the screen still fits it, and the app shows it as it
    would a screen built then (the same frame, cell for cell: tests compare them).
    """

    BINDINGS = [
        Binding("enter", "next", "Next", tooltip="Next question (a right answer stays Good)"),
        Binding("2", "grade('hard')", "Hard: I guessed", show=False),
        Binding("3", "grade('good')", "Good: I knew it", show=False),
        Binding("4", "grade('easy')", "Easy: I knew it instantly", show=False),
        Binding("s", "stem", "Show or collapse the question", show=False),
        Binding("x", "jump('explanation')", "Scroll to the explanation", show=False),
        Binding("c", "jump('concepts')", "Scroll to the concept cards", show=False),
        Binding("f", "flag", "Flag", tooltip="Flag the question for a later look"),
        Binding("u", "undo", "Undo", tooltip="Take back this answer"),
        Binding("e", "edit", "Edit", tooltip="Edit this question; back here afterwards"),
        Binding("l", "lab", "Open in lab", tooltip="Open the scenario's cluster in the lab"),
        Binding("escape", "end", "End", tooltip="End the session: answers so far are kept"),
    ]

    def __init__(self, session: StudySession, feedback: Feedback | None,
                 flagged: bool | None = None) -> None:
        super().__init__()
        self.session = session
        self.feedback = feedback
        self.flagged = flagged  # the question's flag if the caller knows it (the header's)
        assert session.current is not None
        self.showing: Showing = session.current
        self._resumed = False
        self._hints_on = False  # the "below" hints follow the layout (_laid_out, then on)
        # Built ahead (feedback None): what it was built on; ready once mounted and laid out.
        self.ready = feedback is not None
        self._built_on = self._surroundings() if feedback is None else None
        self._shown_ahead = False  # shown by show(): _laid_out waits for its ScreenResume

    @property
    def quiz(self) -> QuizApp:
        return cast("QuizApp", self.app)

    def compose(self) -> ComposeResult:
        feedback = self.feedback
        yield session_header(self.quiz, self.session, self.showing, self.flagged)
        # Built ahead, the concept cards are all there: nobody is waiting for this screen.
        yield FeedbackView(self.quiz.bank, feedback or unanswered(self.showing),
                           show_stem=True, collapse_stem=True, focus_first=True,
                           defer_below=feedback is not None, answered=feedback is not None,
                           id="feedback")
        # "↓ explanation below" is mounted once the layout says what is out of view.
        if feedback is None:
            notice = Static(id="leech-notice")
            notice.display = False  # shown by show() for the answer that makes a leech
            yield notice
        elif feedback.leech:
            yield Static(leech_notice(feedback.suspended), id="leech-notice")
        yield Static(self._hint() if feedback is not None else "", id="grade-hint")
        yield Footer()

    # --- built ahead --------------------------------------------------------------------------

    def _surroundings(self) -> tuple[object, ...]:
        """What the widgets' build and styles depend on besides the answer: the bank, the
        terminal's size, the app's CSS (a theme change counts it up)."""
        app = self.quiz
        return (app.bank, app.size, app._css_update_count)

    def still_fits(self) -> bool:
        """Whether a screen built ahead was built on what the app has now."""
        return self._built_on == self._surroundings()

    def built_for(self, session: StudySession, feedback: Feedback) -> bool:
        """Whether this screen, built ahead and ready, can show ``feedback``: the same session,
        question and choice order, bank, terminal size and CSS."""
        current = session.current
        return (self.ready and self.feedback is None and session is self.session
                and current is not None and feedback.question is self.showing.question
                and current.question is self.showing.question
                and current.order == self.showing.order and self.still_fits())

    def show(self, feedback: Feedback, flagged: bool | None = None) -> None:
        """Fill in what depends on the answer (see ``built_for``); the app shows the screen
        next (``QuizApp.show_feedback``)."""
        assert self.feedback is None and self.ready
        self.feedback = feedback
        assert self.session.current is not None
        self.showing = self.session.current
        if flagged is None:
            flagged = is_flagged(self.quiz, feedback.question.id)
        self.flagged = flagged
        self.query_one(SessionHeader).take(flagged=flagged,
                                           **header_counts(self.session, self.showing))
        self.query_one(FeedbackView).answer(feedback)
        if feedback.leech:
            notice = self.query_one("#leech-notice", Static)
            notice.update(leech_notice(feedback.suspended))
            notice.display = True
        self.query_one("#grade-hint", Static).update(self._hint())
        self._shown_ahead = True

    def _hint(self) -> Content:
        feedback = self.feedback
        assert feedback is not None
        now = self.quiz.now()
        parts: list[str | tuple[str, str] | Content] = []
        if feedback.can_regrade and feedback.grade_dues:
            for rating, (key, label) in GRADE_KEYS.items():
                due = feedback.grade_dues.get(rating)
                if due is not None:
                    parts += [(key, KEY), f" {label} · ", (span(due - now), "bold"), "   "]
            parts += [("⏎", KEY), " = 3"]
            return Content.assemble(*parts)
        parts += [("⏎", KEY), " next question"]
        if feedback.back_in_session is not None and feedback.due is None:
            parts += ["   ·   ", ("asked once more at the end", "$text-muted")]
        elif feedback.due is not None:
            said = scheduled(feedback, now).rstrip(".")
            parts += ["   ·   ", (said[:1].lower() + said[1:], "$text-muted")]
        elif self.session.mode != "review":
            parts += ["   ·   ", ("practice: the schedule is unchanged", "$text-muted")]
        return Content.assemble(*parts)

    def on_mount(self) -> None:
        if self._pruning:  # built ahead and removed while it was composed (Enter came first)
            return
        view = self.query_one(FeedbackView)  # focused as it was mounted (focus_first)
        self.watch(view, "scroll_y", self._show_below, init=False)
        # Once the hints are on (_laid_out), a change of what the view holds (the concept cards
        # mounted after the first frame, laid out a refresh or more later) updates them too.
        self.watch(view, "virtual_size", self._content_resized, init=False)
        if self.feedback is None:  # built ahead: laid out now, off the screen (see show)
            self._refresh_layout(self.app.size)
            self.ready = True
            return
        self.call_after_refresh(self._laid_out)

    def _content_resized(self) -> None:
        if self._hints_on:
            self._show_below()

    async def _laid_out(self) -> None:
        self.quiz.resume_collector()  # the first frame is drawn (QuizApp.show_feedback)
        view = self.query_one(FeedbackView)
        mounting = view.mount_deferred()  # the concept cards below the first frame
        if mounting is not None:
            await mounting
            self.call_after_refresh(self._laid_out)  # the hints once they are laid out
            return
        view.show_stem_more()
        self._hints_on = True
        self._show_below()

    def _show_below(self, _scroll_y: float | None = None) -> None:
        """'↓ explanation, 2 concepts below': what the scrollbar alone would hint at."""
        below = self.query_one(FeedbackView).below()
        hints = self.query("#below-hint")
        if not below:
            if hints:
                hints.first().display = False
            return
        if hints:
            hint = cast(Static, hints.first())
            hint.display = True
        else:
            hint = Static(id="below-hint")
            self.mount(hint, after=self.query_one(FeedbackView))
        keys: list[str | tuple[str, str]] = []
        if "explanation" in below:
            keys += [("x", KEY), " explanation  "]
        if len(below) > 1 or "explanation" not in below:
            keys += [("c", KEY), " concepts  "]
        hint.update(Content.assemble(("↓ ", KEY), f"{', '.join(below)} below   ", *keys,
                                     ("PgDn", KEY), " scroll"))

    def post_message(self, message: Message) -> bool:
        if isinstance(message, ScreenResume) and not self._resumed:
            # Made current by the switch that built it: its widgets were styled as they were
            # mounted, moments ago; a second pass over all of them would delay the first frame.
            self._resumed = True
            message.refresh_styles = False
        return super().post_message(message)

    def on_unmount(self) -> None:
        if self.feedback is not None:  # not a screen built ahead and never shown
            self.quiz.resume_collector()  # closed before its first frame (the app exiting)

    def on_screen_resume(self) -> None:
        if self._shown_ahead:
            # Shown by show(): the hints and the collector once its first frame is drawn
            # (asked here, with the screen's repaint due, not before it is current).
            self._shown_ahead = False
            self.call_after_refresh(self._laid_out)
        bank_edited(self, self.session)  # the answer stands; later showings use the edit

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        feedback = self.feedback
        if action == "grade":
            return feedback is not None and feedback.can_regrade
        if action == "undo":  # built ahead, it is shown only with an answer to take back
            return feedback is None or self.quiz.can_undo
        if action == "lab":  # only scenario questions have a cluster to explore
            return self.showing.question.scenario is not None
        return True

    def action_next(self) -> None:
        self.quiz.next_question(self.session)

    def action_grade(self, name: str) -> None:
        feedback = self.feedback
        assert feedback is not None
        rating = GRADES[name]
        if rating != feedback.rating:
            feedback = self.session.regrade(rating)
            self.quiz.regraded(feedback)
        self.notify(scheduled(feedback, self.quiz.now()), timeout=3)
        self.quiz.next_question(self.session)

    def action_stem(self) -> None:
        view = self.query_one(FeedbackView)
        view.toggle_stem()
        self.call_after_refresh(self._show_below)

    def action_jump(self, section: str) -> None:
        if not self.query_one(FeedbackView).jump_to(section):
            self.notify(f"This question has no {section}.", timeout=2)

    def action_flag(self) -> None:
        toggle_flag(self, self.session)

    def action_undo(self) -> None:
        self.quiz.undo(self.session)

    def action_edit(self) -> None:
        edit_current(self, self.session)

    def action_end(self) -> None:
        self.quiz.end_session(self.session)

    def action_lab(self) -> None:
        from quiz.netpol import ManifestError
        from quiz.tui.screens.lab import LabScreen, scenario_cluster

        question = self.showing.question
        try:
            cluster = scenario_cluster(question)
        except ManifestError as exc:
            self.notify(str(exc), title="Cannot open the scenario", severity="error",
                        markup=False)
            return
        self.app.push_screen(LabScreen(cluster, f"scenario of {question.id}"))
