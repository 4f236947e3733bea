"""Help (``?`` or F1 on any screen): the keys of the screen below, read from its live
bindings so the list never goes stale, and what each mode of quiz does."""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

MODES = (
    ("Review", "spaced repetition: due questions, then new ones; each answer moves the "
               "question's schedule"),
    ("Practice", "by topic or concept; does not change the schedule"),
    ("Cram", "weakest questions first, before the exam; does not change the schedule"),
    ("Exam", "a timed mock of the KCSA format, graded at the end"),
    ("Browse", "search the bank; open, flag, suspend, edit, practise"),
    ("Lab", "NetworkPolicies on a scenario's pods: who may reach whom"),
    ("Settings", "new a day, retention, intervals, session length, theme, exam date"),
)


class KeyHelp:
    """One line of the keys list: the keys that do one thing, and what it does."""

    def __init__(self, keys: list[str], description: str, enabled: bool) -> None:
        self.keys = keys
        self.description = description
        self.enabled = enabled

    @property
    def shown_keys(self) -> str:
        return " ".join(self.keys)


def takes_text(screen: Screen) -> bool:
    """Whether the screen has text fields: there ? is a character to type, F1 opens help."""
    return bool(screen.query("Input, TextArea"))


def quiz_bindings(node: object) -> set[tuple[str, str]]:
    """(action, description) of the bindings quiz's own classes declare on ``node``'s class
    (not those a Textual base class brings, like a list's cursor keys)."""
    declared: set[tuple[str, str]] = set()
    for cls in type(node).__mro__:
        if not cls.__module__.startswith("quiz."):
            continue
        for binding in getattr(cls, "BINDINGS", ()):
            if isinstance(binding, Binding):
                declared.add((binding.action, binding.description))
    return declared


def screen_keys(screen: Screen) -> list[KeyHelp]:
    """What the keys do on ``screen`` now: the active bindings with a description that quiz
    declares, the screen's first, then its focused widgets', then the app's.

    Keys that do the same share a line ("esc ⏎  Home")."""
    app = screen.app
    lines: dict[tuple[int, str], KeyHelp] = {}
    order: dict[int, int] = {}
    typing = takes_text(screen)
    for key, active in screen.active_bindings.items():
        binding, node = active.binding, active.node
        if not binding.description \
                or (binding.action, binding.description) not in quiz_bindings(node) \
                or (typing and key == "question_mark"):
            continue
        shown = binding.key_display or app.get_key_display(
            Binding(key, binding.action, binding.description))
        if re.fullmatch(r"f\d+", shown):
            shown = shown.upper()  # F1, as terminals label it
        group = (id(node), binding.description)
        order[id(node)] = 0 if node is screen else 2 if node is app else 1
        if group in lines:
            if shown not in lines[group].keys:
                lines[group].keys.append(shown)
        else:
            lines[group] = KeyHelp([shown], binding.description, active.enabled)
    return [lines[g] for g in sorted(lines, key=lambda g: order[g[0]])]


def screen_name(screen: Screen) -> str:
    """A screen's name for people: ``QuestionDetailScreen`` → "Question detail"."""
    name = re.sub(r"(Screen|Modal|Dialog)$", "", type(screen).__name__) or "This screen"
    words = re.findall(r"[A-Z][a-z0-9]*|[a-z0-9]+", name)
    return " ".join([words[0], *(w.lower() for w in words[1:])]) if words else name


class HelpModal(ModalScreen[None]):
    """The keys of the screen it was opened over and a line on each mode."""

    BINDINGS = [Binding("escape,question_mark,f1", "dismiss(None)", "Close",
                        key_display="esc")]

    def __init__(self, screen_title: str, keys: list[KeyHelp]) -> None:
        super().__init__()
        self.screen_title = screen_title
        self.keys = keys

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-frame help-frame") as frame:
            frame.border_title = Content(f"Help · {self.screen_title}")
            frame.border_subtitle = Content("esc ? F1 close")
            with VerticalScroll(id="help-body"):
                yield Static(Content("Keys on this screen"), classes="section-title first")
                if not self.keys:
                    yield Static(Content("No keys of its own."), classes="muted")
                for k in self.keys:
                    with Horizontal(classes="help-row"):
                        yield Static(Content(k.shown_keys), classes="help-key"
                                     + ("" if k.enabled else " -disabled"))
                        yield Static(Content(k.description), classes="help-text")
                yield Static(Content("Modes"), classes="section-title")
                for name, text in MODES:
                    with Horizontal(classes="help-row"):
                        yield Static(Content(name), classes="help-mode")
                        yield Static(Content(text), classes="help-text")
                yield Static(Content("ctrl+p: the command palette, every action by name · "
                                     "ctrl+q: quit from anywhere (answers are saved as given)"),
                             classes="muted help-note")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()
