"""The settings screen: every user setting, checked as it is typed (``check_setting``), saved
into the database with F2 / ctrl+s, used from the next question on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from quiz.store.records import LEECH_ACTIONS, Settings, check_setting
from quiz.tui.screens.modals import ButtonDialog
from quiz.tui.screens.optimize import OptimizeModal, parameters_line

if TYPE_CHECKING:
    from quiz.tui.app import QuizApp


@dataclass(frozen=True)
class TextSetting:
    """A setting typed into a field: its label and what it does, in one short line each."""

    name: str
    label: str
    help: str
    placeholder: str = ""


TEXT_SETTINGS = (
    TextSetting("daily_new_limit", "New questions a day",
                "New questions a review brings in each day"),
    TextSetting("desired_retention", "Desired retention",
                "Higher: more reviews, fewer lapses"),
    TextSetting("maximum_interval", "Maximum interval",
                "Days: no review is scheduled further out"),
    TextSetting("practice_length", "Practice length",
                "Questions in a practice session; 0: all"),
    TextSetting("exam_date", "Exam date",
                "YYYY-MM-DD, or empty: countdown and cram", "none"),
    TextSetting("leech_threshold", "Leech threshold",
                "Lapses that make a question a leech"),
)
LEECH_HELP = {"tag": "Leeches are marked (browse, stats)",
              "suspend": "Leeches are marked and left out of reviews"}


def shown_value(name: str, value: Any) -> str:
    """A setting as the field shows it."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def parse_setting(name: str, text: str, today: date) -> Any:
    """The value typed for setting ``name``; ValueError with the message to show."""
    text = text.strip()
    if name == "exam_date":
        if text.lower() in ("", "none"):
            return None
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError("Use YYYY-MM-DD, e.g. 2026-12-15, or leave it empty") from None
        if day < today:
            raise ValueError("That day is past: give the day of your exam")
        return check_setting(name, day)
    value: Any = text
    try:
        value = float(text) if name == "desired_retention" else int(text)
    except ValueError:
        pass  # check_setting says what the setting may hold
    return check_setting(name, value)


def problem_message(name: str, error: ValueError) -> str:
    """check_setting's message without the setting's internal name: "Must be …"."""
    message = str(error)
    if message.startswith(f"{name} "):
        message = message[len(name) + 1:]
    return message[:1].upper() + message[1:]


class LeaveSettingsModal(ButtonDialog):
    """Leave the settings with changes that are not saved?"""

    BINDINGS = [Binding("s", "choose('save')", "Save"),
                Binding("d", "choose('discard')", "Discard"),
                Binding("n,escape", "dismiss(None)", "Keep editing")]

    def __init__(self) -> None:
        super().__init__("Leave the settings?",
                         Content("Some settings are changed and not saved."),
                         [("back", "Keep editing"), ("save", "Save"), ("discard", "Discard")])


class SettingsScreen(Screen[None]):
    """The user's settings, one a line, each with what it does."""

    BINDINGS = [
        Binding("f2", "save", "Save"),
        Binding("ctrl+s", "save", "Save", show=False),  # flow control on some terminals
        Binding("escape", "leave", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.saved = False
        self.original: Settings | None = None
        self.original_theme = ""
        self.problems: dict[str, str] = {}

    @property
    def quiz(self) -> QuizApp:
        return cast("QuizApp", self.app)

    def compose(self) -> ComposeResult:
        settings = self.original = self.quiz.store.settings()
        self.original_theme = self.quiz.theme
        with Horizontal(classes="title-bar"):
            yield Static(Content.assemble(("Settings", "bold $text-primary")),
                         id="settings-title")
            yield Static(Content("stored with your progress"), id="settings-where")
        with VerticalScroll(id="settings-form"):
            for field in TEXT_SETTINGS:
                with Horizontal(classes="setting-row"):
                    yield Label(field.label, classes="setting-label")
                    yield Input(shown_value(field.name, getattr(settings, field.name)),
                                placeholder=field.placeholder, id=field.name, compact=True,
                                classes="setting-input")
                    yield Static(Content(field.help), classes="setting-help")
                yield Static(id=f"{field.name}-problem", classes="setting-problem")
            with Horizontal(classes="setting-row"):
                yield Label("Leech action", classes="setting-label")
                yield Select([(a, a) for a in LEECH_ACTIONS], value=settings.leech_action,
                             allow_blank=False, id="leech_action", compact=True,
                             classes="setting-input")
                yield Static(Content(LEECH_HELP[settings.leech_action]),
                             id="leech-help", classes="setting-help")
            with Horizontal(classes="setting-row", id="fsrs-row"):
                yield Label("FSRS parameters", classes="setting-label")
                yield Static(Content(parameters_line(settings)), id="fsrs-parameters")
                yield Button("Optimise from my history", id="optimize", compact=True)
            with Horizontal(classes="setting-row", id="theme-row"):
                yield Label("Theme", classes="setting-label")
                names = sorted(self.quiz.available_themes)
                yield OptionList(*(Option(Content(n), id=n) for n in names), id="theme",
                                 classes="setting-themes")
                yield Static(Content("Previewed as you move"),
                             classes="setting-help")
            with Horizontal(id="settings-buttons"):
                yield Button("Save", id="save", compact=True, variant="primary")
                yield Button("Cancel", id="cancel", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.quiz.previewing_theme = True
        themes = self.query_one("#theme", OptionList)
        names = sorted(self.quiz.available_themes)
        if self.original_theme in names:
            themes.highlighted = names.index(self.original_theme)
        self.watch(self.app, "theme", self._theme_changed, init=False)
        self.query_one(f"#{TEXT_SETTINGS[0].name}", Input).focus()

    def on_unmount(self) -> None:
        # Left without saving (escape, or the palette took the user elsewhere): the theme
        # previewed goes back to the stored one.
        if not self.saved and self.quiz.theme != self.original_theme:
            self.quiz.theme = self.original_theme
        self.quiz.previewing_theme = False

    # --- editing -----------------------------------------------------------------------------

    @on(Input.Changed, ".setting-input")
    def _typed(self, event: Input.Changed) -> None:
        name = event.input.id or ""
        try:
            parse_setting(name, event.value, self._today())
        except ValueError as error:
            self.problems[name] = problem_message(name, error)
        else:
            self.problems.pop(name, None)
        problem = self.problems.get(name)
        event.input.set_class(problem is not None, "-invalid")
        line = self.query_one(f"#{name}-problem", Static)
        line.update(Content.assemble(("✗ ", "bold $text-error"), (problem, "$text-error"))
                    if problem else Content(""))
        line.set_class(problem is not None, "-shown")

    @on(Input.Submitted, ".setting-input")
    def _next_field(self) -> None:
        self.focus_next()

    @on(Select.Changed, "#leech_action")
    def _leech_action(self, event: Select.Changed) -> None:
        self.query_one("#leech-help", Static).update(Content(LEECH_HELP[str(event.value)]))

    @on(OptionList.OptionHighlighted, "#theme")
    def _preview_theme(self, event: OptionList.OptionHighlighted) -> None:
        # Only as the user moves: a theme switch restyles the whole app (~0.1-0.3 s), so the
        # list's own highlighting while the screen opens must not cause one.
        if event.option_list.has_focus and event.option_id \
                and event.option_id in self.app.available_themes:
            self.app.theme = event.option_id

    def _theme_changed(self, name: str) -> None:
        """A theme picked elsewhere (Textual's "Change theme") while this screen is open."""
        themes = self.query_one("#theme", OptionList)
        index = themes.get_option_index(name) if name in self.app.available_themes else None
        if index is not None and themes.highlighted != index:
            themes.highlighted = index

    def _today(self) -> date:
        return self.quiz.now().astimezone().date()

    def changes(self) -> dict[str, Any]:
        """The settings whose valid value differs from the stored one."""
        assert self.original is not None
        changed: dict[str, Any] = {}
        for field in TEXT_SETTINGS:
            if field.name in self.problems:
                continue
            value = parse_setting(field.name, self.query_one(f"#{field.name}", Input).value,
                                  self._today())
            if value != getattr(self.original, field.name):
                changed[field.name] = value
        action = self.query_one("#leech_action", Select).value
        if action != self.original.leech_action:
            changed["leech_action"] = action
        theme, stored = self.chosen_theme(), self.original.theme
        # A stored theme this Textual lacks shows as the default: keeping it is a change.
        if theme != self.original_theme or (stored is not None and stored != theme):
            changed["theme"] = theme
        return changed

    def chosen_theme(self) -> str:
        """The theme highlighted in the list (what the preview shows, or is about to)."""
        option = self.query_one("#theme", OptionList).highlighted_option
        return option.id if option is not None and option.id else self.original_theme

    @property
    def dirty(self) -> bool:
        """Whether leaving now would lose something typed."""
        return bool(self.problems or self.changes())

    # --- leaving -----------------------------------------------------------------------------

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        """Store the changed settings and go back (nothing is stored while a field is wrong)."""
        if self.problems:
            first = next(f.name for f in TEXT_SETTINGS if f.name in self.problems)
            self.query_one(f"#{first}", Input).focus()
            self.notify(f"Not saved: {self.problems[first]}", severity="error", timeout=4)
            return
        changes = self.changes()
        if changes:
            self.quiz.store.update_settings(**changes)
            if "theme" in changes:
                self.app.theme = changes["theme"]
            self._bring_reviews_before_exam(changes)
            self.notify("Settings saved: used from the next question on.", timeout=3)
        self.saved = True
        self.dismiss()

    def _bring_reviews_before_exam(self, changes: dict[str, Any]) -> None:
        """A new exam date caps intervals as ``quiz --exam-date`` does at start."""
        exam_date = changes.get("exam_date")
        if exam_date is None:
            return
        from quiz.exam_date import apply_exam_date_cap

        moved = apply_exam_date_cap(self.quiz.store, exam_date, self.quiz.now())
        if moved:
            self.notify(f"{moved} review{'s' * (moved != 1)} brought forward to before your "
                        f"exam on {exam_date:%a %d %b}.", timeout=6)

    @on(Button.Pressed, "#optimize")
    def action_optimize(self) -> None:
        """Fit the parameters to the user's answers (a modal with its progress and figures);
        the line above the button says what is in use afterwards."""

        def closed(_saved: bool | None) -> None:
            self.query_one("#fsrs-parameters", Static).update(
                Content(parameters_line(self.quiz.store.settings())))

        self.app.push_screen(OptimizeModal(), closed)

    @on(Button.Pressed, "#cancel")
    def action_leave(self) -> None:
        """Back without saving; asks first when something was changed."""
        if not self.dirty:
            self.dismiss()
            return

        def chosen(choice: str | None) -> None:
            if choice == "save":
                self.action_save()
            elif choice == "discard":
                self.dismiss()

        self.app.push_screen(LeaveSettingsModal(), chosen)
