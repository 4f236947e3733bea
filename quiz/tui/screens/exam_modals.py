"""The exam's dialogs: set up a paper, resume one, the jump list, hand in, leave."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from quiz.exam import ExamFormat, kcsa_count, pool_name
from quiz.exam_setup import MINUTES, PASS_PERCENT, QUESTIONS, check_range, format_settings
from quiz.textsafe import first_paragraph
from quiz.tui.screens.modals import ButtonDialog
from quiz.tui.text import inline, literal, plural
from quiz.tui.widgets.countdown import Countdown, clock_text

if TYPE_CHECKING:
    from quiz.bank import Bank
    from quiz.exam import ExamRun, Unfinished

ROW_WIDTH = 62  # a jump-list line inside the 70-column dialog


class SubmitModal(ButtonDialog):
    """Hand the paper in? Names the unanswered and flagged questions."""

    BINDINGS = [Binding("y", "choose('submit')", "Hand in"),
                Binding("n,escape", "dismiss(None)", "Keep going")]

    def __init__(self, run: ExamRun) -> None:
        unanswered = run.unanswered_count
        flagged = sum(item.flagged for item in run.jump_list())
        lines = [
            f"{unanswered} of {plural(len(run.questions), 'question')} "
            f"{'is' if unanswered == 1 else 'are'} unanswered: "
            f"{'it counts' if unanswered == 1 else 'they count'} as wrong."
            if unanswered else "Every question is answered.",
        ]
        if flagged:
            lines.append(f"{plural(flagged, 'question')} flagged for review.")
        lines.append("Once handed in, the answers cannot change.")
        super().__init__("Hand in the paper?", Content("\n".join(lines)),
                         [("submit", "Hand in"), ("back", "Keep going")], run)


class LeaveModal(ButtonDialog):
    """Leave the exam: the clock runs on, x on the home screen resumes it."""

    BINDINGS = [Binding("y", "choose('leave')", "Leave"),
                Binding("n,escape", "dismiss(None)", "Keep going")]

    def __init__(self, run: ExamRun) -> None:
        body = Content("The clock keeps running, as in the real exam. Press x on the home "
                       "screen to resume where you are now while time is left; after that "
                       "the paper is handed in as it stood.")
        super().__init__("Leave the exam?", body, [("leave", "Leave"), ("back", "Keep going")],
                         run)


class DeleteExamModal(ButtonDialog):
    """Delete an exam attempt? Says what goes and what stays."""

    BINDINGS = [Binding("y", "choose('delete')", "Delete"),
                Binding("n,escape", "dismiss(None)", "Keep it")]

    def __init__(self, *, handed_in: bool) -> None:
        stays = ("Its answers already taught the review schedule: they stay in your answer "
                 "history and the schedule keeps what it learned." if handed_in else
                 "It was never handed in, so the schedule never saw its answers.")
        body = Content(f"The attempt leaves the exam history, the scores and the trend. {stays}"
                       " This cannot be undone.")
        super().__init__("Delete this exam attempt?", body,
                         [("back", "Keep it"), ("delete", "Delete")])


class ResumeModal(ButtonDialog):
    """An attempt not handed in and still in time: resume it, hand it in now (asked again)
    or delete it."""

    BINDINGS = [Binding("r", "choose('resume')", "Resume"),
                Binding("h", "choose('submit')", "Hand in now"),
                Binding("d", "choose('delete')", "Delete"),
                Binding("escape", "dismiss(None)", "Later")]

    def __init__(self, unfinished: Unfinished, answered: int, now_left: timedelta) -> None:
        attempt = unfinished.attempt
        started = attempt.session.started_at.astimezone()
        body = Content.assemble(
            f"The exam started {started:%a %d %b at %H:%M} is not handed in: "
            f"{answered} of {plural(len(attempt.question_ids), 'question')} answered, ",
            (f"{clock_text(now_left)} left", "bold"), ".\nIts clock has kept running, as in "
            "the real exam.")
        super().__init__("Unfinished exam", body,
                         [("resume", "Resume"), ("submit", "Hand in now"), ("delete", "Delete"),
                          ("later", "Later")])


class JumpListModal(ModalScreen[int | None]):
    """Every question's status (answered, unanswered, flagged); Enter goes to one."""

    BINDINGS = [Binding("escape,j", "dismiss(None)", "Back")]

    def __init__(self, run: ExamRun) -> None:
        super().__init__()
        self.run = run

    def compose(self) -> ComposeResult:
        run = self.run
        items = run.jump_list()
        options = []
        for item, question in zip(items, run.questions, strict=True):
            status = (("answered  ", "$text-success") if item.answered
                      else ("unanswered", "$text-warning"))
            flag = ("⚑ ", "bold $text-warning") if item.flagged else "  "
            stem = inline(first_paragraph(question.question))
            prompt = Content.assemble(f"{item.number:>3}  ", status, "  ", flag, stem)
            options.append(Option(prompt.truncate(ROW_WIDTH, ellipsis=True),
                                  id=str(item.number - 1)))
        answered = sum(i.answered for i in items)
        flagged = sum(i.flagged for i in items)
        with Vertical(classes="modal-frame -small", id="jump-frame") as frame:
            frame.border_title = Content(
                f"Questions: {answered} answered, {len(items) - answered} unanswered, "
                f"{flagged} flagged")
            frame.border_subtitle = Content("enter go there · esc back")
            yield Countdown(run.remaining, lambda: run.warning, classes="dialog-clock")
            yield OptionList(*options, id="jump-list", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        jump = self.query_one(OptionList)
        jump.highlighted = self.run.index
        jump.focus()

    @on(OptionList.OptionSelected, "#jump-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option_id or 0))


class ExamSetupModal(ModalScreen[ExamFormat | None]):
    """Confirm or change the paper's size, time limit and pass mark, then start."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    FIELDS = (("questions", "Questions", QUESTIONS, ""),
              ("minutes", "Minutes", MINUTES, ""),
              ("pass", "Pass mark %", PASS_PERCENT, "%"))

    def __init__(self, bank: Bank, fmt: ExamFormat) -> None:
        super().__init__()
        self.bank = bank
        self.fmt = fmt

    def compose(self) -> ComposeResult:
        values = format_settings(self.fmt)
        with Vertical(classes="modal-frame -small exam-dialog", id="exam-setup") as frame:
            frame.border_title = Content("Mock exam")
            frame.border_subtitle = Content("enter start · tab next field · esc cancel")
            yield Static(literal(
                "A paper drawn by topic weight from the questions chosen below; no feedback "
                "until it is handed in. The real KCSA: 60 questions, 90 minutes, 75% to "
                "pass."), classes="dialog-body")
            for (name, label, _, _), value in zip(self.FIELDS, values, strict=True):
                with Horizontal(classes="setup-row"):
                    yield Label(label, classes="setup-label")
                    yield Input(str(value), type="integer", id=f"setup-{name}",
                                compact=True, classes="setup-input")
            kcsa, every = kcsa_count(self.bank), len(self.bank.questions)
            with RadioSet(id="setup-pool", compact=True):
                # No kcsa-tagged question (a user's own bank alone): all of them, said so.
                yield RadioButton(f"{pool_name(False)} ({kcsa})", id="pool-kcsa",
                                  value=bool(kcsa) and not self.fmt.all_questions,
                                  disabled=not kcsa, compact=True)
                yield RadioButton(f"{pool_name(True).capitalize()} ({every})", id="pool-all",
                                  value=self.fmt.all_questions or not kcsa, compact=True)
            if not kcsa:
                yield Static(literal("No question is tagged kcsa: the paper is drawn from all "
                                     "of them."), classes="dialog-body", id="pool-note")
            error = Static(id="setup-error")
            error.display = False
            yield error
            with Horizontal(classes="dialog-buttons"):
                yield Button("Start", id="start", compact=True, variant="primary")
                yield Button("Cancel", id="cancel", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#setup-questions", Input).focus()

    def chosen_format(self) -> ExamFormat | str:
        """The format in the fields, or what is wrong with them."""
        values = []
        for name, label, limits, unit in self.FIELDS:
            text = self.query_one(f"#setup-{name}", Input).value.strip()
            if not text.lstrip("-").isdigit():
                return f"{label}: type a whole number"
            problem = check_range(label, int(text), limits, unit)
            if problem:
                return problem
            values.append(int(text))
        questions, minutes, percent = values
        every = self.query_one("#pool-all", RadioButton).value
        return ExamFormat(questions, timedelta(minutes=minutes), percent / 100,
                          all_questions=every)

    def _start(self) -> None:
        chosen = self.chosen_format()
        if isinstance(chosen, str):
            error = self.query_one("#setup-error", Static)
            error.update(literal(chosen, "$text-error"))
            error.display = True
            return
        self.dismiss(chosen)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self._start()

    @on(Button.Pressed, "#start")
    def _start_pressed(self) -> None:
        self._start()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
