"""The add / edit question form: every field of a question, checked as you type by the same
rules as ``quiz validate`` (``validate_draft``), each problem shown beside its field.

The fields themselves are laid out and read back in ``question_form_fields``, the problems
placed by ``quiz.tui.widgets.field_problems``, and saving is ``question_form_save``'s.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import (
    Button,
    Footer,
    Input,
    Select,
    SelectionList,
    Static,
    TextArea,
)
from textual.worker import get_current_worker

from quiz.tui.screens.question_form_fields import (
    MAX_CHOICES,
    MIN_CHOICES,
    fill_concepts,
    first_problem_lines,
    form_fields,
    form_title,
    more_fields,
    read_draft,
    yaml_problems,
)
from quiz.tui.screens.question_form_save import QuestionFormSaving, no_topic
from quiz.tui.text import literal
from quiz.tui.widgets.field_problems import problem_status, show_beside_fields
from quiz.tui.widgets.lazy_select import LazySelect
from quiz.tui.widgets.prose import markdown_widget
from quiz.tui.widgets.title_line import TitleLine

if TYPE_CHECKING:
    from quiz.bank import Bank
    from quiz.bank.problems import FieldProblem
    from quiz.bank.writer import FileStamp
    from quiz.tui.app import QuizApp
    from quiz.tui.widgets.choice_editor import ChoiceEditor

# quiz.bank.drafts and quiz.bank.writer (the loader, pydantic: ~0.1 s) are imported where they
# are used, and warmed up in a thread once the form is drawn (_warm_up): `quiz add` shows the
# form sooner, and the first check finds them loaded. The choices' editors (with the checkbox
# widget) come with the fields below the preview, after the first frame: their module is
# imported there, and their messages are handled by name (on_checkbox_changed,
# on_choice_editor_removed), not with @on, which needs the classes as the form's is built.

CHECK_DELAY = 0.3  # seconds of quiet before the draft is checked again (10,000 questions: ~1 ms;
# the first check builds the bank's indexes, ~0.5 s, in a thread)


def _writer() -> ModuleType:
    from quiz.bank import writer

    return writer


class QuestionFormScreen(QuestionFormSaving, Screen[str | None]):
    """Write a new question into ``bank_dir``, or edit ``question_id`` where it is.

    Dismisses with the saved question's id, or None when cancelled.
    """

    # No auto focus: it would pick the scrolling body first, and each focus change restyles
    # the focused widget's whole subtree; on_mount focuses the right widget itself.
    AUTO_FOCUS = ""
    BINDINGS = [
        Binding("f2", "save", "Save"),
        Binding("ctrl+s", "save", "Save", show=False),
        Binding("f3", "add_choice", "Add choice"),
        Binding("f4", "remove_choice", "Remove choice"),
        Binding("f5", "copy_to_mine", "Copy to my bank"),
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
        # a question of the installed app: shown, copied, never written in place
        self.read_only = path is not None and _writer().is_installed(path)
        self.id_edited = question_id is not None  # the user typed an id: stop proposing one
        self.problems: list[FieldProblem] = []
        self._check_timer: Timer | None = None
        self._generation = 0  # the latest check's number; older results are dropped
        self._stamps: dict[str, FileStamp | None] = {}  # per topic, as first read
        self._initial: dict[str, Any] | None = None
        self._initial_top: tuple[object, ...] | None = None  # the fields shown from the start
        self._previewed = str(self.original.get("question") or "")  # the stem the preview shows
        self._concepts_topic: str | None = None  # the topic whose concepts are listed first
        # The fields below the preview are mounted once the first ones are drawn (_mount_more):
        # until then the form is not complete, and nothing reads or saves it.
        self.complete = False

    @classmethod
    def new(cls, bank_dir: Path, topic: str | None = None) -> QuestionFormScreen:
        """The form for a new question in ``bank_dir`` (created on save if need be)."""
        return cls(bank_dir=bank_dir, topic=topic)

    @classmethod
    def edit(cls, target: Path, question_id: str) -> QuestionFormScreen:
        """The form filled with question ``question_id`` of ``target`` (a bank or its file);
        raises ``BankWriteError`` when the question is not there."""
        data, stamp, path = _writer().read_question(target, question_id)
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
        # The form's title, then its status (two cells apart): one widget (see TitleLine).
        yield TitleLine(form_title(self.question_id, self.path, self.bank_dir,
                                   read_only=self.read_only), Content(), muted_right=False,
                        id="form-title", classes="title-bar")
        with VerticalScroll(id="form-body"):
            if self.read_only:
                yield Static(literal(
                    "This question is part of the installed app: it cannot be changed here "
                    "(an upgrade would replace it). F5 copies it to your own bank, as a new "
                    "question tagged with this one's id, to change as you like.",
                    "$text-warning"), id="read-only-note")
            yield from form_fields(self.original, self.bank, topic=self._initial_topic(),
                                   question_id=self.question_id)
        yield Footer()

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
        self._initial_top = self._top_fields()
        self._show_problems([])  # the title bar's status (the problem lines come later)
        self._fresh_status()
        if self.topic is None:
            self.query_one("#form-topic", Select).focus()
        else:
            self.query_one("#form-concepts", SelectionList).focus()
        # The choices and the fields below them are out of sight at first (below the
        # preview): drawn without them, the form shows ~60 fewer widgets' worth sooner.
        self.quiz.after_first_frame(self._mount_more, self)

    async def _mount_more(self) -> None:
        self.quiz.load_form_styles()  # their rules, not parsed before the first frame
        with self.app.batch_update():  # drawn once complete (no empty problem line shows)
            for select in self.query(LazySelect):  # the lists they open (hidden till then)
                await select.mount_overlay()
            await self.query_one("#form-body").mount_all(
                more_fields(self.original, self.question_id))
            for line, field, after in first_problem_lines():
                place = self.query_one(field)
                if place.parent is not None and place.parent.has_class("form-row"):
                    place = place.parent
                await self.query_one("#form-body").mount(
                    line, **{"after" if after else "before": place})
            self.complete = True
            self._number_choices()
            self._initial = self.draft()
            self._show_problems([])
            self._fresh_status()
            if self.read_only:
                self.query_one("#save", Button).disabled = True
        if self.editing:
            self._schedule_check(delay=0)
        # Once drawn, and after the app's own first-frame work (call_later queues it after).
        self.call_after_refresh(self.call_later, self._drawn)

    def _fresh_status(self) -> None:
        if not self.editing:  # nothing is wrong with a form nobody has filled in yet
            self._status(literal("checked as you type", "$text-muted"))

    def _status(self, status: Content) -> None:
        """The title bar's right part: how the draft stands."""
        self.query_one("#form-title", TitleLine).set_right(Content("  ") + status)

    def _drawn(self) -> None:
        """Once the form is on screen (threads started earlier would hold its first frame
        back): read the topic file ahead of a save, load what checking needs."""
        if self.topic is not None and not self.editing:
            self._prepare_topic(self.topic)
        self._warm_up()

    @work(thread=True, group="warm-up")
    def _warm_up(self) -> None:
        """Import what checking and saving need while the user starts typing (see the imports
        above)."""
        import quiz.bank.drafts  # noqa: F401
        import quiz.bank.writer  # noqa: F401

    @work(thread=True, group="prepare")
    def _prepare_topic(self, topic: str) -> None:
        """Read the topic file's stamp and layout now, so the save itself is quick."""
        assert self.bank_dir is not None
        writer = _writer()
        path = writer.topic_file(self.bank_dir, topic)
        if path is None:
            return
        self._stamps.setdefault(topic, writer.topic_stamp(self.bank_dir, topic))
        writer.prepare(path)

    def action_copy_to_mine(self) -> None:
        """A new question in the user's bank, filled from this (read-only) one."""
        if not self.read_only:
            return
        data = {k: v for k, v in self.draft().items() if k != "id"}
        origin = f"from-{self.question_id}"
        data["tags"] = [*(t for t in data.get("tags") or [] if t != origin), origin]
        copy = QuestionFormScreen(bank_dir=_writer().my_bank(), topic=self._edited_topic(),
                                  original=data)
        self.dismiss(None)
        self.app.push_screen(copy)

    # --- the draft -----------------------------------------------------------------------

    @property
    def topic(self) -> str | None:
        value = self.query_one("#form-topic", Select).value
        return value if isinstance(value, str) else None

    def choice_editors(self) -> list[ChoiceEditor]:
        if not self.complete:
            return []
        from quiz.tui.widgets.choice_editor import ChoiceEditor

        return list(self.query_one("#form-choices").query_children(ChoiceEditor))

    def filled_choices(self) -> list[ChoiceEditor]:
        """The choices with anything in them: a row left blank is not a choice."""
        return [editor for editor in self.choice_editors() if not editor.blank]

    def draft(self) -> dict[str, Any]:
        """The question as the form holds it now, keys the form does not show included."""
        return read_draft(self, self.original, self.question_id, self.filled_choices())

    def _top_fields(self) -> tuple[object, ...]:
        """What the form holds in the fields it shows from its first frame on (the lower ones
        are mounted after it, and a quick typist may change these before)."""
        return (self.query_one("#form-topic", Select).value,
                self.query_one("#form-difficulty", Select).value,
                tuple(self.query_one("#form-concepts", SelectionList).selected),
                self.query_one("#form-stem", TextArea).text)

    @property
    def changed(self) -> bool:
        """Whether anything was changed since the form opened: the first fields against what
        they held at mount, the whole draft once the lower fields are there."""
        if self._initial_top is not None and self._top_fields() != self._initial_top:
            return True
        return self._initial is not None and self.draft() != self._initial

    def _target_file(self, topic: str) -> Path | None:
        if self.editing:
            return self.path
        assert self.bank_dir is not None
        return _writer().topic_file(self.bank_dir, topic) or self.bank_dir / f"{topic}.yaml"

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
        if not self.complete:  # a topic picked at once: checked when the form is whole
            self._schedule_check()
            return
        stem = self.query_one("#form-stem", TextArea).text
        if stem != self._previewed:
            self._previewed = stem
            preview = self.query_one("#form-preview")
            await preview.remove_children()
            await preview.mount(markdown_widget(stem))
        self._propose_id()
        self._generation += 1
        topic = self.topic
        if topic is None:
            self._show_problems([no_topic()])
            return
        self._check(self._generation, topic, self.draft(), self.yaml_problems())

    @work(thread=True, exclusive=True, group="check")
    def _check(self, generation: int, topic: str, draft: dict[str, Any],
               early: list[FieldProblem]) -> None:
        """``validate_draft`` off the event loop (the first one builds the bank's indexes)."""
        problems = early + self.check_draft(topic, draft)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._checked, generation, problems)

    def yaml_problems(self) -> list[FieldProblem]:
        """The scenario or claims fields whose text is not YAML (read on the UI thread)."""
        return yaml_problems(self, self.original, self.filled_choices())

    def check_draft(self, topic: str, draft: dict[str, Any]) -> list[FieldProblem]:
        """Every problem ``quiz validate`` would report about ``draft``."""
        from quiz.bank.drafts import validate_draft

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
        from quiz.bank.drafts import propose_id

        proposal = propose_id(stem, self.topic, set(self.bank.questions),
                              bank=self.bank) if stem.strip() else ""
        if field.value != proposal:
            with field.prevent(Input.Changed):
                field.value = proposal

    def _show_problems(self, problems: list[FieldProblem]) -> None:
        """Each problem beside its field; the count in the title bar."""
        self.problems = problems
        show_beside_fields(self, problems, self.filled_choices())
        self._status(problem_status(problems))

    # --- events --------------------------------------------------------------------------

    @on(TextArea.Changed)
    @on(Input.Changed, "#form-tags")
    @on(SelectionList.SelectedChanged)
    @on(Select.Changed, "#form-difficulty")
    def _field_changed(self) -> None:
        self._schedule_check()

    def on_checkbox_changed(self) -> None:
        """A choice ticked correct or not, the broken-YAML or shuffle box (see the imports)."""
        self._schedule_check()

    @on(TextArea.Changed, "#form-scenario")
    def _scenario_changed(self) -> None:
        """Claims mean something only with a scenario: show their fields when there is one."""
        shown = bool(self.query_one("#form-scenario", TextArea).text.strip())
        for editor in self.choice_editors():
            editor.show_claims(shown)

    @on(Input.Changed, "#form-id")
    def _id_changed(self) -> None:
        self.id_edited = bool(self.query_one("#form-id", Input).value)
        self._schedule_check()

    @on(Select.Changed, "#form-topic")
    def _topic_changed(self) -> None:
        # The start's topic (quiz add --topic, a topic picked on home) is set as the select
        # mounts, before the first frame: its concepts are listed first already, and its file
        # is read once the form is drawn (_drawn), not by a thread the first frame waits for.
        if self.topic != self._concepts_topic:
            self._fill_concepts(list(self.query_one("#form-concepts", SelectionList).selected))
        if self.topic is not None and not self.editing and self.complete:
            self._prepare_topic(self.topic)
        self._schedule_check(delay=0)

    def _fill_concepts(self, selected: list[str]) -> None:
        """The catalog's concepts, the chosen topic's first; ``selected`` stay ticked."""
        listing = cast("SelectionList[str]", self.query_one("#form-concepts", SelectionList))
        self._concepts_topic = self.topic
        fill_concepts(listing, self.bank, self.topic, selected)

    async def on_choice_editor_removed(self, event: ChoiceEditor.Removed) -> None:
        """A choice's remove button (see the imports)."""
        await self._remove_choice(event.editor)

    async def action_remove_choice(self) -> None:
        """Remove the choice the cursor is in."""
        from quiz.tui.widgets.choice_editor import ChoiceEditor

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
        from quiz.tui.widgets.choice_editor import ChoiceEditor

        editor = ChoiceEditor(
            with_claims=bool(self.query_one("#form-scenario", TextArea).text.strip()))
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
        if action == "copy_to_mine":
            return (True if self.complete else None) if self.read_only else False
        if action == "save" and self.read_only:
            return None
        if action in ("save", "add_choice", "remove_choice") and not self.complete:
            return None  # a moment after the first frame (_mount_more)
        if action == "add_choice" and len(self.choice_editors()) >= MAX_CHOICES:
            return None  # shown, but greyed out
        if action == "remove_choice" and len(self.choice_editors()) <= MIN_CHOICES:
            return None
        return True
