"""Plan to the exam: the simulation of ``quiz.plan`` for the current and the recommended
settings, computed in a thread with a progress bar, and the recommended ones applied on
confirmation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, ProgressBar, Static
from textual.worker import Worker, WorkerState

from quiz.plan import NoPlan, Plan, Start, read_start
from quiz.tui.screens.modals import ConfirmModal
from quiz.tui.widgets.plan_view import answers_chart, comparison, headline, notes, topic_lines

if TYPE_CHECKING:
    from quiz.tui.app import QuizApp

SEED = 0  # the same figures each time the screen opens on the same progress


class PlanScreen(Screen[None]):
    """The plan to the exam date, current settings against recommended ones."""

    BINDINGS = [
        Binding("a", "apply('both')", "Apply recommended"),
        Binding("n", "apply('new')", "New a day only"),
        Binding("t", "apply('retention')", "Retention only"),
        Binding("escape", "app.pop_screen", "Back"),
        Binding("q", "app.quit", "Quit", show=False),
    ]

    def __init__(self, seed: int = SEED) -> None:
        super().__init__()
        self.seed = seed
        self.plan: Plan | None = None
        self.refusal: str | None = None

    @property
    def quiz(self) -> QuizApp:
        return cast("QuizApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble(("Plan to the exam", "bold $text-primary"),
                                      "  simulated day by day to the exam morning"),
                     classes="title-bar")
        yield Static(Content("Simulating the days to the exam…"), id="plan-status")
        yield ProgressBar(total=1.0, show_eta=False, id="plan-progress")
        with VerticalScroll(id="plan-body"):
            yield Static(id="plan-comparison")
            yield Static(id="plan-chart-title", classes="section-title")
            yield Static(id="plan-chart")
            yield Static(id="plan-topics")
            yield Static(id="plan-notes")
        yield Footer()

    def on_mount(self) -> None:
        self.compute()

    def compute(self) -> None:
        """Read the deck here (the store is this thread's), simulate in a thread."""
        self.plan = None
        self.refresh_bindings()
        try:
            start = read_start(self.quiz.bank, self.quiz.store, self.quiz.now())
        except NoPlan as refusal:
            self.refusal = str(refusal)
            self._show_refusal()
            return
        bar = self.query_one("#plan-progress", ProgressBar)
        bar.update(progress=0.0)
        bar.display = True
        self.query_one("#plan-status", Static).update(
            Content("Simulating the days to the exam…"))
        self.run_worker(lambda: self._simulate(start, bar), thread=True, exclusive=True,
                        group="plan")

    def _simulate(self, start: Start, bar: ProgressBar) -> Plan:
        """In the worker's thread: only the simulation, and the bar moved through the app."""
        return start.plan(seed=self.seed, progress=lambda done: self.app.call_from_thread(
            bar.update, progress=done))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "plan" or event.state != WorkerState.SUCCESS:
            return
        self.plan = cast(Plan, event.worker.result)
        self._show()
        self.refresh_bindings()

    def _show_refusal(self) -> None:
        self.query_one("#plan-progress", ProgressBar).display = False
        self.query_one("#plan-status", Static).update(Content.assemble(
            (self.refusal or "", "$text-warning"), "\n\nSet the exam date in the settings (",
            (",", "bold $text-accent"), ") and open the plan again."))

    def _show(self) -> None:
        plan = self.plan
        assert plan is not None
        width = max(40, self.size.width - 4)
        self.query_one("#plan-progress", ProgressBar).display = False
        self.query_one("#plan-status", Static).update(headline(plan))
        self.query_one("#plan-comparison", Static).update(comparison(plan))
        self.query_one("#plan-chart-title", Static).update(Content.assemble(
            "Answers a day, recommended settings", ("  (every due review done)", "$text-muted")))
        self.query_one("#plan-chart", Static).update(
            answers_chart(plan, plan.recommended, width))
        self.query_one("#plan-topics", Static).update(topic_lines(self.quiz.bank, plan, width))
        self.query_one("#plan-notes", Static).update(notes(plan))

    def on_resize(self) -> None:
        if self.plan is not None:
            self._show()

    # --- applying the recommended settings ---------------------------------------------------

    def changes(self, which: str) -> dict[str, Any]:
        """The settings ``which`` ('both', 'new', 'retention') would change."""
        if self.plan is None:
            return {}
        now, best = self.plan.current, self.plan.recommended
        out: dict[str, Any] = {}
        if which in ("both", "new") and best.new_per_day != now.new_per_day:
            out["daily_new_limit"] = best.new_per_day
        if which in ("both", "retention") and best.retention != now.retention:
            out["desired_retention"] = best.retention
        return out

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "apply":
            return bool(self.changes(str(parameters[0]))) or None
        return True

    def action_apply(self, which: str) -> None:
        """Ask, then store the recommended settings and plan again with them."""
        changes = self.changes(which)
        if not changes:
            return
        settings = self.quiz.store.settings()
        lines = []
        if "daily_new_limit" in changes:
            lines.append(f"New questions a day: {settings.daily_new_limit} → "
                         f"{changes['daily_new_limit']}")
        if "desired_retention" in changes:
            lines.append(f"Desired retention: {settings.desired_retention:.2f} → "
                         f"{changes['desired_retention']:.2f}")
        body = Content("\n".join([*lines, "", "Used from the next question on."]))

        def chosen(answer: str | None) -> None:
            if answer != "yes":
                return
            self.quiz.store.update_settings(**changes)
            self.notify("Settings saved: " + "; ".join(lines) + ".", timeout=4)
            self.compute()

        self.app.push_screen(ConfirmModal("Apply the recommended settings?", body), chosen)
