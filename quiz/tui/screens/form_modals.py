"""The question form's dialogs: discard unsaved changes, and a file changed on disk."""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content

from quiz.tui.screens.modals import ButtonDialog  # a message with a row of buttons


class DiscardModal(ButtonDialog):
    """Leave the form without saving?"""

    BINDINGS = [Binding("y", "choose('discard')", "Discard"),
                Binding("n,escape", "dismiss(None)", "Keep editing")]

    def __init__(self) -> None:
        super().__init__("Discard the changes?",
                         Content("The question has changes that are not saved."),
                         [("back", "Keep editing"), ("discard", "Discard")])


class ConflictModal(ButtonDialog):
    """The file changed on disk since the form read it: read it again and re-apply?"""

    BINDINGS = [Binding("r", "choose('reload')", "Reload and re-apply"),
                Binding("escape", "dismiss(None)", "Back to the form")]

    def __init__(self, message: str) -> None:
        body = Content.assemble(
            Content(message), "\n\n",
            "Reload reads the file as it is now and saves your form over it again; only this "
            "question changes. Back leaves the file alone (your form stays as it is).")
        super().__init__("The file changed on disk", body,
                         [("reload", "Reload and re-apply"), ("back", "Back to the form")])
