"""The validator's problems shown where they belong in the question form: each beside its
field (a choice's inside that choice), the rest at the top, and a count for the title bar.

The form marks each place with the ``field-problems`` class and ``#<field>-problems`` ids;
this module only decides which problem goes where and how it reads.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, cast

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from quiz.tui.text import literal, plural

if TYPE_CHECKING:  # the add form's first frame is drawn without either module
    from quiz.bank.problems import FieldProblem
    from quiz.tui.widgets.choice_editor import ChoiceEditor

# The fields that have a ``#<field>-problems`` line of their own.
FIELDS = ("topic", "concepts", "question", "choices", "explanation", "tags", "id", "difficulty",
          "scenario", "broken_manifest")
# The loader's messages start with the field they are about; beside the field that is noise.
_LOCATION = re.compile(r"^[a-z_]+(\[\d+\])?(\.[a-z_]+(\[\d+\])?)*: ")


def problem_text(problems: list[FieldProblem]) -> Content:
    """Problems one a line: errors in red, warnings in yellow."""
    lines = []
    for p in problems:
        message = _LOCATION.sub("", p.message)
        if p.severity == "error":
            lines.append(Content.assemble(("✗ ", "bold $text-error"), (message, "$text-error")))
        else:
            lines.append(Content.assemble(("! ", "bold $text-warning"),
                                          (message, "$text-warning")))
    return Content("\n").join(lines)


def problem_status(problems: list[FieldProblem]) -> Content:
    """The title bar's summary: ready to save, or how many errors and warnings."""
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if not problems:
        return literal("✓ ready to save", "$text-success")
    parts = [plural(n, word) for n, word in ((errors, "error"), (warnings, "warning")) if n]
    return literal(" · ".join(parts), "$text-error" if errors else "$text-warning")


def problem_place(form: Widget, path: tuple[str | int, ...],
                  editors: list[ChoiceEditor]) -> Widget:
    """The problem line a field path belongs to: a choice's own, a field's, or the top."""
    if path[:1] == ("choices",) and len(path) >= 2 and isinstance(path[1], int) \
            and path[1] < len(editors):
        return editors[path[1]].query_one(".field-problems")
    if path and path[0] in FIELDS:
        return form.query_one(f"#{path[0]}-problems")
    return form.query_one("#general-problems")


def show_beside_fields(form: Widget, problems: list[FieldProblem],
                       editors: list[ChoiceEditor]) -> None:
    """Each problem in its place in ``form``; a place with none is hidden.

    ``editors`` are the draft's choices, as the problems number them.
    """
    places: dict[Widget, list[FieldProblem]] = {}
    for widget in form.query(".field-problems"):
        places[widget] = []
    for problem in problems:
        places[problem_place(form, problem.path, editors)].append(problem)
    for widget, found in places.items():
        widget.display = bool(found)
        cast(Static, widget).update(problem_text(found))
