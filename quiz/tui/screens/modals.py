"""Dialogs: a message with buttons, pick a concept to practise, look again at a missed
question's feedback."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, OptionList, Static
from textual.widgets.option_list import Option

from quiz.bank import Bank
from quiz.session import Feedback
from quiz.tui.text import literal, plural
from quiz.tui.widgets.countdown import Countdown
from quiz.tui.widgets.feedback_view import FeedbackView

if TYPE_CHECKING:
    from quiz.exam import ExamRun


class ButtonDialog(ModalScreen[str | None]):
    """A short message with a row of buttons; dismisses with the chosen button's id.

    Subclasses bind keys to ``choose('<id>')`` so the footer shows them.
    """

    def __init__(self, title: str, body: Content, choices: list[tuple[str, str]],
                 run: ExamRun | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.choices = choices  # (id, label); the first is the default
        self.run = run  # shows its clock when given

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-frame -small exam-dialog") as frame:
            frame.border_title = Content(self.title_text)
            yield Static(self.body, classes="dialog-body")
            if self.run is not None:
                run = self.run
                yield Countdown(run.remaining, lambda: run.warning, classes="dialog-clock")
            with Horizontal(classes="dialog-buttons"):
                for i, (choice, label) in enumerate(self.choices):
                    yield Button(label, id=choice, compact=True,
                                 variant="primary" if i == 0 else "default")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Button).focus()

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)


class ConfirmModal(ButtonDialog):
    """Yes or no to a change of many things at once; dismisses with "yes" or None."""

    BINDINGS = [Binding("y", "choose('yes')", "Yes"),
                Binding("n,escape", "dismiss(None)", "No")]

    def __init__(self, title: str, body: Content) -> None:
        super().__init__(title, body, [("yes", "Yes"), ("no", "No")])


class EndSessionModal(ButtonDialog):
    """'End this review and start practice · Encryption?': asked before another session
    replaces a running one; dismisses with "end" or "stay"."""

    BINDINGS = [
        Binding("y", "choose('end')", "End it and start"),
        Binding("escape,n", "choose('stay')", "Keep going"),
    ]

    def __init__(self, current: str, what: str) -> None:
        super().__init__(f"End this {current.split(' ·')[0]}?",
                         literal(f"End this {current} and start {what}? The answers given so "
                                 "far are kept."),
                         [("end", "End it and start"), ("stay", "Keep going")])


class ConceptPickerModal(ModalScreen[str | None]):
    """The concepts of one topic with their question counts; dismisses with a concept id."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, bank: Bank, topic: str) -> None:
        super().__init__()
        self.bank = bank
        self.topic = topic

    def compose(self) -> ComposeResult:
        options = []
        for concept in self.bank.concepts.values():
            if concept.topic != self.topic:
                continue
            count = len(self.bank.with_concept(concept.id))
            prompt = Content.assemble(literal(concept.title),
                                      (f"  {plural(count, 'question')}", "$text-muted"))
            options.append(Option(prompt, id=concept.id, disabled=not count))
        with Vertical(classes="modal-frame -small") as frame:
            topic = self.bank.topics.get(self.topic)
            frame.border_title = Content.assemble(
                "Practise a concept of ", literal(topic.title if topic else self.topic))
            frame.border_subtitle = Content("enter start · esc cancel")
            yield OptionList(*options, id="concepts", markup=False)
        yield Footer()

    @on(OptionList.OptionSelected, "#concepts")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_id)


class MissedQuestionModal(ModalScreen[None]):
    """A question answered wrongly in the session, with its full feedback again."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close"),
        Binding("enter", "dismiss(None)", "Close", show=False),
    ]

    def __init__(self, bank: Bank, feedback: Feedback) -> None:
        super().__init__()
        self.bank = bank
        self.feedback = feedback

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-frame") as frame:
            frame.border_title = literal(f"Missed: {self.feedback.question.id}")
            frame.border_subtitle = Content("↑↓ PgUp PgDn scroll · esc close")
            yield FeedbackView(self.bank, self.feedback, show_stem=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(FeedbackView).focus()
