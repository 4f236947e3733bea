"""The add / edit question form: every field of a question, checked as you type by the same
rules as ``quiz validate`` (``validate_draft``), each problem shown beside its field.

Saving writes through ``quiz.bank.writer`` (``add_question`` / ``edit_question``), which checks
again, keeps every other byte of the file and refuses to overwrite a file changed on disk since
it was read: the form then offers to read it again and re-apply the change.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import (
    Button,
    Checkbox,
    Footer,
    Input,
    Markdown,
    Select,
    SelectionList,
    Static,
    TextArea,
)
from textual.worker import get_current_worker

from quiz.bank.drafts import FieldProblem, propose_id, validate_draft
from quiz.bank.loader import display_path
from quiz.bank.writer import (
    BankConflict,
    BankWriteError,
    DraftError,
    FileStamp,
    add_question,
    edit_question,
    read_question,
    topic_file,
    topic_stamp,
)
from quiz.tui.text import literal, plural
from quiz.tui.widgets.choice_editor import ChoiceEditor

if TYPE_CHECKING:
    from quiz.bank import Bank
    from quiz.tui.app import QuizApp

CHECK_DELAY = 0.3  # seconds of quiet before the draft is checked again (10,000 questions: ~0.4 s)
MIN_CHOICES, MAX_CHOICES = 2, 6
DIFFICULTIES = ("easy", "medium", "hard")
FIELDS = ("topic", "concepts", "question", "choices", "explanation", "tags", "id", "difficulty")
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


def short_path(path: Path, width: int = 36) -> str:
    """A path as the user knows it, its start cut off when long (the end says the most)."""
    text = display_path(path)
    return text if len(text) <= width else "…" + text[-(width - 1):]


def parse_tags(text: str) -> list[str]:
    """'kcsa, manifest' → ['kcsa', 'manifest'] (empty items dropped)."""
    return [tag.strip() for tag in text.split(",") if tag.strip()]


class QuestionFormScreen(Screen[str | None]):
    """Write a new question into ``bank_dir``, or edit ``question_id`` where it is.

    Dismisses with the saved question's id, or None when cancelled.
    """

    BINDINGS = [
        Binding("f2", "save", "Save"),
        Binding("ctrl+s", "save", "Save", show=False),
        Binding("f3", "add_choice", "Add choice"),
        Binding("f4", "remove_choice", "Remove choice"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, *, bank_dir: Path | None = None, topic: str | None = None,
                 question_id: str | None = None, original: dict[str, Any] | None = None,
                 stamp: FileStamp | None = None, path: Path | None = None) -> None:
        super().__init__()
        self.bank_dir = bank_dir  # where a new question goes
        self.question_id = question_id  # the question being edited (None: a new one)
        self.original: dict[str, Any] = original or {}
        self.stamp = stamp  # the edited file as it was read
        self.path = path  # the edited question's file
        self.start_topic = topic
        self.id_edited = question_id is not None  # the user typed an id: stop proposing one
        self.problems: list[FieldProblem] = []
        self._check_timer: Timer | None = None
        self._generation = 0  # the latest check's number; older results are dropped
        self._stamps: dict[str, FileStamp | None] = {}  # per topic, as first read
        self._initial: dict[str, Any] | None = None

    @classmethod
    def new(cls, bank_dir: Path, topic: str | None = None) -> QuestionFormScreen:
        """The form for a new question in ``bank_dir`` (created on save if need be)."""
        return cls(bank_dir=bank_dir, topic=topic)

    @classmethod
    def edit(cls, target: Path, question_id: str) -> QuestionFormScreen:
        """The form filled with question ``question_id`` of ``target`` (a bank or its file);
        raises ``BankWriteError`` when the question is not there."""
        data, stamp, path = read_question(target, question_id)
        return cls(question_id=question_id, original=data, stamp=stamp, path=path)

    @property
    def quiz(self) -> QuizApp:
        return cast("QuizApp", self.app)

    @property
    def bank(self) -> Bank:
        return self.quiz.bank

    @property
    def editing(self) -> bool:
        return self.question_id is not None

    # --- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        data = self.original
        with Horizontal(classes="title-bar"):
            yield Static(self._title(), id="form-title")
            yield Static(id="form-status")
        with VerticalScroll(id="form-body"):
            yield Static(classes="field-problems", id="general-problems")
            with Horizontal(classes="form-row"):
                yield Static("Topic", classes="form-label")
                yield Select([(literal(t.title), t.id) for t in self.bank.topics.values()],
                             prompt="Choose a topic", value=self._initial_topic(),
                             id="form-topic", compact=True, disabled=self.editing)
            yield Static(classes="field-problems", id="topic-problems")
            with Horizontal(classes="form-row"):
                yield Static("Difficulty", classes="form-label")
                yield Select([(d, d) for d in DIFFICULTIES], prompt="(not given)",
                             value=data.get("difficulty") or Select.NULL, id="form-difficulty",
                             compact=True)
            yield Static(classes="field-problems", id="difficulty-problems")
            yield Static(Content.assemble(("Concepts", "bold"), (
                "  space ticks one; the topic's own come first", "$text-muted")),
                classes="form-heading")
            yield SelectionList[str](id="form-concepts", compact=True)
            yield Static(classes="field-problems", id="concepts-problems")
            yield Static(Content.assemble(("Question", "bold"), (
                "  Markdown; ```yaml blocks for manifests", "$text-muted")),
                classes="form-heading")
            yield self._text_area(str(data.get("question") or ""), "form-stem")
            yield Static(classes="field-problems", id="question-problems")
            yield Static(literal("Preview", "$text-muted"), classes="form-heading")
            yield Markdown(str(data.get("question") or ""), id="form-preview")
            yield Static(Content.assemble(("Choices", "bold"), (
                f"  {MIN_CHOICES} to {MAX_CHOICES}; tick every correct one (several: select "
                "all that apply); blank rows are left out", "$text-muted")),
                classes="form-heading")
            with Vertical(id="form-choices"):
                choices = data.get("choices") or [{}, {}, {}, {}]
                for choice in choices:
                    yield ChoiceEditor(choice if isinstance(choice, dict) else {"text": choice})
            yield Static(classes="field-problems", id="choices-problems")
            yield Button("+ Add a choice (F3)", id="add-choice", compact=True)
            yield Static(Content.styled("Explanation", "bold"), classes="form-heading")
            yield self._text_area(str(data.get("explanation") or ""), "form-explanation")
            yield Static(classes="field-problems", id="explanation-problems")
            with Horizontal(classes="form-row"):
                yield Static("Tags", classes="form-label")
                yield Input(", ".join(map(str, data.get("tags") or [])),
                            placeholder="comma-separated, e.g. kcsa, manifest", id="form-tags",
                            compact=True)
            yield Static(classes="field-problems", id="tags-problems")
            with Horizontal(classes="form-row"):
                yield Static("ID", classes="form-label")
                yield Input(self.question_id or "", id="form-id", compact=True,
                            disabled=self.editing, placeholder="proposed from the question")
            yield Static(literal("The id never changes once saved." if self.editing else
                                 "Proposed from the question's words; type your own if you "
                                 "like.", "$text-muted"), classes="form-hint")
            yield Static(classes="field-problems", id="id-problems")
            yield Checkbox("Shuffle the choices when asking", data.get("shuffle", True) is not
                           False, id="form-shuffle", compact=True)
            with Horizontal(id="form-buttons"):
                yield Button("Save (F2)", id="save", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)
        yield Footer()

    def _text_area(self, text: str, widget_id: str) -> TextArea:
        area = TextArea(text, id=widget_id, soft_wrap=True, show_line_numbers=False,
                        tab_behavior="focus")
        # Highlighting needs tree-sitter's Markdown grammar; without it the text is plain.
        if "markdown" in area.available_languages:
            area.language = "markdown"
        return area

    def _title(self) -> Content:
        if self.editing:
            where = short_path(self.path) if self.path else ""
            return Content.assemble(("Edit ", "bold $text-primary"),
                                    (str(self.question_id), "bold"), ("  " + where, "$text-muted"))
        return Content.assemble(("New question", "bold $text-primary"),
                                (f"  → {short_path(self.bank_dir or Path('.'))}", "$text-muted"))

    def _initial_topic(self) -> Any:  # a topic id or Select.NULL
        topic = self.original.get("topic") or self._edited_topic() or self.start_topic
        return topic if topic in self.bank.topics else Select.NULL

    def _edited_topic(self) -> str | None:
        if not self.editing:
            return None
        question = self.bank.questions.get(str(self.question_id))
        return question.topic if question is not None else None

    def on_mount(self) -> None:
        self._fill_concepts([str(c) for c in self.original.get("concepts") or []])
        self._number_choices()
        self._initial = self.draft()
        self._show_problems([])
        if not self.editing:  # nothing is wrong with a form nobody has filled in yet
            self.query_one("#form-status", Static).update(
                literal("checked as you type", "$text-muted"))
        if self.topic is None:
            self.query_one("#form-topic", Select).focus()
        else:
            self.query_one("#form-concepts", SelectionList).focus()
        if self.editing:
            self._schedule_check(delay=0)

    # --- the draft -----------------------------------------------------------------------

    @property
    def topic(self) -> str | None:
        value = self.query_one("#form-topic", Select).value
        return value if isinstance(value, str) else None

    def choice_editors(self) -> list[ChoiceEditor]:
        return list(self.query_one("#form-choices").query_children(ChoiceEditor))

    def filled_choices(self) -> list[ChoiceEditor]:
        """The choices with anything in them: a row left blank is not a choice."""
        return [editor for editor in self.choice_editors() if not editor.blank]

    def draft(self) -> dict[str, Any]:
        """The question as the form holds it now, keys the form does not show included."""
        difficulty = self.query_one("#form-difficulty", Select).value
        draft = dict(self.original)
        draft.pop("topic", None)
        draft.update({
            "id": self.question_id or self.query_one("#form-id", Input).value.strip(),
            "concepts": list(self.query_one("#form-concepts", SelectionList).selected),
            "difficulty": difficulty if isinstance(difficulty, str) else "",
            "tags": parse_tags(self.query_one("#form-tags", Input).value),
            "question": self.query_one("#form-stem", TextArea).text,
            "choices": [editor.to_dict() for editor in self.filled_choices()],
            "shuffle": self.query_one("#form-shuffle", Checkbox).value,
            "explanation": self.query_one("#form-explanation", TextArea).text,
        })
        return draft

    @property
    def changed(self) -> bool:
        """Whether anything was changed since the form opened."""
        return self._initial is not None and self.draft() != self._initial

    def _target_file(self, topic: str) -> Path | None:
        if self.editing:
            return self.path
        assert self.bank_dir is not None
        return topic_file(self.bank_dir, topic) or self.bank_dir / f"{topic}.yaml"

    # --- live checks ---------------------------------------------------------------------

    @property
    def check_pending(self) -> bool:
        """Whether a change has not been checked yet (the check waits for a pause)."""
        return self._check_timer is not None

    def _schedule_check(self, delay: float = CHECK_DELAY) -> None:
        if self._check_timer is not None:
            self._check_timer.stop()
        self._check_timer = self.set_timer(max(delay, 0.01), self._start_check)

    async def _start_check(self) -> None:
        self._check_timer = None
        stem = self.query_one("#form-stem", TextArea).text
        preview = self.query_one("#form-preview", Markdown)
        if preview.source != stem:
            await preview.update(stem)
        self._propose_id()
        self._generation += 1
        topic = self.topic
        if topic is None:
            self._show_problems([FieldProblem(("topic",), "choose the topic the question "
                                              "belongs to")])
            return
        self._check(self._generation, topic, self.draft())

    @work(thread=True, exclusive=True, group="check")
    def _check(self, generation: int, topic: str, draft: dict[str, Any]) -> None:
        """``validate_draft`` off the event loop: ~0.4 s on a 10,000-question bank."""
        problems = self.check_draft(topic, draft)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._checked, generation, problems)

    def check_draft(self, topic: str, draft: dict[str, Any]) -> list[FieldProblem]:
        """Every problem ``quiz validate`` would report about ``draft``."""
        return validate_draft(self.bank, topic, draft, path=self._target_file(topic),
                              replacing=self.question_id)

    def _checked(self, generation: int, problems: list[FieldProblem]) -> None:
        if generation == self._generation and self.is_mounted:
            self._show_problems(problems)

    def _propose_id(self) -> None:
        """Offer an id made of the stem's words until the user types one."""
        if self.id_edited or self.topic is None:
            return
        stem = self.query_one("#form-stem", TextArea).text
        field = self.query_one("#form-id", Input)
        proposal = propose_id(stem, self.topic, set(self.bank.questions),
                              bank=self.bank) if stem.strip() else ""
        if field.value != proposal:
            with field.prevent(Input.Changed):
                field.value = proposal

    def _show_problems(self, problems: list[FieldProblem]) -> None:
        """Each problem beside its field; the count in the title bar."""
        self.problems = problems
        places: dict[Widget, list[FieldProblem]] = {}
        editors = self.filled_choices()  # the draft's choices, as problems number them
        for widget in self.query(".field-problems"):
            places[widget] = []
        for problem in problems:
            places[self._place(problem.path, editors)].append(problem)
        for widget, found in places.items():
            widget.display = bool(found)
            cast(Static, widget).update(problem_text(found))
        errors = sum(p.severity == "error" for p in problems)
        warnings = len(problems) - errors
        if not problems:
            status = literal("✓ ready to save", "$text-success")
        else:
            parts = [plural(n, word) for n, word in ((errors, "error"), (warnings, "warning"))
                     if n]
            status = literal(" · ".join(parts), "$text-error" if errors else "$text-warning")
        self.query_one("#form-status", Static).update(status)

    def _place(self, path: tuple[str | int, ...], editors: list[ChoiceEditor]) -> Widget:
        """The problem line a field path belongs to: a choice's own, a field's, or the top."""
        if path[:1] == ("choices",) and len(path) >= 3 and isinstance(path[1], int) \
                and path[1] < len(editors):
            return editors[path[1]].query_one(".field-problems")
        if path and path[0] in FIELDS:
            return self.query_one(f"#{path[0]}-problems")
        return self.query_one("#general-problems")

    # --- events --------------------------------------------------------------------------

    @on(TextArea.Changed)
    @on(Input.Changed, ".choice-text, .choice-why, #form-tags")
    @on(Checkbox.Changed)
    @on(SelectionList.SelectedChanged)
    @on(Select.Changed, "#form-difficulty")
    def _field_changed(self) -> None:
        self._schedule_check()

    @on(Input.Changed, "#form-id")
    def _id_changed(self) -> None:
        self.id_edited = bool(self.query_one("#form-id", Input).value)
        self._schedule_check()

    @on(Select.Changed, "#form-topic")
    def _topic_changed(self) -> None:
        self._fill_concepts(list(self.query_one("#form-concepts", SelectionList).selected))
        self._schedule_check(delay=0)

    def _fill_concepts(self, selected: list[str]) -> None:
        """The catalog's concepts, the chosen topic's first; ``selected`` stay ticked."""
        topic = self.topic
        concepts = list(self.bank.concepts.values())
        own = [c for c in concepts if c.topic == topic]
        others = [c for c in concepts if c.topic != topic]
        listing = cast("SelectionList[str]", self.query_one("#form-concepts", SelectionList))
        with listing.prevent(SelectionList.SelectedChanged):
            listing.clear_options()
            listing.add_options([(literal(c.title), c.id, c.id in selected) for c in own])
            listing.add_options([(Content.assemble(literal(c.title), (f"  {c.topic}",
                                                                      "$text-muted")),
                                  c.id, c.id in selected) for c in others])
            unknown = [c for c in selected if c not in self.bank.concepts]
            listing.add_options([(literal(f"{c} (not in the catalog)"), c, True)
                                 for c in unknown])
            if listing.option_count:
                listing.highlighted = 0

    @on(ChoiceEditor.Removed)
    async def _choice_removed(self, event: ChoiceEditor.Removed) -> None:
        await self._remove_choice(event.editor)

    async def action_remove_choice(self) -> None:
        """Remove the choice the cursor is in."""
        editor = next((node for node in (self.focused.ancestors_with_self if self.focused
                                         else []) if isinstance(node, ChoiceEditor)), None)
        if editor is None:
            self.notify("Put the cursor in the choice to remove first.", timeout=3)
            return
        await self._remove_choice(editor)

    async def _remove_choice(self, editor: ChoiceEditor) -> None:
        editors = self.choice_editors()
        if len(editors) <= MIN_CHOICES:
            self.notify(f"A question has at least {MIN_CHOICES} choices.", timeout=3)
            return
        index = editors.index(editor)
        await editor.remove()
        self._number_choices()
        remaining = self.choice_editors()
        remaining[min(index, len(remaining) - 1)].focus_text()
        self._schedule_check()

    @on(Button.Pressed, "#add-choice")
    async def action_add_choice(self) -> None:
        if len(self.choice_editors()) >= MAX_CHOICES:
            return
        editor = ChoiceEditor()
        await self.query_one("#form-choices").mount(editor)
        self._number_choices()
        editor.focus_text()
        editor.scroll_visible()
        self._schedule_check()

    def _number_choices(self) -> None:
        editors = self.choice_editors()
        for number, editor in enumerate(editors, 1):
            editor.set_number(number, removable=len(editors) > MIN_CHOICES)
        self.query_one("#add-choice", Button).disabled = len(editors) >= MAX_CHOICES
        self.refresh_bindings()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add_choice" and len(self.choice_editors()) >= MAX_CHOICES:
            return None  # shown, but greyed out
        if action == "remove_choice" and len(self.choice_editors()) <= MIN_CHOICES:
            return None
        return True

    # --- save and cancel -----------------------------------------------------------------

    def action_cancel(self) -> None:
        if not self.changed:
            self.dismiss(None)
            return
        from quiz.tui.screens.form_modals import DiscardModal

        def chosen(choice: str | None) -> None:
            if choice == "discard":
                self.dismiss(None)

        self.app.push_screen(DiscardModal(), chosen)

    def action_save(self) -> None:
        """Check the draft now (not after the delay) and write it if it has no error."""
        if self._check_timer is not None:
            self._check_timer.stop()
            self._check_timer = None
        self._propose_id()
        self._generation += 1  # a check still running must not overwrite this one
        topic = self.topic
        if topic is None:
            self._show_problems([FieldProblem(("topic",), "choose the topic the question "
                                              "belongs to")])
            self._refuse(1)
            return
        draft = self.draft()
        problems = self.check_draft(topic, draft)
        self._show_problems(problems)
        errors = sum(p.severity == "error" for p in problems)
        if errors:
            self._refuse(errors)
            return
        self._write(topic, draft)

    def _refuse(self, errors: int) -> None:
        self.notify(f"Not saved: fix the {plural(errors, 'error')} first (in red beside "
                    "the fields).", severity="error", timeout=5)
        first = next((w for w in self.query(".field-problems") if w.display), None)
        if first is not None:
            first.scroll_visible()

    def _stamp_for(self, topic: str) -> FileStamp | None:
        """The topic file's stamp as first read (so a change by someone else is noticed)."""
        if topic not in self._stamps:
            assert self.bank_dir is not None
            self._stamps[topic] = topic_stamp(self.bank_dir, topic)
        return self._stamps[topic]

    def _write(self, topic: str, draft: dict[str, Any]) -> None:
        from quiz.tui.authoring import reload_bank

        with_banks = [p for p in self.quiz.bank_paths if Path(p).exists()]
        try:
            if self.editing:
                assert self.path is not None and self.stamp is not None
                path = edit_question(self.path, str(self.question_id), draft,
                                     expected=self.stamp, with_banks=with_banks)
            else:
                assert self.bank_dir is not None
                path = add_question(self.bank_dir, topic, draft,
                                    expected=self._stamp_for(topic), with_banks=with_banks)
        except BankConflict as exc:
            self._conflict(exc, topic)
            return
        except DraftError as exc:
            self._show_problems(exc.problems)
            self._refuse(len(exc.problems))
            return
        except BankWriteError as exc:
            self.notify(str(exc), title="Not saved", severity="error", timeout=10, markup=False)
            return
        qid = str(draft["id"])
        error = reload_bank(self.quiz, self.bank_dir if not self.editing else None)
        if error:
            self.notify(error, title="Saved, but the bank did not reload", severity="warning",
                        timeout=10, markup=False)
        verb = "Saved" if self.editing else "Added"
        self.notify(f"{verb} {qid} in {display_path(path)}.", timeout=4, markup=False)
        self.dismiss(qid)

    def _conflict(self, exc: BankConflict, topic: str) -> None:
        """Someone changed the file since it was read: offer to read it again and re-apply."""
        from quiz.tui.screens.form_modals import ConflictModal

        def chosen(choice: str | None) -> None:
            if choice != "reload":
                return
            try:
                if self.editing:
                    assert self.path is not None
                    data, self.stamp, self.path = read_question(self.path,
                                                                str(self.question_id))
                    # the fields the form does not show come from the file as it is now
                    self.original = data
                else:
                    self._stamps.pop(topic, None)
            except BankWriteError as err:
                self.notify(str(err), title="Cannot reload", severity="error", timeout=10,
                            markup=False)
                return
            self.action_save()

        self.app.push_screen(ConflictModal(str(exc)), chosen)
