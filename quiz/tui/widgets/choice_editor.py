"""One choice in the question form: a correct toggle, its text, its why, a remove button, and
the problems the validator found with it."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Static

from quiz.tui.text import literal, plural


def one_line(text: str) -> str:
    """Bank prose as a single-line Input shows it (its line breaks become spaces)."""
    return " ".join(text.split())


class ChoiceEditor(Vertical):
    """A choice of the question being written or edited.

    Keys the form does not show (a scenario question's ``claims``) are kept in ``extra`` and
    written back untouched. A text or why the user did not change is given back exactly as it
    was read, so editing another field never rewraps it.
    """

    class Removed(Message):
        """The remove button was pressed."""

        def __init__(self, editor: ChoiceEditor) -> None:
            super().__init__()
            self.editor = editor

    def __init__(self, choice: dict[str, Any] | None = None) -> None:
        super().__init__(classes="choice-editor")
        choice = dict(choice or {})
        self.original_text = choice.pop("text", "")
        self.original_why = choice.pop("why", "") or ""
        self.initially_correct = bool(choice.pop("correct", False))
        self.extra = choice  # claims and anything else the form does not edit

    def compose(self) -> ComposeResult:
        text = str(self.original_text) if self.original_text is not None else ""
        why = str(self.original_why)
        with Horizontal(classes="choice-head"):
            yield Static("", classes="choice-number")
            yield Checkbox("correct", self.initially_correct, compact=True,
                           classes="choice-correct")
            yield Input(one_line(text), placeholder="Choice text", compact=True,
                        classes="choice-text")
        with Horizontal(classes="choice-why-row"):
            yield Static("why", classes="choice-why-label")
            yield Input(one_line(why), placeholder="Why it is right or wrong (say it for every "
                        "wrong choice)", compact=True, classes="choice-why")
            remove = Button("✕", compact=True, classes="choice-remove",
                            tooltip="Remove this choice (F4)")
            remove.can_focus = False  # Tab goes tick → text → why; F4 removes from the keyboard
            yield remove
        claims = self.extra.get("claims")
        if claims:
            yield Static(literal(f"{plural(len(claims), 'reachability claim')} kept as written "
                                 "(edit them in the YAML)", "$text-muted"), classes="choice-note")
        yield Static(classes="field-problems")

    def set_number(self, number: int, *, removable: bool) -> None:
        """Show the choice's position (1-based) and whether it may be removed."""
        self.query_one(".choice-number", Static).update(Content(f"{number}"))
        self.query_one(".choice-remove", Button).disabled = not removable

    @property
    def correct(self) -> bool:
        return self.query_one(".choice-correct", Checkbox).value

    @property
    def blank(self) -> bool:
        """Nothing typed, not ticked, nothing kept: the form leaves the row out."""
        return not (self.correct or self.extra or any(
            field.value.strip() for field in self.query(Input)))

    def _value(self, name: str, original: Any) -> Any:
        value = self.query_one(f".choice-{name}", Input).value
        if original is not None and value == one_line(str(original)):
            return original  # unchanged: keep the text as it was written (line breaks and all)
        return value

    def to_dict(self) -> dict[str, Any]:
        """The choice as the draft holds it (empty why: none)."""
        return {"text": self._value("text", self.original_text), "correct": self.correct,
                "why": self._value("why", self.original_why), **self.extra}

    def focus_text(self) -> None:
        """Put the cursor in the choice's text."""
        self.query_one(".choice-text", Input).focus()

    @on(Button.Pressed, ".choice-remove")
    def _remove(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Removed(self))
