"""A timed mock exam: one question at a time, free navigation, a clock, no feedback until the
paper is handed in. The flow functions start, resume or finish an attempt for the app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static

from quiz.exam import ExamClosed, ExamFormat, ExamRun, draw_exam, unfinished_exam
from quiz.tui.text import literal, plural
from quiz.tui.widgets.choice_list import ChoiceList
from quiz.tui.widgets.countdown import Countdown
from quiz.tui.widgets.prose import markdown_widget

# The dialogs (quiz.tui.screens.exam_modals, with the app's other modals: ~8 ms of imports)
# are imported where one is opened: `quiz exam` shows its first question without them.

if TYPE_CHECKING:
    from quiz.exam_marking import ExamResult
    from quiz.session import Showing
    from quiz.tui.app import QuizApp


class PaperChoices(ChoiceList):
    """The choices as in study; their arrow and space keys work but stay out of the footer,
    which the exam's own keys fill (the number keys do the same)."""

    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Move", show=False),
        Binding("space", "toggle", "Toggle", show=False),
    ]


def question_widgets(showing: Showing) -> Iterator[Widget]:
    """The stem, 'Select N' for a multi question, and the choices with the picks so far."""
    question = showing.question
    yield markdown_widget(question.question, "stem")
    if question.is_multi:
        yield Static(literal(f"Select {showing.picks_needed}"), id="select-hint")
    yield PaperChoices([c.text for c in showing.choices], multi=question.is_multi,
                       picked=showing.selected, id="choices")


ARROWS = Binding.Group("Prev/next", compact=True)


class ExamScreen(Screen[None]):
    """The paper: number keys pick (stored at once), Enter moves on, s hands it in."""

    # No auto focus: it would pick the scrolling body first, and each focus change restyles
    # the focused widget's whole subtree; on_mount focuses the right widget itself.
    AUTO_FOCUS = ""
    BINDINGS = [
        Binding("1", "pick(0)", "Choose", key_display="1-6"),
        *(Binding(str(n), f"pick({n - 1})", show=False) for n in range(2, 7)),
        Binding("enter", "confirm", "Next"),
        # Priority: the scrolling body would take the arrows otherwise.
        Binding("left,[", "go(-1)", "Back", key_display="←", priority=True, group=ARROWS),
        Binding("right,]", "go(1)", "Forward", key_display="→", priority=True, group=ARROWS),
        Binding("f", "flag", "Flag"),
        Binding("l", "jump", "List"),
        Binding("s", "submit", "Submit"),
        Binding("escape", "leave", "Leave"),
        Binding("pageup", "scroll(-1)", "Page up", show=False),
        Binding("pagedown", "scroll(1)", "Page down", show=False),
    ]

    def __init__(self, run: ExamRun) -> None:
        super().__init__()
        self.run = run
        self.showing: Showing = run.current
        self._warned = run.warning  # a resumed attempt already in its last minutes: no toast

    @property
    def quiz(self) -> QuizApp:
        return cast("QuizApp", self.app)

    def compose(self) -> ComposeResult:
        run = self.run
        with Horizontal(id="exam-header"):
            yield Static(id="exam-position")
            yield Static(Content("⚑ flagged"), id="exam-flag")
            yield Static(id="exam-answered")
            yield Countdown(run.remaining, lambda: run.warning, id="exam-clock")
        with VerticalScroll(id="exam-body"):
            yield from question_widgets(self.showing)
        # The footer is mounted by on_mount, once the choices have the focus.

    async def on_mount(self) -> None:
        self._show_header()
        # Read the stem from its top. At once (Widget.focus waits a turn), and the footer
        # after it: built before, it would lack the keys a select-all question's choices add,
        # and be built again after the paper's first layout (a second layout and frame), as
        # the question screen's was.
        self.set_focus(self.query_one(ChoiceList), scroll_visible=False)
        # Eight keys fill 80 columns: the palette's hint gives way (ctrl+p still opens it).
        await self.mount(Footer(show_command_palette=False))

    def _show_header(self) -> None:
        run, showing = self.run, self.showing
        self.query_one("#exam-position", Static).update(Content.assemble(
            ("Exam", "bold"), f" · question {showing.number} of {showing.total}"))
        self.query_one("#exam-flag").display = run.jump_list()[run.index].flagged
        answered = len(run.questions) - run.unanswered_count
        self.query_one("#exam-answered", Static).update(
            Content(f"{answered} of {len(run.questions)} answered"))

    async def _goto(self, index: int) -> None:
        """Show another question in place of this one."""
        if self.run.finished:
            return
        self.showing = self.run.goto(index)
        body = self.query_one("#exam-body", VerticalScroll)
        await body.remove_children()
        await body.mount_all(question_widgets(self.showing))
        body.scroll_home(animate=False)
        self.query_one(ChoiceList).focus(scroll_visible=False)
        self._show_header()

    def _sync(self) -> bool:
        """Store the list's picks (changed at once on key or click; the message may come
        after a quick Enter). False once the time is up: the paper is handed in instead."""
        if self.run.finished:
            return False
        wanted = self.query_one(ChoiceList).picked
        have = self.showing.selected
        changed = wanted ^ have if self.showing.question.is_multi else wanted - have
        try:
            for index in sorted(changed):
                self.showing = self.run.select(index)
        except ExamClosed:
            self._time_up()
            return False
        if changed:
            self._show_header()
        return True

    # --- actions -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pick":
            return cast(int, parameters[0]) < len(self.showing.order)
        if action == "go":
            target = self.run.index + cast(int, parameters[0])
            return True if 0 <= target < len(self.run.questions) else None
        return True

    def action_pick(self, index: int) -> None:
        self.query_one(ChoiceList).pick(index)

    def on_choice_list_chosen(self, event: ChoiceList.Chosen) -> None:
        self._sync()

    async def action_confirm(self) -> None:
        if not self._sync():
            return
        if self.run.index < len(self.run.questions) - 1:
            await self._goto(self.run.index + 1)
            self.refresh_bindings()
        else:
            self.action_submit()

    async def action_go(self, step: int) -> None:
        if not self._sync():
            return
        target = self.run.index + step
        if 0 <= target < len(self.run.questions):
            await self._goto(target)
            self.refresh_bindings()

    def action_flag(self) -> None:
        flagged = self.run.flag()
        self._show_header()
        self.notify("Flagged for review." if flagged else "Flag removed.", timeout=2)

    def action_jump(self) -> None:
        if not self._sync():
            return

        def chosen(index: int | None) -> None:
            if index is not None:
                self.call_later(self._goto_and_refresh, index)

        from quiz.tui.screens.exam_modals import JumpListModal

        self.app.push_screen(JumpListModal(self.run), chosen)

    async def _goto_and_refresh(self, index: int) -> None:
        await self._goto(index)
        self.refresh_bindings()

    def action_submit(self) -> None:
        if not self._sync():
            return

        def chosen(choice: str | None) -> None:
            if choice == "submit":
                self._hand_in(timed_out=False)

        from quiz.tui.screens.exam_modals import SubmitModal

        self.app.push_screen(SubmitModal(self.run), chosen)

    def action_leave(self) -> None:
        self.leave_then(self.quiz.show_home, close=False)

    def leave_then(self, then: Callable[[], None], *, close: bool = True) -> None:
        """Ask to leave the paper (it stays open, the clock runs on); if the learner agrees,
        ``then`` (home, or a session started from the palette), after closing the paper's
        screens if ``close``."""
        if not self._sync():
            return

        def chosen(choice: str | None) -> None:
            if choice != "leave":
                return
            while close and len(self.app.screen_stack) > 1 and self in self.app.screen_stack:
                self.app.pop_screen()
            then()

        from quiz.tui.screens.exam_modals import LeaveModal

        self.app.push_screen(LeaveModal(self.run), chosen)

    def action_scroll(self, pages: int) -> None:
        body = self.query_one("#exam-body", VerticalScroll)
        if pages < 0:
            body.scroll_page_up()
        else:
            body.scroll_page_down()

    # --- the clock -----------------------------------------------------------------------

    def on_countdown_expired(self, event: Countdown.Expired) -> None:
        event.stop()
        self._time_up()

    def on_countdown_low_time(self, event: Countdown.LowTime) -> None:
        event.stop()
        if not self._warned:
            self._warned = True
            seconds = round(self.run.remaining().total_seconds())
            left = plural(seconds, "second") if seconds < 90 else plural(round(seconds / 60),
                                                                         "minute")
            self.notify(f"{left} left.", severity="warning", timeout=5)

    def _time_up(self) -> None:
        """Hand the paper in as it stands, closing any dialog over it first."""
        if self.run.finished or not self.is_attached:
            return
        while self.app.screen is not self and self in self.app.screen_stack:
            self.app.pop_screen()
        self._hand_in(timed_out=True)

    def _hand_in(self, *, timed_out: bool) -> None:
        result = self.run.submit()
        show_results(self.quiz, self.run, result, timed_out=timed_out)


# --- the flow: new, resumed and expired attempts ------------------------------------------

def show_results(app: QuizApp, run: ExamRun, result: ExamResult, *, timed_out: bool = False,
                 notice: str | None = None) -> None:
    """The results in place of the exam screen (or over whatever is showing)."""
    from quiz.tui.screens.exam_results import ExamResultsScreen

    screen = ExamResultsScreen(run, result, timed_out=timed_out)
    if isinstance(app.screen, ExamScreen):
        app.switch_screen(screen)
    else:
        app.push_screen(screen)
    if timed_out and notice is None:
        notice = "Time is up: the paper was handed in as it stood."
    if notice:
        app.notify(notice, timeout=6)


def start_exam(app: QuizApp, fmt: ExamFormat) -> None:
    """Draw a paper in this format and start the clock."""
    draw = draw_exam(app.bank, fmt.questions, rng=app.rng, all_questions=fmt.all_questions)
    if not draw.questions:
        app.notify("The bank has no questions for an exam.", severity="warning", timeout=4)
        return
    run = ExamRun.start(app.bank, app.store, draw.questions, now=app.now, fmt=fmt)
    app.push_screen(ExamScreen(run))
    if draw.note:  # a shorter paper than asked for: said on screen, and on stderr at the end
        app.notify(draw.note[0].upper() + draw.note[1:] + ".", timeout=10)
        app.exit_notes.append(f"exam: {draw.note}")


def offer_unfinished(app: QuizApp) -> bool:
    """Deal with an attempt left open: resume it or hand it in (asked), or, when its time ran
    out while the app was closed, hand it in as it stood and show the results. False if none."""
    found = unfinished_exam(app.store, app.now())
    if found is None:
        return False
    run = ExamRun.resume(app.bank, app.store, found.attempt, app.now)
    if found.expired:
        started = found.attempt.session.started_at.astimezone()
        # Closed at the deadline if this app started after it; else it ran out while the
        # exam was left (home, another screen) with quiz open.
        where = "while quiz was closed" if run.deadline <= app.started_at else \
            "after you left it"
        show_results(app, run, run.submit(), timed_out=True, notice=(
            f"The exam started {started:%a %d %b %H:%M} ran out of time {where}: "
            "it was handed in as it stood."))
        return True

    def hand_in(choice: str | None) -> None:
        if choice == "submit" and not run.finished:
            show_results(app, run, run.submit())

    def discard(choice: str | None) -> None:
        if choice == "delete":
            app.store.delete_exam(run.attempt.id)
            app.notify("The unfinished exam was deleted.", timeout=4)
            refresh_home(app)

    from quiz.tui.screens.exam_modals import DeleteExamModal, ResumeModal, SubmitModal

    def chosen(choice: str | None) -> None:
        if choice == "resume":
            app.push_screen(ExamScreen(run))
        elif choice == "submit":  # one key must not end an exam: ask first
            app.push_screen(SubmitModal(run), hand_in)
        elif choice == "delete":
            app.push_screen(DeleteExamModal(handed_in=False), discard)

    answered = len(run.questions) - run.unanswered_count
    app.push_screen(ResumeModal(found, answered, run.remaining()), chosen)
    return True


def refresh_home(app: QuizApp) -> None:
    """Recount the home screen if it is showing (an exam was deleted under it)."""
    from quiz.tui.screens.home import HomeScreen

    if isinstance(app.screen, HomeScreen):
        app.screen.refresh_figures()


def open_exam(app: QuizApp, fmt: ExamFormat, *, ask: bool = True) -> None:
    """Home's x and ``quiz exam``: an open attempt first; else a new paper (``ask``: confirm
    or change the format in a dialog first)."""
    if offer_unfinished(app):
        return
    if not ask:
        start_exam(app, fmt)
        return

    def chosen(chosen_format: ExamFormat | None) -> None:
        if chosen_format is not None:
            start_exam(app, chosen_format)

    from quiz.tui.screens.exam_modals import ExamSetupModal

    app.push_screen(ExamSetupModal(app.bank, fmt), chosen)
