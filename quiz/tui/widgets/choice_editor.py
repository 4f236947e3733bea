"""One choice in the question form: a correct toggle, its text and its why (multi-line text
areas, wrapped to the screen), its reachability claims when the question has a scenario, a
remove button, and the problems the validator found with it."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Button, Checkbox, Static, TextArea

# YAML (PyYAML, libyaml) is imported where a field is read or written: the add form's first
# frame has no YAML field (the choices and the scenario are mounted after it).


def prose_area(text: str, *, classes: str, placeholder: str = "") -> TextArea:
    """A soft-wrapped, growing text area for a line or a few of bank prose."""
    return TextArea(text, soft_wrap=True, show_line_numbers=False, tab_behavior="focus",
                    compact=True, classes=classes, placeholder=placeholder)


def claims_text(claims: Any) -> str:
    """Claims as the claims area shows them: one ``- {from: …, to: …}`` line each."""
    if not claims:
        return ""
    import yaml

    if isinstance(claims, list):
        from quiz.bank.drafts import render_flow  # the loader and pydantic: not at start-up

        lines = [f"- {render_flow(c) or yaml.safe_dump(c, default_flow_style=True).strip()}"
                 for c in claims]
        return "\n".join(lines)
    return yaml.safe_dump(claims, sort_keys=False, allow_unicode=True)


class NotYaml(ValueError):
    """A YAML field's text does not parse; the message says where."""


def parse_yaml_field(text: str) -> Any:
    """The value of a YAML text area (None when empty); raises :class:`NotYaml`."""
    if not text.strip():
        return None
    import yaml

    from quiz.safeyaml import SAFE_LOADER

    try:
        return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise NotYaml(f"not valid YAML: {where}{exc.problem or 'syntax error'}") from None
    except yaml.YAMLError:
        raise NotYaml("not valid YAML") from None


class ChoiceEditor(Vertical):
    """A choice of the question being written or edited.

    Keys the form does not show are kept in ``extra`` and written back untouched. A text, why
    or claims the user did not change are given back exactly as they were read.
    """

    class Removed(Message):
        """The remove button was pressed."""

        def __init__(self, editor: ChoiceEditor) -> None:
            super().__init__()
            self.editor = editor

    def __init__(self, choice: dict[str, Any] | None = None, *,
                 with_claims: bool = False) -> None:
        super().__init__(classes="choice-editor")
        choice = dict(choice or {})
        self.original_text = choice.pop("text", "")
        self.original_why = choice.pop("why", "") or ""
        self.initially_correct = bool(choice.pop("correct", False))
        self.original_claims = choice.pop("claims", None)
        self.claims_shown = with_claims or bool(self.original_claims)
        self.extra = choice  # anything else the form does not edit

    def compose(self) -> ComposeResult:
        text = str(self.original_text) if self.original_text is not None else ""
        with Horizontal(classes="choice-head"):
            yield Static("", classes="choice-number")
            yield Checkbox("correct", self.initially_correct, compact=True,
                           classes="choice-correct")
            remove = Button("✕", compact=True, classes="choice-remove",
                            tooltip="Remove this choice (F4)")
            remove.can_focus = False  # Tab goes tick → text → why; F4 removes from the keyboard
            yield remove
        yield prose_area(text, classes="choice-text", placeholder="Choice text")
        yield Static("why", classes="choice-label")
        yield prose_area(str(self.original_why), classes="choice-why",
                         placeholder="Why it is right or wrong (say it for every wrong choice)")
        label = Static(Content.assemble(("claims", ""), (
            "  YAML: - {from: ns/pod, to: ns/pod, port: 80, allowed: true}", "$text-muted")),
            classes="choice-label choice-claims-label")
        area = prose_area(claims_text(self.original_claims), classes="choice-claims")
        area.soft_wrap = False
        label.display = area.display = self.claims_shown
        yield label
        yield area
        yield Static(classes="field-problems")

    def set_number(self, number: int, *, removable: bool) -> None:
        """Show the choice's position (1-based) and whether it may be removed."""
        self.query_one(".choice-number", Static).update(Content(f"{number}"))
        self.query_one(".choice-remove", Button).disabled = not removable

    def show_claims(self, shown: bool) -> None:
        """Show the claims field (the question has a scenario) or hide it (unless it has any)."""
        self.claims_shown = shown or bool(self._area_text("claims").strip())
        for widget in self.query(".choice-claims, .choice-claims-label"):
            widget.display = self.claims_shown

    def _area_text(self, name: str) -> str:
        """A text area's text; before the editor is composed, what it will start with."""
        try:
            return self.query_one(f".choice-{name}", TextArea).text
        except NoMatches:
            return {"text": str(self.original_text or ""), "why": str(self.original_why),
                    "claims": claims_text(self.original_claims)}[name]

    @property
    def correct(self) -> bool:
        try:
            return self.query_one(".choice-correct", Checkbox).value
        except NoMatches:  # mounted but not composed yet (just added)
            return self.initially_correct

    @property
    def blank(self) -> bool:
        """Nothing typed, not ticked, nothing kept: the form leaves the row out."""
        return not (self.correct or self.extra or any(
            self._area_text(name).strip() for name in ("text", "why", "claims")))

    def _value(self, name: str, original: Any) -> Any:
        value = self._area_text(name)
        if original is not None and value == str(original):
            return original  # unchanged: keep the text as it was read
        return value

    def claims_value(self) -> Any:
        """The claims as typed (None: none); raises :class:`NotYaml`."""
        text = self._area_text("claims")
        if self.original_claims is not None and text == claims_text(self.original_claims):
            return self.original_claims
        return parse_yaml_field(text)

    def to_dict(self) -> dict[str, Any]:
        """The choice as the draft holds it (empty why: none; claims that are not YAML are
        left out here: the form reports them)."""
        out = {"text": self._value("text", self.original_text), "correct": self.correct,
               "why": self._value("why", self.original_why)}
        try:
            claims = self.claims_value()
        except NotYaml:
            claims = None
        if claims is not None:
            out["claims"] = claims
        return {**out, **self.extra}

    def focus_text(self) -> None:
        """Put the cursor in the choice's text."""
        self.query_one(".choice-text", TextArea).focus()

    @on(Button.Pressed, ".choice-remove")
    def _remove(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Removed(self))
