"""The question form's fields: laid out from a question's data, and read back as a draft.

``form_fields`` yields the form's first fields and ``more_fields`` the rest (every field, its
problem line and hint) filled from a question as the bank holds it, ``first_problem_lines``
the first fields' problem lines; ``read_draft`` turns what
the fields hold now into the dict ``validate_draft`` and the writer take. The ids and classes
here are the ones the stylesheet, the problem display (``quiz.tui.widgets.field_problems``)
and the tests look for.

What only the lower fields use (the choices' editors, the checkbox widget, YAML fields, the
bank's problems) is imported in the functions that build or read those fields: they come after
the form's first frame, which does without those modules (~15M instructions).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import (
    Button,
    Input,
    Select,
    SelectionList,
    Static,
    TextArea,
)

from quiz.bank.files import display_path
from quiz.tui.text import literal
from quiz.tui.widgets.lazy_select import LazySelect
from quiz.tui.widgets.prose import markdown_widget

if TYPE_CHECKING:
    from quiz.bank import Bank
    from quiz.bank.problems import FieldProblem
    from quiz.tui.widgets.choice_editor import ChoiceEditor

MIN_CHOICES, MAX_CHOICES = 2, 6
DIFFICULTIES = ("easy", "medium", "hard")


def short_path(path: Path, width: int = 36) -> str:
    """A path as the user knows it, its start cut off when long (the end says the most)."""
    text = display_path(path)
    return text if len(text) <= width else "…" + text[-(width - 1):]


def parse_tags(text: str) -> list[str]:
    """'kcsa, manifest' → ['kcsa', 'manifest'] (empty items dropped)."""
    return [tag.strip() for tag in text.split(",") if tag.strip()]


def form_title(question_id: str | None, path: Path | None, bank_dir: Path | None, *,
               read_only: bool = False) -> Content:
    """'Edit <id>  <its file>', 'Installed <id>  read-only', or 'New question  → <bank>'."""
    if question_id is not None and read_only:
        return Content.assemble(("Installed ", "bold $text-primary"), (str(question_id), "bold"),
                                ("  read-only", "$text-warning"))
    if question_id is not None:
        where = short_path(path) if path else ""
        return Content.assemble(("Edit ", "bold $text-primary"),
                                literal(str(question_id), "bold"),
                                literal("  " + where, "$text-muted"))
    return Content.assemble(("New question", "bold $text-primary"),
                            (f"  → {short_path(bank_dir or Path('.'))}", "$text-muted"))


def markdown_area(text: str, widget_id: str) -> TextArea:
    """A soft-wrapped text area for bank prose, highlighted as Markdown when it can be."""
    area = TextArea(text, id=widget_id, soft_wrap=True, show_line_numbers=False,
                    tab_behavior="focus")
    # Highlighting needs tree-sitter's Markdown grammar; without it the text is plain.
    if "markdown" in area.available_languages:
        area.language = "markdown"
    return area


def form_fields(data: dict[str, Any], bank: Bank, *, topic: Any,
                question_id: str | None) -> ComposeResult:
    """The form's first fields, filled from ``data``: topic, difficulty, concepts, the
    question and its preview (what a terminal shows first; ``more_fields`` has the rest, and
    ``first_problem_lines`` these fields' problem lines). The selects' option lists are
    mounted after the first frame too (``LazySelect``).

    ``topic`` is the topic to select (or ``Select.NULL``); with a ``question_id`` the form
    edits that question, so its topic and id cannot change.
    """
    editing = question_id is not None
    with Horizontal(classes="form-row"):
        yield Static("Topic", classes="form-label")
        yield LazySelect([(literal(t.title), t.id) for t in bank.topics.values()],
                         prompt="Choose a topic", value=topic,
                         id="form-topic", compact=True, disabled=editing)
    with Horizontal(classes="form-row"):
        yield Static("Difficulty", classes="form-label")
        yield LazySelect([(d, d) for d in DIFFICULTIES], prompt="(not given)",
                         value=data.get("difficulty") or Select.NULL, id="form-difficulty",
                         compact=True)
    yield Static(Content.assemble(("Concepts", "bold"), (
        "  space ticks one; the topic's own come first", "$text-muted")),
        classes="form-heading")
    yield SelectionList[str](id="form-concepts", compact=True)
    yield Static(Content.assemble(("Question", "bold"), (
        "  Markdown; ```yaml blocks for manifests", "$text-muted")),
        classes="form-heading")
    yield markdown_area(str(data.get("question") or ""), "form-stem")
    yield Static(literal("Preview", "$text-muted"), classes="form-heading")
    with Vertical(id="form-preview"):  # as a session shows it (markdown-it only if need be)
        yield markdown_widget(str(data.get("question") or ""))


def first_problem_lines() -> list[tuple[Static, str, bool]]:
    """The problem lines of the first fields (and of the whole question, at the top), each
    with the field it goes next to and whether after it (else before it; a field in a row:
    the row). Mounted with the lower fields: hidden until a check finds a problem, they are
    five widgets the first frame is drawn without."""
    return [(Static(classes="field-problems", id=f"{name}-problems"), field, after)
            for name, field, after in (("general", "#form-topic", False),
                                       ("topic", "#form-topic", True),
                                       ("difficulty", "#form-difficulty", True),
                                       ("concepts", "#form-concepts", True),
                                       ("question", "#form-stem", True))]


def more_fields(data: dict[str, Any], question_id: str | None) -> list[Widget]:
    """The fields below the preview, filled from ``data``: choices, explanation, scenario,
    tags, id, shuffle, then Save and Cancel (mounted after the form's first frame)."""
    from textual.widgets import Checkbox

    from quiz.tui.widgets.choice_editor import ChoiceEditor

    editing = question_id is not None
    with_claims = bool(data.get("scenario"))
    choices = data.get("choices") or [{}, {}, {}, {}]
    return [
        Static(Content.assemble(("Choices", "bold"), (
            f"  {MIN_CHOICES} to {MAX_CHOICES}; tick every correct one (several: select "
            "all that apply); blank rows are left out", "$text-muted")),
            classes="form-heading"),
        Vertical(*(ChoiceEditor(choice if isinstance(choice, dict) else {"text": choice},
                                with_claims=with_claims) for choice in choices),
                 id="form-choices"),
        Static(classes="field-problems", id="choices-problems"),
        Button("+ Add a choice (F3)", id="add-choice", compact=True),
        Static(Content.styled("Explanation", "bold"), classes="form-heading"),
        markdown_area(str(data.get("explanation") or ""), "form-explanation"),
        Static(classes="field-problems", id="explanation-problems"),
        Static(Content.assemble(("Scenario", "bold"), (
            "  optional, YAML: the manifests claims are checked on (a list of objects), or a "
            "file path relative to the question file", "$text-muted")), classes="form-heading"),
        TextArea(scenario_text(data.get("scenario")), id="form-scenario", soft_wrap=False,
                 show_line_numbers=False, tab_behavior="focus"),
        Static(classes="field-problems", id="scenario-problems"),
        Checkbox("Its YAML blocks are broken on purpose: don't check them",
                 data.get("broken_manifest") is True, id="form-broken-manifest", compact=True),
        Static(classes="field-problems", id="broken_manifest-problems"),
        Horizontal(Static("Tags", classes="form-label"),
                   Input(", ".join(map(str, data.get("tags") or [])),
                         placeholder="comma-separated, e.g. kcsa, manifest", id="form-tags",
                         compact=True),
                   classes="form-row"),
        Static(classes="field-problems", id="tags-problems"),
        Horizontal(Static("ID", classes="form-label"),
                   Input(question_id or "", id="form-id", compact=True,
                         disabled=editing, placeholder="proposed from the question"),
                   classes="form-row"),
        Static(literal("The id never changes once saved." if editing else
                       "Proposed from the question's words; type your own if you "
                       "like.", "$text-muted"), classes="form-hint"),
        Static(classes="field-problems", id="id-problems"),
        Checkbox("Shuffle the choices when asking", data.get("shuffle", True) is not
                 False, id="form-shuffle", compact=True),
        Horizontal(Button("Save (F2)", id="save", variant="primary", compact=True),
                   Button("Cancel (esc)", id="cancel", compact=True),
                   id="form-buttons"),
    ]


def fill_concepts(listing: SelectionList[str], bank: Bank, topic: str | None,
                  selected: list[str]) -> None:
    """The catalog's concepts, ``topic``'s first; ``selected`` stay ticked."""
    concepts = list(bank.concepts.values())
    own = [c for c in concepts if c.topic == topic]
    others = [c for c in concepts if c.topic != topic]
    with listing.prevent(SelectionList.SelectedChanged):
        listing.clear_options()
        listing.add_options([(literal(c.title), c.id, c.id in selected) for c in own])
        listing.add_options([(Content.assemble(literal(c.title), (f"  {c.topic}",
                                                                  "$text-muted")),
                              c.id, c.id in selected) for c in others])
        unknown = [c for c in selected if c not in bank.concepts]
        listing.add_options([(literal(f"{c} (not in the catalog)"), c, True)
                             for c in unknown])
        if listing.option_count:
            listing.highlighted = 0


def scenario_text(scenario: Any) -> str:
    """A question's scenario as its text area shows it: a path as it is, objects as YAML."""
    if scenario is None or scenario == "":
        return ""
    if isinstance(scenario, str):
        return scenario
    import yaml  # not at start-up: see choice_editor

    return yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True, width=4096)


def scenario_value(form: Widget, original: dict[str, Any]) -> Any:
    """The scenario the form holds (None: none); raises ``NotYaml``."""
    from quiz.tui.widgets.choice_editor import parse_yaml_field

    text = form.query_one("#form-scenario", TextArea).text
    if "scenario" in original and text == scenario_text(original["scenario"]):
        return original["scenario"]
    value = parse_yaml_field(text)
    return value.strip() if isinstance(value, str) else value


def yaml_problems(form: Widget, original: dict[str, Any],
                  choices: list[ChoiceEditor]) -> list[FieldProblem]:
    """The YAML fields (scenario, each choice's claims) whose text does not parse."""
    from quiz.bank.problems import FieldProblem
    from quiz.tui.widgets.choice_editor import NotYaml

    problems = []
    try:
        scenario_value(form, original)
    except NotYaml as exc:
        problems.append(FieldProblem(("scenario",), str(exc)))
    for n, editor in enumerate(choices):
        try:
            editor.claims_value()
        except NotYaml as exc:
            problems.append(FieldProblem(("choices", n, "claims"), f"claims: {exc}"))
    return problems


def read_draft(form: Widget, original: dict[str, Any], question_id: str | None,
               choices: list[ChoiceEditor]) -> dict[str, Any]:
    """The question as ``form``'s fields hold it now, the keys they do not show kept from
    ``original``; ``choices`` are the editors to include (the blank rows left out)."""
    from textual.widgets import Checkbox

    from quiz.tui.widgets.choice_editor import NotYaml

    difficulty = form.query_one("#form-difficulty", Select).value
    draft = dict(original)
    draft.pop("topic", None)
    try:
        scenario = scenario_value(form, original)
    except NotYaml:
        scenario = original.get("scenario")  # reported by yaml_problems
    draft["scenario"] = scenario
    draft["broken_manifest"] = form.query_one("#form-broken-manifest", Checkbox).value
    draft.update({
        "id": question_id or form.query_one("#form-id", Input).value.strip(),
        "concepts": list(form.query_one("#form-concepts", SelectionList).selected),
        "difficulty": difficulty if isinstance(difficulty, str) else "",
        "tags": parse_tags(form.query_one("#form-tags", Input).value),
        "question": form.query_one("#form-stem", TextArea).text,
        "choices": [editor.to_dict() for editor in choices],
        "shuffle": form.query_one("#form-shuffle", Checkbox).value,
        "explanation": form.query_one("#form-explanation", TextArea).text,
    })
    return draft
