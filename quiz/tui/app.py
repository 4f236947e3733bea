"""The Textual app: ``make_app`` is the one factory the CLI and the tests build it with."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from textual.app import App, SystemCommand
from textual.screen import Screen

from quiz.bank import Bank, Question
from quiz.scheduling import practice_queue, review_queue
from quiz.session import Feedback, StudySession
from quiz.store import Store, utc_now
from quiz.tui.commands import QuizCommands
from quiz.tui.screens.home import HomeScreen
from quiz.tui.screens.question import QuestionScreen

STARTS = ("home", "review", "practice")


class QuizApp(App[None]):
    """Home, study sessions (question → feedback → … → summary) and stats."""

    CSS_PATH = Path(__file__).with_name("quiz.tcss")
    TITLE = "quiz"
    COMMANDS = App.COMMANDS | {QuizCommands}

    def __init__(self, bank: Bank, store: Store, *, now: Callable[[], datetime] = utc_now,
                 rng: random.Random | None = None, start: str = "home",
                 topic: str | None = None, concept: str | None = None) -> None:
        if start not in STARTS:
            raise ValueError(f"start must be one of {', '.join(STARTS)}, not {start!r}")
        super().__init__()
        self.bank = bank
        self.store = store
        self.now = now
        self.rng = rng or random.Random()
        self.start = start
        self.start_topic = topic
        self.start_concept = concept
        self._start_notice: str | None = None
        # The feedback shown for each answer of the current session, in order: what undo can
        # take back and what the summary's missed list opens again.
        self.feedbacks: list[Feedback] = []

    # --- start-up ------------------------------------------------------------------------

    def on_mount(self) -> None:
        # Pushed over the (blank) default screen, which cannot be switched away like the rest.
        session: StudySession | None = None
        if self.start == "review":
            session = self._review_session()
        elif self.start == "practice":
            session = self._practice_session(self.start_topic, self.start_concept)
        self.push_screen(QuestionScreen(session) if session is not None else HomeScreen())
        if self._start_notice:
            self.notify(self._start_notice, timeout=6)
            self._start_notice = None
        self.set_timer(0.3, self._warm_up)

    def _warm_up(self) -> None:
        """Import what the first answer needs while the user reads the first question."""
        from textual.widgets import Markdown  # noqa: F401

        import quiz.tui.screens.feedback  # noqa: F401
        import quiz.tui.screens.summary  # noqa: F401

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # QuizCommands offers Quit with the others; keep the palette free of duplicates.
        for command in super().get_system_commands(screen):
            if command.title != "Quit":
                yield command

    # --- sessions -----------------------------------------------------------------------------
    # Screens past the first are imported when needed (start-up) or warmed up after it.


    def _session(self, mode: str, questions: list[Question], *, topic: str | None = None,
                 concept: str | None = None) -> StudySession:
        self.feedbacks = []
        return StudySession(self.bank, self.store, mode, questions, rng=self.rng, now=self.now,
                            topic=topic, concept=concept)

    def _review_session(self) -> StudySession | None:
        questions = review_queue(self.bank, self.store, self.now())
        if not questions:
            self._start_notice = "Nothing to review right now: practise a topic instead."
            return None
        return self._session("review", questions)

    def _practice_session(self, topic: str | None, concept: str | None) -> StudySession | None:
        questions = practice_queue(self.bank, topic=topic, concept=concept, rng=self.rng)
        if not questions:
            what = self.bank.concepts[concept].title if concept else (
                self.bank.topics[topic].title if topic else "the bank")
            self._start_notice = f"No questions on {what} yet."
            return None
        return self._session("practice", questions, topic=topic, concept=concept)

    def _begin(self, session: StudySession | None) -> None:
        if session is None:
            self.notify(self._start_notice or "Nothing to ask.", timeout=4)
            self._start_notice = None
            return
        self.push_screen(QuestionScreen(session))

    def start_review(self) -> None:
        """Today's review: due questions first, then today's new ones."""
        self._begin(self._review_session())

    def start_practice(self, topic: str | None, concept: str | None = None) -> None:
        """Every question of a topic (or a concept), without touching the schedule."""
        self._begin(self._practice_session(topic, concept))

    def pick_concept(self, topic: str) -> None:
        """Ask which concept of a topic to practise, then start."""

        def chosen(concept: str | None) -> None:
            if concept:
                self.start_practice(None, concept)

        from quiz.tui.screens.modals import ConceptPickerModal

        self.push_screen(ConceptPickerModal(self.bank, topic), chosen)

    @property
    def can_undo(self) -> bool:
        """Whether the current session has an answer to take back."""
        return bool(self.feedbacks)

    def show_feedback(self, session: StudySession, feedback: Feedback) -> None:
        """The stored answer's feedback, in place of the question."""
        from quiz.tui.screens.feedback import FeedbackScreen

        self.feedbacks.append(feedback)
        self.switch_screen(FeedbackScreen(session, feedback))

    def regraded(self, feedback: Feedback) -> None:
        """Keep the latest answer's feedback in step with its new rating."""
        if self.feedbacks:
            self.feedbacks[-1] = feedback

    def next_question(self, session: StudySession) -> None:
        """Go on to the next question, or to the summary after the last."""
        if session.advance() is None:
            from quiz.tui.screens.summary import SummaryScreen

            self.switch_screen(SummaryScreen(session, session.summary()))
        else:
            self.switch_screen(QuestionScreen(session))

    def undo(self, session: StudySession) -> None:
        """Take back the last answer and ask that question again."""
        if session.undo() is not None:
            self.feedbacks.pop()
            self.switch_screen(QuestionScreen(session))
            self.notify("Answer taken back.", timeout=2)

    def end_session(self, session: StudySession) -> None:
        """Stop early: the answers given so far are kept and summed up."""
        from quiz.tui.screens.summary import SummaryScreen

        summary = session.summary()
        if not session.finished:
            # StudySession has no "finish early"; record the partial result on its row.
            self.store.finish_session(session.id, score=summary.score, total=summary.total,
                                      per_topic=summary.per_topic)
        if summary.total:
            self.switch_screen(SummaryScreen(session, summary))
        else:
            self.show_home()

    def open_stats(self) -> None:
        """The progress figures."""
        from quiz.tui.screens.stats import StatsScreen

        self.push_screen(StatsScreen())

    def show_home(self) -> None:
        """Back to the home screen (it recounts its figures on resume)."""
        home = next((s for s in self.screen_stack if isinstance(s, HomeScreen)), None)
        if home is None:
            self.switch_screen(HomeScreen())
            return
        while self.screen is not home and len(self.screen_stack) > 1:
            self.pop_screen()


def make_app(bank: Bank, store: Store, *, now: Callable[[], datetime] = utc_now,
             rng: random.Random | None = None, start: str = "home",
             topic: str | None = None, concept: str | None = None) -> QuizApp:
    """The app on a bank and a store, with an injectable clock and shuffle; see ``QuizApp``."""
    return QuizApp(bank, store, now=now, rng=rng, start=start, topic=topic, concept=concept)
